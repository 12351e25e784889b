import AIOpsCore
import Detectors

/// How bad an incident of a rule is.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info
    case warning
    case critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What to tell a developer when a rule fires. `summary`, `steps` and `runbookURL` hold
/// placeholders such as `{{labels.pod}}`, `{{value}}`, `{{expected}}`, `{{rate}}`,
/// `{{timeToLimit}}`, filled by `render(_:)`. In rule files the URL's key is `runbook`.
public struct Advice: Sendable, Hashable, Codable {
    public var summary: String
    public var steps: [String]
    public var runbookURL: String?

    public init(summary: String, steps: [String] = [], runbookURL: String? = nil) {
        self.summary = summary
        self.steps = steps
        self.runbookURL = runbookURL
    }
}

/// Advice with its placeholders filled in for one series.
public struct RenderedAdvice: Sendable, Codable, Equatable {
    public var summary: String
    public var steps: [String]
    public var runbookURL: String?
    /// What it was rendered from, so that a grouped message can render the steps once for
    /// all its series (`AdviceContext.varyingLabels`); nil in records written before it was
    /// kept.
    public var template: Advice?

    public init(summary: String, steps: [String], runbookURL: String?, template: Advice? = nil) {
        self.summary = summary
        self.steps = steps
        self.runbookURL = runbookURL
        self.template = template
    }
}

/// What the pipeline feeds the detector: the raw value, or for a counter its per-second rate
/// (reset-aware, as PromQL's `rate`).
public enum SeriesTransform: String, Sendable, Codable, CaseIterable {
    case none
    case rate
}

/// A rule's overrides of the workspace's notification policy; nil fields keep the workspace's.
public struct NotifyOverrides: Sendable, Hashable, Codable {
    /// Wait this long after the first firing series to group others of the same rule.
    public var groupWait: PromDuration?
    /// Notify about new series of an already-notified group at most this often.
    public var groupInterval: PromDuration?
    /// Remind about a still-firing incident after this long.
    public var repeatInterval: PromDuration?
    /// Send a message when the incident resolves.
    public var sendResolved: Bool?

    public init(groupWait: PromDuration? = nil, groupInterval: PromDuration? = nil, repeatInterval: PromDuration? = nil, sendResolved: Bool? = nil) {
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
        self.sendResolved = sendResolved
    }
}

/// Where the leak detector learns a series' limit: a constant, or the value of another
/// series with the same identifying labels (e.g. `container_spec_memory_limit_bytes`).
public struct LimitSpec: Sendable, Hashable, Codable {
    public var value: Double?
    public var series: String?
    /// Labels that must agree between the series and its limit series
    /// (default: all labels except `__name__`).
    public var matchOn: [String]?

    public init(value: Double? = nil, series: String? = nil, matchOn: [String]? = nil) {
        self.value = value
        self.series = series
        self.matchOn = matchOn
    }
}

/// One rule: which series, which detector, how long before it fires, and what to advise.
public struct Rule: Sendable {
    public var name: String
    public var selector: Selector
    public var detector: DetectorSpec
    public var severity: Severity
    /// The anomaly must last this long before the incident fires (pending until then).
    public var forDuration: PromDuration
    /// The series must be normal this long before the incident resolves.
    public var resolveAfter: PromDuration
    /// A sample is anomalous when its score is at least this.
    public var threshold: Double
    public var limit: LimitSpec?
    /// The rule's `transform`; nil when the rule does not say, in which case the pipeline
    /// decides per series: `rate` for a counter, `none` for anything else (see
    /// `SeriesKind` in the Pipeline module). An explicit `none` or `rate` always wins.
    public var transform: SeriesTransform?
    public var advice: Advice
    public var notify: NotifyOverrides?
    /// Where the rule came from, for error messages: `rules/memory.json`.
    public var source: String

    public init(
        name: String, selector: Selector, detector: DetectorSpec, severity: Severity = .warning,
        forDuration: PromDuration = .zero, resolveAfter: PromDuration = .minutes(5), threshold: Double = 0.5,
        limit: LimitSpec? = nil, transform: SeriesTransform? = nil, advice: Advice,
        notify: NotifyOverrides? = nil, source: String = ""
    ) {
        self.name = name
        self.selector = selector
        self.detector = detector
        self.severity = severity
        self.forDuration = forDuration
        self.resolveAfter = resolveAfter
        self.threshold = threshold
        self.limit = limit
        self.transform = transform
        self.advice = advice
        self.notify = notify
        self.source = source
    }
}
