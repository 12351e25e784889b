import AIOpsCore
import Foundation

/// Loading and checking rule files.
///
/// ## Format
/// A rule directory holds `*.json` files (other files, dot-files and subdirectories are
/// ignored), read in name order. Each file is `{"rules": [ ... ]}`; each rule is an object:
///
/// | key | required | value | default |
/// |---|---|---|---|
/// | `name` | yes | `[a-z0-9-]+`, unique across the directory; `auto` is reserved | |
/// | `selector` | yes | a PromQL series selector | |
/// | `detector` | yes | an object decoded by `DetectorSpec` (`kind`, `direction`, ...) | |
/// | `severity` | no | `info`, `warning` or `critical` | `warning` |
/// | `for` | no | duration string the anomaly must last before firing | `0s` |
/// | `resolveAfter` | no | duration string of normal samples before resolving | `5m` |
/// | `threshold` | no | score in (0, 1] at which a sample is anomalous | `0.5` |
/// | `transform` | no | `none`, or `rate` (per-second rate of a counter) | unsaid: `rate` for a counter series, else `none` |
/// | `limit` | no | `{"value": N}` or `{"series": "metric", "matchOn": ["label", ...]}` (leak only) | none |
/// | `notify` | no | `groupWait`, `groupInterval`, `repeatInterval` (durations), `sendResolved` (bool) | workspace policy |
/// | `advice` | no | `summary` (required), `steps` (strings), `runbook` (http(s) URL) | a generic summary |
///
/// Unknown keys are errors (they are usually typos). Advice strings may use the
/// placeholders `{{labels.NAME}}`, `{{metric}}`, `{{rule}}`, `{{severity}}`, `{{value}}`,
/// `{{expected}}`, `{{lower}}`, `{{upper}}`, `{{rate}}`, `{{limit}}`, `{{timeToLimit}}`,
/// `{{duration}}`; any other is an error.
///
/// ## Errors
/// `check` collects every error of every file, each with file, line (of the offending key,
/// or of the JSON syntax error), rule name when known, and reason; `load` and `parse` throw
/// the first. A rule with an error is left out, so a `RuleSet` is returned only when there
/// are no errors at all.
extension RuleSet {
    /// Every rule of every file, or every error found.
    public typealias CheckResult = (ruleSet: RuleSet?, errors: [RuleError])

    /// Loads every `*.json` file of `directory`.
    /// - Throws: the first `RuleError`, in file and line order.
    public static func load(directory: String) throws(RuleError) -> RuleSet {
        try unwrap(check(directory: directory))
    }

    /// Loads one rule file.
    public static func load(file path: String) throws(RuleError) -> RuleSet {
        try unwrap(check(file: path))
    }

    /// Loads `path`, a directory or a single file.
    public static func load(path: String) throws(RuleError) -> RuleSet {
        try unwrap(check(path: path))
    }

    /// Parses rule file contents; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws(RuleError) -> RuleSet {
        try unwrap(check(data, file: file))
    }

    /// Parses rule file text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(RuleError) -> RuleSet {
        try unwrap(check(Data(text.utf8), file: file))
    }

    /// Checks every `*.json` file of `directory` and collects every error: what
    /// `aiops rules check DIR` prints. An unreadable directory, or one without rule files,
    /// is an error.
    public static func check(directory: String) -> CheckResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return (nil, [RuleError(file: directory, reason: "no such directory")])
        }
        guard isDirectory.boolValue else {
            return (nil, [RuleError(file: directory, reason: "not a directory")])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            return (nil, [RuleError(file: directory, reason: "cannot read directory (permission denied?)")])
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var paths: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = base + "/" + name
            var entryIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue {
                paths.append(path)
            }
        }
        if paths.isEmpty {
            return (nil, [RuleError(file: directory, reason: "no rule files (*.json) in the directory")])
        }
        var sources: [(file: String, data: Data)] = []
        var readErrors: [RuleError] = []
        for path in paths {
            switch read(path) {
            case .success(let data): sources.append((path, data))
            case .failure(let error): readErrors.append(error)
            }
        }
        let result = check(sources: sources)
        return merge(result, readErrors, order: paths)
    }

    /// Checks one rule file.
    public static func check(file path: String) -> CheckResult {
        switch read(path) {
        case .success(let data): return check(data, file: path)
        case .failure(let error): return (nil, [error])
        }
    }

    /// Checks `path`, a directory or a single file.
    public static func check(path: String) -> CheckResult {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return check(file: path)
        }
        return check(directory: path)
    }

    /// Checks rule file contents; `file` names it in errors.
    public static func check(_ data: Data, file: String) -> CheckResult {
        check(sources: [(file, data)])
    }

    /// Checks several files' contents as one directory (names must be unique across all).
    public static func check(sources: [(file: String, data: Data)]) -> CheckResult {
        var errors: [RuleError] = []
        var parsed: [Rule] = []
        var firstDefinition: [String: (file: String, line: Int)] = [:]
        for source in sources {
            var parser = RuleFileParser(file: source.file)
            parser.parse(source.data)
            var fileErrors = parser.errors
            for (name, line) in parser.names {
                if let first = firstDefinition[name] {
                    fileErrors.append(RuleError(file: source.file, line: line, rule: name, reason: "duplicate rule name (first defined at \(first.file):\(first.line))"))
                } else {
                    firstDefinition[name] = (source.file, line)
                }
            }
            // Any error means no rule set, so duplicates need not be filtered out here.
            parsed += parser.rules
            errors += sortedByLine(fileErrors)
        }
        if !errors.isEmpty { return (nil, errors) }
        return (RuleSet(rules: parsed), [])
    }

    // MARK: Helpers

    private static func unwrap(_ result: CheckResult) throws(RuleError) -> RuleSet {
        if let first = result.errors.first { throw first }
        // Safe: `check` returns a rule set whenever it returns no errors.
        return result.ruleSet!
    }

    private static func read(_ path: String) -> Result<Data, RuleError> {
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(RuleError(file: path, reason: "no such file"))
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            return .failure(RuleError(file: path, reason: "cannot read file (permission denied?)"))
        }
        return .success(data)
    }

    /// Stable sort by line; errors without a line first.
    private static func sortedByLine(_ errors: [RuleError]) -> [RuleError] {
        errors.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
    }

    /// Puts read errors among the parse errors in file order.
    private static func merge(_ result: CheckResult, _ readErrors: [RuleError], order: [String]) -> CheckResult {
        if readErrors.isEmpty { return result }
        let all = (result.errors + readErrors).enumerated().sorted {
            let a = order.firstIndex(of: $0.element.file) ?? 0
            let b = order.firstIndex(of: $1.element.file) ?? 0
            return (a, $0.offset) < (b, $1.offset)
        }.map(\.element)
        return (nil, all)
    }
}
