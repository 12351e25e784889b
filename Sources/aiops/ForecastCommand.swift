import AIOpsCore
import Fixtures
import Forecasting
import Foundation
import Pipeline
import Replay
import Rules
import Store

/// `aiops forecast FILE...`: replays each file through the pipeline and prints the forecast
/// of every series whose seasonal state is warm at its end.
enum ForecastCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, valued: ["rules", "metric", "match", "hours", "step", "format"], flags: ["help", "quiet"])
        } catch {
            Console.error("\(error); see 'aiops forecast --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.forecast)
            return 0
        }
        guard !parsed.positionals.isEmpty else {
            Console.error("forecast needs at least one FILE; see 'aiops forecast --help'")
            return 2
        }
        guard let format = parsed.outputFormat(allowed: ["text", "json", "csv"]) else { return 2 }
        let request: ForecastRequest
        do {
            request = try ForecastRequest(hours: parsed.value("hours"), step: parsed.value("step"), match: parsed.values("match"))
        } catch {
            // The request's parameters are the command's options.
            var message = error.description
            for (parameter, option) in [("hours:", "--hours:"), ("step:", "--step:"), ("match[]:", "--match:")] where message.hasPrefix(parameter) {
                message = option + message.dropFirst(parameter.count)
            }
            Console.error(message)
            return 2
        }
        guard let metric = parsed.seriesIdentity() else { return 2 }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let replayer = Replayer(rules: rules)
        var failures = 0
        var forecasts: [SeriesForecast] = []
        var notWarm: [String] = []
        for file in parsed.positionals {
            let collector = ForecastCollector(request: request)
            do {
                _ = try replayer.replay(path: file, metric: metric, observer: collector)
            } catch {
                Console.error("\(error)")
                failures += 1
                continue
            }
            forecasts += collector.forecasts
            notWarm += collector.notWarm
        }
        switch format {
        case "json": print(ForecastJSON.document(forecasts, truncated: false))
        case "csv": print(ForecastText.csv(forecasts), terminator: "")
        default:
            if forecasts.isEmpty && failures == 0 { print("no series has a forecast (it needs two days of data under the auto rule or a seasonal rule)") }
            print(ForecastText.render(forecasts), terminator: "")
        }
        if !parsed.has("quiet") && !notWarm.isEmpty {
            Console.progress("no forecast (seasonal state not warm: under two days of data, or no seasonal or auto detector): " + notWarm.joined(separator: ", "))
        }
        return failures == 0 ? 0 : 1
    }
}

/// Takes the forecasts from a replay's pipeline as the file leaves it.
final class ForecastCollector: ReplayObserver {
    let request: ForecastRequest
    var forecasts: [SeriesForecast] = []
    var notWarm: [String] = []

    init(request: ForecastRequest) {
        self.request = request
    }

    func observe(_ sample: FixtureSample, ref: SeriesRef, outcome: SampleOutcome, pipeline: Pipeline) {}

    func finish(pipeline: Pipeline, refs: [SeriesRef?]) {
        var seen = Set<SeriesRef>()
        for ref in refs.compactMap({ $0 }) where seen.insert(ref).inserted {
            let labels = pipeline.store.labels(of: ref)
            guard request.selects(labels) else { continue }
            if let source = pipeline.forecastSource(of: ref) {
                forecasts.append(Forecaster.forecast(source, hours: request.hours, stepSeconds: request.stepSeconds))
            } else {
                notWarm.append(labels.description)
            }
        }
    }
}
