import AIOpsCore
import Fixtures
import Incidents
import Replay
import Rules

enum ReplayCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, valued: ["rules", "metric", "format", "scores"], flags: ["help", "quiet"])
        } catch {
            Console.error("\(error); see 'aiops replay --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.replay)
            return 0
        }
        guard !parsed.positionals.isEmpty else {
            Console.error("replay needs at least one FILE; see 'aiops replay --help'")
            return 2
        }
        let format = parsed.value("format") ?? "text"
        guard format == "text" || format == "json" else {
            Console.error("--format must be 'text' or 'json', not '\(format)'")
            return 2
        }
        var metric: Labels?
        if let text = parsed.value("metric") {
            do {
                metric = try SeriesIdentity.parse(text)
            } catch {
                Console.error("--metric: \(error)")
                return 2
            }
        }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let replayer = Replayer(rules: rules)
        let files = parsed.positionals
        let showProgress = !parsed.has("quiet") && files.count > 1
        var failures = 0
        var totalIncidents = 0
        for (index, file) in files.enumerated() {
            let result: ReplayResult
            do {
                result = try replayer.replay(path: file, metric: metric, keepScores: parsed.value("scores") != nil)
            } catch {
                Console.error("\(error)")
                failures += 1
                continue
            }
            totalIncidents += result.incidents.count
            if let requested = parsed.value("scores") {
                let path = ScoresWriter.path(for: file, requested: requested, inputCount: files.count)
                do {
                    try ScoresWriter.write(result, to: path)
                } catch {
                    Console.error("\(path): cannot write scores: \(error.localizedDescription)")
                    failures += 1
                }
            }
            switch format {
            case "json":
                for incident in result.incidents { print(IncidentJSON.line(incident, file: files.count > 1 ? file : nil)) }
            default:
                print(ReplayText.render(result))
            }
            if showProgress {
                Console.progress("[\(index + 1)/\(files.count)] \(file): \(result.samples) samples, \(result.incidents.count) incidents")
            }
        }
        if showProgress {
            Console.progress("replayed \(files.count - failures) of \(files.count) files, \(totalIncidents) incidents")
        }
        return failures == 0 ? 0 : 1
    }
}
