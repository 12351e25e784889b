/// A fast path for the way every known sender lays out a 1.0 `TimeSeries`: all labels first
/// (each `0x0a len 0x0a len name [0x12 len value]`), then the samples (each
/// `0x12 len [0x09 <8 bytes>] [0x10 varint]`), nothing else.
///
/// It reads with a raw cursor and explicit bounds checks, throws nothing and never traps: on
/// anything else (exemplars, histograms, unknown or repeated fields, another order, lengths of
/// 16 KiB or more, 10-byte varints, truncation) it returns false having appended nothing, and
/// the general field-switch parser decodes the series instead, reporting any error. What it
/// accepts, it decodes exactly as the general parser would (tested on the same inputs).
extension RemoteWriteDecoder {
    /// Decodes the series at `start..<end` of `base` into `batch`.
    /// - Returns: false (and `batch` unchanged) when the series needs the general parser.
    @inline(__always)
    static func parseV1SeriesFast(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ batch: inout WriteBatch) -> Bool {
        let labelStart = batch.labels.count
        let sampleStart = batch.samples.count
        var p = start
        var ok = true
        while p < end && base[p] == 0x0a {
            p += 1
            guard let length = readLength(base, &p, end) else { ok = false; break }
            let messageEnd = p + length
            guard p < messageEnd, base[p] == 0x0a else { ok = false; break }
            p += 1
            guard let nameLength = readLength(base, &p, messageEnd) else { ok = false; break }
            let nameOffset = p
            p += nameLength
            // proto3 senders omit an empty value; the general parser then reports 0..<0.
            var valueOffset = 0
            var valueLength = 0
            if p < messageEnd {
                guard base[p] == 0x12 else { ok = false; break }
                p += 1
                guard let length = readLength(base, &p, messageEnd) else { ok = false; break }
                valueOffset = p
                valueLength = length
                p += length
                guard p == messageEnd else { ok = false; break }
            }
            batch.labels.append(LabelRef(
                nameOffset: UInt32(truncatingIfNeeded: nameOffset), nameLength: UInt32(truncatingIfNeeded: nameLength),
                valueOffset: UInt32(truncatingIfNeeded: valueOffset), valueLength: UInt32(truncatingIfNeeded: valueLength)))
        }
        while ok && p < end && base[p] == 0x12 {
            p += 1
            guard let length = readLength(base, &p, end) else { ok = false; break }
            let messageEnd = p + length
            // proto3 senders omit a 0 value and a 0 timestamp.
            var value = 0.0
            var timestamp: Int64 = 0
            if p < messageEnd && base[p] == 0x09 {
                guard messageEnd - p >= 9 else { ok = false; break }
                value = Double(bitPattern: UInt64(littleEndian: UnsafeRawPointer(base + p + 1).loadUnaligned(as: UInt64.self)))
                p += 9
            }
            if p < messageEnd && base[p] == 0x10 {
                p += 1
                guard let bits = readVarint(base, &p, messageEnd) else { ok = false; break }
                timestamp = Int64(bitPattern: bits)
            }
            guard p == messageEnd else { ok = false; break }
            batch.samples.append(SampleEntry(timestamp: timestamp, value: value))
        }
        guard ok && p == end else {
            batch.labels.removeLast(batch.labels.count - labelStart)
            batch.samples.removeLast(batch.samples.count - sampleStart)
            return false
        }
        batch.series.append(SeriesEntry(
            labelStart: UInt32(truncatingIfNeeded: labelStart), labelCount: UInt32(truncatingIfNeeded: batch.labels.count - labelStart),
            sampleStart: UInt32(truncatingIfNeeded: sampleStart), sampleCount: UInt32(truncatingIfNeeded: batch.samples.count - sampleStart)))
        return true
    }

    /// A length of one or two varint bytes (under 16 KiB) that fits before `end`, or nil.
    @inline(__always)
    static func readLength(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int) -> Int? {
        guard p < end else { return nil }
        let first = Int(base[p])
        var length: Int
        if first < 0x80 {
            length = first
            p += 1
        } else {
            guard end - p >= 2, base[p + 1] < 0x80 else { return nil }
            length = (first & 0x7f) | Int(base[p + 1]) << 7
            p += 2
        }
        guard length <= end - p else { return nil }
        return length
    }

    /// A varint of at most 9 bytes that ends before `end`, or nil (10-byte varints, i.e.
    /// negative numbers, are left to the general parser).
    @inline(__always)
    static func readVarint(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int) -> UInt64? {
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
