import AIOpsCore
import Testing

@Suite struct JSONScannerTests {
    private func scanner(_ text: String) -> JSONScanner { JSONScanner(Array(text.utf8)) }

    /// Reads one string from `text` and the error it throws, if any.
    private func scanString(_ text: String, validating: Bool = true) -> Result<String, JSONScanError> {
        var s = scanner(text)
        do throws(JSONScanError) { return .success(try s.string(validatingUTF8: validating)) } catch { return .failure(error) }
    }

    private func failure<T>(_ result: Result<T, JSONScanError>) -> JSONScanError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    // MARK: Strings

    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""""#, ""),
        (#"  "after blanks""#, "after blanks"),
        (#""q\"b\\s\/b\bf\fn\nr\rt\t""#, "q\"b\\s/b\u{8}f\u{C}n\nr\rt\t"),
        (#""\u00e9\u00E9""#, "éé"),
        (#""caf\u00e9 ok""#, "café ok"),
        (#""\ud83d\ude00""#, "😀"),
        (#""a\uD834\uDD1Eb""#, "a𝄞b"),
        ("\"héllo\"", "héllo"),
    ])
    func stringsDecodeEscapes(text: String, expected: String) throws {
        var s = scanner(text)
        let read = try s.string()
        #expect(read == expected)
        #expect(s.isAtEnd)
    }

    @Test(arguments: [
        (#""a\qb""#, JSONScanError.Kind.invalidEscape, 2),
        (#""\u12G4""#, .invalidHexDigit, 5),
        (#""\u12""#, .invalidHexDigit, 5),
        (#""\ud83d""#, .loneSurrogate, 7),
        (#""\ud83dx""#, .loneSurrogate, 7),
        (#""\ude00""#, .loneSurrogate, 7),
        (#""\ud83d\u0041""#, .invalidSurrogatePair, 13),
        ("\"a\tb\"", .controlCharacter, 2),
        ("\"a\nb\"", .controlCharacter, 2),
        (#""abc"#, .unterminatedString(openedAt: 0), 4),
        (#"  "ab\"#, .unterminatedString(openedAt: 2), 6),
        (#""ab\u00"#, .invalidHexDigit, 7),
        ("x", .expectedString, 0),
        ("", .expectedString, 0),
    ])
    func badStringsSayWhatAndWhere(text: String, kind: JSONScanError.Kind, offset: Int) {
        let error = failure(scanString(text))
        #expect(error?.kind == kind)
        #expect(error?.offset == offset)
        #expect(error?.column == offset + 1)
    }

    @Test func invalidUTF8IsRejectedOrRepaired() throws {
        var bytes = Array("\"a".utf8)
        bytes += [0xFF, 0x22]
        var strict = JSONScanner(bytes)
        #expect(throws: JSONScanError(kind: .invalidUTF8, offset: 4, line: 1, column: 5)) { try strict.string() }
        var lenient = JSONScanner(bytes)
        let repaired = try lenient.string(validatingUTF8: false)
        #expect(repaired == "a\u{FFFD}")
    }

    @Test func plainStringIsAViewOnlyWithoutEscapes() throws {
        var s = scanner(#""1.5","a\n""#)
        let view = s.plainString()
        #expect(view == 1..<4)
        let comma = s.consume(UInt8(ascii: ","))
        #expect(comma)
        let at = s.offset
        let none = s.plainString()
        #expect(none == nil)
        #expect(s.offset == at)
        let decoded = try s.string()
        #expect(decoded == "a\n")
    }

    @Test func keyReadsTheColon() throws {
        var s = scanner(#"  "k" :  1"#)
        let key = try s.key()
        #expect(key == "k")
        #expect(s.peek() == UInt8(ascii: " "))
        var missing = scanner(#""k" 1"#)
        #expect(throws: JSONScanError(kind: .expectedColon(key: "k"), offset: 4, line: 1, column: 5)) { try missing.key() }
        var noQuote = scanner("k: 1")
        #expect(throws: JSONScanError(kind: .expectedKey, offset: 0, line: 1, column: 1)) { try noQuote.key() }
    }

    // MARK: Numbers and literals

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("12", 12), ("-12.5", -12.5), ("1e3", 1000), ("1E+3", 1000),
        ("25e-1", 2.5), ("0.125", 0.125), ("1712345678.123", 1712345678.123),
    ])
    func numbers(text: String, value: Double) throws {
        var s = scanner(text + ",")
        let read = try s.double()
        #expect(read == value)
        #expect(s.offset == text.utf8.count)
    }

    @Test(arguments: [
        ("-", JSONScanError.NumberPart.integer, 1), ("-a", .integer, 1), ("1.", .fraction, 2), ("1.e5", .fraction, 2),
        ("1e", .exponent, 2), ("1e+", .exponent, 3), ("2E-x", .exponent, 3),
    ])
    func badNumbersNameTheMissingDigit(text: String, part: JSONScanError.NumberPart, offset: Int) {
        var s = scanner(text)
        #expect(throws: JSONScanError(kind: .expectedDigit(part), offset: offset, line: 1, column: offset + 1)) { _ = try s.number() }
    }

    @Test func numberStopsWhereTheGrammarDoes() throws {
        var s = scanner("012")
        let range = try s.number()
        #expect(range == 0..<1)   // a leading zero is a whole number; "12" is left for the caller
        var big = scanner("1e999")
        #expect(throws: JSONScanError(kind: .numberOutOfRange(0..<5), offset: 5, line: 1, column: 6)) { _ = try big.double() }
    }

    @Test func literals() throws {
        var s = scanner("truefalsenull")
        try s.literal("true")
        try s.literal("false")
        try s.literal("null")
        #expect(s.isAtEnd)
        var bad = scanner("[tru]")
        let open = bad.consume(UInt8(ascii: "["))
        #expect(open)
        #expect(throws: JSONScanError(kind: .invalidLiteral(expected: "true", start: 1), offset: 4, line: 1, column: 5)) {
            try bad.literal("true")
        }
    }

    // MARK: Positions

    @Test func lineAndColumnFollowNewlines() throws {
        var s = scanner("{\n  \"a\": 1,\r\n\t\"b\" :\n\n   x}")
        let open = s.consume(UInt8(ascii: "{"))
        #expect(open)
        let first = try s.key()
        #expect(first == "a")
        #expect((s.line, s.column) == (2, 7))
        s.skipWhitespace()
        _ = try s.number()
        let more = try s.nextItem(closing: UInt8(ascii: "}"))
        #expect(more)
        let second = try s.key()
        #expect(second == "b")
        #expect((s.line, s.column) == (3, 7))
        #expect(throws: JSONScanError(kind: .expectedValue, offset: 24, line: 5, column: 4)) { try s.skipValue(maxDepth: 8) }
    }

    @Test func byteOrderMarkIsSkippedAndNotAColumn() throws {
        var s = JSONScanner([0xEF, 0xBB, 0xBF] + Array("  ]".utf8))
        #expect(s.offset == 3)
        s.skipWhitespace()
        #expect((s.line, s.column) == (1, 3))
        #expect(throws: JSONScanError(kind: .expectedValue, offset: 5, line: 1, column: 3)) { try s.skipValue(maxDepth: 8) }
    }

    @Test func errorColumnOfAnotherOffsetOnItsLine() {
        let error = JSONScanError(kind: .unterminatedString(openedAt: 12), offset: 20, line: 3, column: 9)
        #expect(error.column(of: 12) == 1)
    }

    // MARK: Structure and skipping

    @Test func nextItemTakesCommaOrClosing() throws {
        var s = scanner(" , ] }")
        let more = try s.nextItem(closing: UInt8(ascii: "]"))
        #expect(more)
        let again = try s.nextItem(closing: UInt8(ascii: "]"))
        #expect(!again)
        #expect(throws: JSONScanError(kind: .expectedCommaOrClose(UInt8(ascii: "]")), offset: 5, line: 1, column: 6)) {
            _ = try s.nextItem(closing: UInt8(ascii: "]"))
        }
    }

    @Test func skipValueSkipsWholeValues() throws {
        let text = #"{"a":[1,-2.5e3,"x\"y",true,false,null,{}],"b":{"c":[[]]}} , 7"#
        var s = scanner(text)
        try s.skipValue(maxDepth: 8)
        let comma = s.consume(UInt8(ascii: ","))
        #expect(comma)
        try s.skipValue(maxDepth: 8)
        try s.expectEnd()
    }

    @Test func skipValueLimitsDepth() {
        var s = scanner("[[[[1]]]]")
        #expect(throws: JSONScanError(kind: .tooDeep(limit: 3), offset: 3, line: 1, column: 4)) { try s.skipValue(maxDepth: 3) }
        var deep = scanner(String(repeating: "[", count: 100_000))
        #expect(throws: JSONScanError.self) { try deep.skipValue(maxDepth: 256) }
    }

    @Test func expectEndRefusesTrailingContent() {
        var s = scanner("1 \n x")
        _ = try? s.number()
        #expect(throws: JSONScanError(kind: .trailingContent, offset: 4, line: 2, column: 2)) { try s.expectEnd() }
    }

    /// Every prefix of a valid document fails with a scanner error (never a trap), and at the
    /// end of the input, since the cut is the first thing wrong with it.
    @Test func truncatedInputFailsAtTheEnd() {
        let text = #"{"k":["s\u00e9\n",-1.5e+2,true,null,{"x":false}]}"#
        let bytes = Array(text.utf8)
        var whole = JSONScanner(bytes)
        #expect(throws: Never.self) { try whole.skipValue(maxDepth: 8) }
        for cut in 0..<bytes.count {
            var s = JSONScanner(Array(bytes[..<cut]))
            #expect {
                try s.skipValue(maxDepth: 8)
            } throws: { error in
                guard let error = error as? JSONScanError else { return false }
                if case .unterminatedString(let open) = error.kind { return open < cut && error.offset == cut }
                return error.offset == cut && error.line == 1 && error.column == cut + 1
            }
        }
    }
}
