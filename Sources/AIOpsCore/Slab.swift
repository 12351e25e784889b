/// Contiguous storage for plain-data elements that per-sample code reaches by index: the
/// detector states of a pipeline's bindings, the bindings themselves.
///
/// An `Array` checks uniqueness (a call) and bounds on every mutating subscript; a sample runs
/// through several of those per rule. Here an element is addressed in place through the
/// pointer, with the bounds checked in debug builds only: the indices come from the owner's
/// own bookkeeping (handles it handed out), not from input. Grows by doubling; elements are
/// `BitwiseCopyable`, so growing is a `memcpy` and nothing needs deinitialising.
///
/// A class, so that the storage has one owner and is freed in `deinit`; not `Sendable`, like
/// the pipeline that owns it (one shard lock guards both).
public final class Slab<Element: BitwiseCopyable> {
    public private(set) var count = 0
    private var capacity: Int
    @usableFromInline private(set) var base: UnsafeMutablePointer<Element>

    public init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// Adds `element` at the end.
    /// - Returns: its index.
    @discardableResult
    public func append(_ element: Element) -> Int {
        if count == capacity { grow(to: 2 * capacity) }
        (base + count).initialize(to: element)
        count += 1
        return count - 1
    }

    /// The element at `index`, read and written in place.
    @inlinable
    public subscript(index: Int) -> Element {
        unsafeAddress {
            assert(index >= 0 && index < count, "Slab index \(index) out of 0..<\(count)")
            return UnsafePointer(base + index)
        }
        unsafeMutableAddress {
            assert(index >= 0 && index < count, "Slab index \(index) out of 0..<\(count)")
            return base + index
        }
    }

    private func grow(to newCapacity: Int) {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }
}
