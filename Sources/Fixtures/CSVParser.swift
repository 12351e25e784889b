import AIOpsCore

/// Reads `timestamp,value` rows into one series (NAB's format).
///
/// - The first non-blank line is a header when neither of its fields parses
///   (`timestamp,value`); later lines must be data.
/// - Timestamps: RFC 3339 (`2014-04-01T00:00:00Z`, offsets, fractions),
///   `YYYY-MM-DD HH:MM:SS[.ffffff]` taken as UTC, or a bare Unix epoch number: seconds
///   below 1e11, milliseconds from 1e11 on (see `ByteText.EpochUnit.byMagnitude`). A date
///   that does not exist (2026-02-29, April 31, hour 24, a leap second) is an error naming
///   the line, the column of the field and why, never rolled over into the next day.
/// - Values: decimal or scientific, `NaN`, `+Inf`, `-Inf` (case-insensitive).
/// - Fields may be wrapped in double quotes and padded with blanks; blank lines are
///   skipped; `\r\n` line ends and a UTF-8 BOM are accepted.
enum CSVParser {
    static func parse(_ bytes: [UInt8], file: String, labels: Labels) throws(FixtureError) -> [FixtureSeries] {
        var series = FixtureSeries(labels: labels)
        // A line per ~25 bytes is typical for NAB files.
        series.timestamps.reserveCapacity(bytes.count / 24)
        series.values.reserveCapacity(bytes.count / 24)
        var sawFirstLine = false
        for line in ByteText.Lines(bytes) {
            var start = line.start
            var end = line.end
            ByteText.trim(bytes, &start, &end)
            if start == end { continue }
            // Split at the first comma outside quotes; a second one is a column error.
            var comma = -1
            var commas = 0
            var inQuotes = false
            var i = start
            while i < end {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { inQuotes.toggle() }
                else if b == UInt8(ascii: ","), !inQuotes {
                    commas += 1
                    if comma < 0 { comma = i }
                }
                i += 1
            }
            guard commas == 1 else {
                throw FixtureError(file: file, line: line.number, code: .syntax,
                                   reason: "expected 2 columns (timestamp,value), found \(commas + 1)")
            }
            var (ts0, ts1) = field(bytes, start, comma)
            var (v0, v1) = field(bytes, comma + 1, end)
            let timestamp = parseTimestamp(bytes, ts0, ts1)
            let value = ByteText.parseDouble(bytes, v0, v1)
            let isFirst = !sawFirstLine
            sawFirstLine = true
            if let timestamp, let value {
                series.append(timestamp, value)
                continue
            }
            if isFirst, timestamp == nil, value == nil { continue }  // header row
            if timestamp == nil {
                if ts0 == ts1 { (ts0, ts1) = (start, comma) }
                if let problem = TimeFormat.impossibility(in: Substring(ByteText.string(bytes, ts0, ts1))) {
                    throw FixtureError(file: file, line: line.number, code: .timestamp,
                                       reason: "column \(ts0 - line.start + problem.offset + 1): impossible date-time \(ByteText.quote(bytes, ts0, ts1)): \(problem.reason)")
                }
                throw FixtureError(file: file, line: line.number, code: .timestamp,
                                   reason: "column \(ts0 - line.start + 1): invalid timestamp \(ByteText.quote(bytes, ts0, ts1)) (expected RFC 3339, \"YYYY-MM-DD HH:MM:SS\" or Unix seconds or milliseconds)")
            }
            if v0 == v1 { (v0, v1) = (comma + 1, end) }
            throw FixtureError(file: file, line: line.number, code: .value,
                               reason: "invalid value \(ByteText.quote(bytes, v0, v1)) (expected a number, NaN, +Inf or -Inf)")
        }
        return [series]
    }

    /// A field's bytes without blanks and surrounding double quotes.
    private static func field(_ bytes: [UInt8], _ start: Int, _ end: Int) -> (Int, Int) {
        var s = start
        var e = end
        ByteText.trim(bytes, &s, &e)
        if e - s >= 2, bytes[s] == UInt8(ascii: "\""), bytes[e - 1] == UInt8(ascii: "\"") {
            s += 1
            e -= 1
            ByteText.trim(bytes, &s, &e)
        }
        return (s, e)
    }

    /// A date-time when the text looks like one (`YYYY-`), else an epoch number.
    static func parseTimestamp(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Timestamp? {
        guard start < end else { return nil }
        if end - start >= 10, bytes[start + 4] == UInt8(ascii: "-") {
            if let fast = parsePlainDateTime(bytes, start, end) { return fast }
            return TimeFormat.parse(Substring(ByteText.string(bytes, start, end)))
        }
        return ByteText.parseEpoch(bytes, start, end, unit: .byMagnitude)
    }

    /// The common exact shape `YYYY-MM-DD[T ]HH:MM:SS[Z]`, parsed in place; nil for
    /// anything else, which `TimeFormat.parse` then handles (fractions, offsets, dates).
    @inline(__always)
    static func parsePlainDateTime(_ b: [UInt8], _ s: Int, _ e: Int) -> Timestamp? {
        let n = e - s
        guard n == 19 || (n == 20 && (b[e - 1] == UInt8(ascii: "Z") || b[e - 1] == UInt8(ascii: "z"))) else { return nil }
        @inline(__always) func d(_ i: Int) -> Int64? {
            let c = b[s + i]
            return ByteText.isDigit(c) ? Int64(c - 0x30) : nil
        }
        guard b[s + 7] == UInt8(ascii: "-"), b[s + 13] == UInt8(ascii: ":"), b[s + 16] == UInt8(ascii: ":"),
              b[s + 10] == UInt8(ascii: " ") || b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: "t"),
              let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3),
              let m0 = d(5), let m1 = d(6), let d0 = d(8), let d1 = d(9),
              let h0 = d(11), let h1 = d(12), let i0 = d(14), let i1 = d(15), let s0 = d(17), let s1 = d(18)
        else { return nil }
        let month = m0 * 10 + m1, day = d0 * 10 + d1
        let hour = h0 * 10 + h1, minute = i0 * 10 + i1, second = s0 * 10 + s1
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        guard (1...12).contains(month), day >= 1, day <= TimeFormat.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60
        else { return nil }
        let days = TimeFormat.days(fromCivil: year, month, day)
        return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1000
    }
}
