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
    let file: String
    /// The `__name__` given to series whose `metric` object has none (e.g. `rate(...)`).
    let defaultName: String
    /// Blanks, strings, numbers and positions; the structure of the response is read here.
    private var scanner: JSONScanner
    private var bytes: [UInt8] { scanner.bytes }

    init(_ bytes: [UInt8], file: String, defaultName: String) {
        self.file = file
        self.defaultName = defaultName
        self.scanner = JSONScanner(bytes)
    }

    mutating func parse() throws(FixtureError) -> [FixtureSeries] {
        var status: String?
        var errorType: String?
        var errorText: String?
        var resultType: String?
        var resultTypeLine = 1
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
                        resultTypeLine = p.scanner.line
                        resultType = try p.string()
                    case "result": series = try p.results()
                    default: try p.skipValue()
                    }
                }
            default: try p.skipValue()
            }
        }
        try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.expectEnd() }
        if let status, status != "success" {
            let detail = [errorType, errorText].compactMap { $0 }.joined(separator: ": ")
            throw FixtureError(file: file, line: nil, code: .unsupported,
                               reason: "query status is \"\(status)\"" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        guard sawData else { throw FixtureError(file: file, line: nil, code: .syntax, reason: "missing \"data\" object") }
        guard let resultType else { throw FixtureError(file: file, line: nil, code: .syntax, reason: "missing \"data.resultType\"") }
        guard resultType == "matrix" else {
            throw FixtureError(file: file, line: resultTypeLine, code: .unsupported,
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
            let line = p.scanner.line
            let one = try p.oneSeries()
            if let first = seen[one.labels] {
                throw FixtureError(file: p.file, line: line, code: .duplicateSeries,
                                   reason: "series \(one.labels) appears twice (first at line \(first))")
            }
            seen[one.labels] = line
            series.append(one)
        }
        return series
    }

    private mutating func oneSeries() throws(FixtureError) -> FixtureSeries {
        var labels: [Label] = []
        var series = FixtureSeries(labels: Labels([]))
        var sawValues = false
        let startLine = scanner.line
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
                throw FixtureError(file: p.file, line: p.scanner.line, code: .unsupported,
                                   reason: "a series with a single \"value\" is an instant vector: replay needs a range query result (\"matrix\")")
            case "histograms", "histogram":
                throw FixtureError(file: p.file, line: p.scanner.line, code: .unsupported,
                                   reason: "native histogram samples are not supported")
            default: try p.skipValue()
            }
        }
        if !sawValues { throw FixtureError(file: file, line: startLine, code: .syntax, reason: "series object without \"values\"") }
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
            p.scanner.skipWhitespace()
            let (ts0, ts1) = try p.scalarToken()
            guard let timestamp = ByteText.parseEpoch(p.bytes, ts0, ts1, unit: .seconds) else {
                throw FixtureError(file: p.file, line: p.scanner.line, code: .timestamp,
                                   reason: "invalid timestamp \(ByteText.quote(p.bytes, ts0, ts1)) (expected Unix seconds) at column \(p.column(of: ts0))")
            }
            try p.expect(UInt8(ascii: ","), "',' between timestamp and value")
            p.scanner.skipWhitespace()
            let (v0, v1) = try p.scalarToken()
            guard let value = ByteText.parseDouble(p.bytes, v0, v1) else {
                throw FixtureError(file: p.file, line: p.scanner.line, code: .value,
                                   reason: "invalid value \(ByteText.quote(p.bytes, v0, v1)) (expected a number, NaN, +Inf or -Inf) at column \(p.column(of: v0))")
            }
            try p.expect(UInt8(ascii: "]"), "']' closing the pair")
            series.append(timestamp, value)
        }
    }

    /// A number or an escape-free string at the scanner (after blanks): the bytes of its
    /// content, not copied. A bare number is taken loosely here, so that `parseEpoch` and
    /// `parseDouble` judge the whole token and the error says "invalid timestamp" or "invalid value".
    private mutating func scalarToken() throws(FixtureError) -> (Int, Int) {
        guard scanner.peek() != UInt8(ascii: "\"") else {
            guard let range = scanner.plainString() else {
                throw syntax("bad string in a sample (unterminated, or with escapes or control characters)")
            }
            return (range.lowerBound, range.upperBound)
        }
        let range = scanner.numberToken()
        if range.isEmpty {
            throw syntax(scanner.isAtEnd ? "unexpected end of input, expected a number or string" : "expected a number or string, found \(describe(scanner.offset))")
        }
        return (range.lowerBound, range.upperBound)
    }

    /// 1-based byte column of an index on the scanner's current line.
    private func column(of index: Int) -> Int { scanner.column - (scanner.offset - index) }

    // MARK: JSON structure

    /// Calls `member` for each `"key": value` of an object whose `{` was consumed;
    /// `member` must consume the value.
    private mutating func objectMembers(_ member: (inout QueryRangeParser, String) throws(FixtureError) -> Void) throws(FixtureError) {
        if scanner.consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.key() }
            scanner.skipWhitespace()
            try member(&self, key)
        } while try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.nextItem(closing: UInt8(ascii: "}")) }
    }

    /// Calls `element` for each element of an array whose `[` was consumed.
    private mutating func arrayElements(_ element: (inout QueryRangeParser) throws(FixtureError) -> Void) throws(FixtureError) {
        if scanner.consume(UInt8(ascii: "]")) { return }
        repeat {
            scanner.skipWhitespace()
            try element(&self)
        } while try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.nextItem(closing: UInt8(ascii: "]")) }
    }

    /// Nesting allowed in skipped values: deep enough for any real response, shallow
    /// enough that hostile input cannot overflow the stack.
    static let maxDepth = 256

    private mutating func skipValue() throws(FixtureError) {
        try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.skipValue(maxDepth: Self.maxDepth) }
    }

    /// A JSON string (after blanks), escapes decoded; invalid UTF-8 is repaired, not refused.
    private mutating func string() throws(FixtureError) -> String {
        try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.string(validatingUTF8: false) }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(FixtureError) {
        guard scanner.consume(byte) else {
            throw syntax(scanner.isAtEnd ? "unexpected end of input, expected \(what)" : "expected \(what), found \(describe(scanner.offset))")
        }
    }

    /// Runs one step of the scanner, turning its error into this reader's message.
    private mutating func scan<T>(_ step: (inout JSONScanner) throws(JSONScanError) -> T) throws(FixtureError) -> T {
        do { return try step(&scanner) } catch { throw syntax(error) }
    }

    // MARK: Errors

    private func describe(_ index: Int) -> String {
        guard index < bytes.count else { return "end of input" }
        let b = bytes[index]
        if b >= 0x20, b < 0x7F { return "'\(String(decoding: [b], as: UTF8.self))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    /// A syntax error at the scanner's position.
    private func syntax(_ reason: String) -> FixtureError {
        FixtureError(file: file, line: scanner.line, code: .syntax, reason: "invalid JSON: \(reason) at column \(scanner.column)")
    }

    /// The scanner's error in this reader's words (and, where they differ, at its positions).
    private func syntax(_ error: JSONScanError) -> FixtureError {
        let at = error.offset
        let end = at >= bytes.count
        var column = error.column
        let reason: String
        switch error.kind {
        case .expectedValue: reason = end ? "unexpected end of input, expected a value" : "expected a value, found \(describe(at))"
        case .expectedKey: reason = "expected a quoted key, found \(describe(at))"
        case .expectedColon(let key):
            reason = end ? "unexpected end of input, expected ':' after key \"\(key)\"" : "expected ':' after key \"\(key)\", found \(describe(at))"
        case .expectedCommaOrClose(let close):
            let bracket = String(decoding: [close], as: UTF8.self)
            reason = end ? "unexpected end of input, expected ',' or '\(bracket)'"
                : "expected ',' or '\(bracket)' in \(close == UInt8(ascii: "}") ? "object" : "array"), found \(describe(at))"
        case .expectedString: reason = "expected a string, found \(describe(at))"
        case .unterminatedString(let open):
            reason = "unterminated string"
            column = error.column(of: open)
        case .controlCharacter: reason = "control character in string"
        case .invalidEscape: reason = "invalid escape '\\\(String(decoding: [bytes[at + 1]], as: UTF8.self))' in string"
        case .invalidHexDigit: reason = end ? "unexpected end of input in \\u escape" : "invalid hex digit in \\u escape"
        case .loneSurrogate: reason = "invalid \\u escape"
        case .invalidSurrogatePair: reason = "invalid surrogate pair in \\u escape"
        case .invalidUTF8: reason = "string is not valid UTF-8"
        case .invalidLiteral(let word, _): reason = "invalid literal, expected \(word)"
        case .expectedDigit: reason = "expected a digit in a number, found \(describe(at))"
        case .numberOutOfRange(let range): reason = "number \(ByteText.quote(bytes, range.lowerBound, range.upperBound)) is out of range"
        case .tooDeep(let limit): reason = "nesting deeper than \(limit) levels"
        case .trailingContent: reason = "unexpected \(describe(at)) after the JSON value"
        }
        return FixtureError(file: file, line: error.line, code: .syntax, reason: "invalid JSON: \(reason) at column \(column)")
    }
}
