import AIOpsCore

/// What `aiops serve --warm-from` reads, how fast and how much at once.
public struct WarmStartOptions: Sendable {
    public var source: WarmStartSource
    public var credentials: WarmStartCredentials = .none
    /// How far back history is read (`--warm-days`; 7 days covers the weekly profile).
    public var history: PromDuration = .hours(7 * 24)
    /// The step of a series whose second sample has not come within `stepPatience`
    /// (`--warm-step`).
    public var defaultStep: PromDuration = .seconds(15)
    /// Queries per second at most (`--warm-rate`).
    public var queriesPerSecond: Double = 5
    /// How long one query may take.
    public var timeout: PromDuration = .seconds(30)
    /// Points per series one query may ask for: Prometheus refuses more than 11,000.
    public var maxPointsPerQuery = 11_000
    /// Points one query may return over all its series (bounds a response's size: about
    /// 30 bytes of JSON each, so ~15 MB).
    public var maxSamplesPerQuery = 500_000
    /// Bytes of PromQL selector per query at most (the request is a POST form, but a very
    /// long regex is slow to compile on the source).
    public var maxSelectorBytes = 8192
    /// How long a new series may wait for its second sample (its step) before it is read at
    /// `defaultStep`.
    public var stepPatience: PromDuration = .minutes(2)
    /// Labels the live series have but the source does not (Prometheus' `external_labels`,
    /// added on remote write): left out of selectors and of matching.
    public var ignoredLabels: Set<String> = []
    /// How often the scheduler looks for new series while idle.
    public var pollInterval: PromDuration = .seconds(1)

    public init(source: WarmStartSource) {
        self.source = source
    }
}
