import AIOpsCore

/// Label order, hashing and comparison straight from the byte ranges, so the store can find
/// a known series without building Strings; `makeLabels` allocates, for new series only.
extension WriteBatch {
    /// Orders two labels by name bytes, then value bytes: the order `Labels` sorts in for
    /// every valid (ASCII-named, NFC) label set.
    @inlinable
    static func compare(_ raw: UnsafeRawBufferPointer, _ a: LabelRef, _ b: LabelRef) -> Int {
        let byName = compareBytes(raw, a.nameRange, b.nameRange)
        if byName != 0 { return byName }
        return compareBytes(raw, a.valueRange, b.valueRange)
    }

    @inlinable
    static func compareBytes(_ raw: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Int {
        let n = min(a.count, b.count)
        var i = 0
        while i < n {
            let x = raw[a.lowerBound + i]
            let y = raw[b.lowerBound + i]
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Whether series `index`'s labels are sorted by name (then value). Unsorted labels are
    /// not an error: `sortLabels(ofSeries:)` fixes them in place.
    /// - Complexity: O(labels).
    @inlinable
    public func labelsAreSorted(ofSeries index: Int) -> Bool {
        let range = series[index].labelRange
        guard range.count > 1 else { return true }
        return buffer.withUnsafeBytes { raw in
            var i = range.lowerBound + 1
            while i < range.upperBound {
                if WriteBatch.compare(raw, labels[i - 1], labels[i]) > 0 { return false }
                i += 1
            }
            return true
        }
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

    /// Calls `body` with the series' label indexes (into `labels`) in sorted order, without
    /// touching the batch: the identity when sorted, else a stack-allocated permutation.
    @inlinable
    func withSortedLabelIndexes<R>(ofSeries index: Int, _ raw: UnsafeRawBufferPointer,
                                   _ body: (UnsafeBufferPointer<Int>) -> R) -> R {
        let range = series[index].labelRange
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: max(range.count, 1)) { order in
            var count = 0
            var sorted = true
            for i in range {
                order[count] = i
                if count > 0 && sorted && WriteBatch.compare(raw, labels[i - 1], labels[i]) > 0 { sorted = false }
                count += 1
            }
            if !sorted {
                var i = 1
                while i < count {
                    let item = order[i]
                    var j = i
                    while j > 0 && WriteBatch.compare(raw, labels[order[j - 1]], labels[item]) > 0 {
                        order[j] = order[j - 1]
                        j -= 1
                    }
                    order[j] = item
                    i += 1
                }
            }
            return body(UnsafeBufferPointer(rebasing: order[0..<count]))
        }
    }

    /// The series' label hash, identical to `Labels.stableHash` of `makeLabels(series:)`
    /// (FNV-1a over `name 0xff value 0xff` in sorted order), computed without allocating.
    /// Unsorted labels are hashed in sorted order. Equality holds for valid UTF-8 (invalid
    /// bytes would be repaired by `String(decoding:)`; validation reports them).
    /// - Complexity: O(label bytes) when sorted.
    @inlinable
    public func stableHash(ofSeries index: Int) -> UInt64 {
        buffer.withUnsafeBytes { raw in
            var hasher = StableHasher()
            if labelsAreSorted(ofSeries: index) {
                for label in labels[series[index].labelRange] {
                    hasher.combine(UnsafeRawBufferPointer(rebasing: raw[label.nameRange]))
                    hasher.combineSeparator()
                    hasher.combine(UnsafeRawBufferPointer(rebasing: raw[label.valueRange]))
                    hasher.combineSeparator()
                }
            } else {
                withSortedLabelIndexes(ofSeries: index, raw) { order in
                    for i in order {
                        let label = labels[i]
                        hasher.combine(UnsafeRawBufferPointer(rebasing: raw[label.nameRange]))
                        hasher.combineSeparator()
                        hasher.combine(UnsafeRawBufferPointer(rebasing: raw[label.valueRange]))
                        hasher.combineSeparator()
                    }
                }
            }
            return hasher.value
        }
    }

    /// Whether series `index` has exactly the labels of `existing`, compared byte by byte
    /// in sorted order without allocating (to confirm a hash hit).
    public func labelsEqual(ofSeries index: Int, to existing: Labels) -> Bool {
        let range = series[index].labelRange
        guard range.count == existing.count else { return false }
        return buffer.withUnsafeBytes { raw in
            withSortedLabelIndexes(ofSeries: index, raw) { order in
                var k = 0
                for label in existing.labels {
                    let ref = labels[order[k]]
                    if !WriteBatch.bytesEqual(raw, ref.nameRange, label.name) { return false }
                    if !WriteBatch.bytesEqual(raw, ref.valueRange, label.value) { return false }
                    k += 1
                }
                return true
            }
        }
    }

    @inlinable
    static func bytesEqual(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, _ string: String) -> Bool {
        let utf8 = string.utf8
        guard utf8.count == range.count else { return false }
        if let result = utf8.withContiguousStorageIfAvailable({ storage -> Bool in
            var i = 0
            while i < storage.count {
                if storage[i] != raw[range.lowerBound + i] { return false }
                i += 1
            }
            return true
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
