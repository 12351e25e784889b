import AIOpsCore

/// Reads the JSON body of Prometheus' `/api/v1/query_range`:
/// `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{...},"values":[[1712345678.123,"1.5"],...]}]}}`.
///
/// A purpose-built scanner rather than `JSONSerialization`: it reads samples straight
/// into the series arrays without boxing each number, and reports bad JSON with a line
/// and column. Timestamps are Unix seconds (number or string, with a fraction); values are
/// strings as Prometheus writes them (`"1.5"`, `"NaN"`, `"+Inf"`), bare numbers are
/// accepted too. Only `resultType: "matrix"` is taken: a vector or scalar has no history
/// to replay. Unknown keys are skipped; native histogram series are refused.
struct QueryRangeParser {
    let bytes: [UInt8]
    let file: String
    /// The `__name__` given to series whose `metric` object has none (e.g. `rate(...)`).
    let defaultName: String
    var i = 0

    init(_ bytes: [UInt8], file: String, defaultName: String) {
        self.bytes = bytes
        self.file = file
        self.defaultName = defaultName
        self.i = ByteText.skipBOM(bytes)
    }

    mutating func parse() throws(FixtureError) -> [FixtureSeries] {
        var status: String?
        var errorType: String?
        var errorText: String?
        var resultType: String?
        var resultTypeAt = 0
        var sawData = false
        var series: [FixtureSeries] = []
        try expect(UInt8(ascii: "{"), "the response object")
        try objectMembers { (p: inout QueryRangeParser, key: String) throws(FixtureError) in
            switch key {
            case "status": status = try p.string()
            case "errorType": errorType = try p.string()
            case "error": errorText = try p.string()
            case "data":
                sawData = true
                try p.expect(UInt8(ascii: "{"), "\"data\" object")
                try p.objectMembers { (p: inout QueryRangeParser, key: String) throws(FixtureError) in
                    switch key {
                    case "resultType":
                        p.skipBlanks()
                        resultTypeAt = p.i
                        resultType = try p.string()
                    case "result": series = try p.results()
                    default: try p.skipValue()
                    }
                }
            default: try p.skipValue()
            }
        }
        skipBlanks()
        if i < bytes.count { throw syntax("unexpected \(describe(i)) after the JSON value") }
        if let status, status != "success" {
            let detail = [errorType, errorText].compactMap { $0 }.joined(separator: ": ")
            throw FixtureError(file: file, line: nil, code: .unsupported,
                               reason: "query status is \"\(status)\"" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        guard sawData else { throw FixtureError(file: file, line: nil, code: .syntax, reason: "missing \"data\" object") }
        guard let resultType else { throw FixtureError(file: file, line: nil, code: .syntax, reason: "missing \"data.resultType\"") }
        guard resultType == "matrix" else {
            throw FixtureError(file: file, line: lineOf(resultTypeAt), code: .unsupported,
                               reason: "resultType \"\(resultType)\" is not supported: replay needs a range query result (\"matrix\")")
        }
        return series
    }

    // MARK: Result

    private mutating func results() throws(FixtureError) -> [FixtureSeries] {
        var series: [FixtureSeries] = []
        var seen: [Labels: Int] = [:]   // labels -> line of first appearance
        try expect(UInt8(ascii: "["), "\"result\" array")
        try arrayElements { (p: inout QueryRangeParser) throws(FixtureError) in
            p.skipBlanks()
            let at = p.i
            let one = try p.oneSeries()
            if let first = seen[one.labels] {
                throw FixtureError(file: p.file, line: p.lineOf(at), code: .duplicateSeries,
                                   reason: "series \(one.labels) appears twice (first at line \(first))")
            }
            seen[one.labels] = p.lineOf(at)
            series.append(one)
        }
        return series
    }

    private mutating func oneSeries() throws(FixtureError) -> FixtureSeries {
        var labels: [Label] = []
        var series = FixtureSeries(labels: Labels([]))
        var sawValues = false
        let start = i
        try expect(UInt8(ascii: "{"), "a series object")
        try objectMembers { (p: inout QueryRangeParser, key: String) throws(FixtureError) in
            switch key {
            case "metric":
                try p.expect(UInt8(ascii: "{"), "\"metric\" object")
                try p.objectMembers { (p: inout QueryRangeParser, name: String) throws(FixtureError) in
                    let value = try p.string()
                    if !value.isEmpty { labels.append(Label(name, value)) }
                }
            case "values":
                sawValues = true
                try p.values(into: &series)
            case "value":
                throw FixtureError(file: p.file, line: p.lineOf(p.i), code: .unsupported,
                                   reason: "a series with a single \"value\" is an instant vector: replay needs a range query result (\"matrix\")")
            case "histograms", "histogram":
                throw FixtureError(file: p.file, line: p.lineOf(p.i), code: .unsupported,
                                   reason: "native histogram samples are not supported")
            default: try p.skipValue()
            }
        }
        if !sawValues { throw FixtureError(file: file, line: lineOf(start), code: .syntax, reason: "series object without \"values\"") }
        if !labels.contains(where: { $0.name == Labels.metricNameLabel }) {
            labels.append(Label(Labels.metricNameLabel, defaultName))
        }
        series.labels = Labels(labels)
        return series
    }

    /// `[[t, "v"], ...]` straight into the series.
    private mutating func values(into series: inout FixtureSeries) throws(FixtureError) {
        try expect(UInt8(ascii: "["), "\"values\" array")
        try arrayElements { (p: inout QueryRangeParser) throws(FixtureError) in
            try p.expect(UInt8(ascii: "["), "a [timestamp, value] pair")
            p.skipBlanks()
            let (ts0, ts1) = try p.scalarToken()
            guard let timestamp = ByteText.parseEpoch(p.bytes, ts0, ts1, unit: .seconds) else {
                throw FixtureError(file: p.file, line: p.lineOf(ts0), code: .timestamp,
                                   reason: "invalid timestamp \(ByteText.quote(p.bytes, ts0, ts1)) (expected Unix seconds) at column \(p.columnOf(ts0))")
            }
            try p.expect(UInt8(ascii: ","), "',' between timestamp and value")
            p.skipBlanks()
            let (v0, v1) = try p.scalarToken()
            guard let value = ByteText.parseDouble(p.bytes, v0, v1) else {
                throw FixtureError(file: p.file, line: p.lineOf(v0), code: .value,
                                   reason: "invalid value \(ByteText.quote(p.bytes, v0, v1)) (expected a number, NaN, +Inf or -Inf) at column \(p.columnOf(v0))")
            }
            try p.expect(UInt8(ascii: "]"), "']' closing the pair")
            series.append(timestamp, value)
        }
    }

    /// A number or an escape-free string at `i`: the bytes of its content.
    private mutating func scalarToken() throws(FixtureError) -> (Int, Int) {
        guard i < bytes.count else { throw syntax("unexpected end of input, expected a number or string") }
        if bytes[i] == UInt8(ascii: "\"") {
            let start = i + 1
            var j = start
            while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), bytes[j] >= 0x20 { j += 1 }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "\"") else {
                throw syntax("bad string in a sample (unterminated, or with escapes or control characters)")
            }
            i = j + 1
            return (start, j)
        }
        let start = i
        while i < bytes.count, isNumberByte(bytes[i]) { i += 1 }
        if i == start { throw syntax("expected a number or string, found \(describe(i))") }
        return (start, i)
    }

    private func isNumberByte(_ b: UInt8) -> Bool {
        ByteText.isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b | 0x20 == UInt8(ascii: "e")
    }

    // MARK: JSON structure

    /// Calls `member` for each `"key": value` of an object whose `{` was consumed;
    /// `member` must consume the value.
    private mutating func objectMembers(_ member: (inout QueryRangeParser, String) throws(FixtureError) -> Void) throws(FixtureError) {
        skipBlanks()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipBlanks()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw syntax("expected a quoted key, found \(describe(i))")
            }
            let key = try string()
            try expect(UInt8(ascii: ":"), "':' after key \"\(key)\"")
            skipBlanks()
            try member(&self, key)
            skipBlanks()
            guard i < bytes.count else { throw syntax("unexpected end of input, expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw syntax("expected ',' or '}' in object, found \(describe(i))")
        }
    }

    /// Calls `element` for each element of an array whose `[` was consumed.
    private mutating func arrayElements(_ element: (inout QueryRangeParser) throws(FixtureError) -> Void) throws(FixtureError) {
        skipBlanks()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipBlanks()
            try element(&self)
            skipBlanks()
            guard i < bytes.count else { throw syntax("unexpected end of input, expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            throw syntax("expected ',' or ']' in array, found \(describe(i))")
        }
    }

    /// Nesting allowed in skipped values: deep enough for any real response, shallow
    /// enough that hostile input cannot overflow the stack.
    static let maxDepth = 256

    /// Skips any JSON value (validating it).
    private mutating func skipValue(depth: Int = 0) throws(FixtureError) {
        skipBlanks()
        guard i < bytes.count else { throw syntax("unexpected end of input, expected a value") }
        if depth >= Self.maxDepth { throw syntax("nesting deeper than \(Self.maxDepth) levels") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            try objectMembers { (p: inout QueryRangeParser, _: String) throws(FixtureError) in try p.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            try arrayElements { (p: inout QueryRangeParser) throws(FixtureError) in try p.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            let start = i
            while i < bytes.count, isNumberByte(bytes[i]) { i += 1 }
            if i == start || ByteText.parseDouble(bytes, start, i) == nil {
                i = start
                throw syntax("expected a value, found \(describe(start))")
            }
        }
    }

    private mutating func literal(_ word: String) throws(FixtureError) {
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw syntax("invalid literal, expected \(word)") }
            i += 1
        }
    }

    /// A JSON string at `i` (after blanks), escapes decoded.
    private mutating func string() throws(FixtureError) -> String {
        skipBlanks()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw syntax("expected a string, found \(describe(i))") }
        let open = i
        i += 1
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return ByteText.string(bytes, start, i - 1)
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw syntax("control character in string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            guard i + 1 < bytes.count else { break }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw syntax("invalid surrogate pair in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw syntax("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                i -= 2
                throw syntax("invalid escape '\\\(String(decoding: [e], as: UTF8.self))' in string")
            }
        }
        i = open
        throw syntax("unterminated string")
    }

    private mutating func hex4() throws(FixtureError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw syntax("unexpected end of input in \\u escape") }
            let b = bytes[i]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw syntax("invalid hex digit in \\u escape")
            }
            v = v << 4 | digit
            i += 1
        }
        return v
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(FixtureError) {
        skipBlanks()
        guard i < bytes.count else { throw syntax("unexpected end of input, expected \(what)") }
        guard bytes[i] == byte else { throw syntax("expected \(what), found \(describe(i))") }
        i += 1
    }

    private mutating func skipBlanks() {
        while i < bytes.count, ByteText.isSpaceOrNewline(bytes[i]) { i += 1 }
    }

    // MARK: Positions

    private func describe(_ index: Int) -> String {
        guard index < bytes.count else { return "end of input" }
        let b = bytes[index]
        if b >= 0x20, b < 0x7F { return "'\(String(decoding: [b], as: UTF8.self))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    /// 1-based line of a byte index (counted only when an error or duplicate needs it).
    func lineOf(_ index: Int) -> Int {
        var line = 1
        var j = 0
        let stop = min(index, bytes.count)
        while j < stop { if bytes[j] == ByteText.newline { line += 1 }; j += 1 }
        return line
    }

    /// 1-based byte column of a byte index.
    func columnOf(_ index: Int) -> Int {
        var j = min(index, bytes.count)
        while j > 0, bytes[j - 1] != ByteText.newline { j -= 1 }
        return index - j + 1
    }

    private func syntax(_ reason: String) -> FixtureError {
        FixtureError(file: file, line: lineOf(i), code: .syntax, reason: "invalid JSON: \(reason) at column \(columnOf(i))")
    }
}
