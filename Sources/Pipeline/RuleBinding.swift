import AIOpsCore
import Detectors
import Incidents

/// One rule applied to one series: its detector state, incident tracker and transform state.
/// Bindings of a series sit next to each other in one array, so a sample touches one
/// contiguous run of memory.
struct RuleBinding {
    /// Index into the pipeline's `rules` (the last one is the built-in auto rule).
    var rule: Int32
    /// The detector state, in the pipeline's `DetectorPool`.
    var detector: DetectorPool.Handle
    var tracker = IncidentTracker()
    /// `rate` transform: the previous raw sample.
    var previousValue: Double = .nan
    var previousTimestamp: Timestamp = .min
    /// Key of this series' limit in the pipeline's limit table, 0 when none.
    var limitKey: UInt64 = 0

    init(rule: Int32, detector: DetectorPool.Handle) {
        self.rule = rule
        self.detector = detector
    }

    /// The value the detector sees: the raw value, or a counter's per-second rate, reset-aware
    /// as PromQL's `rate` (a drop means the counter restarted from 0). Nil while a rate has no
    /// previous sample.
    mutating func transformed(_ value: Double, at timestamp: Timestamp, transform: SeriesTransformKind) -> Double? {
        switch transform {
        case .none:
            return value
        case .rate:
            defer {
                previousValue = value
                previousTimestamp = timestamp
            }
            guard previousTimestamp != .min, timestamp > previousTimestamp else { return nil }
            let seconds = Double(timestamp - previousTimestamp) / 1000
            let delta = value >= previousValue ? value - previousValue : value
            return delta / seconds
        }
    }

    mutating func resetTransform() {
        previousValue = .nan
        previousTimestamp = .min
    }
}

/// The rule's transform, copied out of `Rule` so the hot loop reads a byte, not a String-bearing struct.
enum SeriesTransformKind: UInt8 {
    case none
    case rate
}
