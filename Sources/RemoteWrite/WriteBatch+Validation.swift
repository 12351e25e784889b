/// Per-series checks for the consumer; nothing here allocates unless it finds an issue.
extension WriteBatch {
    /// The first issue of series `index`, or nil when it is acceptable.
    ///
    /// Does not require sorted labels (duplicates are found either way); unsorted labels
    /// are not an issue.
    /// - Complexity: O(label bytes + labels²) for unsorted sets, O(label bytes) for sorted ones.
    public func validate(series index: Int, options: SeriesValidationOptions = .init()) -> SeriesIssue? {
        let entry = series[index]
        let range = entry.labelRange
        if options.requireSamples && entry.sampleCount == 0 && entry.histogramCount == 0 {
            return .noSamples(series: index)
        }
        if version == .v2 && entry.sampleCount > 0 && entry.histogramCount > 0 {
            return .samplesAndHistograms(series: index)
        }
        if let limit = options.maxLabelCount, range.count > limit {
            return .tooManyLabels(series: index, count: range.count, limit: limit)
        }
        let sorted = labelsAreSorted(ofSeries: index)
        return buffer.withUnsafeBytes { raw -> SeriesIssue? in
            var sawMetricName = false
            for i in range {
                let label = labels[i]
                let nameBytes = UnsafeRawBufferPointer(rebasing: raw[label.nameRange])
                let valueBytes = UnsafeRawBufferPointer(rebasing: raw[label.valueRange])
                if nameBytes.isEmpty { return .emptyLabelName(series: index) }
                if !WriteBatch.isValidUTF8(nameBytes) || !WriteBatch.isValidUTF8(valueBytes) {
                    return .invalidUTF8(series: index, name: name(label))
                }
                if let limit = options.maxLabelNameLength, nameBytes.count > limit {
                    return .labelNameTooLong(series: index, name: name(label), length: nameBytes.count, limit: limit)
                }
                if let limit = options.maxLabelValueLength, valueBytes.count > limit {
                    return .labelValueTooLong(series: index, name: name(label), length: valueBytes.count, limit: limit)
                }
                if WriteBatch.isMetricNameLabel(raw, label.nameRange) {
                    sawMetricName = true
                    if valueBytes.isEmpty { return .emptyMetricName(series: index) }
                    if !WriteBatch.isValidMetricName(valueBytes) {
                        return .invalidMetricName(series: index, name: value(label))
                    }
                } else {
                    if !WriteBatch.isValidLabelName(nameBytes) {
                        return .invalidLabelName(series: index, name: name(label))
                    }
                    if options.rejectEmptyLabelValues && valueBytes.isEmpty {
                        return .emptyLabelValue(series: index, name: name(label))
                    }
                }
                // Duplicates: neighbours when sorted, every earlier label otherwise.
                let earlier = sorted ? max(range.lowerBound, i - 1)..<i : range.lowerBound..<i
                for j in earlier where WriteBatch.compareBytes(raw, labels[j].nameRange, label.nameRange) == 0 {
                    return .duplicateLabelName(series: index, name: name(label))
                }
            }
            return sawMetricName ? nil : .missingMetricName(series: index)
        }
    }

    /// The first issue among all series, or nil.
    public func validateAll(options: SeriesValidationOptions = .init()) -> SeriesIssue? {
        for index in series.indices {
            if let issue = validate(series: index, options: options) { return issue }
        }
        return nil
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    public static func isValidLabelName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, isLetterOrUnderscore(first) else { return false }
        for byte in bytes.dropFirst() where !(isLetterOrUnderscore(byte) || isDigit(byte)) { return false }
        return true
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidMetricName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let colon = UInt8(ascii: ":")
        guard let first = bytes.first, isLetterOrUnderscore(first) || first == colon else { return false }
        for byte in bytes.dropFirst() where !(isLetterOrUnderscore(byte) || isDigit(byte) || byte == colon) { return false }
        return true
    }

    @inline(__always)
    static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF), ASCII fast path.
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        var i = 0
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            func continuation(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xc0 == 0x80 }
            if b0 >= 0xc2 && b0 <= 0xdf {
                guard continuation(1) else { return false }
                i += 2
            } else if b0 >= 0xe0 && b0 <= 0xef {
                guard continuation(1), continuation(2) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xe0 && b1 < 0xa0 { return false }  // overlong
                if b0 == 0xed && b1 > 0x9f { return false }  // surrogate
                i += 3
            } else if b0 >= 0xf0 && b0 <= 0xf4 {
                guard continuation(1), continuation(2), continuation(3) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xf0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xf4 && b1 > 0x8f { return false }  // above U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
