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
/// Two tiers: `parseV1CommonRun` takes series after series of the layout nearly every sender
/// writes (one-byte heads, names ordered by their first 7 bytes, value and timestamp both
/// present) in one loop that calls nothing; any other series goes to `parseV1SeriesFast`,
/// which takes every layout above, and failing that to the general parser.
///
/// Storage: instead of an `Array.append` per label, sample and series (a uniqueness and a
/// capacity check each), the batch's arrays are extended past their logical counts
/// (`V1Fill`, zeroed, sized from the previous request) once, and a run of series writes
/// through their buffer pointers with one limit compare per element (`V1Sink`); a full array
/// stops the run and is doubled; `WriteBatch.truncate(to:)` cuts them back when the request
/// is parsed.
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
                        var sink = V1Sink(
                            labelBase: labelBase, labelAt: labelBase + fill.labels, labelEnd: labelBase + labels.count,
                            sampleBase: sampleBase, sampleAt: sampleBase + fill.samples, sampleEnd: sampleBase + samples.count,
                            seriesBase: seriesBase, spanBase: spanBase, seriesCount: fill.series, seriesLimit: min(series.count, spans.count))
                        var p = start
                        var stop = V1RunStop.end
                        while p < end {
                            // Series of the common layout, as many as come.
                            stop = parseV1CommonRun(base, &p, end, &sink)
                            guard stop == .general else { break }
                            // One series of another layout, or a field for the general loop.
                            let seriesTag = p
                            guard base[p] == 0x0a else { break }
                            p &+= 1
                            guard let length = readSeriesLength(base, &p, end) else { p = seriesTag; break }
                            guard sink.seriesCount < sink.seriesLimit else { p = seriesTag; stop = .roomForSeries; break }
                            let seriesStart = p
                            let labelStart = sink.labelAt
                            let sampleStart = sink.sampleAt
                            let result = parseV1SeriesFast(base, seriesStart, p &+ length, end, &sink.labelAt, sink.labelEnd, &sink.sampleAt, sink.sampleEnd)
                            guard result.stop == .end else {
                                sink.labelAt = labelStart
                                sink.sampleAt = sampleStart
                                p = seriesTag
                                stop = result.stop
                                break
                            }
                            sink.storeSeries(start: seriesStart, labelsEnd: result.labelsEnd, labelStart: labelStart, sampleStart: sampleStart)
                            p = seriesStart &+ length
                            stop = .end
                        }
                        fill.labels = sink.labelAt - labelBase
                        fill.samples = sink.sampleAt - sampleBase
                        fill.series = sink.seriesCount
                        return (p, stop)
                    }
                }
            }
        }
    }

    /// Decodes series of the common layout (`parseV1SeriesCommon`) from `p` until the end of
    /// the request, a series of another layout or another field (`.general`, `p` at its
    /// tag), or a full array.
    ///
    /// Not inlined, and calling nothing, so that its loops keep their variables in registers.
    @inline(never)
    static func parseV1CommonRun(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, _ sink: inout V1Sink) -> V1RunStop {
        // Locals: stores through the sink's pointers could alias the inout's memory.
        var at = p
        var local = sink
        defer {
            p = at
            sink = local
        }
        while at < end {
            let seriesTag = at
            // `0x0a len`, the length in one or two bytes.
            guard end &- at >= 3 && base[at] == 0x0a else { return .general }
            let first = Int(base[at &+ 1])
            var length = first
            var seriesStart = at &+ 2
            if first >= 0x80 {
                let second = Int(base[at &+ 2])
                guard second < 0x80 else { return .general }
                length = first & 0x7f | second &<< 7
                seriesStart = at &+ 3
            }
            guard length <= end &- seriesStart else { return .general }
            guard local.seriesCount < local.seriesLimit else { return .roomForSeries }
            let labelStart = local.labelAt
            let sampleStart = local.sampleAt
            let seriesEnd = seriesStart &+ length
            let result = parseV1SeriesCommon(base, seriesStart, seriesEnd, end, &local.labelAt, local.labelEnd, &local.sampleAt, local.sampleEnd)
            guard result.stop == .end else {
                local.labelAt = labelStart
                local.sampleAt = sampleStart
                at = seriesTag
                return result.stop
            }
            local.storeSeries(start: seriesStart, labelsEnd: result.labelsEnd, labelStart: labelStart, sampleStart: sampleStart)
            at = seriesEnd
        }
        return .end
    }

    /// `parseV1SeriesFast` for the layout nearly every series has: every label head one byte
    /// long (names and values under 128 bytes, both present), names in strictly increasing
    /// order of their first 7 bytes, and at least 8 bytes from each name to the series' end
    /// (the samples follow). Its labels are then always the series' key. It calls nothing and
    /// tracks little, so its loop keeps every variable in a register; on anything else it
    /// returns `.general` and the run retries the series with `parseV1SeriesFast`.
    @inline(__always)
    static func parseV1SeriesCommon(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ bufferEnd: Int,
        _ labelCursor: inout UnsafeMutablePointer<LabelRef>, _ labelEnd: UnsafeMutablePointer<LabelRef>,
        _ sampleCursor: inout UnsafeMutablePointer<SampleEntry>, _ sampleEnd: UnsafeMutablePointer<SampleEntry>
    ) -> (stop: V1RunStop, labelsEnd: Int) {
        // Offsets and lengths below are within a buffer of at most 2^32 bytes: `&+` cannot wrap.
        var p = start
        // A local cursor: stores through the label pointer could alias an inout's memory, so
        // the compiler would write an inout cursor back on every label.
        var labelAt = labelCursor
        // The previous name's first 7 bytes, big-endian, zero-padded (0 before the first:
        // a first name whose prefix is 0 goes to `parseV1SeriesFast`).
        var previousPrefix: UInt64 = 0
        // 12: the 4-byte head and an 8-byte name window, so the prefix load stays in the
        // series (fewer bytes left: the samples see a label tag and return `.general`).
        while end &- p >= 12 {
            // `0x0a L 0x0a N name 0x12 V value` with L = N + V + 4: one 4-byte and one 2-byte load.
            let head = UInt32(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt32.self))
            if head & 0xff != 0x0a { break }
            let messageEnd = p &+ 2 &+ Int(head &>> 8 & 0x7f)
            let nameAt = p &+ 4
            let nameLength = Int(head &>> 24)
            let valueAt = nameAt &+ nameLength
            guard head & 0x80ff_80ff == 0x000a_000a && messageEnd <= end && valueAt &+ 2 <= messageEnd else { return (.general, -1) }
            let valueHead = UInt16(littleEndian: UnsafeRawPointer(base + valueAt).loadUnaligned(as: UInt16.self))
            let valueLength = Int(valueHead &>> 8)
            guard valueHead & 0x80ff == 0x0012 && valueAt &+ 2 &+ valueLength == messageEnd else { return (.general, -1) }
            // If two names' zero-padded prefixes differ, the names are ordered the same way (a
            // name that runs out is padded with 0, below any byte, and is the shorter one, so
            // it sorts first either way); equal prefixes need the full comparison. 7 bytes,
            // not 8: the mask's shift is then 0...56, never 64.
            let prefix = UInt64(bigEndian: UnsafeRawPointer(base + nameAt).loadUnaligned(as: UInt64.self))
                & ~(UInt64.max &>> UInt64(truncatingIfNeeded: 8 &* min(nameLength, 7)))
            guard prefix > previousPrefix else { return (.general, -1) }
            previousPrefix = prefix
            guard labelAt < labelEnd else { return (.roomForLabels, -1) }
            labelAt.pointee = LabelRef(
                nameOffset: UInt32(truncatingIfNeeded: nameAt), nameLength: UInt32(truncatingIfNeeded: nameLength),
                valueOffset: UInt32(truncatingIfNeeded: valueAt &+ 2), valueLength: UInt32(truncatingIfNeeded: valueLength))
            labelAt += 1
            p = messageEnd
        }
        let labelsEnd = p
        var sampleAt = sampleCursor
        while p < end {
            // `0x12 L 0x09 <8 bytes> 0x10 <varint of 1...8 bytes>`, L < 128: at least 13 bytes.
            guard end &- p >= 13 else { return (.general, -1) }
            let head = UInt16(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt16.self))
            let messageEnd = p &+ 2 &+ Int(head &>> 8)
            let varintAt = p &+ 12
            guard head & 0x80ff == 0x0012 && messageEnd <= end && messageEnd > varintAt
                && base[p &+ 2] == 0x09 && base[p &+ 11] == 0x10 && bufferEnd &- varintAt >= 8 else { return (.general, -1) }
            let word = UInt64(littleEndian: UnsafeRawPointer(base + varintAt).loadUnaligned(as: UInt64.self))
            let stops = ~word & 0x8080_8080_8080_8080
            // The varint ends in the word (`stops` != 0: 9-byte ones go to the careful path)
            // and its last byte is the message's.
            let count = (stops.trailingZeroBitCount &+ 8) / 8
            guard stops != 0 && count == messageEnd &- varintAt else { return (.general, -1) }
            guard sampleAt < sampleEnd else { return (.roomForSamples, -1) }
            sampleAt.pointee = SampleEntry(
                timestamp: Int64(bitPattern: compactVarint(word & (~0 &>> UInt64(truncatingIfNeeded: 64 &- 8 &* count)))),
                value: Double(bitPattern: UInt64(littleEndian: UnsafeRawPointer(base + (p &+ 3)).loadUnaligned(as: UInt64.self))))
            sampleAt += 1
            p = messageEnd
        }
        labelCursor = labelAt
        sampleCursor = sampleAt
        return (.end, labelsEnd)
    }

    /// Decodes the series at `start..<end` into the label and sample storage, advancing the
    /// cursors (which stay below their ends).
    /// - Returns: `.end` and the end of the label bytes if they are the series' key (else -1);
    ///   `.general` when the series needs the general parser, or a `.roomFor...` when an
    ///   array is full (the cursors then say nothing: the caller resets them).
    @inline(never)
    static func parseV1SeriesFast(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ bufferEnd: Int,
        _ labelCursor: inout UnsafeMutablePointer<LabelRef>, _ labelEnd: UnsafeMutablePointer<LabelRef>,
        _ sampleCursor: inout UnsafeMutablePointer<SampleEntry>, _ sampleEnd: UnsafeMutablePointer<SampleEntry>
    ) -> (stop: V1RunStop, labelsEnd: Int) {
        var p = start
        // Whether the label bytes are the series' key: canonical encoding, sorted.
        var isKey = true
        var labelAt = labelCursor
        let firstLabel = labelAt
        while p < end && base[p] == 0x0a {
            guard let label = readLabel(base, &p, end, &isKey) else { return (.general, -1) }
            if isKey && labelAt != firstLabel && compare(base, bufferEnd, (labelAt - 1).pointee, label) > 0 { isKey = false }
            guard labelAt < labelEnd else { return (.roomForLabels, -1) }
            labelAt.pointee = label
            labelAt += 1
        }
        let labelsEnd = p
        var sampleAt = sampleCursor
        let stop = parseSamples(base, &p, end, bufferEnd, &sampleAt, sampleEnd)
        guard stop == .end else { return (stop, -1) }
        labelCursor = labelAt
        sampleCursor = sampleAt
        return (.end, isKey ? labelsEnd : -1)
    }

    /// The samples of a series from `p` to its `end` (`0x12 len [0x09 <8 bytes>] [0x10 varint]`
    /// each), stored at `sampleAt`.
    /// - Returns: `.end` when they run exactly to `end`; `.general` on anything else;
    ///   `.roomForSamples` when the storage is full.
    @inline(__always)
    static func parseSamples(
        _ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, _ bufferEnd: Int,
        _ sampleAt: inout UnsafeMutablePointer<SampleEntry>, _ sampleEnd: UnsafeMutablePointer<SampleEntry>
    ) -> V1RunStop {
        var shortest = true  // of sample lengths: nothing to do with the key
        while p < end && base[p] == 0x12 {
            p &+= 1
            guard let length = readLength(base, &p, end, &shortest) else { return .general }
            let messageEnd = p &+ length
            // proto3 senders omit a 0 value and a 0 timestamp.
            var value = 0.0
            var timestamp: Int64 = 0
            if p < messageEnd && base[p] == 0x09 {
                guard messageEnd &- p >= 9 else { return .general }
                value = Double(bitPattern: UInt64(littleEndian: UnsafeRawPointer(base + p + 1).loadUnaligned(as: UInt64.self)))
                p &+= 9
            }
            if p < messageEnd && base[p] == 0x10 {
                p &+= 1
                guard let bits = readVarint(base, &p, messageEnd, bufferEnd) else { return .general }
                timestamp = Int64(bitPattern: bits)
            }
            guard p == messageEnd else { return .general }
            guard sampleAt < sampleEnd else { return .roomForSamples }
            sampleAt.pointee = SampleEntry(timestamp: timestamp, value: value)
            sampleAt += 1
        }
        return p == end ? .end : .general
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

/// Where a run of 1.0 series is stored: cursors into the batch's arrays (extended past their
/// logical counts) and their ends. Valid only inside `parseV1Run`'s buffer closures.
struct V1Sink {
    let labelBase: UnsafeMutablePointer<LabelRef>
    var labelAt: UnsafeMutablePointer<LabelRef>
    let labelEnd: UnsafeMutablePointer<LabelRef>
    let sampleBase: UnsafeMutablePointer<SampleEntry>
    var sampleAt: UnsafeMutablePointer<SampleEntry>
    let sampleEnd: UnsafeMutablePointer<SampleEntry>
    let seriesBase: UnsafeMutablePointer<SeriesEntry>
    let spanBase: UnsafeMutablePointer<KeySpan>
    var seriesCount: Int
    /// Of `seriesBase` and `spanBase` alike.
    let seriesLimit: Int

    /// Stores the series whose labels and samples were written from `labelStart` and
    /// `sampleStart` on, and its key span (`labelsEnd` < 0: none). The caller checked
    /// `seriesCount < seriesLimit`.
    @inline(__always)
    mutating func storeSeries(start: Int, labelsEnd: Int, labelStart: UnsafeMutablePointer<LabelRef>, sampleStart: UnsafeMutablePointer<SampleEntry>) {
        spanBase[seriesCount] = labelsEnd >= 0
            ? KeySpan(start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: labelsEnd))
            : .none
        seriesBase[seriesCount] = SeriesEntry(
            labelStart: Self.elements(labelBase, labelStart), labelCount: Self.elements(labelStart, labelAt),
            sampleStart: Self.elements(sampleBase, sampleStart), sampleCount: Self.elements(sampleStart, sampleAt))
        seriesCount &+= 1
    }

    /// Elements from `start` to `end` (not before it): an unsigned division, i.e. a shift.
    @inline(__always)
    static func elements<T>(_ start: UnsafeMutablePointer<T>, _ end: UnsafeMutablePointer<T>) -> UInt32 {
        UInt32(truncatingIfNeeded: (UInt(bitPattern: end) &- UInt(bitPattern: start)) / UInt(MemoryLayout<T>.stride))
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
        Self.extend(&labels, to: fill.labels + labelRoom, from: Self.zeroLabels)
        Self.extend(&samples, to: fill.samples + sampleRoom, from: Self.zeroSamples)
        Self.extend(&series, to: fill.series + seriesRoom, from: Self.zeroSeries)
        Self.extend(&keySpans, to: fill.series + seriesRoom, from: Self.zeroSpans)
    }

    /// Appends copies of `zeros` until `array` has `count` elements: a `memcpy` per chunk,
    /// where appending `repeatElement` costs a loop step per element. Chunks are 2 KiB, under
    /// glibc's `rep movsb` threshold, so the copy is a vector loop.
    @inline(__always)
    static func extend<T>(_ array: inout [T], to count: Int, from zeros: [T]) {
        while array.count < count {
            array.append(contentsOf: zeros[..<min(count - array.count, zeros.count)])
        }
    }

    static let zeroLabels = [LabelRef](repeating: LabelRef(nameOffset: 0, nameLength: 0, valueOffset: 0, valueLength: 0), count: 2048 / MemoryLayout<LabelRef>.stride)
    static let zeroSamples = [SampleEntry](repeating: SampleEntry(timestamp: 0, value: 0), count: 2048 / MemoryLayout<SampleEntry>.stride)
    static let zeroSeries = [SeriesEntry](repeating: SeriesEntry(labelStart: 0, labelCount: 0, sampleStart: 0, sampleCount: 0), count: 2048 / MemoryLayout<SeriesEntry>.stride)
    static let zeroSpans = [KeySpan](repeating: .none, count: 2048 / MemoryLayout<KeySpan>.stride)

    /// Doubles the array that `stop` found full (at least 64 more elements). Its count, not
    /// the logical one: a series may need more room than the whole array has.
    mutating func grow(for stop: RemoteWriteDecoder.V1RunStop) {
        switch stop {
        case .roomForLabels: Self.extend(&labels, to: labels.count + max(labels.count, 64), from: Self.zeroLabels)
        case .roomForSamples: Self.extend(&samples, to: samples.count + max(samples.count, 64), from: Self.zeroSamples)
        case .roomForSeries:
            let count = max(series.count, keySpans.count)
            Self.extend(&series, to: count + max(count, 64), from: Self.zeroSeries)
            Self.extend(&keySpans, to: count + max(count, 64), from: Self.zeroSpans)
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
