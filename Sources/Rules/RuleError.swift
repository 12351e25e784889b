/// A rule file that cannot be used, with where and why.
public struct RuleError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file, e.g. `rules/memory.json`.
    public var file: String
    /// 1-based line, when it can be found.
    public var line: Int?
    /// The rule's name, when known.
    public var rule: String?
    public var reason: String

    public init(file: String, line: Int? = nil, rule: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.rule = rule
        self.reason = reason
    }

    public var description: String {
        var out = file
        if let line { out += ":\(line)" }
        if let rule { out += ": rule \"\(rule)\"" }
        return out + ": " + reason
    }
}
