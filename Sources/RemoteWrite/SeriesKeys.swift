import AIOpsCore

/// The series key (`Labels.Key` layout) and its hash for every series of a batch, so the store
/// finds a known series with one hash probe and one `memcmp` (`SeriesStore.find(hash:key:)`)
/// without building a `String`.
///
/// A key the request carries verbatim (`WriteBatch.keySpans`: a 1.0 series as Prometheus
/// sends it) is viewed in place in the batch's buffer; the others (2.0, unsorted or unusually
/// encoded labels) are built here. Keep one per worker beside its `WriteBatch`: after warm-up
/// `build` allocates nothing.
public struct SeriesKeys: Sendable {
    /// Where one series' key is: in the batch's buffer, or in `bytes`.
    public struct Slice: Equatable, Sendable {
        public var offset: UInt32
        public var length: UInt32
        /// True: `batch.buffer[offset...]`; false: `bytes[offset...]`.
        public var inBatch: Bool
    }

    /// Keys that had to be built, back to back.
    public private(set) var bytes: [UInt8] = []
    /// Per series: where its key is.
    public private(set) var slices: [Slice] = []
    /// `Labels.Key.hash` of each series' key: equal to `Labels.stableHash` of the series'
    /// labels (for valid UTF-8; invalid series never reach the store).
    public private(set) var hashes: [UInt64] = []

    public init() {}

    static let zeroHashes = [UInt64](repeating: 0, count: 2048 / MemoryLayout<UInt64>.stride)
    static let zeroSlices = [Slice](repeating: Slice(offset: 0, length: 0, inBatch: false), count: 2048 / MemoryLayout<Slice>.stride)

    /// Series whose keys were built.
    @inlinable public var count: Int { hashes.count }

    /// Finds or builds the key of every series of `batch` and hashes it, first sorting (in
    /// place) the label sets that are not sorted by name.
    /// - Complexity: O(label bytes); allocates only when the batch is larger than any before.
    public mutating func build(from batch: inout WriteBatch) {
        let count = batch.series.count
        // Sized up front (zeroed) and written through pointers below: cheaper than an
        // `append` (uniqueness and capacity checks) per series.
        hashes.removeAll(keepingCapacity: true)
        slices.removeAll(keepingCapacity: true)
        WriteBatch.extend(&hashes, to: count, from: Self.zeroHashes)
        WriteBatch.extend(&slices, to: count, from: Self.zeroSlices)
        let spans = batch.keySpans.count == count ? batch.keySpans : []
        // Keys to build: an upper bound of their size (a length takes at most 5 bytes as the
        // label fields are UInt32, so a label's head takes at most 18), plus slack for the word-wide
        // copies, which may store up to 7 bytes past a label's end.
        var total = 16
        for index in 0..<count where spans.isEmpty || spans[index].isNone {
            if !batch.labelsAreSorted(ofSeries: index) { batch.sortLabels(ofSeries: index) }
            for label in batch.labels[batch.series[index].labelRange] {
                total &+= Int(label.nameLength) &+ Int(label.valueLength) &+ 18
            }
        }
        if bytes.count < total { bytes = [UInt8](repeating: 0, count: total + total / 2) }
        var end = 0
        batch.buffer.withUnsafeBytes { raw in
            batch.labels.withUnsafeBufferPointer { labels in
                batch.series.withUnsafeBufferPointer { series in
                    bytes.withUnsafeMutableBytes { out in
                    hashes.withUnsafeMutableBufferPointer { hashes in
                    slices.withUnsafeMutableBufferPointer { slices in
                        // Safe: both hold `count` elements and are written at `index < count` only.
                        // `out` holds at least 16 bytes; `raw` may be empty (no labels at all).
                        let base = out.baseAddress!
                        let source = raw.baseAddress ?? UnsafeRawPointer(base)
                        let sourceEnd = source + raw.count
                        for index in 0..<count {
                            if !spans.isEmpty && !spans[index].isNone {
                                let span = spans[index]
                                slices[index] = Slice(offset: span.start, length: span.end &- span.start, inBatch: true)
                                hashes[index] = Labels.Key.hash(UnsafeRawBufferPointer(start: source + Int(span.start), count: Int(span.end &- span.start)))
                                continue
                            }
                            let start = end
                            var at = base + start
                            let entry = series[index]
                            var i = Int(entry.labelStart)
                            let last = i + Int(entry.labelCount)
                            while i < last {
                                let label = labels[i]
                                let nameLength = Int(label.nameLength)
                                let valueLength = Int(label.valueLength)
                                at = Labels.Key.writeHead(nameLength: nameLength, valueLength: valueLength, at: at)
                                at = SeriesKeys.copy(source + Int(label.nameOffset), nameLength, to: at, sourceEnd: sourceEnd)
                                at = Labels.Key.writeValueHead(valueLength: valueLength, at: at)
                                at = SeriesKeys.copy(source + Int(label.valueOffset), valueLength, to: at, sourceEnd: sourceEnd)
                                i += 1
                            }
                            end = at - base
                            slices[index] = Slice(offset: UInt32(truncatingIfNeeded: start), length: UInt32(truncatingIfNeeded: end - start), inBatch: false)
                            hashes[index] = Labels.Key.hash(UnsafeRawBufferPointer(start: base + start, count: end - start))
                        }
                    }
                    }
                    }
                }
            }
        }
    }

    /// Copies `length` bytes, 8 at a time when the source has 8-byte words to spare before
    /// `sourceEnd`, so it may store up to 7 bytes past the end (the caller leaves that
    /// slack); never reads outside the source buffer. Returns the byte after the copy.
    @inline(__always)
    static func copy(_ from: UnsafeRawPointer, _ length: Int, to at: UnsafeMutableRawPointer,
                     sourceEnd: UnsafeRawPointer) -> UnsafeMutableRawPointer {
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

    /// Calls `body` with a view of every key, valid for `batch` as it was built from.
    @inlinable
    public func withKeys<R>(in batch: WriteBatch, _ body: (View) throws -> R) rethrows -> R {
        try batch.buffer.withUnsafeBytes { raw in
            try bytes.withUnsafeBytes { own in
                try slices.withUnsafeBufferPointer { slices in
                    try body(View(batch: raw.baseAddress, own: own.baseAddress, slices: slices))
                }
            }
        }
    }

    /// Keys viewed in place, by series index.
    public struct View {
        @usableFromInline let batch: UnsafeRawPointer?
        @usableFromInline let own: UnsafeRawPointer?
        @usableFromInline let slices: UnsafeBufferPointer<Slice>

        @inlinable
        init(batch: UnsafeRawPointer?, own: UnsafeRawPointer?, slices: UnsafeBufferPointer<Slice>) {
            self.batch = batch
            self.own = own
            self.slices = slices
        }

        @inlinable
        public subscript(index: Int) -> UnsafeRawBufferPointer {
            let slice = slices[index]
            let base = slice.inBatch ? batch : own
            return UnsafeRawBufferPointer(start: base.map { $0 + Int(slice.offset) }, count: Int(slice.length))
        }
    }

    /// The key of series `index` (allocates: for tests and diagnostics).
    public func key(_ index: Int, in batch: WriteBatch) -> [UInt8] {
        withKeys(in: batch) { Array($0[index]) }
    }
}
