/// A JSON value that remembers where it was written, so errors about it can name a line.
///
/// `JSONDecoder` reports neither lines nor duplicate keys nor unknown keys, so the files
/// people write (rule files, the `aiops serve` config) are parsed into this tree by
/// `JSONParser` (RFC 8259, plus a leading byte order mark) and read with `JSONReader`,
/// which words every error with the key path, the line and what was expected.
public struct JSONNode: Sendable {
    /// One `"key": value` of an object, in file order.
    public struct Member: Sendable {
        public var key: String
        /// 1-based line of the key.
        public var line: Int
        /// 1-based byte column of the key's opening quote.
        public var column: Int
        public var value: JSONNode

        public init(key: String, line: Int, column: Int, value: JSONNode) {
            self.key = key
            self.line = line
            self.column = column
            self.value = value
        }
    }

    public enum Value: Sendable {
        case object([Member])
        case array([JSONNode])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    public var value: Value
    /// 1-based line where the value starts.
    public var line: Int
    /// 1-based byte column where the value starts.
    public var column: Int
    /// The value's bytes in the source.
    public var byteRange: Range<Int>

    public init(value: Value, line: Int, column: Int = 1, byteRange: Range<Int> = 0..<0) {
        self.value = value
        self.line = line
        self.column = column
        self.byteRange = byteRange
    }

    /// What kind of value this is, for "expected a string, found a number" messages.
    public var typeName: String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// The value itself where it is short (`1.5`, `"gold"`, `true`), else its kind: what a
    /// type error says was found.
    public var shortDescription: String {
        switch value {
        case .string(let text):
            let cut = text.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(40))) + "…" : text
            return "\"" + cut.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
        case .number(let number): return JSONNode.format(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .object, .array: return typeName
        }
    }

    /// A number as written for people: `30`, `1.5`, `1e+20`.
    public static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 9.0e15 { return String(Int64(number)) }
        return String(number)
    }

    /// The members of an object, or nil.
    public var members: [Member]? {
        if case .object(let members) = value { return members }
        return nil
    }

    /// The member `key` of an object, or nil.
    public func member(_ key: String) -> Member? {
        members?.first { $0.key == key }
    }
}
