#if canImport(Glibc)
import Glibc
#endif

/// A fast path for the way every known sender lays out a 1.0 `TimeSeries`: all labels first
/// (each `0x0a len 0x0a len name [0x12 len value]`), then the samples (each
/// `0x12 len [0x09 <8 bytes>] [0x10 varint]`), nothing else.
///
/// It reads with a raw cursor and explicit bounds checks, throws nothing and never traps: on
/// anything else (exemplars, histograms, unknown or repeated fields, another order, lengths of
/// 16 KiB or more, 10-byte varints, truncation) it stops before that series having stored
/// nothing of it, and the general field-switch parser decodes the series instead, reporting
/// any error. What it accepts, it decodes exactly as the general parser would (tested on the
/// same inputs).
///
/// It also notes whether the labels are sorted and encoded exactly as `Labels.Key` lays a key
/// out (shortest length varints, both fields present); if so the series' label bytes are its
/// key, and `WriteBatch.keySpans` points at them so `SeriesKeys` need not copy them.
///
/// Storage: instead of an `Array.append` per label, sample and series (a uniqueness and a
/// capacity check each), the batch's arrays are extended past their logical counts
/// (`V1Fill`) once, and a run of series writes through their buffer pointers with one limit
/// compare per element; `WriteBatch.truncate(to:)` cuts them back when the request is parsed.
extension RemoteWriteDecoder {
    /// Why `parseV1Run` stopped.
    enum V1RunStop {
        /// At the end of the request.
        case end
        /// At a field the general loop must read (metadata, unknown, or a series the fast
        /// path does not take).
        case general
        /// At a series that did not fit: grow that array and run again from there.
        case roomForLabels, roomForSamples, roomForSeries
    }

    /// Decodes series after series from `start` until the end of the request (`end`), a field
    /// the general loop must read, or an array with no room left.
    ///
    /// - Parameters:
    ///   - base: the request; `end` is its length, so any read below `end` is in bounds.
    ///   - fill: the logical counts; elements at and past them (up to each array's count)
    ///     are scratch that this writes.
    /// - Returns: where it stopped (a series' tag when that series was not taken) and why;
    ///   `fill` covers every series before that position.
    static func parseV1Run(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ fill: inout V1Fill,
        _ labels: inout [LabelRef], _ samples: inout [SampleEntry], _ series: inout [SeriesEntry], _ spans: inout [KeySpan]
    ) -> (position: Int, stop: V1RunStop) {
        labels.withUnsafeMutableBufferPointer { labels in
            samples.withUnsafeMutableBufferPointer { samples in
                series.withUnsafeMutableBufferPointer { series in
                    spans.withUnsafeMutableBufferPointer { spans in
                        // Safe: every store below is at an index checked against the buffer's
                        // count first (the `*Limit`s), and `base` reads are checked against `end`.
                        guard let labelBase = labels.baseAddress, let sampleBase = samples.baseAddress,
                              let seriesBase = series.baseAddress, let spanBase = spans.baseAddress
                        else {
                            return (start, labels.isEmpty ? .roomForLabels : samples.isEmpty ? .roomForSamples : .roomForSeries)
                        }
                        let labelLimit = labels.count
                        let sampleLimit = samples.count
                        let seriesLimit = min(series.count, spans.count)
                        var labelCount = fill.labels
                        var sampleCount = fill.samples
                        var seriesCount = fill.series
                        var p = start
                        var stop = V1RunStop.end
                        while p < end {
                            let seriesTag = p
                            guard base[p] == 0x0a else { stop = .general; break }
                            p += 1
                            guard let length = readSeriesLength(base, &p, end) else { p = seriesTag; stop = .general; break }
                            guard seriesCount < seriesLimit else { p = seriesTag; stop = .roomForSeries; break }
                            let seriesStart = p
                            let seriesEnd = p + length
                            let labelStart = labelCount
                            let sampleStart = sampleCount
                            let result = parseV1SeriesFast(
                                base, seriesStart, seriesEnd, end,
                                labelBase, &labelCount, labelLimit, sampleBase, &sampleCount, sampleLimit)
                            guard result.stop == .end else {
                                labelCount = labelStart
                                sampleCount = sampleStart
                                p = seriesTag
                                stop = result.stop
                                break
                            }
                            spanBase[seriesCount] = result.labelsEnd >= 0
                                ? KeySpan(start: UInt32(truncatingIfNeeded: seriesStart), end: UInt32(truncatingIfNeeded: result.labelsEnd))
                                : .none
                            seriesBase[seriesCount] = SeriesEntry(
                                labelStart: UInt32(truncatingIfNeeded: labelStart), labelCount: UInt32(truncatingIfNeeded: labelCount - labelStart),
                                sampleStart: UInt32(truncatingIfNeeded: sampleStart), sampleCount: UInt32(truncatingIfNeeded: sampleCount - sampleStart))
                            seriesCount += 1
                            p = seriesEnd
                        }
                        fill.labels = labelCount
                        fill.samples = sampleCount
                        fill.series = seriesCount
                        return (p, stop)
                    }
                }
            }
        }
    }

    /// Decodes the series at `start..<end` into the label and sample storage.
    /// - Returns: `.end` and the end of the label bytes if they are the series' key (else -1);
    ///   `.general` when the series needs the general parser, or a `.roomFor...` when an
    ///   array is full (the counts then say nothing: the caller resets them).
    @inline(__always)
    static func parseV1SeriesFast(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ bufferEnd: Int,
        _ labels: UnsafeMutablePointer<LabelRef>, _ labelCount: inout Int, _ labelLimit: Int,
        _ samples: UnsafeMutablePointer<SampleEntry>, _ sampleCount: inout Int, _ sampleLimit: Int
    ) -> (stop: V1RunStop, labelsEnd: Int) {
        var p = start
        // Whether the label bytes are the series' key: canonical encoding, sorted.
        var isKey = true
        var previous = LabelRef(nameOffset: 0, nameLength: 0, valueOffset: 0, valueLength: 0)
        var hasPrevious = false
        while p < end && base[p] == 0x0a {
            var label: LabelRef
            // The common label: four one-byte heads, `0x0a L 0x0a N name 0x12 V value` with
            // L = N + V + 4, checked with one 4-byte and one 2-byte load.
            if end - p >= 4, case let head = UInt32(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt32.self)),
               head & 0x80ff_80ff == 0x000a_000a,
               case let messageLength = Int(head >> 8 & 0xff), case let nameLength = Int(head >> 24),
               messageLength <= end - p - 2, nameLength + 4 <= messageLength,
               case let valueHead = UInt16(littleEndian: UnsafeRawPointer(base + p + 4 + nameLength).loadUnaligned(as: UInt16.self)),
               valueHead & 0x80ff == 0x0012,
               nameLength + Int(valueHead >> 8) + 4 == messageLength {
                label = LabelRef(
                    nameOffset: UInt32(truncatingIfNeeded: p + 4), nameLength: UInt32(truncatingIfNeeded: nameLength),
                    valueOffset: UInt32(truncatingIfNeeded: p + 6 + nameLength), valueLength: UInt32(truncatingIfNeeded: valueHead >> 8))
                p += 2 + messageLength
            } else {
                guard let parsed = readLabel(base, &p, end, &isKey) else { return (.general, -1) }
                label = parsed
            }
            if isKey && hasPrevious && compare(base, bufferEnd, previous, label) > 0 { isKey = false }
            previous = label
            hasPrevious = true
            guard labelCount < labelLimit else { return (.roomForLabels, -1) }
            labels[labelCount] = label
            labelCount += 1
        }
        let labelsEnd = p
        var shortest = true  // of sample lengths: nothing to do with the key
        while p < end && base[p] == 0x12 {
            p += 1
            guard let length = readLength(base, &p, end, &shortest) else { return (.general, -1) }
            let messageEnd = p + length
            // proto3 senders omit a 0 value and a 0 timestamp.
            var value = 0.0
            var timestamp: Int64 = 0
            if p < messageEnd && base[p] == 0x09 {
                guard messageEnd - p >= 9 else { return (.general, -1) }
                value = Double(bitPattern: UInt64(littleEndian: UnsafeRawPointer(base + p + 1).loadUnaligned(as: UInt64.self)))
                p += 9
            }
            if p < messageEnd && base[p] == 0x10 {
                p += 1
                guard let bits = readVarint(base, &p, messageEnd, bufferEnd) else { return (.general, -1) }
                timestamp = Int64(bitPattern: bits)
            }
            guard p == messageEnd else { return (.general, -1) }
            guard sampleCount < sampleLimit else { return (.roomForSamples, -1) }
            samples[sampleCount] = SampleEntry(timestamp: timestamp, value: value)
            sampleCount += 1
        }
        guard p == end else { return (.general, -1) }
        return (.end, isKey ? labelsEnd : -1)
    }

    /// A label in any layout the fast path takes: `0x0a len 0x0a len name [0x12 len value]`
    /// with lengths of one or two bytes; nil for anything else.
    /// Clears `isKey` unless the label is laid out as in `Labels.Key`.
    @inline(__always)
    static func readLabel(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, _ isKey: inout Bool) -> LabelRef? {
        p += 1
        guard let length = readLength(base, &p, end, &isKey) else { return nil }
        let messageEnd = p + length
        guard p < messageEnd, base[p] == 0x0a else { return nil }
        p += 1
        guard let nameLength = readLength(base, &p, messageEnd, &isKey) else { return nil }
        let nameOffset = p
        p += nameLength
        // proto3 senders omit an empty value; the general parser then reports 0..<0.
        var valueOffset = 0
        var valueLength = 0
        if p < messageEnd {
            guard base[p] == 0x12 else { return nil }
            p += 1
            guard let length = readLength(base, &p, messageEnd, &isKey) else { return nil }
            valueOffset = p
            valueLength = length
            p += length
            guard p == messageEnd else { return nil }
        } else {
            isKey = false  // a key always has the value field
        }
        return LabelRef(
            nameOffset: UInt32(truncatingIfNeeded: nameOffset), nameLength: UInt32(truncatingIfNeeded: nameLength),
            valueOffset: UInt32(truncatingIfNeeded: valueOffset), valueLength: UInt32(truncatingIfNeeded: valueLength))
    }

    /// `WriteBatch.compare` over the raw buffer (by name bytes, then value bytes), deciding
    /// most name pairs without a `memcmp` call. `bufferEnd` bounds the word-wide reads.
    @inline(__always)
    static func compare(_ base: UnsafePointer<UInt8>, _ bufferEnd: Int, _ a: LabelRef, _ b: LabelRef) -> Int {
        let byName = compareNames(base, bufferEnd, a, b)
        if byName != 0 { return byName }
        return compareBytes(base, Int(a.valueOffset), Int(a.valueLength), Int(b.valueOffset), Int(b.valueLength))
    }

    /// The order of two labels' names, as `compareBytes` gives it.
    @inline(__always)
    static func compareNames(_ base: UnsafePointer<UInt8>, _ bufferEnd: Int, _ a: LabelRef, _ b: LabelRef) -> Int {
        let aOffset = Int(a.nameOffset)
        let bOffset = Int(b.nameOffset)
        let aLength = Int(a.nameLength)
        let bLength = Int(b.nameLength)
        let common = min(aLength, bLength)
        if common > 0 {
            // Names mostly differ in their first byte: decide that without a call.
            let x = base[aOffset]
            let y = base[bOffset]
            if x != y { return x < y ? -1 : 1 }
            // Else their first (up to) 8 bytes as big-endian words, when both can be read.
            if bufferEnd - aOffset >= 8 && bufferEnd - bOffset >= 8 {
                let shift = UInt64(64 - 8 * min(common, 8))
                let u = UInt64(bigEndian: UnsafeRawPointer(base + aOffset).loadUnaligned(as: UInt64.self)) &>> shift
                let v = UInt64(bigEndian: UnsafeRawPointer(base + bOffset).loadUnaligned(as: UInt64.self)) &>> shift
                if u != v { return u < v ? -1 : 1 }
                if common <= 8 { return aLength == bLength ? 0 : (aLength < bLength ? -1 : 1) }
            }
        }
        return compareBytes(base, aOffset, aLength, bOffset, bLength)
    }

    @inline(__always)
    static func compareBytes(_ base: UnsafePointer<UInt8>, _ a: Int, _ aCount: Int, _ b: Int, _ bCount: Int) -> Int {
        let n = min(aCount, bCount)
        if n > 0 {
            let order = memcmp(base + a, base + b, n)
            if order != 0 { return order < 0 ? -1 : 1 }
        }
        return aCount == bCount ? 0 : (aCount < bCount ? -1 : 1)
    }

    /// A length of one or two varint bytes (under 16 KiB) that fits before `end`, or nil.
    /// Clears `shortest` if the varint was not the shortest encoding of the length.
    @inline(__always)
    static func readLength(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, _ shortest: inout Bool) -> Int? {
        guard p < end else { return nil }
        let first = Int(base[p])
        var length: Int
        if first < 0x80 {
            length = first
            p += 1
        } else {
            guard end - p >= 2, base[p + 1] < 0x80 else { return nil }
            if base[p + 1] == 0 { shortest = false }
            length = (first & 0x7f) | Int(base[p + 1]) << 7
            p += 2
        }
        guard length <= end - p else { return nil }
        return length
    }

    /// A series' length: a varint of at most 5 bytes (any encoding) that fits before `end`, or nil.
    @inline(__always)
    static func readSeriesLength(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int) -> Int? {
        var length = 0
        var shift = 0
        var i = p
        while i < end && shift < 35 {
            let byte = base[i]
            i += 1
            length |= Int(byte & 0x7f) << shift
            if byte < 0x80 {
                guard length <= end - i else { return nil }
                p = i
                return length
            }
            shift += 7
        }
        return nil
    }

    /// A varint of at most 9 bytes that ends before `end`, or nil (10-byte varints, i.e.
    /// negative numbers, are left to the general parser). Varints of up to 8 bytes are read
    /// with one 8-byte load when `bufferEnd` allows it.
    @inline(__always)
    static func readVarint(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, _ bufferEnd: Int) -> UInt64? {
        if bufferEnd - p >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
            let stops = ~word & 0x8080_8080_8080_8080
            if stops != 0 {
                let count = stops.trailingZeroBitCount / 8 + 1
                guard count <= end - p else { return nil }
                p += count
                return compactVarint(word & (~0 &>> UInt64(64 - 8 * count)))
            }
        }
        return readVarintSlow(base, &p, end)
    }

    /// The value of a varint's bytes (at most 8, little-endian in `word`, nothing after
    /// them): drops each byte's continuation bit and packs the 7-bit groups.
    @inline(__always)
    static func compactVarint(_ word: UInt64) -> UInt64 {
        var x = word & 0x7f7f_7f7f_7f7f_7f7f
        x = (x & 0x007f_007f_007f_007f) | (x & 0x7f00_7f00_7f00_7f00) &>> 1
        x = (x & 0x0000_3fff_0000_3fff) | (x & 0x3fff_0000_3fff_0000) &>> 2
        x = (x & 0x0000_0000_0fff_ffff) | (x & 0x0fff_ffff_0000_0000) &>> 4
        return x
    }

    /// `readVarint` a byte at a time: the scalar reference, and the path near the buffer's end.
    @inline(__always)
    static func readVarintSlow(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = p
        while i < end && shift < 63 {
            let byte = base[i]
            i += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 {
                p = i
                return value
            }
            shift += 7
        }
        return nil
    }
}

/// The logical counts of a batch's arrays while a 1.0 request is parsed: the arrays may be
/// longer (zero-filled scratch the fast path writes into) until `WriteBatch.truncate(to:)`.
struct V1Fill: Equatable, Sendable {
    var labels = 0
    var samples = 0
    /// Of `series` and `keySpans` alike.
    var series = 0
}

extension WriteBatch {
    /// Makes each array at least `fill` plus the given room long (new elements zeroed).
    mutating func extend(from fill: V1Fill, labels labelRoom: Int, samples sampleRoom: Int, series seriesRoom: Int) {
        if labels.count < fill.labels + labelRoom {
            labels.append(contentsOf: repeatElement(LabelRef(nameOffset: 0, nameLength: 0, valueOffset: 0, valueLength: 0),
                                                    count: fill.labels + labelRoom - labels.count))
        }
        if samples.count < fill.samples + sampleRoom {
            samples.append(contentsOf: repeatElement(SampleEntry(timestamp: 0, value: 0), count: fill.samples + sampleRoom - samples.count))
        }
        if series.count < fill.series + seriesRoom {
            series.append(contentsOf: repeatElement(SeriesEntry(labelStart: 0, labelCount: 0, sampleStart: 0, sampleCount: 0),
                                                    count: fill.series + seriesRoom - series.count))
        }
        if keySpans.count < fill.series + seriesRoom {
            keySpans.append(contentsOf: repeatElement(KeySpan.none, count: fill.series + seriesRoom - keySpans.count))
        }
    }

    /// Doubles the array that `stop` found full.
    mutating func grow(for stop: RemoteWriteDecoder.V1RunStop, from fill: V1Fill) {
        switch stop {
        case .roomForLabels: extend(from: fill, labels: max(labels.count, 64), samples: 0, series: 0)
        case .roomForSamples: extend(from: fill, labels: 0, samples: max(samples.count, 64), series: 0)
        case .roomForSeries: extend(from: fill, labels: 0, samples: 0, series: max(series.count, 64))
        case .end, .general: break
        }
    }

    /// Cuts the arrays back to their logical counts (keeping capacity).
    mutating func truncate(to fill: V1Fill) {
        if labels.count > fill.labels { labels.removeLast(labels.count - fill.labels) }
        if samples.count > fill.samples { samples.removeLast(samples.count - fill.samples) }
        if series.count > fill.series { series.removeLast(series.count - fill.series) }
        if keySpans.count > fill.series { keySpans.removeLast(keySpans.count - fill.series) }
    }

    /// Stores `label` at logical index `fill.labels` (overwriting scratch, else appending).
    @inline(__always)
    mutating func put(_ label: LabelRef, _ fill: inout V1Fill) {
        if fill.labels < labels.count { labels[fill.labels] = label } else { labels.append(label) }
        fill.labels += 1
    }

    @inline(__always)
    mutating func put(_ sample: SampleEntry, _ fill: inout V1Fill) {
        if fill.samples < samples.count { samples[fill.samples] = sample } else { samples.append(sample) }
        fill.samples += 1
    }

    @inline(__always)
    mutating func put(_ entry: SeriesEntry, span: KeySpan, _ fill: inout V1Fill) {
        if fill.series < series.count { series[fill.series] = entry } else { series.append(entry) }
        if fill.series < keySpans.count { keySpans[fill.series] = span } else { keySpans.append(span) }
        fill.series += 1
    }
}
