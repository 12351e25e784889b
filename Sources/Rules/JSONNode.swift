/// A JSON value that remembers where it was written, so rule errors can name a line.
///
/// `JSONDecoder` reports neither lines nor duplicate keys, so rule files are read with this
/// small parser (RFC 8259, plus a leading byte order mark) and then walked by hand; only the
/// `detector` object goes through `JSONDecoder`, so that `DetectorSpec` owns its keys.
struct JSONNode {
    struct Member {
        var key: String
        /// 1-based line of the key.
        var line: Int
        var value: JSONNode
    }

    enum Value {
        case object([Member])
        case array([JSONNode])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    var value: Value
    /// 1-based line where the value starts.
    var line: Int
    /// The value's bytes in the source, e.g. to hand an object to `JSONDecoder`.
    var byteRange: Range<Int>

    /// What kind of value this is, for "expected a string, found a number" messages.
    var typeName: String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// The member `key` of an object, or nil.
    func member(_ key: String) -> Member? {
        if case .object(let members) = value {
            return members.first { $0.key == key }
        }
        return nil
    }
}

/// A JSON syntax error with its position.
struct JSONSyntaxError: Error {
    var line: Int
    var column: Int
    var reason: String
}

/// Parses UTF-8 JSON into `JSONNode`s.
struct JSONParser {
    /// Deeper nesting is rejected rather than risk the stack on hostile input.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one document: a single value and nothing but whitespace after it.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            parser.index = 3
            parser.lineStart = 3
        }
        parser.skipSpace()
        let node = try parser.parseValue(depth: 0)
        parser.skipSpace()
        if parser.index < bytes.count {
            throw parser.error("unexpected \(parser.describeCurrent()) after the end of the document")
        }
        return node
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard depth < JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
        let start = index
        let startLine = line
        guard index < bytes.count else { throw error("expected a value, found the end of the file") }
        let value: JSONNode.Value
        switch bytes[index] {
        case UInt8(ascii: "{"):
            value = .object(try parseObject(depth: depth))
        case UInt8(ascii: "["):
            value = .array(try parseArray(depth: depth))
        case UInt8(ascii: "\""):
            value = .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            value = .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectWord("true")
            value = .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            value = .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            value = .null
        default:
            throw error("expected a value, found \(describeCurrent())")
        }
        return JSONNode(value: value, line: startLine, byteRange: start..<index)
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> [JSONNode.Member] {
        index += 1
        var members: [JSONNode.Member] = []
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else {
                throw error("expected a quoted key, found \(describeCurrent())")
            }
            let keyLine = line
            let keyColumn = index - lineStart + 1
            let key = try parseString()
            if members.contains(where: { $0.key == key }) {
                throw JSONSyntaxError(line: keyLine, column: keyColumn, reason: "duplicate key \"\(key)\"")
            }
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected \":\" after the key, found \(describeCurrent())") }
            index += 1
            skipSpace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONNode.Member(key: key, line: keyLine, value: value))
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                return members
            default:
                throw error("expected \",\" or \"}\", found \(describeCurrent())")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONNode] {
        index += 1
        var elements: [JSONNode] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipSpace()
            elements.append(try parseValue(depth: depth + 1))
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return elements
            default:
                throw error("expected \",\" or \"]\", found \(describeCurrent())")
            }
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // A high surrogate must be followed by `\u` and a low one.
                        guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate in \\u escape") }
                    out.append(contentsOf: String(scalar).utf8)
                default:
                    index -= 1
                    throw error("invalid escape \"\\\(String(UnicodeScalar(escape)))\" in string")
                }
            case 0..<0x20:
                throw error(byte == 0x0A ? "unterminated string (newline inside quotes)" : "control character inside a string")
            default:
                out.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw error("expected 4 hexadecimal digits after \\u") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte) - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte) - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte) - 55
            default: throw error("expected 4 hexadecimal digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw error("expected a digit, found \(describeCurrent())") }
        index += 1
        if first != UInt8(ascii: "0") {
            while let b = peek(), isDigit(b) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let b = peek(), isDigit(b) else { throw error("expected a digit after \".\", found \(describeCurrent())") }
            while let b = peek(), isDigit(b) { index += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
            guard let b = peek(), isDigit(b) else { throw error("expected a digit in the exponent, found \(describeCurrent())") }
            while let b = peek(), isDigit(b) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("number \(text) is out of range") }
        return value
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else {
            throw error("expected a value, found \(describeCurrent())")
        }
        index += expected.count
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    private func describeCurrent() -> String {
        guard let byte = peek() else { return "the end of the file" }
        if byte >= 0x20 && byte < 0x7f { return "\"\(String(UnicodeScalar(byte)))\"" }
        return "byte 0x" + String(byte, radix: 16)
    }

    private func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: index - lineStart + 1, reason: reason)
    }
}
