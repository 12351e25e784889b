import AIOpsCore
import Rules

/// Where `aiops serve` reads its configuration and rules from, at start and at every reload
/// (SIGHUP, `POST /-/reload`): the same reading, so a reload refuses exactly what a start
/// refuses, with the same errors.
public struct ConfigurationSource: Sendable {
    /// `--config FILE`; nil: the embedded default (one workspace whose token is kept in
    /// `dataDirectory`).
    public var configFile: String?
    /// A rule directory or file; nil: no rules (every series gets the `auto` rule).
    public var rulesPath: String?
    public var dataDirectory: String

    public init(configFile: String?, rulesPath: String?, dataDirectory: String) {
        self.configFile = configFile
        self.rulesPath = rulesPath
        self.dataDirectory = dataDirectory
    }

    /// Reads and checks both.
    /// - Throws: `LoadError` with every error found (a config error, or every rule error).
    public func load() throws(LoadError) -> (configuration: ServerConfiguration, rules: RuleSet) {
        let configuration: ServerConfiguration
        do {
            if let configFile {
                configuration = try ServerConfiguration.load(path: configFile)
            } else {
                configuration = try EmbeddedDefault.configuration(dataDirectory: dataDirectory)
            }
        } catch {
            throw LoadError(lines: ["\(error)"])
        }
        guard let rulesPath else { return (configuration, RuleSet(rules: [])) }
        let (ruleSet, errors) = RuleSet.check(path: rulesPath)
        guard let ruleSet, errors.isEmpty else {
            throw LoadError(lines: errors.map { "\($0)" } + ["rules in \(rulesPath) are invalid; run 'aiops rules check \(rulesPath)'"])
        }
        return (configuration, ruleSet)
    }

    /// A configuration or rules that cannot be used: one line per error, each naming the
    /// file and where in it (the config's key path, the rule file's line).
    public struct LoadError: Error, Sendable, CustomStringConvertible, Equatable {
        public var lines: [String]

        public init(lines: [String]) {
            self.lines = lines
        }

        public var description: String { lines.joined(separator: "\n") }
    }
}
