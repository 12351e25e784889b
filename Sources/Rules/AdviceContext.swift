import AIOpsCore
import Detectors

/// What advice placeholders are filled from: the series, its rule, and the detector's numbers.
///
/// Every number is optional; nil (or NaN, which detectors use for "not known") renders as
/// `unknown`.
public struct AdviceContext: Sendable {
    public var labels: Labels
    public var rule: Rule
    /// `{{value}}`: the observed value (after the rule's transform).
    public var value: Double?
    /// `{{expected}}`, `{{lower}}`, `{{upper}}`: the detector's expectation and band.
    public var expected: Double?
    public var lower: Double?
    public var upper: Double?
    /// `{{rate}}`: leak growth in value units per hour.
    public var leakRatePerHour: Double?
    /// `{{limit}}`: the limit the leak is heading for.
    public var limit: Double?
    /// `{{timeToLimit}}`: seconds until the limit is reached at the current rate.
    public var secondsToLimit: Double?
    /// `{{duration}}`: seconds the incident has lasted so far.
    public var durationSeconds: Double?
    /// The transform the detector's numbers went through for this series (a rule that does
    /// not say `transform` rates a counter); nil means the rule's own, `none` if unsaid.
    public var transform: SeriesTransform?

    public init(
        labels: Labels, rule: Rule, value: Double? = nil, expected: Double? = nil,
        lower: Double? = nil, upper: Double? = nil, leakRatePerHour: Double? = nil,
        limit: Double? = nil, secondsToLimit: Double? = nil, durationSeconds: Double? = nil,
        transform: SeriesTransform? = nil
    ) {
        self.labels = labels
        self.rule = rule
        self.transform = transform
        self.value = value
        self.expected = expected
        self.lower = lower
        self.upper = upper
        self.leakRatePerHour = leakRatePerHour
        self.limit = limit
        self.secondsToLimit = secondsToLimit
        self.durationSeconds = durationSeconds
    }

    /// A context from one detector output (its NaN fields become nil).
    public init(labels: Labels, rule: Rule, value: Double, output: DetectorOutput, limit: Double? = nil, durationSeconds: Double? = nil) {
        func known(_ x: Double) -> Double? { x.isNaN ? nil : x }
        self.init(
            labels: labels, rule: rule, value: value, expected: known(output.expected),
            lower: known(output.lower), upper: known(output.upper),
            leakRatePerHour: known(output.leakRatePerHour), limit: limit.flatMap(known),
            secondsToLimit: known(output.secondsToLimit), durationSeconds: durationSeconds
        )
    }

    /// The formatter for this series' numbers: unit from the metric name, `/s` for a rate.
    public var formatter: ValueFormatter {
        ValueFormatter(metric: labels.metricName, transform: transform ?? rule.transform ?? SeriesTransform.none)
    }
}
