#if canImport(Glibc)
import Glibc
#endif

/// A fast path for the way every known sender lays out a 1.0 `TimeSeries`: all labels first
/// (each `0x0a len 0x0a len name [0x12 len value]`), then the samples (each
/// `0x12 len [0x09 <8 bytes>] [0x10 varint]`), nothing else.
///
/// It reads with a raw cursor and explicit bounds checks, throws nothing and never traps: on
/// anything else (exemplars, histograms, unknown or repeated fields, another order, lengths of
/// 16 KiB or more, 10-byte varints, truncation) it returns false having appended nothing, and
/// the general field-switch parser decodes the series instead, reporting any error. What it
/// accepts, it decodes exactly as the general parser would (tested on the same inputs).
///
/// It also notes whether the labels are sorted and encoded exactly as `Labels.Key` lays a key
/// out (shortest length varints, both fields present); if so the series' label bytes are its
/// key, and `WriteBatch.keySpans` points at them so `SeriesKeys` need not copy them.
extension RemoteWriteDecoder {
    /// Decodes the series at `start..<end` of `base` into `batch`.
    /// - Returns: false (and `batch` unchanged) when the series needs the general parser.
    @inline(__always)
    static func parseV1SeriesFast(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ batch: inout WriteBatch) -> Bool {
        let labelStart = batch.labels.count
        let sampleStart = batch.samples.count
        var p = start
        var ok = true
        // Whether the label bytes are the series' key: canonical encoding, sorted.
        var isKey = true
        var previous = LabelRef(nameOffset: 0, nameLength: 0, valueOffset: 0, valueLength: 0)
        while p < end && base[p] == 0x0a {
            p += 1
            guard let length = readLength(base, &p, end, &isKey) else { ok = false; break }
            let messageEnd = p + length
            guard p < messageEnd, base[p] == 0x0a else { ok = false; break }
            p += 1
            guard let nameLength = readLength(base, &p, messageEnd, &isKey) else { ok = false; break }
            let nameOffset = p
            p += nameLength
            // proto3 senders omit an empty value; the general parser then reports 0..<0.
            var valueOffset = 0
            var valueLength = 0
            if p < messageEnd {
                guard base[p] == 0x12 else { ok = false; break }
                p += 1
                guard let length = readLength(base, &p, messageEnd, &isKey) else { ok = false; break }
                valueOffset = p
                valueLength = length
                p += length
                guard p == messageEnd else { ok = false; break }
            } else {
                isKey = false  // a key always has the value field
            }
            let label = LabelRef(
                nameOffset: UInt32(truncatingIfNeeded: nameOffset), nameLength: UInt32(truncatingIfNeeded: nameLength),
                valueOffset: UInt32(truncatingIfNeeded: valueOffset), valueLength: UInt32(truncatingIfNeeded: valueLength))
            if isKey && batch.labels.count > labelStart && compare(base, previous, label) > 0 { isKey = false }
            previous = label
            batch.labels.append(LabelRef(
                nameOffset: UInt32(truncatingIfNeeded: nameOffset), nameLength: UInt32(truncatingIfNeeded: nameLength),
                valueOffset: UInt32(truncatingIfNeeded: valueOffset), valueLength: UInt32(truncatingIfNeeded: valueLength)))
        }
        let labelsEnd = p
        var shortest = true  // of sample lengths: nothing to do with the key
        while ok && p < end && base[p] == 0x12 {
            p += 1
            guard let length = readLength(base, &p, end, &shortest) else { ok = false; break }
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
        batch.keySpans.append(isKey ? KeySpan(start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: labelsEnd)) : .none)
        batch.series.append(SeriesEntry(
            labelStart: UInt32(truncatingIfNeeded: labelStart), labelCount: UInt32(truncatingIfNeeded: batch.labels.count - labelStart),
            sampleStart: UInt32(truncatingIfNeeded: sampleStart), sampleCount: UInt32(truncatingIfNeeded: batch.samples.count - sampleStart)))
        return true
    }

    /// `WriteBatch.compare` over the raw buffer: by name bytes, then value bytes.
    @inline(__always)
    static func compare(_ base: UnsafePointer<UInt8>, _ a: LabelRef, _ b: LabelRef) -> Int {
        if a.nameLength > 0 && b.nameLength > 0 {
            // Names mostly differ in their first byte: decide that without a call.
            let x = base[Int(a.nameOffset)]
            let y = base[Int(b.nameOffset)]
            if x != y { return x < y ? -1 : 1 }
        }
        let byName = compareBytes(base, Int(a.nameOffset), Int(a.nameLength), Int(b.nameOffset), Int(b.nameLength))
        if byName != 0 { return byName }
        return compareBytes(base, Int(a.valueOffset), Int(a.valueLength), Int(b.valueOffset), Int(b.valueLength))
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
