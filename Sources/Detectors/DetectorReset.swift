/// Why a series' detector state starts over.
///
/// What survives, per detector:
/// - `stale`: nothing; every detector starts from scratch.
/// - `gap`: EWMA restarts its warm-up (the old baseline is old news); seasonal keeps its
///   profile (phases come from wall-clock time, so they stay aligned) but re-learns its level;
///   leak clears its window (a rate across a long gap is not a rate).
///
/// Detectors also notice gaps themselves (a step much longer than the typical one): then
/// the state survives, the seasonal detector weighs the first sample after the gap like a
/// normal step, and nothing scores the gap itself.
public enum DetectorReset: Sendable {
    /// A stale marker: the series went away.
    case stale
    /// A gap longer than the detector tolerates.
    case gap
}
