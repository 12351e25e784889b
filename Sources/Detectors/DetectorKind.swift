/// Which detector a rule runs. `auto` (the built-in rule for series no rule selects) runs
/// `AutoDetector`, which judges a series against its own history.
public enum DetectorKind: String, Sendable, Codable, CaseIterable, BitwiseCopyable {
    case ewma
    case seasonal
    case leak
    case auto
}
