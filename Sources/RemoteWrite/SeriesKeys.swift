import AIOpsCore

/// The series key (`Labels.Key` layout) and its hash for every series of a batch, built in
/// one pass into reused arrays, so the store finds a known series with one hash probe and one
/// `memcmp` (`SeriesStore.find(hash:key:)`) without building a `String`.
///
/// Keep one per worker beside its `WriteBatch`: after warm-up `build` allocates nothing.
public struct SeriesKeys: Sendable {
    /// Every key back to back; key `i` is `bytes[start(i) ..< ends[i]]`.
    public private(set) var bytes: [UInt8] = []
    /// One past the last byte of each series' key.
    public private(set) var ends: [Int] = []
    /// `Labels.Key.hash` of each series' key: equal to `Labels.stableHash` of the series'
    /// labels (for valid UTF-8; invalid series never reach the store).
    public private(set) var hashes: [UInt64] = []

    public init() {}

    /// Series whose keys were built.
    @inlinable public var count: Int { hashes.count }

    /// Builds the key and hash of every series of `batch`, first sorting (in place) the label
    /// sets that are not sorted by name.
    /// - Complexity: O(label bytes); allocates only when the batch is larger than any before.
    public mutating func build(from batch: inout WriteBatch) {
        hashes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        hashes.reserveCapacity(batch.series.count)
        ends.reserveCapacity(batch.series.count)
        // An upper bound: a length takes at most 5 bytes (lengths are UInt32), plus slack for
        // the word-wide copies, which may store up to 7 bytes past a label's end.
        var total = 16
        for label in batch.labels { total &+= Int(label.nameLength) &+ Int(label.valueLength) &+ 10 }
        if bytes.count < total { bytes = [UInt8](repeating: 0, count: total + total / 2) }
        for index in batch.series.indices where !batch.labelsAreSorted(ofSeries: index) {
            batch.sortLabels(ofSeries: index)
        }
        var end = 0
        batch.buffer.withUnsafeBytes { raw in
            batch.labels.withUnsafeBufferPointer { labels in
                batch.series.withUnsafeBufferPointer { series in
                    bytes.withUnsafeMutableBytes { out in
                        // `out` holds at least 16 bytes; `raw` may be empty (no labels at all).
                        let base = out.baseAddress!
                        let source = raw.baseAddress ?? UnsafeRawPointer(base)
                        let sourceEnd = source + raw.count
                        for entry in series {
                            let start = end
                            var at = base + start
                            var i = Int(entry.labelStart)
                            let last = i + Int(entry.labelCount)
                            while i < last {
                                let label = labels[i]
                                at = SeriesKeys.append(source + Int(label.nameOffset), Int(label.nameLength), at: at, sourceEnd: sourceEnd)
                                at = SeriesKeys.append(source + Int(label.valueOffset), Int(label.valueLength), at: at, sourceEnd: sourceEnd)
                                i += 1
                            }
                            end = at - base
                            ends.append(end)
                            hashes.append(Labels.Key.hash(UnsafeRawBufferPointer(start: base + start, count: end - start)))
                        }
                    }
                }
            }
        }
    }

    /// Writes `length` (as `Labels.Key.writeLength` does) and the bytes at `from`, returning
    /// the byte after them. Copies 8 bytes at a time when the source has 8-byte words to
    /// spare before `sourceEnd`, so it may store up to 7 bytes past the end (the caller
    /// leaves that slack); never reads outside the source buffer.
    @inline(__always)
    static func append(_ from: UnsafeRawPointer, _ length: Int, at: UnsafeMutableRawPointer,
                       sourceEnd: UnsafeRawPointer) -> UnsafeMutableRawPointer {
        var at = at
        if length < 0x80 {
            at.storeBytes(of: UInt8(truncatingIfNeeded: length), as: UInt8.self)
            at += 1
        } else {
            at = Labels.Key.writeLength(length, at: at)
        }
        if sourceEnd - from >= (length + 7) & ~7 {
            var offset = 0
            while offset < length {
                at.storeBytes(of: (from + offset).loadUnaligned(as: UInt64.self), toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
        } else if length > 0 {
            at.copyMemory(from: from, byteCount: length)
        }
        return at + length
    }

    /// Where key `index` starts in `bytes`.
    @inlinable
    public func start(_ index: Int) -> Int { index == 0 ? 0 : ends[index - 1] }

    /// Calls `body` with the key of series `index`, viewed in place.
    @inlinable
    public func withKey<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = start(index)..<ends[index]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The key of series `index` (allocates: for tests and diagnostics).
    public func key(_ index: Int) -> [UInt8] { Array(bytes[start(index)..<ends[index]]) }
}
