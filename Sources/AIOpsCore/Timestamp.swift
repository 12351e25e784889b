/// Milliseconds since the Unix epoch, UTC: the unit of remote write and of every
/// timestamp inside the pipeline.
public typealias Timestamp = Int64

/// Converts between `Timestamp` and the text forms users and files use, without
/// Foundation's formatters (they allocate and are slow in replay loops).
public enum TimeFormat {
    /// `2026-11-26T18:12:26Z`, or with milliseconds when they are not zero.
    public static func rfc3339(_ ms: Timestamp) -> String {
        let (days, msOfDay) = floorDivMod(ms, 86_400_000)
        let (y, m, d) = civil(fromDays: days)
        let secs = msOfDay / 1000
        let millis = msOfDay % 1000
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2)
        if millis != 0 { out += "." + pad(millis, 3) }
        return out + "Z"
    }

    /// `2026-11-26 18:12:26` (UTC), the NAB and CSV form.
    public static func plain(_ ms: Timestamp) -> String {
        let s = rfc3339(ms)
        return String(s.dropLast()).replacingFirst("T", with: " ")
    }

    /// Parses RFC 3339 (`2026-11-26T18:12:26Z`, fractional seconds, `+02:00` offsets),
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` taken as UTC, or a date alone. Returns nil when the
    /// text is none of these, or names a time that does not exist (February 29 of a year that
    /// is not a leap year, April 31, hour 24, a leap second): `impossibility(in:)` says
    /// which.
    public static func parse(_ text: Substring) -> Timestamp? {
        var p = Scanner(Array(text.utf8))
        guard let year = p.digits(4), p.expect(UInt8(ascii: "-")),
              let month = p.digits(2), p.expect(UInt8(ascii: "-")),
              let day = p.digits(2),
              (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var ms = days(fromCivil: year, month, day) * 86_400_000
        if p.atEnd { return ms }
        guard p.expectOne(of: [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]),
              let hh = p.digits(2), p.expect(UInt8(ascii: ":")),
              let mm = p.digits(2)
        else { return nil }
        var ss: Int64 = 0
        if p.expect(UInt8(ascii: ":")) {
            guard let s = p.digits(2) else { return nil }
            ss = s
        }
        guard hh < 24, mm < 60, ss < 60 else { return nil }
        ms += (hh * 3600 + mm * 60 + ss) * 1000
        if p.expect(UInt8(ascii: ".")) {
            var scale: Int64 = 100
            var any = false
            while let digit = p.digit() {
                any = true
                ms += digit * scale
                scale /= 10
            }
            if !any { return nil }
        }
        if p.atEnd { return ms }
        if p.expectOne(of: [UInt8(ascii: "Z"), UInt8(ascii: "z")]) { return p.atEnd ? ms : nil }
        if let sign = p.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            p.advance()
            guard let oh = p.digits(2), p.expect(UInt8(ascii: ":")), let om = p.digits(2), p.atEnd else { return nil }
            guard oh < 24, om < 60 else { return nil }
            let offset = (oh * 60 + om) * 60_000
            return sign == UInt8(ascii: "+") ? ms - offset : ms + offset
        }
        return nil
    }

    public static func parse(_ text: String) -> Timestamp? { parse(Substring(text)) }

    /// A field of a date-time that is out of its range, and where.
    public struct Impossibility: Equatable, Sendable {
        /// 0-based byte offset of the field in the text.
        public var offset: Int
        /// What is wrong: `February 2026 has 28 days`, `hour 24 is out of range (00 to 23)`.
        public var reason: String
    }

    /// For text shaped like a date-time (`YYYY-MM-DD`, then optionally `[T ]HH:MM[:SS]` and
    /// an offset) with a field out of its range, which and why; nil for text that is fine or
    /// is not shaped like one (that is a syntax error, not an impossible date). What `parse`
    /// refuses silently, put in words for error messages.
    public static func impossibility(in text: Substring) -> Impossibility? {
        let b = Array(text.utf8)
        func number(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in at..<(at + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = number(5, 2),
              b[7] == UInt8(ascii: "-"), let day = number(8, 2)
        else { return nil }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        if !(1...12).contains(month) { return Impossibility(offset: 5, reason: "month \(pad(month, 2)) is out of range (01 to 12)") }
        let days = daysInMonth(year: year, month: month)
        if day == 0 { return Impossibility(offset: 8, reason: "day 00 is out of range (01 to \(days))") }
        if day > days {
            let leap = month == 2 && day == 29 ? " (\(year) is not a leap year)" : ""
            return Impossibility(offset: 8, reason: "\(months[Int(month) - 1]) \(year) has \(days) days\(leap)")
        }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"), let minute = number(14, 2)
        else { return nil }
        if hour > 23 { return Impossibility(offset: 11, reason: "hour \(pad(hour, 2)) is out of range (00 to 23)") }
        if minute > 59 { return Impossibility(offset: 14, reason: "minute \(pad(minute, 2)) is out of range (00 to 59)") }
        var next = 16
        if b.count >= 19, b[16] == UInt8(ascii: ":"), let second = number(17, 2) {
            if second == 60 { return Impossibility(offset: 17, reason: "second 60 (a leap second) is not supported") }
            if second > 59 { return Impossibility(offset: 17, reason: "second \(pad(second, 2)) is out of range (00 to 59)") }
            next = 19
        }
        if next < b.count, b[next] == UInt8(ascii: ".") {
            next += 1
            while next < b.count, b[next] >= 0x30, b[next] <= 0x39 { next += 1 }
        }
        if next < b.count, b[next] == UInt8(ascii: "+") || b[next] == UInt8(ascii: "-"),
           let oh = number(next + 1, 2), next + 3 < b.count, b[next + 3] == UInt8(ascii: ":"), let om = number(next + 4, 2) {
            if oh > 23 { return Impossibility(offset: next + 1, reason: "offset hour \(pad(oh, 2)) is out of range (00 to 23)") }
            if om > 59 { return Impossibility(offset: next + 4, reason: "offset minute \(pad(om, 2)) is out of range (00 to 59)") }
        }
        return nil
    }

    /// Whether `year` of the proleptic Gregorian calendar has a February 29.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// 28 to 31; `month` is 1 to 12.
    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses an HTTP date (RFC 9110 §5.6.7) in any of the three forms a recipient must accept:
    /// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`
    /// (two-digit years 70-99 are 19xx, 00-69 20xx) and asctime `Sun Nov  6 08:49:37 1994`.
    /// The weekday is not checked against the date. Returns nil for anything else.
    public static func parseHTTPDate(_ text: String) -> Timestamp? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," })
        guard let weekday = tokens.first, weekday.count >= 3, weekday.allSatisfy(\.isLetter) else { return nil }
        var day: Int64?, month: Int64?, year: Int64?, time: Substring?
        switch tokens.count {
        case 6 where tokens[5] == "GMT":  // IMF-fixdate
            day = Int64(tokens[1]); month = monthNumber(tokens[2]); year = Int64(tokens[3]); time = tokens[4]
            if tokens[3].count != 4 { year = nil }
        case 4 where tokens[3] == "GMT":  // RFC 850
            let parts = tokens[1].split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 3, parts[2].count == 2, let yy = Int64(parts[2]) {
                day = Int64(parts[0]); month = monthNumber(parts[1]); year = yy >= 70 ? 1900 + yy : 2000 + yy
            }
            time = tokens[2]
        case 5:  // asctime
            month = monthNumber(tokens[1]); day = Int64(tokens[2]); time = tokens[3]; year = Int64(tokens[4])
            if tokens[4].count != 4 { year = nil }
        default:
            return nil
        }
        guard let day, let month, let year, let time, day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hh = Int64(clock[0]), let mm = Int64(clock[1]), let ss = Int64(clock[2]),
              (0..<24).contains(hh), (0..<60).contains(mm), (0..<60).contains(ss)
        else { return nil }
        return (days(fromCivil: year, month, day) * 86_400 + hh * 3600 + mm * 60 + ss) * 1000
    }

    static func monthNumber(_ name: Substring) -> Int64? {
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return names.firstIndex { $0 == name }.map { Int64($0 + 1) }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01.
    public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }
        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
        mutating func advance() { index += 1 }
        mutating func expect(_ byte: UInt8) -> Bool {
            if peek() == byte { index += 1; return true }
            return false
        }
        mutating func expectOne(of set: [UInt8]) -> Bool {
            if let b = peek(), set.contains(b) { index += 1; return true }
            return false
        }
        mutating func digit() -> Int64? {
            guard let b = peek(), b >= 48, b <= 57 else { return nil }
            index += 1
            return Int64(b - 48)
        }
        mutating func digits(_ n: Int) -> Int64? {
            var v: Int64 = 0
            for _ in 0..<n {
                guard let d = digit() else { return nil }
                v = v * 10 + d
            }
            return v
        }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = firstIndex(of: target) else { return self }
        return String(self[..<index]) + replacement + String(self[self.index(after: index)...])
    }
}
