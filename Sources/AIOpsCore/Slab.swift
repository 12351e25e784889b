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
    public internal(set) var count = 0
    private(set) var capacity: Int
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

    /// Adds `count` copies of `element` at the end (one growth at most).
    /// - Returns: the index of the first.
    @discardableResult
    public func append(repeating element: Element, count added: Int) -> Int {
        let first = count
        guard added > 0 else { return first }
        if count + added > capacity { grow(to: max(2 * capacity, count + added)) }
        (base + count).initialize(repeating: element, count: added)
        count += added
        return first
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

    /// The address of the element at `index`, for code that touches several of its fields in
    /// a row (one load of the base instead of one per field). Valid until the next `append`.
    @inlinable
    public func pointer(at index: Int) -> UnsafeMutablePointer<Element> {
        assert(index >= 0 && index < count, "Slab index \(index) out of 0..<\(count)")
        return base + index
    }

    func grow(to newCapacity: Int) {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }
}

extension Slab {
    /// The elements' bytes, `count * MemoryLayout<Element>.stride` of them, for a snapshot.
    /// - Complexity: O(count): one copy.
    public func copyBytes() -> [UInt8] {
        let byteCount = count * MemoryLayout<Element>.stride
        return [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(base), count: byteCount))
    }

    /// `copyBytes()` into `bytes`, reusing its capacity (no allocation when it has room).
    public func copyBytes(into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: UnsafeRawPointer(base), count: count * MemoryLayout<Element>.stride))
    }

    /// Replaces every element with `count` elements read from `bytes` (as `copyBytes` wrote
    /// them, on a machine with the same layout of `Element`; the caller checks that).
    /// - Precondition: `bytes.count == count * MemoryLayout<Element>.stride`.
    public func replaceAll(count newCount: Int, bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == newCount * MemoryLayout<Element>.stride, "slab bytes do not match the element count")
        if newCount > capacity { grow(to: max(newCount, 2 * capacity)) }
        if newCount > 0 {
            UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        count = newCount
    }
}

/// The memory layout of a plain-data type kept as raw bytes in a snapshot: if any of these
/// differs between the writer and the reader, the bytes cannot be read back.
///
/// `version` is the type's own layout version, bumped by hand whenever its stored fields
/// change (a change that keeps the size would otherwise go unnoticed).
public struct StateLayout: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var version: Int
    public var size: Int
    public var stride: Int
    public var alignment: Int

    public init(name: String, version: Int, size: Int, stride: Int, alignment: Int) {
        self.name = name
        self.version = version
        self.size = size
        self.stride = stride
        self.alignment = alignment
    }

    public init<T>(_ type: T.Type, name: String, version: Int) {
        self.init(name: name, version: version, size: MemoryLayout<T>.size, stride: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
    }

    public var description: String { "\(name) v\(version) (size \(size), stride \(stride), alignment \(alignment))" }
}

extension Array where Element: BitwiseCopyable {
    /// An empty array with room for `capacity` elements whose memory has been written once,
    /// so that filling it later (under a lock) is a plain `memcpy`, not a page fault per 4 KiB.
    public static func prefaulted(capacity: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: Swift.max(0, capacity)) { buffer, initialized in
            if let base = buffer.baseAddress, capacity > 0 {
                UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: capacity * MemoryLayout<Element>.stride)
            }
            initialized = 0
        }
    }

    /// Replaces the contents with `source`, reusing the capacity when it is enough.
    public mutating func replaceContents(with source: UnsafeBufferPointer<Element>) {
        removeAll(keepingCapacity: true)
        append(contentsOf: source)
    }
}
