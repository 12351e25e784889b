import AIOpsCore

/// Parameters of each detector; a rule's `"detector"` JSON object decodes into this.
///
/// The JSON keys are flat, every key except `kind` is optional, and a missing key takes the
/// default documented on its field. Unknown keys and out-of-range values are decoding errors
/// that name the key (and the value), so a typo in a rule file is caught at load time.
/// Parameters that do not apply to `kind` are accepted and ignored (`auto` uses them all).
public struct DetectorSpec: Sendable, Hashable {
    /// `"ewma"`, `"seasonal"`, `"leak"` or `"auto"`. Required in JSON.
    public var kind: DetectorKind
    /// Which deviations count. Default `both`, except `leak`, whose default is `up`.
    public var direction: DetectorDirection
    /// Samples seen before any detector scores. Default 30. (`auto` also waits for one day of
    /// event time.)
    public var warmup: Int
    /// EWMA smoothing per sample, 0 < alpha < 1. Default 0.05 (a memory of about 20 samples).
    public var alpha: Double
    /// EWMA and seasonal: the z-score at which the score reaches 0.5. Default 5. (`auto`
    /// measures against the series' own records instead; see `AutoDetector`.)
    public var zThreshold: Double
    /// EWMA, seasonal and auto: a deviation smaller than this fraction of the expected level
    /// never reaches score 0.5, so flat series do not alarm on noise. Default 0.02.
    public var minRelativeDeviation: Double
    /// EWMA: how long a deviation must last before it becomes the new baseline (and at least
    /// ⌈1/alpha⌉ samples). Default `30m`: a genuine level shift (a deploy that makes latency
    /// worse for good) fires for its rule's `for`, then is adopted and resolves; a baseline
    /// that adopted it within the `for` would never let it fire.
    public var adaptAfter: PromDuration
    /// Seasonal: `1d`, `1w`, `auto` or a duration. Default `auto`.
    public var period: SeasonalPeriod
    /// Leak: the shortest span the growth rate is estimated over. Default `1h`. The detector
    /// fits three windows at once: this one, 6 times it and 24 times it (1 h, 6 h and 24 h for
    /// the default), so a fast leak is found within about half of `window` and a slow one,
    /// hidden in the short window by a sawtooth as tall as hours of its growth, within half of
    /// 6·`window`; with a 1 h `window` the longest fit spans a day, which is what lets it tell
    /// a daily rise from a leak (see `LeakDetector`). 6 and 24: a bucket of the 6× window
    /// (11.25 min at 1 h) still holds a trough of a 10-minute sawtooth, one of the 24× window
    /// (45 min) several of a 15-minute one, and 24 × 1 h is a day.
    public var window: PromDuration
    /// Leak: growth below this fraction per hour is not a leak, in every window. The fraction
    /// is of the level, or of the headroom left to the limit when a limit is known. Default 0.1
    /// (10 %/h: a container heap that would reach its limit within about 10 hours). Rules for
    /// slower resources set their own: `rules/disk.json` and the container rule of
    /// `rules/memory.json` use 0.02, a disk or a heap that reaches its limit within about two
    /// days (at 0.02 the score is 0.5; full in 30 h scores about 0.95).
    public var minRelativeGrowthPerHour: Double

    public static let defaultWarmup = 30
    public static let defaultAlpha = 0.05
    public static let defaultZThreshold = 5.0
    public static let defaultMinRelativeDeviation = 0.02
    public static let defaultAdaptAfter = PromDuration.minutes(30)
    public static let defaultPeriod = SeasonalPeriod.auto
    public static let defaultWindow = PromDuration.hours(1)
    public static let defaultMinRelativeGrowthPerHour = 0.1

    /// The default direction of a detector kind: `up` for leak, `both` otherwise.
    public static func defaultDirection(for kind: DetectorKind) -> DetectorDirection {
        kind == .leak ? .up : .both
    }

    /// A spec with the documented defaults; `direction: nil` takes the kind's default.
    public init(
        kind: DetectorKind, direction: DetectorDirection? = nil, warmup: Int = DetectorSpec.defaultWarmup,
        alpha: Double = DetectorSpec.defaultAlpha, zThreshold: Double = DetectorSpec.defaultZThreshold,
        minRelativeDeviation: Double = DetectorSpec.defaultMinRelativeDeviation,
        adaptAfter: PromDuration = DetectorSpec.defaultAdaptAfter,
        period: SeasonalPeriod = DetectorSpec.defaultPeriod, window: PromDuration = DetectorSpec.defaultWindow,
        minRelativeGrowthPerHour: Double = DetectorSpec.defaultMinRelativeGrowthPerHour
    ) {
        self.kind = kind
        self.direction = direction ?? Self.defaultDirection(for: kind)
        self.warmup = warmup
        self.alpha = alpha
        self.zThreshold = zThreshold
        self.minRelativeDeviation = minRelativeDeviation
        self.adaptAfter = adaptAfter
        self.period = period
        self.window = window
        self.minRelativeGrowthPerHour = minRelativeGrowthPerHour
    }

    public static let auto = DetectorSpec(kind: .auto)

}
