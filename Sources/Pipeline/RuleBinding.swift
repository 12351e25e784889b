import AIOpsCore
import Detectors
import Incidents
import Rules

/// One rule applied to one series: its detector state, incident tracker and transform state.
/// Bindings of a series sit next to each other in one array, so a sample touches one
/// contiguous run of memory.
struct RuleBinding {
    /// Index into the pipeline's `rules` (the last one is the built-in auto rule).
    var rule: Int32
    /// What the detector sees of this series: the rule's `transform` if it says one, else
    /// decided from the series' kind when the series was created (`SeriesKind`).
    var transform: SeriesTransformKind
    /// The detector state, in the pipeline's `DetectorPool`.
    var detector: DetectorPool.Handle
    var tracker = IncidentTracker()
    /// `rate` transform: the previous raw sample, and the step before it (0 while unknown).
    var previousValue: Double = .nan
    var previousTimestamp: Timestamp = .min
    var previousStep: Int64 = 0
    /// Key of this series' limit in the pipeline's limit table, 0 when none.
    var limitKey: UInt64 = 0

    init(rule: Int32, transform: SeriesTransformKind, detector: DetectorPool.Handle) {
        self.rule = rule
        self.transform = transform
        self.detector = detector
    }

    /// A step this many times the previous one is a gap: the rate across it is not scored.
    static let gapFactor: Int64 = 4

    /// The value the detector sees: the raw value, or a counter's per-second rate over the
    /// last step, reset-aware as PromQL's `rate`. Nil when the sample is not scored:
    /// - the first sample of a rate (nothing to take a difference from);
    /// - a decrease: the counter was reset (its process restarted). PromQL counts the new
    ///   value from 0, but how long ago the restart was is unknown (value / step would be
    ///   an overestimate if the restart was earlier), so that one sample is skipped: a reset
    ///   never reaches a detector, and never raises an incident. The next step's rate is an
    ///   ordinary difference again.
    /// - the first sample after a gap (a step over `gapFactor` times the previous one): the
    ///   rate across it averages over a stretch nobody saw, hiding any reset inside it.
    /// - any sample of an `unscored` series (`_created`).
    /// - Complexity: O(1), no allocation.
    @inline(__always)
    mutating func transformed(_ value: Double, at timestamp: Timestamp) -> Double? {
        switch transform {
        case .none:
            return value
        case .skip:
            return nil
        case .rate:
            let last = previousValue
            let lastTimestamp = previousTimestamp
            let lastStep = previousStep
            previousValue = value
            previousTimestamp = timestamp
            guard lastTimestamp != .min, timestamp > lastTimestamp else { return nil }
            let step = timestamp - lastTimestamp
            previousStep = step
            if value < last { return nil }
            if lastStep > 0 && step > Self.gapFactor * lastStep { return nil }
            return (value - last) * 1000 / Double(step)
        }
    }

    mutating func resetTransform() {
        previousValue = .nan
        previousTimestamp = .min
        previousStep = 0
    }
}

/// The transform a binding applies, one byte the hot loop switches on.
enum SeriesTransformKind: UInt8 {
    case none
    case rate
    /// Not scored at all (an unscored series under a rule that does not say `transform`).
    case skip

    init(_ transform: SeriesTransform) {
        switch transform {
        case .none: self = .none
        case .rate: self = .rate
        }
    }

    /// What incidents and reports say the values went through (`rate` reads `/s`).
    var incidentTransform: SeriesTransform {
        self == .rate ? .rate : .none
    }
}
