/// Which detector a rule runs. `auto` runs all three and combines their scores.
public enum DetectorKind: String, Sendable, Codable, CaseIterable {
    case ewma
    case seasonal
    case leak
    case auto
}
