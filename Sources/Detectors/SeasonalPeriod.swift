import AIOpsCore

/// The period of the seasonal detector: `"1d"`, `"1w"`, `"auto"` or any duration string.
///
/// `daily` keeps one profile of 48 half-hour buckets. `weekly` keeps that daily profile plus
/// a coarser weekly correction of 84 two-hour buckets. `custom` keeps 48 buckets over the
/// given period. `auto` learns the daily and weekly profiles and chooses, from their
/// out-of-sample errors, none, daily, or daily plus weekly.
public enum SeasonalPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    case auto
    case daily
    case weekly
    case custom(PromDuration)

    /// The shortest period accepted, so that 48 buckets stay meaningful.
    public static let minimum = PromDuration.minutes(1)

    /// Parses `auto`, `1d`, `1w` or a duration (`12h`); `24h` is `daily` and `7d` is `weekly`.
    public init?(parsing text: String) {
        if text == "auto" { self = .auto; return }
        guard let duration = PromDuration(parsing: text), duration >= Self.minimum else { return nil }
        self.init(duration: duration)
    }

    public init(duration: PromDuration) {
        switch duration.milliseconds {
        case 86_400_000: self = .daily
        case 7 * 86_400_000: self = .weekly
        default: self = .custom(duration)
        }
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .daily: return "1d"
        case .weekly: return "1w"
        case .custom(let d): return d.description
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = SeasonalPeriod(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "period: invalid value \"\(text)\" (expected 1d, 1w, auto or a duration of at least 1m)")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
