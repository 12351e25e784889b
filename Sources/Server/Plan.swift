/// A workspace's plan. Limits differ; the pipeline is the same.
public enum Plan: String, Sendable, Codable, CaseIterable {
    /// Shared nodes, "basic monitoring and alerts": monitoring, anomaly detection, incidents
    /// and the daily summary of incidents and risks.
    case hobby
    /// A dedicated node, "full AIOps suite": Hobby's, plus predictive scaling and cost
    /// optimisation (`GET /api/v1/recommendations`) and their parts of the daily summary.
    case pro

    /// Whether scaling and cost advice come with the plan.
    public var includesAdvice: Bool { self == .pro }

    /// `Hobby`, `Pro`: as the plans are sold.
    public var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// The plan's default limits; a workspace's `limits` override them key by key.
    public var defaultLimits: WorkspaceLimits {
        switch self {
        case .hobby:
            return WorkspaceLimits(
                samplesPerSecond: 20_000, burstSamples: 200_000, activeSeries: 10_000,
                labelsPerSeries: 30, labelNameLength: 256, labelValueLength: 1024)
        case .pro:
            return WorkspaceLimits(
                samplesPerSecond: 1_000_000, burstSamples: 5_000_000, activeSeries: 1_000_000,
                labelsPerSeries: 50, labelNameLength: 1024, labelValueLength: 2048)
        }
    }
}

/// What one workspace may send. Every limit is enforced and every refusal counted by reason.
public struct WorkspaceLimits: Sendable, Equatable, Codable {
    /// Sustained ingestion rate; over it a request gets 429 with `Retry-After`.
    public var samplesPerSecond: Int
    /// Samples the token bucket holds: a burst this large passes at once.
    public var burstSamples: Int
    /// Series held at once; samples of new series beyond it are refused (400).
    public var activeSeries: Int
    public var labelsPerSeries: Int
    public var labelNameLength: Int
    public var labelValueLength: Int

    public init(samplesPerSecond: Int, burstSamples: Int, activeSeries: Int, labelsPerSeries: Int, labelNameLength: Int, labelValueLength: Int) {
        self.samplesPerSecond = samplesPerSecond
        self.burstSamples = burstSamples
        self.activeSeries = activeSeries
        self.labelsPerSeries = labelsPerSeries
        self.labelNameLength = labelNameLength
        self.labelValueLength = labelValueLength
    }
}

/// A workspace's `limits` object: every key optional, overriding the plan's default.
public struct LimitOverrides: Sendable, Equatable, Codable {
    public var samplesPerSecond: Int?
    public var burstSamples: Int?
    public var activeSeries: Int?
    public var labelsPerSeries: Int?
    public var labelNameLength: Int?
    public var labelValueLength: Int?

    public init(samplesPerSecond: Int? = nil, burstSamples: Int? = nil, activeSeries: Int? = nil, labelsPerSeries: Int? = nil, labelNameLength: Int? = nil, labelValueLength: Int? = nil) {
        self.samplesPerSecond = samplesPerSecond
        self.burstSamples = burstSamples
        self.activeSeries = activeSeries
        self.labelsPerSeries = labelsPerSeries
        self.labelNameLength = labelNameLength
        self.labelValueLength = labelValueLength
    }

    /// The plan's limits with these overrides applied. A raised rate without a burst keeps
    /// the burst at least ten seconds of the rate.
    public func applied(to base: WorkspaceLimits) -> WorkspaceLimits {
        var limits = base
        if let samplesPerSecond {
            limits.samplesPerSecond = samplesPerSecond
            limits.burstSamples = max(limits.burstSamples, samplesPerSecond * 10)
        }
        if let burstSamples { limits.burstSamples = burstSamples }
        if let activeSeries { limits.activeSeries = activeSeries }
        if let labelsPerSeries { limits.labelsPerSeries = labelsPerSeries }
        if let labelNameLength { limits.labelNameLength = labelNameLength }
        if let labelValueLength { limits.labelValueLength = labelValueLength }
        return limits
    }
}
