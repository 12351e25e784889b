import AIOpsCore

/// Byte-level scanning shared by the readers: lines, blanks, names and numbers,
/// read straight from the file's bytes without a `String` per line.
enum ByteText {
    static let newline = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// The index after a UTF-8 byte order mark, or 0.
    static func skipBOM(_ bytes: [UInt8]) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    @inline(__always)
    static func isSpaceOrNewline(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// `[a-zA-Z_:]`
    @inline(__always)
    static func isMetricNameStart(_ b: UInt8) -> Bool { isLetter(b) || b == 0x5F || b == 0x3A }

    /// `[a-zA-Z0-9_:]`
    @inline(__always)
    static func isMetricNameChar(_ b: UInt8) -> Bool { isMetricNameStart(b) || isDigit(b) }

    /// `[a-zA-Z_]`
    @inline(__always)
    static func isLabelNameStart(_ b: UInt8) -> Bool { isLetter(b) || b == 0x5F }

    /// `[a-zA-Z0-9_]`
    @inline(__always)
    static func isLabelNameChar(_ b: UInt8) -> Bool { isLabelNameStart(b) || isDigit(b) }

    static func isMetricName<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, isMetricNameStart(first) else { return false }
        return bytes.allSatisfy(isMetricNameChar)
    }

    static func string(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A short, printable quote of some bytes for error messages.
    static func quote(_ bytes: [UInt8], _ start: Int, _ end: Int, limit: Int = 40) -> String {
        let cut = min(end, start + limit)
        var text = string(bytes, start, cut)
        if cut < end { text += "…" }
        return "\"" + text + "\""
    }

    // MARK: Lines

    /// One line's byte range without its `\n` or `\r\n`, and its 1-based number.
    struct Line {
        var number: Int
        var start: Int
        var end: Int
    }

    /// Iterates the lines of a buffer (the last one may lack a newline).
    struct Lines: Sequence, IteratorProtocol {
        let bytes: [UInt8]
        var index: Int
        var number = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            self.index = ByteText.skipBOM(bytes)
        }

        mutating func next() -> Line? {
            guard index < bytes.count else { return nil }
            let start = index
            var end = start
            while end < bytes.count, bytes[end] != ByteText.newline { end += 1 }
            index = end + 1
            number += 1
            if end > start, bytes[end - 1] == ByteText.cr { end -= 1 }
            return Line(number: number, start: start, end: end)
        }
    }

    /// Narrows `start..<end` past blanks on both sides.
    @inline(__always)
    static func trim(_ bytes: [UInt8], _ start: inout Int, _ end: inout Int) {
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) || bytes[end - 1] == cr { end -= 1 }
    }

    // MARK: Numbers

    /// Powers of ten exactly representable as `Double`.
    private static let exactPowers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Parses a float: decimal, scientific, `NaN`, `Inf`, `+Inf`, `-Inf`.
    ///
    /// Plain decimals with at most 19 significant digits take Clinger's fast path (exact
    /// mantissa times or divided by an exact power of ten, so correctly rounded); anything
    /// else goes through `Double(Substring)`.
    /// - Returns: nil when the bytes are not a number.
    static func parseDouble(_ b: [UInt8], _ start: Int, _ end: Int) -> Double? {
        guard start < end else { return nil }
        var i = start
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < end, isDigit(b[i]) {
            sawDigit = true
            if mantissa != 0 || b[i] != 0x30 { digits += 1 }
            if digits > 19 { return slowDouble(b, start, end) }
            mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
            i += 1
        }
        if i < end, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, isDigit(b[i]) {
                sawDigit = true
                if mantissa != 0 || b[i] != 0x30 { digits += 1 }
                if digits > 19 { return slowDouble(b, start, end) }
                mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
                exponent -= 1
                i += 1
            }
        }
        guard sawDigit else { return slowDouble(b, start, end) }
        if i < end, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < end, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var sawExpDigit = false
            while i < end, isDigit(b[i]) {
                sawExpDigit = true
                if e < 100_000 { e = e * 10 + Int(b[i] - 0x30) }
                i += 1
            }
            guard sawExpDigit else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == end else { return slowDouble(b, start, end) }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return slowDouble(b, start, end) }
        var value = Double(mantissa)
        if exponent < 0 { value /= exactPowers[-exponent] } else { value *= exactPowers[exponent] }
        return negative ? -value : value
    }

    private static func slowDouble(_ b: [UInt8], _ start: Int, _ end: Int) -> Double? {
        // Double(Substring) also takes hex floats and "infinity"; both are harmless here.
        Double(Substring(string(b, start, end)))
    }

    /// How a bare number in a timestamp column is read.
    enum EpochUnit {
        case seconds
        case milliseconds
        /// Seconds below 1e11 (that is, before the year 5138), milliseconds from 1e11 on
        /// (1e11 ms is 1973-03-03): no real fixture sits in the overlap.
        case byMagnitude
    }

    /// The magnitude at which a bare epoch number is taken as milliseconds.
    static let millisecondThreshold: Double = 1e11

    /// 9999-12-31T23:59:59.999Z: later (or earlier than minus this) is out of range, which
    /// keeps downstream `timestamp + window` arithmetic far from overflow.
    static let maxEpochMilliseconds: Int64 = 253_402_300_799_999

    /// Parses an epoch number (`1712345678`, `1712345678.123`, `1712345678123`,
    /// `1.712345678e9`) into milliseconds, rounding to the nearest millisecond.
    /// - Returns: nil when the bytes are not a finite number within ±`maxEpochMilliseconds`.
    static func parseEpoch(_ b: [UInt8], _ start: Int, _ end: Int, unit: EpochUnit) -> Timestamp? {
        // Fast, exact path for [-]digits[.digits].
        var i = start
        var negative = false
        if i < end, b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var whole: Int64 = 0
        var sawDigit = false
        var plain = true
        while i < end, isDigit(b[i]) {
            sawDigit = true
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 0x30))
            if o1 || o2 { plain = false; break }
            whole = a
            i += 1
        }
        var fraction: Int64 = 0   // first four fractional digits, for rounding to ms
        var fractionDigits = 0
        if plain, i < end, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, isDigit(b[i]) {
                if fractionDigits < 4 {
                    fraction = fraction * 10 + Int64(b[i] - 0x30)
                    fractionDigits += 1
                }
                sawDigit = true
                i += 1
            }
        }
        if plain, sawDigit, i == end {
            while fractionDigits < 4 { fraction *= 10; fractionDigits += 1 }
            let seconds: Bool
            switch unit {
            case .seconds: seconds = true
            case .milliseconds: seconds = false
            case .byMagnitude: seconds = Double(whole) < millisecondThreshold
            }
            let (scaled, o1) = seconds ? whole.multipliedReportingOverflow(by: 1000) : (whole, false)
            let (ms, o2) = scaled.addingReportingOverflow(seconds ? (fraction + 5) / 10 : (fraction + 5000) / 10000)
            if o1 || o2 || ms > maxEpochMilliseconds { return nil }
            return negative ? -ms : ms
        }
        // Scientific notation and the like.
        guard let value = parseDouble(b, start, end), value.isFinite else { return nil }
        let seconds: Bool
        switch unit {
        case .seconds: seconds = true
        case .milliseconds: seconds = false
        case .byMagnitude: seconds = abs(value) < millisecondThreshold
        }
        let ms = (seconds ? value * 1000 : value).rounded()
        guard abs(ms) <= Double(maxEpochMilliseconds) else { return nil }
        return Timestamp(ms)
    }
}
