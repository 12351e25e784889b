/// The low-level half of a JSON reader (RFC 8259, plus a leading byte order mark): blanks,
/// strings, numbers, literals and skipped values over a byte array, keeping the line and
/// column of the current position so that errors can say where.
///
/// Readers build their own structure on top of it: the query_range reader streams samples
/// straight into arrays, the rule-file reader builds a tree with the line of each key. That is
/// why the scanner decides nothing about what is kept, and why its errors are a `Kind` plus a
/// position rather than text: each reader words its own messages.
///
/// Newlines can only be crossed by `skipWhitespace()` (a raw newline inside a string is an
/// error), so the line is counted there as it goes, and every error position lies on the
/// current line.
public struct JSONScanner {
    /// The whole input, BOM included.
    public let bytes: [UInt8]
    /// The next byte to read.
    @inlinable public var offset: Int { _offset }
    /// 1-based line of `offset`.
    @inlinable public var line: Int { _line }
    // Stored apart from the read-only views above so that `@inlinable` code can move them.
    @usableFromInline var _offset: Int
    @usableFromInline var _line = 1
    /// Offset of the first byte of the current line (after the BOM on line 1), so that a
    /// column is what an editor shows.
    @usableFromInline var lineStart: Int

    /// - Parameter bytes: UTF-8 JSON; a leading byte order mark is skipped.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        self._offset = start
        self.lineStart = start
    }

    /// 1-based byte column of `offset`.
    public var column: Int { _offset - lineStart + 1 }

    /// True when every byte was read.
    @inlinable public var isAtEnd: Bool { _offset >= bytes.count }

    /// The byte at `offset`, or nil at the end; does not move.
    @inlinable public func peek() -> UInt8? { _offset < bytes.count ? bytes[_offset] : nil }

    /// Skips spaces, tabs, CR and LF, counting lines.
    @inlinable public mutating func skipWhitespace() {
        while _offset < bytes.count {
            switch bytes[_offset] {
            case 0x20, 0x09, 0x0D: _offset += 1
            case 0x0A:
                _offset += 1
                _line += 1
                lineStart = _offset
            default: return
            }
        }
    }

    /// Skips blanks, then consumes `byte` if it is next: the caller words the error when not.
    /// - Returns: whether `byte` was there.
    @inlinable public mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard _offset < bytes.count, bytes[_offset] == byte else { return false }
        _offset += 1
        return true
    }

    /// After an element of an array or a member of an object: consumes the `,` before the next
    /// one (true) or the `closing` bracket (false).
    /// - Throws: `.expectedCommaOrClose(closing)` at anything else, the end included.
    @inlinable public mutating func nextItem(closing: UInt8) throws(JSONScanError) -> Bool {
        skipWhitespace()
        if _offset < bytes.count {
            if bytes[_offset] == UInt8(ascii: ",") { _offset += 1; return true }
            if bytes[_offset] == closing { _offset += 1; return false }
        }
        throw error(.expectedCommaOrClose(closing))
    }

    /// Fails unless only blanks are left, for the end of a document.
    /// - Throws: `.trailingContent` at the first byte that is not blank.
    public mutating func expectEnd() throws(JSONScanError) {
        skipWhitespace()
        if _offset < bytes.count { throw error(.trailingContent) }
    }

    // MARK: Strings

    /// An object key and its `:`, after blanks; invalid UTF-8 in it is repaired, not refused
    /// (a reader that refuses it reads the key with `string()` and `consume(_:)`).
    /// - Throws: `.expectedKey` when no string starts there, `.expectedColon` after the key,
    ///   or what `string()` throws.
    public mutating func key() throws(JSONScanError) -> String {
        skipWhitespace()
        guard _offset < bytes.count, bytes[_offset] == UInt8(ascii: "\"") else { throw error(.expectedKey) }
        let key = try string(validatingUTF8: false)
        guard consume(UInt8(ascii: ":")) else { throw error(.expectedColon(key: key)) }
        return key
    }

    /// A string after blanks, escapes (and `\u` surrogate pairs) decoded.
    /// - Parameter validatingUTF8: reject invalid UTF-8 (`.invalidUTF8`, as RFC 8259 asks) or
    ///   repair it with U+FFFD, which lenient readers of machine output prefer.
    /// - Complexity: one pass; an escape-free string is copied once, straight into the `String`.
    public mutating func string(validatingUTF8: Bool = true) throws(JSONScanError) -> String {
        skipWhitespace()
        guard _offset < bytes.count, bytes[_offset] == UInt8(ascii: "\"") else { throw error(.expectedString) }
        let open = _offset
        let start = _offset + 1
        let end = plainRun(from: start)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            _offset = end + 1
            return try text(bytes[start..<end], validating: validatingUTF8)
        }
        _offset = end
        var out = Array(bytes[start..<end])
        while _offset < bytes.count {
            let b = bytes[_offset]
            if b == UInt8(ascii: "\"") {
                _offset += 1
                return try text(out, validating: validatingUTF8)
            }
            if b < 0x20 { throw error(.controlCharacter) }
            if b != UInt8(ascii: "\\") { out.append(b); _offset += 1; continue }
            guard _offset + 1 < bytes.count else { _offset = bytes.count; break }
            let escape = bytes[_offset + 1]
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                _offset += 2
                out.append(contentsOf: String(try unicodeEscape()).utf8)
                continue
            default: throw error(.invalidEscape)
            }
            _offset += 2
        }
        throw error(.unterminatedString(openedAt: open))
    }

    /// The content of a string with no escapes and no control characters, without copying it
    /// (e.g. a sample value such as `"1.5"`); nil, without moving, for any other string.
    /// Call it at the opening quote.
    @inlinable public mutating func plainString() -> Range<Int>? {
        guard _offset < bytes.count, bytes[_offset] == UInt8(ascii: "\"") else { return nil }
        let end = plainRun(from: _offset + 1)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        defer { _offset = end + 1 }
        return _offset + 1..<end
    }

    /// The end of the bytes from `start` that need no decoding inside a string.
    @inlinable func plainRun(from start: Int) -> Int {
        var j = start
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), bytes[j] >= 0x20 { j += 1 }
        return j
    }

    /// After `\u`: four hex digits, and a low surrogate's `\uXXXX` after a high one.
    private mutating func unicodeEscape() throws(JSONScanError) -> Unicode.Scalar {
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code), _offset + 1 < bytes.count,
           bytes[_offset] == UInt8(ascii: "\\"), bytes[_offset + 1] == UInt8(ascii: "u") {
            _offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error(.invalidSurrogatePair) }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw error(.loneSurrogate) }
        return scalar
    }

    private mutating func hex4() throws(JSONScanError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard _offset < bytes.count else { throw error(.invalidHexDigit) }
            let b = bytes[_offset]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error(.invalidHexDigit)
            }
            value = value << 4 | digit
            _offset += 1
        }
        return value
    }

    private func text(_ utf8: some Collection<UInt8>, validating: Bool) throws(JSONScanError) -> String {
        guard validating else { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw error(.invalidUTF8) }
        return text
    }

    // MARK: Numbers and literals

    /// The bytes of a number at `offset` (no blanks skipped), checked against the RFC 8259
    /// grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` but not converted, so
    /// that a caller can parse it its own way (or skip it) without a `String`.
    /// - Throws: `.expectedDigit` where the grammar needs a digit.
    @inlinable public mutating func number() throws(JSONScanError) -> Range<Int> {
        let start = _offset
        if _offset < bytes.count, bytes[_offset] == UInt8(ascii: "-") { _offset += 1 }
        guard _offset < bytes.count, Self.isDigit(bytes[_offset]) else { throw error(.expectedDigit(.integer)) }
        if bytes[_offset] == UInt8(ascii: "0") { _offset += 1 } else { skipDigits() }
        if _offset < bytes.count, bytes[_offset] == UInt8(ascii: ".") {
            _offset += 1
            guard _offset < bytes.count, Self.isDigit(bytes[_offset]) else { throw error(.expectedDigit(.fraction)) }
            skipDigits()
        }
        if _offset < bytes.count, bytes[_offset] | 0x20 == UInt8(ascii: "e") {
            _offset += 1
            if _offset < bytes.count, bytes[_offset] == UInt8(ascii: "+") || bytes[_offset] == UInt8(ascii: "-") { _offset += 1 }
            guard _offset < bytes.count, Self.isDigit(bytes[_offset]) else { throw error(.expectedDigit(.exponent)) }
            skipDigits()
        }
        return start..<_offset
    }

    /// The run of bytes at `offset` that can occur in a number (`0-9 + - . e E`), unchecked:
    /// for a reader that parses numbers its own way and words its own error about the whole
    /// token (e.g. a sample value `1e400` or `+1`). Empty when no such byte is next.
    @inlinable public mutating func numberToken() -> Range<Int> {
        let start = _offset
        while _offset < bytes.count {
            let b = bytes[_offset]
            guard Self.isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b | 0x20 == UInt8(ascii: "e") else { break }
            _offset += 1
        }
        return start..<_offset
    }

    /// A number at `offset` as a `Double`.
    /// - Throws: what `number()` throws, or `.numberOutOfRange` for a number beyond `Double`.
    public mutating func double() throws(JSONScanError) -> Double {
        let range = try number()
        guard let value = Double(String(decoding: bytes[range], as: UTF8.self)), value.isFinite else {
            throw error(.numberOutOfRange(range))
        }
        return value
    }

    @inlinable mutating func skipDigits() {
        while _offset < bytes.count, Self.isDigit(bytes[_offset]) { _offset += 1 }
    }

    @inlinable static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Consumes `word` (`true`, `false` or `null`) at `offset`.
    /// - Throws: `.invalidLiteral` at the first byte that differs.
    public mutating func literal(_ word: StaticString) throws(JSONScanError) {
        let start = _offset
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for b in expected {
            guard _offset < bytes.count, bytes[_offset] == b else {
                throw error(.invalidLiteral(expected: "\(word)", start: start))
            }
            _offset += 1
        }
    }

    // MARK: Skipping

    /// Skips one value after blanks, checking that it is well-formed JSON (its strings are
    /// not checked for UTF-8: nothing of them is kept).
    /// - Parameter maxDepth: nesting allowed inside it: enough for any real document, few
    ///   enough that hostile input cannot overflow the stack.
    /// - Throws: `.expectedValue`, `.tooDeep`, or what reading its parts throws.
    public mutating func skipValue(maxDepth: Int) throws(JSONScanError) {
        try skipValue(depth: 0, maxDepth: maxDepth)
    }

    private mutating func skipValue(depth: Int, maxDepth: Int) throws(JSONScanError) {
        skipWhitespace()
        guard _offset < bytes.count else { throw error(.expectedValue) }
        if depth >= maxDepth { throw error(.tooDeep(limit: maxDepth)) }
        switch bytes[_offset] {
        case UInt8(ascii: "{"):
            _offset += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try key()
                try skipValue(depth: depth + 1, maxDepth: maxDepth)
            } while try nextItem(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            _offset += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1, maxDepth: maxDepth)
            } while try nextItem(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""): _ = try string(validatingUTF8: false)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), 0x30...0x39: _ = try number()
        default: throw error(.expectedValue)
        }
    }

    // MARK: Errors

    /// An error at `offset`, which is on the current line.
    @usableFromInline func error(_ kind: JSONScanError.Kind) -> JSONScanError {
        JSONScanError(kind: kind, offset: _offset, line: line, column: _offset - lineStart + 1)
    }
}

/// What the scanner found wrong and where; readers turn it into their own message.
public struct JSONScanError: Error, Equatable, Sendable {
    /// The closed set of problems, each found at `offset`.
    public enum Kind: Equatable, Sendable {
        /// No value starts here (or the input ended).
        case expectedValue
        /// An object member does not start with a quoted key.
        case expectedKey
        /// No `:` after `key`.
        case expectedColon(key: String)
        /// Neither `,` nor the closing `]` or `}` after an element.
        case expectedCommaOrClose(UInt8)
        /// A string was asked for and none starts here.
        case expectedString
        /// The input ended inside the string that opened at `openedAt`.
        case unterminatedString(openedAt: Int)
        /// A raw byte below 0x20 inside a string (a newline included).
        case controlCharacter
        /// A backslash (at `offset`) followed by a byte that is no JSON escape.
        case invalidEscape
        /// `\u` not followed by four hex digits (`offset` is the bad byte, or the end).
        case invalidHexDigit
        /// A `\u` surrogate that is not half of a pair.
        case loneSurrogate
        /// A high surrogate followed by a `\u` escape that is not a low one.
        case invalidSurrogatePair
        /// A string that is not UTF-8, when validating.
        case invalidUTF8
        /// Not `true`, `false` or `null` after all; the word started at `start`.
        case invalidLiteral(expected: String, start: Int)
        /// The number grammar needs a digit here.
        case expectedDigit(NumberPart)
        /// The number at `range` is too large for a `Double`.
        case numberOutOfRange(Range<Int>)
        /// Values nested deeper than `limit`.
        case tooDeep(limit: Int)
        /// More than blanks after the document's value.
        case trailingContent
    }

    /// Where in a number a digit was missing.
    public enum NumberPart: Equatable, Sendable {
        case integer, fraction, exponent
    }

    public var kind: Kind
    /// Byte offset of the problem in the input (`bytes.count` at the end).
    public var offset: Int
    /// 1-based line of `offset`.
    public var line: Int
    /// 1-based byte column of `offset` (not counting a BOM).
    public var column: Int

    public init(kind: Kind, offset: Int, line: Int, column: Int) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// The column of another offset on the same line, e.g. where an unterminated string opened.
    public func column(of other: Int) -> Int { column - (offset - other) }
}
