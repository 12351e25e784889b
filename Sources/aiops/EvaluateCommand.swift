import Evaluation
import Foundation
import Rules

enum EvaluateCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, valued: ["windows", "rules", "profile", "format", "baseline", "write-baseline", "hours"], flags: ["help", "quiet", "cross-validate", "forecast", "by-hour"])
        } catch {
            Console.error("\(error); see 'aiops evaluate --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.evaluate)
            return 0
        }
        if parsed.has("forecast") { return runForecast(parsed) }
        for option in ["hours", "by-hour"] where parsed.value(option) != nil || parsed.has(option) {
            Console.error("--\(option) applies to the forecast backtest (--forecast)")
            return 2
        }
        guard parsed.positionals.count == 1, let directory = parsed.positionals.first else {
            Console.error("evaluate needs one DATA_DIR; see 'aiops evaluate --help'")
            return 2
        }
        guard let windowsPath = parsed.value("windows") else {
            if ScenarioCorpus.isCorpus(directory: directory) { return runScenarios(directory: directory, parsed) }
            Console.error("evaluate needs --windows WINDOWS.json, or a DATA_DIR with a \(ScenarioCorpus.labelsFileName); see 'aiops evaluate --help'")
            return 2
        }
        if parsed.value("baseline") != nil || parsed.value("write-baseline") != nil {
            Console.error("--baseline and --write-baseline apply to a scenario corpus (a DATA_DIR with \(ScenarioCorpus.labelsFileName), no --windows)")
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
        guard let format = parsed.outputFormat() else { return 2 }
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

    /// `aiops evaluate DIR` on a scenario corpus: replay every case, print the table, and
    /// compare with or write a baseline.
    /// - Returns: 0 when it ran (failing cases included), 1 on bad input or a regression
    ///   against `--baseline`, 2 on a usage error.
    static func runScenarios(directory: String, _ parsed: ParsedArguments) -> Int32 {
        if parsed.value("profile") != nil {
            Console.error("--profile applies to NAB scoring (--windows), not to a scenario corpus")
            return 2
        }
        guard let format = parsed.outputFormat() else { return 2 }
        let corpus: ScenarioCorpus
        var baseline: ScenarioBaseline?
        do {
            corpus = try ScenarioCorpus.load(directory: directory)
            if let path = parsed.value("baseline") { baseline = try ScenarioBaseline.load(path: path) }
        } catch {
            Console.error("\(error)")
            return 1
        }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let quiet = parsed.has("quiet")
        let started = Date()
        let report = corpus.run(rules: rules) { done, total, name in
            if !quiet { Console.progress("[\(done)/\(total)] \(name)") }
        }
        switch format {
        case "json": print(report.json())
        default: print(report.text(), terminator: "")
        }
        if !quiet { Console.progress(String(format: "evaluated in %.1f s", Date().timeIntervalSince(started))) }
        var status: Int32 = 0
        for result in report.results where result.error != nil {
            Console.error("\(result.name): \(result.error!)")
            status = 1
        }
        if let baseline {
            let regressions = baseline.regressions(in: report)
            for name in regressions {
                let why = ScenarioBaseline.isMissing(name, in: report) ? "missing from the corpus" : "fails now"
                Console.error("regression: \(name) passes in \(parsed.value("baseline")!) but \(why)")
            }
            if !regressions.isEmpty {
                Console.error("\(regressions.count) regression\(regressions.count == 1 ? "" : "s") against the baseline")
                status = 1
            } else if !quiet {
                Console.progress("no regression against the baseline (\(baseline.passing.count) cases passed there)")
            }
        }
        if let path = parsed.value("write-baseline") {
            do {
                try ScenarioBaseline(report).json().write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Console.error("\(path): cannot write the baseline: \(error.localizedDescription)")
                return 1
            }
            if !quiet { Console.progress("wrote \(path): \(report.casesPassed) of \(report.results.count) cases pass") }
        }
        return status
    }

    /// `aiops evaluate --forecast DIR...`: the rolling-origin backtest of the forecasts.
    static func runForecast(_ parsed: ParsedArguments) -> Int32 {
        for option in ["windows", "profile", "baseline", "write-baseline"] where parsed.value(option) != nil {
            Console.error("--\(option) does not apply to the forecast backtest (--forecast)")
            return 2
        }
        if parsed.has("cross-validate") {
            Console.error("--cross-validate does not apply to the forecast backtest (--forecast)")
            return 2
        }
        guard !parsed.positionals.isEmpty else {
            Console.error("evaluate --forecast needs at least one DIR or FILE; see 'aiops evaluate --help'")
            return 2
        }
        guard let format = parsed.outputFormat() else { return 2 }
        var hours = 24
        if let text = parsed.value("hours") {
            guard let value = Int(text), (1...48).contains(value) else {
                Console.error("--hours must be a whole number of hours from 1 to 48, not '\(text)'")
                return 2
            }
            hours = value
        }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let files = ForecastBacktestReport.inputs(in: parsed.positionals)
        if files.isEmpty {
            Console.error("\(parsed.positionals.joined(separator: " ")): no metric files found")
            return 1
        }
        let quiet = parsed.has("quiet")
        let started = Date()
        let backtest = ForecastBacktest(rules: rules, horizonHours: hours)
        var scores: [ForecastScore] = []
        var skipped: [String] = []
        var status: Int32 = 0
        for (index, file) in files.enumerated() {
            do {
                let result = backtest.run(series: try file.read(), name: file.path)
                if result.isEmpty { skipped.append(file.path) }
                scores += result
            } catch {
                Console.error("\(error)")
                status = 1
            }
            if !quiet { Console.progress("[\(index + 1)/\(files.count)] \(file.path)") }
        }
        let report = ForecastBacktestReport(scores: scores, skipped: skipped)
        switch format {
        case "json": print(report.json())
        default: print(report.text(), terminator: "")
        }
        if parsed.has("by-hour") {
            print("")
            print(report.byHourText(), terminator: "")
        }
        if !quiet { Console.progress(String(format: "evaluated in %.1f s", Date().timeIntervalSince(started))) }
        return status
    }
}
