import AIOpsCore

/// The streaming state of one detector on one series (one per rule and series).
///
/// A plain struct with fixed-size inline storage: `update` is O(1) amortised (the leak fit,
/// O(32²), runs once per leak bucket), allocates nothing, and uses only samples up to and
/// including this one. Every kind carries the state of all three detectors, so the size is the
/// same for each kind (`MemoryLayout<SeriesDetector>.size`, about 1.5 KiB, no heap storage).
///
/// `auto` runs EWMA, seasonal (with the spec's period, `auto` by default) and leak, the leak on
/// the value minus the seasonal component (so a daily ramp is not a leak) and `up` unless the
/// direction is `down`. Its score is the maximum of the calibrated scores (each reaches 0.5 at
/// its own threshold) of seasonal, leak and, while no seasonal model is in use (the series has
/// shown no seasonality yet), EWMA; `detector` names the one that gave it. The band is the seasonal
/// one once the seasonal detector scores, EWMA's before; leak rate and time to limit always come
/// from the leak part.
public struct SeriesDetector: Sendable {
    var ewma = EWMADetector()
    var seasonal = SeasonalDetector()
    var leak = LeakDetector()

    public init(spec: DetectorSpec) {}

    /// Feeds one sample (finite value, timestamps strictly increasing) and scores it.
    /// - Parameters:
    ///   - spec: the rule's parameters; passed in, not stored, to keep the state small.
    ///   - limit: a known limit (upper for direction up, the floor for down), or NaN.
    /// - Complexity: O(1) amortised; no allocation.
    public mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        switch spec.kind {
        case .ewma:
            return ewma.update(timestamp: timestamp, value: value, spec: spec)
        case .seasonal:
            return seasonal.update(timestamp: timestamp, value: value, spec: spec)
        case .leak:
            return leak.update(timestamp: timestamp, value: value, spec: spec, direction: spec.direction, limit: limit)
        case .auto:
            let e = ewma.update(timestamp: timestamp, value: value, spec: spec)
            let s = seasonal.update(timestamp: timestamp, value: value, spec: spec)
            let l = leak.update(
                timestamp: timestamp, value: value - seasonal.component, spec: spec,
                direction: spec.leakDirection, limit: limit)
            var out = s.expected.isNaN ? e : s
            out.score = s.score
            out.detector = s.expected.isNaN ? .ewma : .seasonal
            // Once a seasonal model is in use it explains the shape EWMA would flag at every
            // daily transition, and has a fast level of its own: EWMA then stays out.
            if seasonal.model == 0, e.score > out.score {
                out.score = e.score
                out.detector = .ewma
            }
            if l.score > out.score {
                out.score = l.score
                out.detector = .leak
            }
            out.leakRatePerHour = l.leakRatePerHour
            out.secondsToLimit = l.secondsToLimit
            return out
        }
    }

    /// Forgets learned state the way `reason` requires (see `DetectorReset`).
    public mutating func reset(_ reason: DetectorReset) {
        switch reason {
        case .stale:
            self = SeriesDetector(spec: .auto)
        case .gap:
            ewma.reset()
            seasonal.reset(.gap)
            leak.clear()
        }
    }

    /// Bytes one `SeriesDetector` takes: its inline size (it owns no heap storage).
    public static var bytesPerSeries: Int { MemoryLayout<SeriesDetector>.size }
}
