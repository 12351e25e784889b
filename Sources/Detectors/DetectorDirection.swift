/// Which deviations count as anomalous.
///
/// For the leak detector, `up` means growth toward an upper limit (heap bytes) and `down`
/// a fall toward a floor (free disk bytes falling to 0).
public enum DetectorDirection: String, Sendable, Codable, CaseIterable {
    case up
    case down
    case both

    /// The part of a signed z-score (or growth) that counts in this direction, never negative.
    @inlinable
    public func directed(_ z: Double) -> Double {
        switch self {
        case .up: return z > 0 ? z : 0
        case .down: return z < 0 ? -z : 0
        case .both: return abs(z)
        }
    }
}
