/// A JSON syntax error with its position.
public struct JSONSyntaxError: Error, Equatable, Sendable {
    /// 1-based line.
    public var line: Int
    /// 1-based byte column.
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }
}

/// Parses UTF-8 JSON into `JSONNode`s: the tree and the lines are kept here, the bytes are
/// read by `JSONScanner`. Strict RFC 8259: no trailing commas, no comments, no duplicate keys.
public struct JSONParser {
    /// Deeper nesting is rejected rather than risk the stack on hostile input.
    public static let maxDepth = 64

    private var scanner: JSONScanner

    init(_ bytes: [UInt8]) {
        self.scanner = JSONScanner(bytes)
    }

    /// Parses one document: a single value and nothing but whitespace after it.
    /// - Throws: the first syntax error, with its line and column.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes)
        parser.scanner.skipWhitespace()
        let node = try parser.parseValue(depth: 0)
        try parser.scan { (s: inout JSONScanner) throws(JSONScanError) in try s.expectEnd() }
        return node
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard depth < JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
        let start = scanner.offset
        let startLine = scanner.line
        let startColumn = scanner.column
        guard let first = scanner.peek() else { throw error("expected a value, found the end of the file") }
        let value: JSONNode.Value
        switch first {
        case UInt8(ascii: "{"):
            value = .object(try parseObject(depth: depth))
        case UInt8(ascii: "["):
            value = .array(try parseArray(depth: depth))
        case UInt8(ascii: "\""):
            value = .string(try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.string() })
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            value = .number(try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.double() })
        case UInt8(ascii: "t"):
            try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.literal("true") }
            value = .bool(true)
        case UInt8(ascii: "f"):
            try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.literal("false") }
            value = .bool(false)
        case UInt8(ascii: "n"):
            try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.literal("null") }
            value = .null
        default:
            throw error("expected a value, found \(describe(start))")
        }
        return JSONNode(value: value, line: startLine, column: startColumn, byteRange: start..<scanner.offset)
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> [JSONNode.Member] {
        _ = scanner.consume(UInt8(ascii: "{"))
        var members: [JSONNode.Member] = []
        if scanner.consume(UInt8(ascii: "}")) { return members }
        repeat {
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "}"), !members.isEmpty { throw error("trailing comma before \"}\" (JSON allows none)") }
            guard scanner.peek() == UInt8(ascii: "\"") else {
                throw error("expected a quoted key, found \(describe(scanner.offset))")
            }
            let keyLine = scanner.line
            let keyColumn = scanner.column
            let key = try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.string() }
            if members.contains(where: { $0.key == key }) {
                throw JSONSyntaxError(line: keyLine, column: keyColumn, reason: "duplicate key \"\(key)\"")
            }
            guard scanner.consume(UInt8(ascii: ":")) else {
                throw error("expected \":\" after the key, found \(describe(scanner.offset))")
            }
            scanner.skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONNode.Member(key: key, line: keyLine, column: keyColumn, value: value))
        } while try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.nextItem(closing: UInt8(ascii: "}")) }
        return members
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONNode] {
        _ = scanner.consume(UInt8(ascii: "["))
        var elements: [JSONNode] = []
        if scanner.consume(UInt8(ascii: "]")) { return elements }
        repeat {
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "]"), !elements.isEmpty { throw error("trailing comma before \"]\" (JSON allows none)") }
            elements.append(try parseValue(depth: depth + 1))
        } while try scan { (s: inout JSONScanner) throws(JSONScanError) in try s.nextItem(closing: UInt8(ascii: "]")) }
        return elements
    }

    /// Runs one step of the scanner, turning its error into this parser's message.
    private mutating func scan<T>(_ step: (inout JSONScanner) throws(JSONScanError) -> T) throws(JSONSyntaxError) -> T {
        do { return try step(&scanner) } catch { throw Self.syntaxError(error, bytes: scanner.bytes) }
    }

    private func describe(_ offset: Int) -> String { Self.describe(offset, in: scanner.bytes) }

    private static func describe(_ offset: Int, in bytes: [UInt8]) -> String {
        guard offset < bytes.count else { return "the end of the file" }
        let byte = bytes[offset]
        if byte >= 0x20 && byte < 0x7f { return "\"\(String(UnicodeScalar(byte)))\"" }
        return "byte 0x" + String(byte, radix: 16)
    }

    /// An error at the scanner's position.
    private func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(line: scanner.line, column: scanner.column, reason: reason)
    }

    /// The scanner's error in this parser's words (and, where they differ, at its positions).
    private static func syntaxError(_ error: JSONScanError, bytes: [UInt8]) -> JSONSyntaxError {
        let at = error.offset
        var column = error.column
        let reason: String
        switch error.kind {
        case .expectedValue: reason = "expected a value, found \(describe(at, in: bytes))"
        case .expectedKey: reason = "expected a quoted key, found \(describe(at, in: bytes))"
        case .expectedColon: reason = "expected \":\" after the key, found \(describe(at, in: bytes))"
        case .expectedCommaOrClose(let close):
            reason = "expected \",\" or \"\(String(UnicodeScalar(close)))\", found \(describe(at, in: bytes))"
        case .expectedString: reason = "expected a string, found \(describe(at, in: bytes))"
        case .unterminatedString: reason = "unterminated string"
        case .controlCharacter:
            reason = bytes[at] == 0x0A ? "unterminated string (newline inside quotes)" : "control character inside a string"
        case .invalidEscape:
            column += 1   // at the escaped character, after the backslash
            reason = "invalid escape \"\\\(String(UnicodeScalar(bytes[at + 1])))\" in string"
        case .invalidHexDigit: reason = "expected 4 hexadecimal digits after \\u"
        case .loneSurrogate, .invalidSurrogatePair: reason = "unpaired surrogate in \\u escape"
        case .invalidUTF8: reason = "string is not valid UTF-8"
        case .invalidLiteral(_, let start):
            column = error.column(of: start)
            reason = "expected a value, found \(describe(start, in: bytes))"
        case .expectedDigit(.integer): reason = "expected a digit, found \(describe(at, in: bytes))"
        case .expectedDigit(.fraction): reason = "expected a digit after \".\", found \(describe(at, in: bytes))"
        case .expectedDigit(.exponent): reason = "expected a digit in the exponent, found \(describe(at, in: bytes))"
        case .numberOutOfRange(let range): reason = "number \(String(decoding: bytes[range], as: UTF8.self)) is out of range"
        case .tooDeep(let limit): reason = "nesting deeper than \(limit) levels"
        case .trailingContent: reason = "unexpected \(describe(at, in: bytes)) after the end of the document"
        }
        return JSONSyntaxError(line: error.line, column: column, reason: reason)
    }
}
