/// A label regular expression in RE2 syntax (Go's `regexp/syntax` with Perl flags, what
/// Prometheus compiles), checked and rewritten for ICU (`NSRegularExpression`) so that it
/// matches what Prometheus would match.
///
/// RE2 is the smaller language: ICU accepts lookaround, backreferences, possessive
/// quantifiers, atomic groups and more that Prometheus refuses, so a rule tried here must not
/// pass with them. And where both accept the same text they can mean different things:
/// ICU's `\d`, `\s`, `\w`, `\b` and `[[:alpha:]]` are Unicode, RE2's ASCII; ICU's `$` also
/// matches before a final newline, its `.` takes `\r\n` as one character and without `s`
/// stops at any line terminator;
/// inside brackets ICU reads `[`, `&&` and `--` as set operations; ICU has no `U` flag.
/// So the expression is parsed here by RE2's grammar and written out again in ICU syntax
/// with those meanings spelt out: literals escaped, classes as explicit ASCII ranges,
/// anchors as `\A`/`\z` (or lookarounds on `\n` under `m`), `\b` as lookarounds on
/// `[0-9A-Za-z_]`, `U` by swapping greedy and lazy quantifiers, `(?P<name>` and `(?<name>`
/// as plain groups, `\Q...\E` as escaped literals.
///
/// What is refused, with what and where (the character position, 1-based): lookahead and
/// lookbehind `(?=` `(?!` `(?<=` `(?<!`, atomic groups `(?>`, comments `(?#`, conditionals
/// `(?(`, other Perl and PCRE groups, backreferences `\1` `\k<..>` `\g..`, possessive and
/// other stacked quantifiers (`a*+`, `a**`, `a{2}*`), repeat counts over 1000, `\Z`, `\G`,
/// `\C` and any escape RE2 does not know, flags other than `i m s U`, bad ranges and
/// classes, unbalanced parentheses and brackets, invalid group names, and `\Q` without
/// `\E` (RE2 takes it to the end, but Prometheus wraps the regex in `^(?:...)$`).
struct RE2Pattern {
    /// Why a pattern is not RE2 syntax, and where.
    struct SyntaxError: Error, Equatable {
        /// 1-based position (in Unicode scalars) in the pattern.
        var position: Int
        var reason: String

        var description: String { "\(reason) at character \(position) of the regex" }
    }

    /// The ICU pattern with RE2's meaning, not anchored.
    let icu: String

    /// Go's limit on `{n,m}` counts.
    static let maxRepeat = 1000

    /// Parses `source` as RE2 does with Prometheus' flags (`(?s:` around it: `.` matches
    /// `\n` unless `(?-s)`).
    init(_ source: String) throws(SyntaxError) {
        var parser = Parser(Array(source.unicodeScalars))
        try parser.parse()
        icu = parser.out
    }

    // MARK: The parser

    private struct Flags {
        var foldCase = false
        /// `m`: `^` and `$` also match at line breaks.
        var multiLine = false
        /// `s`: `.` matches `\n`. On at the top, as in Prometheus' `(?s:...)`.
        var dotNL = true
        /// `U`: `x*` is lazy and `x*?` greedy.
        var ungreedy = false
    }

    /// What the last thing written was, for the rules about quantifiers.
    private enum Last {
        /// Nothing a quantifier could apply to: the start, `|`, `(`, or a flags group.
        case none
        /// An atom written at `out` offset `start`; `assertion` when it matches no text (ICU
        /// cannot repeat those, so they get a group when repeated).
        case atom(start: Int, assertion: Bool)
        /// A quantifier: another one right after it is an error in RE2 (`a**`, `a*+`).
        case repeated(operatorStart: Int)
    }

    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var out = ""
        var flags = Flags()
        var last = Last.none
        /// Open groups: the flags to restore at `)`, where the group opened in the pattern,
        /// and where its text starts in `out` (UTF-8 offset).
        var groups: [(flags: Flags, position: Int, outStart: Int)] = []

        init(_ scalars: [Unicode.Scalar]) {
            self.s = scalars
        }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            i + offset < s.count ? s[i + offset] : nil
        }

        func error(_ reason: String, at position: Int? = nil) -> SyntaxError {
            SyntaxError(position: (position ?? i) + 1, reason: reason)
        }

        func text(_ range: Range<Int>) -> String {
            var t = ""
            for index in range where index < s.count { t.unicodeScalars.append(s[index]) }
            return t
        }

        mutating func parse() throws(SyntaxError) {
            while let c = peek() {
                switch c {
                case "(": try openGroup()
                case ")":
                    guard let group = groups.popLast() else { throw error("unexpected ) without an opening (") }
                    flags = group.flags
                    out += ")"
                    i += 1
                    last = .atom(start: group.outStart, assertion: false)
                case "|":
                    out += "|"
                    i += 1
                    last = .none
                case "*", "+", "?": try quantifier(String(c), length: 1, range: nil)
                case "{":
                    if let count = repeatCount() {
                        try quantifier(count.text, length: count.length, range: (count.low, count.high))
                    } else {
                        i += 1
                        literal("{")
                    }
                case "^":
                    i += 1
                    atom(flags.multiLine ? "(?:\\A|(?<=\\n))" : "\\A", assertion: true)
                case "$":
                    i += 1
                    atom(flags.multiLine ? "(?:\\z|(?=\\n))" : "\\z", assertion: true)
                case ".":
                    i += 1
                    // Not ICU's `.`: it takes "\r\n" as one character, RE2's `.` one scalar.
                    atom(flags.dotNL ? "[\\s\\S]" : "[^\\n]", assertion: false)
                case "[": try characterClass()
                case "\\": try escape()
                default:
                    i += 1
                    literal(c)
                }
            }
            if let open = groups.last { throw error("missing closing ) for the group", at: open.position) }
        }

        // MARK: Atoms

        mutating func atom(_ text: String, assertion: Bool) {
            last = .atom(start: out.utf8.count, assertion: assertion)
            out += text
        }

        mutating func literal(_ c: Unicode.Scalar) {
            atom(Self.escapedLiteral(c), assertion: false)
        }

        /// A scalar as an ICU literal: letters and digits as they are, other ASCII escaped,
        /// controls as `\x{..}`, anything else as it is (ICU gives it no meaning).
        static func escapedLiteral(_ c: Unicode.Scalar) -> String {
            switch c.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return String(c)
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return "\\" + String(c)
            case 0x80...: return String(c)
            default: return "\\x{" + String(c.value, radix: 16) + "}"
            }
        }

        // MARK: Quantifiers

        /// `{n}`, `{n,}` or `{n,m}` at `i`: its ICU text, length and counts (nil: no
        /// maximum), or nil when the brace starts no repeat (RE2 then reads `{` as a literal).
        func repeatCount() -> (text: String, length: Int, low: Int, high: Int?)? {
            var j = i + 1
            func number() -> Int? {
                var value = 0
                var digits = 0
                while j < s.count, ("0"..."9").contains(s[j]) {
                    value = min(value * 10 + Int(s[j].value - 0x30), 100_000)
                    digits += 1
                    j += 1
                }
                return digits > 0 ? value : nil
            }
            guard let low = number() else { return nil }
            var high: Int? = low
            var comma = false
            if j < s.count, s[j] == "," {
                comma = true
                j += 1
                high = number()
            }
            guard j < s.count, s[j] == "}" else { return nil }
            let text = !comma ? "{\(low)}" : high.map { "{\(low),\($0)}" } ?? "{\(low),}"
            return (text, j + 1 - i, low, high)
        }

        /// A quantifier at `i` (`op` is its ICU text, `length` its length in the pattern),
        /// with its `?`, applied to the last atom.
        mutating func quantifier(_ op: String, length: Int, range: (low: Int, high: Int?)?) throws(SyntaxError) {
            let start = i
            if let range {
                if range.low > RE2Pattern.maxRepeat || (range.high ?? 0) > RE2Pattern.maxRepeat {
                    throw error("repeat count \(text(start..<(start + length))) is over RE2's limit of \(RE2Pattern.maxRepeat)", at: start)
                }
                if let high = range.high, high < range.low {
                    throw error("invalid repeat count \(text(start..<(start + length))) (the maximum is below the minimum)", at: start)
                }
            }
            i += length
            var lazy = false
            if peek() == "?" {
                lazy = true
                i += 1
            }
            switch last {
            case .none:
                throw error("missing argument to repetition operator \(text(start..<i))", at: start)
            case .repeated(let previous):
                if op == "+" {
                    throw error("possessive quantifier \(text(previous..<i)) is not supported (RE2, which Prometheus uses, has none)", at: previous)
                }
                throw error("nested repetition operator \(text(previous..<i)) (RE2 refuses it; put the repeated part in (?:...))", at: previous)
            case .atom(let atomStart, let assertion):
                if assertion {
                    // ICU repeats no assertion: give it a group.
                    out.insert(contentsOf: "(?:", at: out.utf8.index(out.utf8.startIndex, offsetBy: atomStart))
                    out += ")"
                }
            }
            if flags.ungreedy { lazy.toggle() }
            out += op + (lazy ? "?" : "")
            last = .repeated(operatorStart: start)
        }

        // MARK: Groups

        mutating func openGroup() throws(SyntaxError) {
            let start = i
            guard peek(1) == "?" else {
                i += 1
                groups.append((flags, start, out.utf8.count))
                out += "("
                last = .none
                return
            }
            let after = peek(2)
            switch after {
            case "=": throw error("lookahead (?= is not supported (RE2, which Prometheus uses, has no lookaround)", at: start)
            case "!": throw error("negative lookahead (?! is not supported (RE2, which Prometheus uses, has no lookaround)", at: start)
            case ">": throw error("atomic group (?> is not supported by RE2, which Prometheus uses", at: start)
            case "#": throw error("comment group (?# is not supported by RE2, which Prometheus uses", at: start)
            case "(": throw error("conditional (?( is not supported by RE2, which Prometheus uses", at: start)
            case "|": throw error("branch reset (?| is not supported by RE2, which Prometheus uses", at: start)
            case "<" where peek(3) == "=":
                throw error("lookbehind (?<= is not supported (RE2, which Prometheus uses, has no lookaround)", at: start)
            case "<" where peek(3) == "!":
                throw error("negative lookbehind (?<! is not supported (RE2, which Prometheus uses, has no lookaround)", at: start)
            case "P" where peek(3) == "=":
                throw error("backreference (?P= is not supported by RE2, which Prometheus uses", at: start)
            case "P" where peek(3) == ">":
                throw error("recursion (?P> is not supported by RE2, which Prometheus uses", at: start)
            case "P" where peek(3) == "<", "<":
                try namedGroup(start: start, nameStart: after == "P" ? start + 4 : start + 3)
                return
            default:
                break
            }
            // Flags: (?flags) or (?flags:re), flags from "imsU" with at most one "-".
            i += 2
            var new = flags
            var negated = false
            var sawFlag = false
            while let c = peek() {
                i += 1
                switch c {
                case "i": new.foldCase = !negated; sawFlag = true
                case "m": new.multiLine = !negated; sawFlag = true
                case "s": new.dotNL = !negated; sawFlag = true
                case "U": new.ungreedy = !negated; sawFlag = true
                case "-":
                    if negated { throw error("a second - in the flags of \(text(start..<i))", at: i - 1) }
                    negated = true
                    sawFlag = false
                case ":", ")":
                    if negated, !sawFlag { throw error("no flag after - in \(text(start..<i))", at: i - 1) }
                    let fold = new.foldCase != flags.foldCase ? (new.foldCase ? "i" : "-i") : ""
                    if c == ":" {
                        groups.append((flags, start, out.utf8.count))
                        out += fold.isEmpty ? "(?:" : "(?\(fold):"
                        last = .none
                    } else {
                        // Applies to the rest of the current group, as in ICU.
                        if !fold.isEmpty { out += "(?\(fold))" }
                        last = .none
                    }
                    flags = new
                    return
                default:
                    let what = c == "R" || ("0"..."9").contains(c) || c == "+" || c == "&" ? "recursion or subroutine call" : "flag \(c)"
                    throw error("\(what) in \(text(start..<i)) is not supported (RE2 knows the flags i, m, s and U)", at: i - 1)
                }
            }
            throw error("missing closing ) for the group", at: start)
        }

        mutating func namedGroup(start: Int, nameStart: Int) throws(SyntaxError) {
            var j = nameStart
            var name = ""
            while j < s.count, s[j] != ">" {
                name.unicodeScalars.append(s[j])
                j += 1
            }
            guard j < s.count else { throw error("invalid named group \(text(start..<j)): no closing >", at: start) }
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                throw error("invalid group name \"\(name)\" (letters, digits and _)", at: start)
            }
            i = j + 1
            groups.append((flags, start, out.utf8.count))
            out += "("
            last = .none
        }

        // MARK: Escapes

        mutating func escape() throws(SyntaxError) {
            let start = i
            guard let c = peek(1) else { throw error("trailing backslash at the end of the regex", at: start) }
            switch c {
            case "A": i += 2; atom("\\A", assertion: true)
            case "z": i += 2; atom("\\z", assertion: true)
            case "b", "B":
                i += 2
                let w = "[0-9A-Za-z_]"
                atom(c == "b" ? "(?:(?<=\(w))(?!\(w))|(?<!\(w))(?=\(w)))" : "(?:(?<=\(w))(?=\(w))|(?<!\(w))(?!\(w)))", assertion: true)
            case "Q":
                // Everything up to the first \E is literal, each character its own atom as in
                // RE2: `\Qab\E*` repeats the b. RE2 also ends it at the end of the regex, but
                // Prometheus compiles `^(?:` + regex + `)$`, where it would swallow the `)`.
                i += 2
                while true {
                    guard let d = peek() else { throw error("\\Q without \\E (in Prometheus the literal text would run past the end of the regex)", at: start) }
                    if d == "\\", peek(1) == "E" { i += 2; break }
                    atom(Self.escapedLiteral(d), assertion: false)
                    i += 1
                }
            case "d", "D", "s", "S", "w", "W":
                i += 2
                let set = Self.perlClass(c)!
                atom("[" + (set.negated ? "^" : "") + set.ranges + "]", assertion: false)
            case "p", "P":
                let text = try unicodeClass(negatedBy: c == "P")
                atom(text, assertion: false)
            default:
                let scalar = try escapedScalar(inClass: false)
                atom(Self.escapedLiteral(scalar), assertion: false)
            }
        }

        /// A single-character escape at `i` (`\n`, `\x41`, `\123`, `\.`), consumed.
        mutating func escapedScalar(inClass: Bool) throws(SyntaxError) -> Unicode.Scalar {
            let start = i
            guard let c = peek(1) else { throw error("trailing backslash at the end of the regex", at: start) }
            i += 2
            switch c {
            case "a": return "\u{07}"
            case "f": return "\u{0C}"
            case "t": return "\t"
            case "n": return "\n"
            case "r": return "\r"
            case "v": return "\u{0B}"
            case "0", "1", "2", "3", "4", "5", "6", "7":
                // A single non-zero digit is a backreference; with more octal digits, octal.
                if c != "0", !(peek().map { ("0"..."7").contains($0) } ?? false) {
                    throw error("backreference \\\(c) is not supported by RE2, which Prometheus uses", at: start)
                }
                var value = c.value - 0x30
                for _ in 0..<2 {
                    guard let d = peek(), ("0"..."7").contains(d) else { break }
                    value = value * 8 + (d.value - 0x30)
                    i += 1
                }
                return Unicode.Scalar(value)!
            case "8", "9":
                throw error("backreference \\\(c) is not supported by RE2, which Prometheus uses", at: start)
            case "x":
                if peek() == "{" {
                    var j = i + 1
                    var value: UInt32 = 0
                    var digits = 0
                    while j < s.count, let d = Self.hexValue(s[j]) {
                        value = min(value * 16 + d, 0x110000)
                        digits += 1
                        j += 1
                    }
                    guard digits > 0, j < s.count, s[j] == "}", let scalar = Unicode.Scalar(value) else {
                        throw error("invalid escape \(text(start..<min(j + 1, s.count))) (expected \\x{HEX} of a Unicode scalar value)", at: start)
                    }
                    i = j + 1
                    return scalar
                }
                guard let h1 = peek().flatMap(Self.hexValue), let h2 = peek(1).flatMap(Self.hexValue) else {
                    throw error("invalid escape \(text(start..<min(i + 2, s.count))) (expected \\xHH or \\x{HEX})", at: start)
                }
                i += 2
                return Unicode.Scalar(h1 * 16 + h2)!
            case "Z": throw error("\\Z is not RE2 syntax (use \\z, or $)", at: start)
            case "k", "g": throw error("backreference \\\(c) is not supported by RE2, which Prometheus uses", at: start)
            case "b" where inClass: throw error("\\b inside [...] is not RE2 syntax (use \\x08 for a backspace)", at: start)
            default:
                if c.value < 0x80, !Self.isAlphanumeric(c) { return c }
                throw error("escape \\\(c) is not RE2 syntax", at: start)
            }
        }

        static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
            switch c.value {
            case 0x30...0x39: return c.value - 0x30
            case 0x41...0x46: return c.value - 0x41 + 10
            case 0x61...0x66: return c.value - 0x61 + 10
            default: return nil
            }
        }

        static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
            ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        }

        /// `\pL`, `\p{Greek}`, `\p{^Greek}`, `\PL` at `i`, consumed, as ICU text.
        mutating func unicodeClass(negatedBy upper: Bool) throws(SyntaxError) -> String {
            let start = i
            i += 2
            var name = ""
            if peek() == "{" {
                var j = i + 1
                while j < s.count, s[j] != "}" {
                    name.unicodeScalars.append(s[j])
                    j += 1
                }
                guard j < s.count else { throw error("missing } in \(text(start..<j))", at: start) }
                i = j + 1
            } else if let c = peek() {
                name = String(c)
                i += 1
            } else {
                throw error("missing class name after \(text(start..<i))", at: start)
            }
            var negated = upper
            if name.hasPrefix("^") {
                negated.toggle()
                name.removeFirst()
            }
            guard RE2Pattern.unicodeClassNames.contains(name) else {
                throw error("unknown Unicode class \(text(start..<i)) (RE2 knows general categories such as L or Lu, scripts such as Greek, and Any)", at: start)
            }
            return (negated ? "\\P{" : "\\p{") + name + "}"
        }

        // MARK: Character classes

        /// Ranges (ICU class text, escaped) of `\d \s \w` and whether the escape negates them.
        static func perlClass(_ c: Unicode.Scalar) -> (ranges: String, negated: Bool)? {
            switch c {
            case "d": return ("0-9", false)
            case "D": return ("0-9", true)
            case "s": return ("\\t\\n\\x{c}\\r ", false)
            case "S": return ("\\t\\n\\x{c}\\r ", true)
            case "w": return ("0-9A-Za-z_", false)
            case "W": return ("0-9A-Za-z_", true)
            default: return nil
            }
        }

        /// The scalar ranges of a POSIX class (`alpha`) as RE2 defines them (ASCII).
        static func posixRanges(_ name: String) -> [ClosedRange<UInt32>]? {
            switch name {
            case "alnum": return [0x30...0x39, 0x41...0x5A, 0x61...0x7A]
            case "alpha": return [0x41...0x5A, 0x61...0x7A]
            case "ascii": return [0x00...0x7F]
            case "blank": return [0x09...0x09, 0x20...0x20]
            case "cntrl": return [0x00...0x1F, 0x7F...0x7F]
            case "digit": return [0x30...0x39]
            case "graph": return [0x21...0x7E]
            case "lower": return [0x61...0x7A]
            case "print": return [0x20...0x7E]
            case "punct": return [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
            case "space": return [0x09...0x0D, 0x20...0x20]
            case "upper": return [0x41...0x5A]
            case "word": return [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
            case "xdigit": return [0x30...0x39, 0x41...0x46, 0x61...0x66]
            default: return nil
            }
        }

        /// `ranges` or, negated, everything else, as ICU class text.
        static func classText(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> String {
            var set = ranges.sorted { $0.lowerBound < $1.lowerBound }
            if negated {
                var complement: [ClosedRange<UInt32>] = []
                var next: UInt32 = 0
                for range in set {
                    if range.lowerBound > next { complement.append(next...(range.lowerBound - 1)) }
                    next = max(next, range.upperBound + 1)
                }
                if next <= 0x10FFFF { complement.append(next...0x10FFFF) }
                set = complement
            }
            return set.map { range in
                range.lowerBound == range.upperBound ? hex(range.lowerBound) : hex(range.lowerBound) + "-" + hex(range.upperBound)
            }.joined()
        }

        static func hex(_ value: UInt32) -> String { "\\x{" + String(value, radix: 16) + "}" }

        /// `[...]` at `i`, consumed, written as an ICU class whose every member is explicit.
        mutating func characterClass() throws(SyntaxError) {
            let start = i
            i += 1
            var negated = false
            if peek() == "^" {
                negated = true
                i += 1
            }
            var items = ""
            var first = true
            while true {
                guard let c = peek() else { throw error("missing closing ] for the class", at: start) }
                if c == "]", !first { i += 1; break }
                first = false
                // POSIX class [:name:] or [:^name:].
                if c == "[", peek(1) == ":" {
                    var j = i + 2
                    while j + 1 < s.count, !(s[j] == ":" && s[j + 1] == "]") { j += 1 }
                    if j + 1 < s.count {
                        var name = text((i + 2)..<j)
                        let posixNegated = name.hasPrefix("^")
                        if posixNegated { name.removeFirst() }
                        guard let ranges = Self.posixRanges(name) else {
                            throw error("unknown POSIX class \(text(i..<(j + 2))) (RE2 knows alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, word, xdigit)", at: i)
                        }
                        items += Self.classText(ranges, negated: posixNegated)
                        i = j + 2
                        continue
                    }
                }
                if c == "\\", let e = peek(1) {
                    if e == "p" || e == "P" {
                        items += try unicodeClass(negatedBy: e == "P")
                        continue
                    }
                    if let perl = Self.perlClass(e) {
                        i += 2
                        if perl.negated {
                            let ranges: [ClosedRange<UInt32>] = e == "D" ? [0x30...0x39] : e == "S" ? [0x09...0x0A, 0x0C...0x0D, 0x20...0x20] : [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
                            items += Self.classText(ranges, negated: true)
                        } else {
                            items += perl.ranges
                        }
                        continue
                    }
                }
                let rangeStart = i
                let low = try classCharacter(start: start)
                var high = low
                if peek() == "-", let next = peek(1), next != "]" {
                    i += 1
                    if next == "\\", let e = peek(1), Self.perlClass(e) != nil || e == "p" || e == "P" {
                        throw error("invalid character class range \(text(rangeStart..<(i + 2)))", at: rangeStart)
                    }
                    high = try classCharacter(start: start)
                    guard high.value >= low.value else {
                        throw error("invalid character class range \(text(rangeStart..<i)) (the end is below the start)", at: rangeStart)
                    }
                }
                items += low == high ? Self.hex(low.value) : Self.hex(low.value) + "-" + Self.hex(high.value)
            }
            atom("[" + (negated ? "^" : "") + items + "]", assertion: false)
        }

        /// One member of a class at `i` (a character or an escape), consumed.
        mutating func classCharacter(start: Int) throws(SyntaxError) -> Unicode.Scalar {
            guard let c = peek() else { throw error("missing closing ] for the class", at: start) }
            if c == "\\" { return try escapedScalar(inClass: true) }
            i += 1
            return c
        }
    }

    /// `\p{...}` names RE2 (Go's `unicode` tables) knows: general categories, scripts, `Any`.
    static let unicodeClassNames: Set<String> = [
        "Any",
        "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
        "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah",
        "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal",
        "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform",
        "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan",
        "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha",
        "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran",
        "Hebrew", "Hiragana", "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian",
        "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer",
        "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian",
        "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin",
        "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian",
        "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko",
        "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian",
        "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya",
        "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi",
        "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala",
        "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le",
        "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan",
        "Tifinagh", "Tirhuta", "Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi",
        "Zanabazar_Square",
    ]
}
