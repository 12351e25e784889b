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
        var total = 0
        for label in batch.labels {
            total &+= Labels.Key.encodedSize(nameLength: Int(label.nameLength), valueLength: Int(label.valueLength))
        }
        if bytes.count < total { bytes = [UInt8](repeating: 0, count: total + total / 2) }
        for index in batch.series.indices where !batch.labelsAreSorted(ofSeries: index) {
            batch.sortLabels(ofSeries: index)
        }
        var end = 0
        batch.buffer.withUnsafeBytes { raw in
            batch.labels.withUnsafeBufferPointer { labels in
                batch.series.withUnsafeBufferPointer { series in
                    bytes.withUnsafeMutableBytes { out in
                        guard let base = out.baseAddress else {
                            // No label bytes at all: every key is empty.
                            for _ in series { ends.append(0); hashes.append(Labels.Key.hash(UnsafeRawBufferPointer(start: nil, count: 0))) }
                            return
                        }
                        for entry in series {
                            let start = end
                            var at = base + start
                            for i in entry.labelRange {
                                let label = labels[i]
                                at = Labels.Key.writeLabel(
                                    name: UnsafeRawBufferPointer(rebasing: raw[label.nameRange]),
                                    value: UnsafeRawBufferPointer(rebasing: raw[label.valueRange]), at: at)
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
