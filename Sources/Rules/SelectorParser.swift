import AIOpsCore

/// A recursive-descent parser for one PromQL series selector, over Unicode scalars so
/// error columns count characters as an editor shows them.
struct SelectorParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// selector := ws [metricName ws] ['{' ws [item (ws ',' ws item)* [ws ','] ws] '}' ws] EOF
    mutating func parse() throws(RuleError) -> [Selector.Matcher] {
        var matchers: [Selector.Matcher] = []
        var nameColumn: Int?
        skipSpace()
        if let c = peek(), Self.isMetricNameStart(c) {
            nameColumn = column
            let name = readWhile(Self.isMetricNameChar)
            matchers.append(try matcher(Labels.metricNameLabel, .equal, name, column: nameColumn!))
            skipSpace()
        }
        var sawBraces = false
        if peek() == "{" {
            index += 1
            sawBraces = true
            try parseBraces(into: &matchers, nameColumn: &nameColumn)
            skipSpace()
        } else if nameColumn == nil {
            throw error(expected: "a metric name or \"{\"")
        }
        if index < scalars.count {
            throw error(expected: sawBraces ? "the end of the selector" : "\"{\" or the end of the selector")
        }
        if !matchers.contains(where: { !$0.matches(value: "") }) {
            throw RuleError(file: "", reason: "column 1: a selector must have at least one matcher that does not match the empty string")
        }
        return matchers
    }

    /// After `{`: items up to and including `}`.
    private mutating func parseBraces(into matchers: inout [Selector.Matcher], nameColumn: inout Int?) throws(RuleError) {
        while true {
            skipSpace()
            guard let c = peek() else { throw error(expected: "a label matcher or \"}\"") }
            if c == "}" {
                index += 1
                return
            }
            let itemColumn = column
            let name: String
            var quotedName = false
            if Self.isLabelNameStart(c) {
                name = readWhile(Self.isLabelNameChar)
            } else if c == "\"" || c == "'" || c == "`" {
                name = try readString()
                quotedName = true
            } else {
                throw error(expected: "a label name, a quoted metric name or \"}\"")
            }
            skipSpace()
            if quotedName, peek() == "," || peek() == "}" {
                // `{"metric.name", ...}`: a quoted metric name (Prometheus 3).
                try setMetricName(name, column: itemColumn, nameColumn: &nameColumn, into: &matchers)
            } else {
                let type = try readOperator()
                skipSpace()
                let valueColumn = column
                guard let q = peek(), q == "\"" || q == "'" || q == "`" else {
                    throw error(expected: "a quoted string (\"...\", '...' or `...`)")
                }
                let value = try readString()
                // As PromQL: a `__name__` matcher may not repeat a name given outside the
                // braces (or quoted), but several `__name__` matchers inside are fine.
                if name == Labels.metricNameLabel, let first = nameColumn {
                    throw RuleError(file: "", reason: "column \(itemColumn): the metric name is already set at column \(first)")
                }
                matchers.append(try matcher(name, type, value, column: valueColumn))
            }
            skipSpace()
            switch peek() {
            case ",":
                index += 1
            case "}":
                continue
            default:
                throw error(expected: "\",\" or \"}\"")
            }
        }
    }

    private mutating func setMetricName(_ name: String, column itemColumn: Int, nameColumn: inout Int?, into matchers: inout [Selector.Matcher]) throws(RuleError) {
        if let first = nameColumn {
            throw RuleError(file: "", reason: "column \(itemColumn): the metric name is already set at column \(first)")
        }
        if matchers.contains(where: { $0.name == Labels.metricNameLabel }) {
            throw RuleError(file: "", reason: "column \(itemColumn): the metric name is already set by a __name__ matcher")
        }
        nameColumn = itemColumn
        matchers.insert(try matcher(Labels.metricNameLabel, .equal, name, column: itemColumn), at: 0)
    }

    private func matcher(_ name: String, _ type: Selector.MatchType, _ value: String, column: Int) throws(RuleError) -> Selector.Matcher {
        do {
            return try Selector.Matcher(name: name, type: type, value: value)
        } catch {
            throw RuleError(file: "", reason: "column \(column): \(error.reason)")
        }
    }

    private mutating func readOperator() throws(RuleError) -> Selector.MatchType {
        switch peek() {
        case "=":
            index += 1
            if peek() == "~" {
                index += 1
                return .regex
            }
            return .equal
        case "!":
            index += 1
            if peek() == "=" {
                index += 1
                return .notEqual
            }
            if peek() == "~" {
                index += 1
                return .notRegex
            }
            throw error(expected: "\"!=\" or \"!~\"")
        default:
            throw error(expected: "a matcher operator (=, !=, =~, !~)")
        }
    }

    /// Reads a quoted string at `index`: `"..."` and `'...'` with PromQL (Go) escapes,
    /// `` `...` `` verbatim. Escapes produce bytes, which must form valid UTF-8.
    private mutating func readString() throws(RuleError) -> String {
        let startColumn = column
        let quote = scalars[index]
        index += 1
        if quote == "`" {
            var out = String.UnicodeScalarView()
            while let c = peek() {
                index += 1
                if c == "`" { return String(out) }
                out.append(c)
            }
            throw RuleError(file: "", reason: "column \(startColumn): unterminated string")
        }
        var bytes: [UInt8] = []
        while let c = peek() {
            if c == quote {
                index += 1
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw RuleError(file: "", reason: "column \(startColumn): string is not valid UTF-8 after escapes")
                }
                return text
            }
            if c == "\n" { break }
            if c == "\\" {
                try readEscape(into: &bytes)
                continue
            }
            bytes.append(contentsOf: String(c).utf8)
            index += 1
        }
        throw RuleError(file: "", reason: "column \(startColumn): unterminated string")
    }

    /// After a backslash at `index`: `\a \b \f \n \r \t \v \\ \' \"`, `\xHH`, `\OOO`,
    /// `\uHHHH`, `\UHHHHHHHH`, as Go's string literals (which PromQL uses).
    private mutating func readEscape(into bytes: inout [UInt8]) throws(RuleError) {
        let escapeColumn = column
        index += 1
        guard let c = peek() else { throw RuleError(file: "", reason: "column \(escapeColumn): unterminated string") }
        index += 1
        switch c {
        case "a": bytes.append(0x07)
        case "b": bytes.append(0x08)
        case "f": bytes.append(0x0c)
        case "n": bytes.append(0x0a)
        case "r": bytes.append(0x0d)
        case "t": bytes.append(0x09)
        case "v": bytes.append(0x0b)
        case "\\", "'", "\"": bytes.append(UInt8(c.value))
        case "x":
            bytes.append(UInt8(try readDigits(2, radix: 16, column: escapeColumn)))
        case "0"..."7":
            index -= 1
            let value = try readDigits(3, radix: 8, column: escapeColumn)
            guard value <= 255 else {
                throw RuleError(file: "", reason: "column \(escapeColumn): octal escape is above \\377")
            }
            bytes.append(UInt8(value))
        case "u", "U":
            let value = try readDigits(c == "u" ? 4 : 8, radix: 16, column: escapeColumn)
            guard let scalar = Unicode.Scalar(value) else {
                throw RuleError(file: "", reason: "column \(escapeColumn): escape is not a Unicode scalar value")
            }
            bytes.append(contentsOf: String(scalar).utf8)
        default:
            throw RuleError(file: "", reason: "column \(escapeColumn): unknown escape sequence \"\\\(c)\" (write \"\\\\\" for a backslash)")
        }
    }

    private mutating func readDigits(_ count: Int, radix: UInt32, column escapeColumn: Int) throws(RuleError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let c = peek(), let digit = Self.digitValue(c), digit < radix else {
                throw RuleError(file: "", reason: "column \(escapeColumn): escape needs \(count) \(radix == 16 ? "hexadecimal" : "octal") digits")
            }
            value = value &* radix &+ digit
            index += 1
        }
        return value
    }

    private static func digitValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    // MARK: Scanning

    private var column: Int { index + 1 }

    private func peek() -> Unicode.Scalar? {
        index < scalars.count ? scalars[index] : nil
    }

    private mutating func skipSpace() {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" {
            index += 1
        }
    }

    private mutating func readWhile(_ accept: (Unicode.Scalar) -> Bool) -> String {
        var out = String.UnicodeScalarView()
        while let c = peek(), accept(c) {
            out.append(c)
            index += 1
        }
        return String(out)
    }

    private func error(expected: String) -> RuleError {
        let found: String
        if let c = peek() {
            found = "\"" + String(c) + "\""
        } else {
            found = "the end of the selector"
        }
        return RuleError(file: "", reason: "column \(column): expected \(expected), found \(found)")
    }

    static func isLabelNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    static func isLabelNameChar(_ c: Unicode.Scalar) -> Bool {
        isLabelNameStart(c) || (c >= "0" && c <= "9")
    }

    static func isMetricNameStart(_ c: Unicode.Scalar) -> Bool {
        isLabelNameStart(c) || c == ":"
    }

    static func isMetricNameChar(_ c: Unicode.Scalar) -> Bool {
        isLabelNameChar(c) || c == ":"
    }

    /// Whether `name` is a classic label name, `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for c in name.unicodeScalars {
            if first ? !isLabelNameStart(c) : !isLabelNameChar(c) { return false }
            first = false
        }
        return !first
    }

    /// Whether `name` is a classic metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for c in name.unicodeScalars {
            if first ? !isMetricNameStart(c) : !isMetricNameChar(c) { return false }
            first = false
        }
        return !first
    }
}
