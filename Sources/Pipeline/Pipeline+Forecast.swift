import AIOpsCore
import Detectors
import Rules
import Store

/// A series' forecast basis as the pipeline holds it: which series, what its detector sees
/// of it (a counter's per-second rate), and the seasonal state.
public struct ForecastSource: Sendable {
    public var labels: Labels
    /// `.rate` when the detector scores the counter's per-second rate: the forecast is of that rate.
    public var transform: SeriesTransform
    /// The rule whose detector state it is (`auto` for series no rule selects).
    public var rule: String
    public var basis: ForecastBasis

    public init(labels: Labels, transform: SeriesTransform, rule: String, basis: ForecastBasis) {
        self.labels = labels
        self.transform = transform
        self.rule = rule
        self.basis = basis
    }
}

extension Pipeline {
    /// The forecast basis of a series: the first of its bindings whose detector keeps a warm
    /// seasonal state (a seasonal rule's, or the auto rule's); nil when none does (a series
    /// only EWMA or leak rules watch, or one not yet two days old).
    /// - Complexity: O(bindings of the series) plus the basis: O(profile buckets²) for the
    ///   auto detector's (`WobbleCorrection`), O(buckets) for a seasonal one; allocates it.
    public func forecastSource(of ref: SeriesRef) -> ForecastSource? {
        for index in forecastBindings(of: ref) {
            let binding = bindings[index]
            let rule = compiled[Int(binding.rule)]
            guard let basis = detectors.forecastBasis(binding.detector, spec: rule.spec) else { continue }
            return ForecastSource(
                labels: store.labels(of: ref), transform: binding.transform.incidentTransform,
                rule: rules[Int(binding.rule)].name, basis: basis)
        }
        return nil
    }

    /// What a forecast of the series would be of: the transform of its first binding that can
    /// give one (`.rate` for a counter), warm or not; nil when no binding keeps a seasonal state.
    public func forecastTransform(of ref: SeriesRef) -> SeriesTransform? {
        forecastBindings(of: ref).first.map { bindings[$0].transform.incidentTransform }
    }

    /// The series' bindings whose detector keeps a seasonal state, in binding order.
    func forecastBindings(of ref: SeriesRef) -> [Int] {
        let slot = Int(ref.index)
        guard slot < bindingStart.count else { return [] }
        let start = Int(bindingStart[slot])
        return (start..<(start + Int(bindingCount[slot]))).filter { index in
            let binding = bindings[index]
            return binding.transform != .skip && (binding.detector.kind == .seasonal || binding.detector.kind == .auto)
        }
    }

    /// The forecast sources of the series `selects` accepts, in label order, at most `limit`.
    /// - Returns: the sources, and how many series in all have one (more than `limit`: the
    ///   list was cut).
    /// - Complexity: O(series) label checks, O(matches × log matches) to sort, and a basis
    ///   (O(profile buckets²) for the `auto` detector's) per match.
    public func forecastSources(limit: Int, where selects: (Labels) -> Bool) -> (sources: [ForecastSource], total: Int) {
        var matched: [(key: String, ref: SeriesRef)] = []
        for ref in store.allSeries {
            let labels = store.labels(of: ref)
            if selects(labels) { matched.append((labels.description, ref)) }
        }
        matched.sort { $0.key < $1.key }
        var sources: [ForecastSource] = []
        var total = 0
        for entry in matched {
            if sources.count < limit {
                guard let source = forecastSource(of: entry.ref) else { continue }
                sources.append(source)
                total += 1
            } else if hasForecast(entry.ref) {
                total += 1
            }
        }
        return (sources, total)
    }

    /// Whether `forecastSource(of:)` would return a source (without building it).
    func hasForecast(_ ref: SeriesRef) -> Bool {
        forecastBindings(of: ref).contains { detectors.isForecastWarm(bindings[$0].detector, spec: compiled[Int(bindings[$0].rule)].spec) }
    }
}
