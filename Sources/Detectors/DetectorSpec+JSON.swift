import AIOpsCore

extension DetectorSpec {
    /// Every key a rule's `"detector"` object may hold; anything else is an error.
    public static let jsonKeys = [
        "kind", "direction", "warmup", "alpha", "zThreshold", "minRelativeDeviation", "adaptAfter", "period", "window",
        "minRelativeGrowthPerHour",
    ]

    /// Reads a rule's `"detector"` object: this module owns its keys, their ranges and their
    /// defaults. Every problem goes to `reader` with its path under `path`
    /// (`detector.warmup: expected a whole number from 0 to 1000000, found 1.5`).
    /// - Returns: nil when anything was wrong.
    public init?(json node: JSONNode, path: String, reader: inout JSONReader) {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: Self.jsonKeys, example: "{\"kind\": \"ewma\"}") else { return nil }
        guard let kindNode = reader.required("kind", of: node, path),
              let kind = reader.choice(kindNode, JSONReader.path(path, "kind"), DetectorKind.self)
        else { return nil }
        self.init(kind: kind)
        for member in members {
            let at = JSONReader.path(path, member.key)
            let value = member.value
            switch member.key {
            case "direction":
                if let direction = reader.choice(value, at, DetectorDirection.self) { self.direction = direction }
            case "warmup":
                if let warmup = reader.integer(value, at, in: 0...1_000_000) { self.warmup = warmup }
            case "alpha":
                if let alpha = reader.number(value, at, expected: "a number between 0 and 1 (exclusive)", where: { $0 > 0 && $0 < 1 }) { self.alpha = alpha }
            case "zThreshold":
                if let z = reader.number(value, at, expected: "a number > 0 and at most 1000", where: { $0 > 0 && $0 <= 1000 }) { self.zThreshold = z }
            case "minRelativeDeviation":
                if let m = reader.number(value, at, expected: "a number from 0 to 100", where: { $0 >= 0 && $0 <= 100 }) { self.minRelativeDeviation = m }
            case "period":
                guard case .string(let text) = value.value, let period = SeasonalPeriod(parsing: text) else {
                    reader.fail(at, at: value, "expected 1d, 1w, auto or a duration of at least 1m, found \(value.shortDescription)")
                    continue
                }
                self.period = period
            case "adaptAfter":
                if let duration = reader.duration(value, at, in: .zero...PromDuration.hours(24 * 7)) { self.adaptAfter = duration }
            case "window":
                if let window = reader.duration(value, at, in: .minutes(1)...PromDuration.hours(24 * 30)) { self.window = window }
            case "minRelativeGrowthPerHour":
                if let g = reader.number(value, at, expected: "a number > 0", where: { $0 > 0 }) { self.minRelativeGrowthPerHour = g }
            default:
                break  // "kind", read above
            }
        }
        if reader.errors.count > errorsBefore { return nil }
    }
}

/// Encoding only, for fingerprints of a rule set (`RulesFingerprint` in Snapshots): rule
/// files are read by `init(json:path:reader:)`, never by a `Decoder`.
extension DetectorSpec: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, direction, warmup, alpha, zThreshold, minRelativeDeviation, adaptAfter, period, window, minRelativeGrowthPerHour
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(direction.rawValue, forKey: .direction)
        try c.encode(warmup, forKey: .warmup)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(zThreshold, forKey: .zThreshold)
        try c.encode(minRelativeDeviation, forKey: .minRelativeDeviation)
        try c.encode(adaptAfter, forKey: .adaptAfter)
        try c.encode(period, forKey: .period)
        try c.encode(window, forKey: .window)
        try c.encode(minRelativeGrowthPerHour, forKey: .minRelativeGrowthPerHour)
    }
}
