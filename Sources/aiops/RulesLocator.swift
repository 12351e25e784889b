import Foundation
import Rules

/// Finds the rules to use: `--rules`, else `./rules`, else the `rules/` shipped with the
/// checkout the binary was built in (`.build/<config>/aiops` -> `../../rules`).
enum RulesLocator {
    static func defaultDirectory() -> String? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: "rules", isDirectory: &isDirectory), isDirectory.boolValue { return "rules" }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("rules").path
            if manager.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Loads the rule set, or prints why not.
    static func load(_ requested: String?) -> RuleSet? {
        guard let path = requested ?? defaultDirectory() else {
            Console.error("note: no rules directory found; every series gets the built-in 'auto' rule")
            return RuleSet(rules: [])
        }
        let (ruleSet, errors) = RuleSet.check(path: path)
        if !errors.isEmpty || ruleSet == nil {
            for error in errors { Console.error("\(error)") }
            Console.error("rules in \(path) are invalid; run 'aiops rules check \(path)'")
            return nil
        }
        return ruleSet
    }
}
