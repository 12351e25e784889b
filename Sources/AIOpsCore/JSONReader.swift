/// Reads typed values out of a `JSONNode` tree, collecting every problem as a
/// `JSONReadError` with its key path, line and what was expected, instead of stopping at
/// the first: the one reader of the files people write (rule files and the `aiops serve`
/// config), so both word their errors the same way.
///
/// Each accessor returns nil after recording an error when the value is not what it asks
/// for; callers go on with the next key, so one pass reports everything wrong in a file.
///
/// ```swift
/// var reader = JSONReader()
/// if let members = reader.object(root, "", known: ["name", "plan"]) { ... }
/// // reader.errors: [workspaces[0].slak: unknown key (did you mean "slack"?) at line 7, ...]
/// ```
public struct JSONReader {
    /// Every problem found so far, in the order found.
    public private(set) var errors: [JSONReadError] = []

    public init() {}

    // MARK: Errors

    /// Records a problem with the value `node` at `path`.
    public mutating func fail(_ path: String, at node: JSONNode, _ reason: String) {
        errors.append(JSONReadError(path: path, line: node.line, column: node.column, reason: reason))
    }

    /// Records a problem at a position of the caller's choice.
    public mutating func fail(_ path: String, line: Int, column: Int, _ reason: String) {
        errors.append(JSONReadError(path: path, line: line, column: column, reason: reason))
    }

    /// Moves the errors out (e.g. to attach them to a rule), leaving none.
    public mutating func takeErrors() -> [JSONReadError] {
        defer { errors.removeAll() }
        return errors
    }

    // MARK: Structure

    /// The members of an object whose keys are all in `known`; an unknown key is an error
    /// at its own line with its path and the nearest known key ("did you mean"), and is left
    /// out of the result so callers never see it.
    /// - Parameter example: shown when `node` is not an object, e.g. `{"kind": "ewma"}`.
    public mutating func object(_ node: JSONNode, _ path: String, known: [String], example: String? = nil) -> [JSONNode.Member]? {
        guard let members = node.members else {
            fail(path, at: node, "expected an object" + (example.map { " such as " + $0 } ?? "") + ", found " + node.shortDescription)
            return nil
        }
        var kept: [JSONNode.Member] = []
        kept.reserveCapacity(members.count)
        for member in members {
            if known.contains(member.key) {
                kept.append(member)
            } else {
                fail(JSONReader.path(path, member.key), line: member.line, column: member.column, "unknown key" + JSONReader.unknownKeyHint(member.key, known))
            }
        }
        return kept
    }

    /// The value of a required key, or nil after an error at the object's line.
    public mutating func required(_ key: String, of node: JSONNode, _ path: String) -> JSONNode? {
        if let member = node.member(key) { return member.value }
        fail(JSONReader.path(path, key), at: node, "missing required key")
        return nil
    }

    /// The elements of an array.
    public mutating func array(_ node: JSONNode, _ path: String, of what: String = "values") -> [JSONNode]? {
        if case .array(let elements) = node.value { return elements }
        fail(path, at: node, "expected an array of \(what), found \(node.shortDescription)")
        return nil
    }

    // MARK: Scalars

    public mutating func string(_ node: JSONNode, _ path: String) -> String? {
        if case .string(let text) = node.value { return text }
        fail(path, at: node, "expected a string, found \(node.shortDescription)")
        return nil
    }

    /// A string with something other than blanks in it.
    public mutating func nonEmptyString(_ node: JSONNode, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        if text.allSatisfy(\.isWhitespace) {
            fail(path, at: node, "expected a non-empty string, found \(node.shortDescription)")
            return nil
        }
        return text
    }

    public mutating func bool(_ node: JSONNode, _ path: String) -> Bool? {
        if case .bool(let flag) = node.value { return flag }
        fail(path, at: node, "expected true or false, found \(node.shortDescription)")
        return nil
    }

    /// A number for which `isValid` holds.
    /// - Parameter expected: what a valid value is, for the error: `a number in (0, 1]`.
    public mutating func number(_ node: JSONNode, _ path: String, expected: String = "a number", where isValid: (Double) -> Bool = { _ in true }) -> Double? {
        guard case .number(let value) = node.value else {
            fail(path, at: node, "expected \(expected), found \(node.shortDescription)")
            return nil
        }
        guard isValid(value) else {
            fail(path, at: node, "expected \(expected), found \(node.shortDescription)")
            return nil
        }
        return value
    }

    /// A whole number in `range` (`1e3` counts: it is 1000).
    public mutating func integer(_ node: JSONNode, _ path: String, in range: ClosedRange<Int>) -> Int? {
        let expected: String
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): expected = "a whole number"
        case (let low, Int.max): expected = "a whole number of at least \(low)"
        default: expected = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
        guard case .number(let value) = node.value, value == value.rounded(), abs(value) < 9.0e15,
              range.contains(Int(value))
        else {
            fail(path, at: node, "expected \(expected), found \(node.shortDescription)")
            return nil
        }
        return Int(value)
    }

    /// A PromQL duration string (`30s`, `5m`, `1h30m`); plain numbers are refused, since
    /// `"for": 5` could mean seconds or minutes.
    public mutating func duration(_ node: JSONNode, _ path: String, in range: ClosedRange<PromDuration>? = nil) -> PromDuration? {
        let expected = "a duration such as \"30s\", \"5m\" or \"1h30m\""
            + (range.map { " from \($0.lowerBound) to \($0.upperBound)" } ?? "")
        guard case .string(let text) = node.value, let duration = PromDuration(parsing: text) else {
            fail(path, at: node, "expected \(expected), found \(node.shortDescription)")
            return nil
        }
        if let range, !range.contains(duration) {
            fail(path, at: node, "expected \(expected), found \(node.shortDescription)")
            return nil
        }
        return duration
    }

    /// One of a closed set of string values; the error lists them all (and the nearest).
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ node: JSONNode, _ path: String, _ type: T.Type) -> T? where T.RawValue == String {
        let allowed = T.allCases.map(\.rawValue)
        guard case .string(let text) = node.value, let value = T(rawValue: text) else {
            var reason = "expected one of " + allowed.joined(separator: ", ") + ", found " + node.shortDescription
            if case .string(let text) = node.value { reason += JSONReader.suggestion(text, allowed) }
            fail(path, at: node, reason)
            return nil
        }
        return value
    }

    /// An array of strings.
    public mutating func strings(_ node: JSONNode, _ path: String) -> [String]? {
        guard let elements = array(node, path, of: "strings") else { return nil }
        var out: [String] = []
        var ok = true
        for (index, element) in elements.enumerated() {
            if let text = string(element, JSONReader.path(path, index: index)) { out.append(text) } else { ok = false }
        }
        return ok ? out : nil
    }

    // MARK: Paths and suggestions

    /// `parent.key`, or `key` at the top.
    public static func path(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : parent + "." + key
    }

    /// `parent[index]`.
    public static func path(_ parent: String, index: Int) -> String {
        parent + "[\(index)]"
    }

    /// ` (did you mean "slack"?)` when a known key is close, else the known keys.
    static func unknownKeyHint(_ key: String, _ known: [String]) -> String {
        let hint = suggestion(key, known)
        if !hint.isEmpty { return hint }
        return known.isEmpty ? "" : " (expected one of " + known.joined(separator: ", ") + ")"
    }

    /// ` (did you mean "for"?)` when a known word is near `word`, case aside: within two
    /// edits (one for a word of up to three letters, a third of its length for long words;
    /// swapping two neighbours is one edit), or starting with it (`repeat` for
    /// `repeatInterval`); "" otherwise.
    public static func suggestion(_ word: String, _ known: [String]) -> String {
        let lowered = word.lowercased()
        let best = known.map { ($0, editDistance(lowered, $0.lowercased())) }.min { $0.1 < $1.1 }
        if let best {
            let allowed = word.count <= 3 ? 1 : max(2, min(word.count, best.0.count) / 3)
            if best.1 <= allowed { return " (did you mean \"\(best.0)\"?)" }
        }
        if lowered.count >= 3, let longer = known.first(where: { $0.lowercased().hasPrefix(lowered) }) {
            return " (did you mean \"\(longer)\"?)"
        }
        return ""
    }

    /// Edit distance over UTF-8 bytes: insertions, deletions, substitutions and swaps of two
    /// neighbours (optimal string alignment).
    /// - Complexity: O(a × b) time and space.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var d = Array(repeating: 0, count: (a.count + 1) * width)
        for i in 0...a.count { d[i * width] = i }
        for j in 0...b.count { d[j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = best
            }
        }
        return d[a.count * width + b.count]
    }
}

/// One problem in a JSON document people write: the key path (`workspaces[0].plan`, "" for
/// the document), where it is, and what was wrong.
public struct JSONReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// 1-based line.
    public var line: Int
    /// 1-based byte column.
    public var column: Int
    /// What was expected and found, without the path.
    public var reason: String

    public init(path: String, line: Int, column: Int, reason: String) {
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `path: reason`, or the reason alone at the top.
    public var description: String {
        path.isEmpty ? reason : path + ": " + reason
    }
}
