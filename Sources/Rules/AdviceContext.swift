import AIOpsCore
import Detectors

/// What advice placeholders are filled from: the series, its rule, and the detector's numbers.
///
/// Every number is optional; nil (or NaN, which detectors use for "not known") is a fact
/// that is not known: `{{#value}}...{{/value}}` sections leave it out, a bare placeholder
/// renders as `unknown`.
public struct AdviceContext: Sendable {
    public var labels: Labels
    /// `{{rule}}` and `{{severity}}`.
    public var ruleName: String
    public var severity: Severity
    /// Labels whose value differs between the series one grouped message speaks of: they
    /// count as known (their sections show) and render as their name in capitals (`POD`),
    /// to be read as "each series' own" next to the list of series.
    public var varyingLabels: Set<String> = []
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
    /// not say `transform` rates a counter): `/s` units for `rate`.
    public var transform: SeriesTransform

    /// - Parameter transform: the series' transform; nil means the rule's own, `none` if unsaid.
    public init(
        labels: Labels, rule: Rule, value: Double? = nil, expected: Double? = nil,
        lower: Double? = nil, upper: Double? = nil, leakRatePerHour: Double? = nil,
        limit: Double? = nil, secondsToLimit: Double? = nil, durationSeconds: Double? = nil,
        transform: SeriesTransform? = nil
    ) {
        self.init(
            labels: labels, ruleName: rule.name, severity: rule.severity, value: value, expected: expected,
            lower: lower, upper: upper, leakRatePerHour: leakRatePerHour, limit: limit,
            secondsToLimit: secondsToLimit, durationSeconds: durationSeconds,
            transform: transform ?? rule.transform ?? SeriesTransform.none)
    }

    /// A context without a `Rule` at hand (an incident's name and severity will do).
    public init(
        labels: Labels, ruleName: String, severity: Severity, varyingLabels: Set<String> = [],
        value: Double? = nil, expected: Double? = nil, lower: Double? = nil, upper: Double? = nil,
        leakRatePerHour: Double? = nil, limit: Double? = nil, secondsToLimit: Double? = nil,
        durationSeconds: Double? = nil, transform: SeriesTransform = .none
    ) {
        self.labels = labels
        self.ruleName = ruleName
        self.severity = severity
        self.varyingLabels = varyingLabels
        self.value = value
        self.expected = expected
        self.lower = lower
        self.upper = upper
        self.leakRatePerHour = leakRatePerHour
        self.limit = limit
        self.secondsToLimit = secondsToLimit
        self.durationSeconds = durationSeconds
        self.transform = transform
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
        ValueFormatter(metric: labels.metricName, transform: transform)
    }
}
