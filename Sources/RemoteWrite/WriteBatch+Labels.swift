import AIOpsCore
#if canImport(Glibc)
import Glibc
#endif

/// Label order, hashing and comparison straight from the byte ranges, so the store can find
/// a known series without building Strings; `makeLabels` allocates, for new series only.
extension WriteBatch {
    /// Orders two labels by name bytes, then value bytes: the order `Labels` sorts in for
    /// every valid (ASCII-named, NFC) label set.
    @inlinable
    static func compare(_ raw: UnsafeRawBufferPointer, _ a: LabelRef, _ b: LabelRef) -> Int {
        // Label names mostly differ in their first byte: decide that without a call.
        if a.nameLength > 0 && b.nameLength > 0 {
            let x = raw[Int(a.nameOffset)]
            let y = raw[Int(b.nameOffset)]
            if x != y { return x < y ? -1 : 1 }
        }
        let byName = compareBytes(raw, a.nameRange, b.nameRange)
        if byName != 0 { return byName }
        return compareBytes(raw, a.valueRange, b.valueRange)
    }

    @inlinable
    static func compareBytes(_ raw: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Int {
        let n = min(a.count, b.count)
        if n > 0, let base = raw.baseAddress {
            let order = memcmp(base + a.lowerBound, base + b.lowerBound, n)
            if order != 0 { return order < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Calls `body` with the raw buffer and the series' labels, without copying the batch.
    @inlinable
    func withSeriesLabels<R>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<LabelRef>) -> R) -> R {
        let range = series[index].labelRange
        return buffer.withUnsafeBytes { raw in
            labels.withUnsafeBufferPointer { all in body(raw, UnsafeBufferPointer(rebasing: all[range])) }
        }
    }

    @inlinable
    static func isSorted(_ raw: UnsafeRawBufferPointer, _ refs: UnsafeBufferPointer<LabelRef>) -> Bool {
        var i = 1
        while i < refs.count {
            if compare(raw, refs[i - 1], refs[i]) > 0 { return false }
            i += 1
        }
        return true
    }

    /// Whether series `index`'s labels are sorted by name (then value). Unsorted labels are
    /// not an error: `sortLabels(ofSeries:)` fixes them in place.
    /// - Complexity: O(labels).
    @inlinable
    public func labelsAreSorted(ofSeries index: Int) -> Bool {
        withSeriesLabels(index) { raw, refs in WriteBatch.isSorted(raw, refs) }
    }

    /// Sorts series `index`'s labels in place (insertion sort: label sets are small and
    /// usually nearly sorted).
    public mutating func sortLabels(ofSeries index: Int) {
        let range = series[index].labelRange
        guard range.count > 1 else { return }
        let bytes = buffer  // a second reference, so `labels` can be mutated meanwhile
        bytes.withUnsafeBytes { raw in
            labels.withUnsafeMutableBufferPointer { all in
                var i = range.lowerBound + 1
                while i < range.upperBound {
                    let item = all[i]
                    var j = i
                    while j > range.lowerBound && WriteBatch.compare(raw, all[j - 1], item) > 0 {
                        all[j] = all[j - 1]
                        j -= 1
                    }
                    all[j] = item
                    i += 1
                }
            }
        }
    }

    /// Sorts the labels of every series that needs it.
    public mutating func sortAllLabels() {
        for index in series.indices where !labelsAreSorted(ofSeries: index) {
            sortLabels(ofSeries: index)
        }
    }

    /// Calls `body` with the labels in sorted order, copied to a stack-allocated scratch
    /// buffer and sorted there (the unsorted, rare case; the batch is not touched).
    @inlinable
    static func withSortedCopy<R>(_ raw: UnsafeRawBufferPointer, _ refs: UnsafeBufferPointer<LabelRef>,
                                  _ body: (UnsafeBufferPointer<LabelRef>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: LabelRef.self, capacity: max(refs.count, 1)) { scratch in
            var i = 0
            while i < refs.count {
                let item = refs[i]
                var j = i
                while j > 0 && compare(raw, scratch[j - 1], item) > 0 {
                    scratch[j] = scratch[j - 1]
                    j -= 1
                }
                scratch[j] = item
                i += 1
            }
            return body(UnsafeBufferPointer(rebasing: scratch[0..<refs.count]))
        }
    }

    @inlinable
    static func hashSorted(_ raw: UnsafeRawBufferPointer, _ refs: UnsafeBufferPointer<LabelRef>) -> UInt64 {
        var size = 0
        for label in refs { size += Labels.Key.encodedSize(nameLength: Int(label.nameLength), valueLength: Int(label.valueLength)) }
        return withUnsafeTemporaryAllocation(byteCount: max(size, 1), alignment: 8) { scratch in
            var at = scratch.baseAddress!
            for label in refs {
                at = Labels.Key.writeLabel(name: UnsafeRawBufferPointer(rebasing: raw[label.nameRange]),
                                           value: UnsafeRawBufferPointer(rebasing: raw[label.valueRange]), at: at)
            }
            return Labels.Key.hash(UnsafeRawBufferPointer(start: scratch.baseAddress!, count: size))
        }
    }

    /// The series' label hash, identical to `Labels.stableHash` of `makeLabels(series:)`
    /// (`Labels.Key.hash` of its key, labels in sorted order), computed without allocating.
    /// Unsorted labels are hashed in sorted order. Equality holds for valid UTF-8 (invalid
    /// bytes would be repaired by `String(decoding:)`; validation reports them). The ingest
    /// path uses `SeriesKeys`, which builds every series' key and hash in one pass.
    /// - Complexity: O(label bytes) when sorted.
    @inlinable
    public func stableHash(ofSeries index: Int) -> UInt64 {
        withSeriesLabels(index) { raw, refs in
            if WriteBatch.isSorted(raw, refs) { return WriteBatch.hashSorted(raw, refs) }
            return WriteBatch.withSortedCopy(raw, refs) { sorted in WriteBatch.hashSorted(raw, sorted) }
        }
    }

    /// Whether series `index` has exactly the labels of `existing`, compared byte by byte
    /// in sorted order without allocating (to confirm a hash hit).
    @inlinable
    public func labelsEqual(ofSeries index: Int, to existing: Labels) -> Bool {
        withSeriesLabels(index) { raw, refs in
            guard refs.count == existing.labels.count else { return false }
            if WriteBatch.isSorted(raw, refs) { return WriteBatch.equalSorted(raw, refs, existing.labels) }
            return WriteBatch.withSortedCopy(raw, refs) { sorted in WriteBatch.equalSorted(raw, sorted, existing.labels) }
        }
    }

    @inlinable
    static func equalSorted(_ raw: UnsafeRawBufferPointer, _ refs: UnsafeBufferPointer<LabelRef>, _ existing: [Label]) -> Bool {
        existing.withUnsafeBufferPointer { labels in
            var k = 0
            while k < refs.count {
                if !bytesEqual(raw, refs[k].nameRange, labels[k].name) { return false }
                if !bytesEqual(raw, refs[k].valueRange, labels[k].value) { return false }
                k += 1
            }
            return true
        }
    }

    @inlinable
    static func bytesEqual(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, _ string: String) -> Bool {
        let utf8 = string.utf8
        guard utf8.count == range.count else { return false }
        if range.isEmpty { return true }
        if let result = utf8.withContiguousStorageIfAvailable({ storage -> Bool in
            memcmp(storage.baseAddress!, raw.baseAddress! + range.lowerBound, range.count) == 0
        }) {
            return result
        }
        var i = range.lowerBound
        for byte in utf8 {
            if byte != raw[i] { return false }
            i += 1
        }
        return true
    }

    /// The index into `labels` of series `index`'s `__name__` label, or nil.
    @inlinable
    public func metricNameLabelIndex(ofSeries index: Int) -> Int? {
        buffer.withUnsafeBytes { raw in
            for i in series[index].labelRange where WriteBatch.isMetricNameLabel(raw, labels[i].nameRange) {
                return i
            }
            return nil
        }
    }

    @inlinable
    static func isMetricNameLabel(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        // "__name__"
        guard range.count == 8 else { return false }
        let word = UnsafeRawPointer(raw.baseAddress! + range.lowerBound).loadUnaligned(as: UInt64.self)
        return word == UInt64(littleEndian: 0x5f5f_656d_616e_5f5f)
    }

    /// The value of `__name__` (allocates), or nil when the series has none.
    public func metricName(ofSeries index: Int) -> String? {
        metricNameLabelIndex(ofSeries: index).map { value(labels[$0]) }
    }

    /// Builds the series' `Labels` (allocates: call it for series the store does not know).
    public func makeLabels(series index: Int) -> Labels {
        var list: [Label] = []
        list.reserveCapacity(series[index].labelRange.count)
        for label in labels[series[index].labelRange] {
            list.append(Label(name(label), value(label)))
        }
        return Labels(list)
    }
}
