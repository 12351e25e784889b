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
    /// text is none of these.
    public static func parse(_ text: Substring) -> Timestamp? {
        var p = Scanner(Array(text.utf8))
        guard let year = p.digits(4), p.expect(UInt8(ascii: "-")),
              let month = p.digits(2), p.expect(UInt8(ascii: "-")),
              let day = p.digits(2),
              (1...12).contains(month), (1...31).contains(day)
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
        guard hh < 24, mm < 60, ss < 61 else { return nil }
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
            let offset = (oh * 60 + om) * 60_000
            return sign == UInt8(ascii: "+") ? ms - offset : ms + offset
        }
        return nil
    }

    public static func parse(_ text: String) -> Timestamp? { parse(Substring(text)) }

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
