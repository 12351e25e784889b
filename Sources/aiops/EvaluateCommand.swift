import Evaluation
import Foundation
import Rules

enum EvaluateCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, valued: ["windows", "rules", "profile", "format"], flags: ["help", "quiet", "cross-validate"])
        } catch {
            Console.error("\(error); see 'aiops evaluate --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.evaluate)
            return 0
        }
        guard parsed.positionals.count == 1, let directory = parsed.positionals.first else {
            Console.error("evaluate needs one DATA_DIR; see 'aiops evaluate --help'")
            return 2
        }
        guard let windowsPath = parsed.value("windows") else {
            Console.error("evaluate needs --windows WINDOWS.json; see 'aiops evaluate --help'")
            return 2
        }
        var profiles = NABProfile.all
        if let name = parsed.value("profile") {
            guard let profile = NABProfile.named(name) else {
                Console.error("unknown --profile '\(name)' (standard, reward_low_FP_rate, reward_low_FN_rate)")
                return 2
            }
            // The chosen profile first (its table is printed), the others for comparison.
            profiles = [profile] + NABProfile.all.filter { $0 != profile }
        }
        let format = parsed.value("format") ?? "text"
        guard format == "text" || format == "json" else {
            Console.error("--format must be 'text' or 'json', not '\(format)'")
            return 2
        }
        let windows: NABWindows
        do {
            windows = try NABWindows.load(path: windowsPath)
        } catch {
            Console.error("\(error)")
            return 1
        }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let evaluation = CorpusEvaluation(dataDirectory: directory, windows: windows, rules: rules)
        if evaluation.files().isEmpty {
            Console.error("\(directory): no CSV files found")
            return 1
        }
        let quiet = parsed.has("quiet")
        let started = Date()
        let (files, failures) = evaluation.replayAll { done, total, file in
            if !quiet { Console.progress("[\(done)/\(total)] \(file)") }
        }
        let results = NABScorer.evaluate(files, profiles: profiles)
        for failure in failures { Console.error("\(failure)") }
        switch format {
        case "json":
            print((try? NABReport.json(results)) ?? "{}")
        default:
            print(NABReport.text(results))
            if parsed.has("cross-validate") {
                print("")
                print(NABCrossValidation.run(files, profile: profiles[0]).text(), terminator: "")
            }
        }
        if !quiet { Console.progress(String(format: "evaluated in %.1f s", Date().timeIntervalSince(started))) }
        return failures.isEmpty ? 0 : 1
    }
}
