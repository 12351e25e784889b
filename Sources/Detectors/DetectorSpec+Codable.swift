import AIOpsCore

extension DetectorSpec: Codable {
    /// Every key a rule's `"detector"` object may hold; anything else is an error.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, direction, warmup, alpha, zThreshold, minRelativeDeviation, adaptAfter, period, window, minRelativeGrowthPerHour
    }

    /// Any key, so that unknown ones can be found and named.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        for key in all.allKeys where CodingKeys(stringValue: key.stringValue) == nil {
            let known = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown detector key \"\(key.stringValue)\" (known keys: \(known))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)

        let kindText = try c.decode(String.self, forKey: .kind)
        guard let kind = DetectorKind(rawValue: kindText) else {
            throw Self.bad(.kind, "\"\(kindText)\"", "ewma, seasonal, leak or auto", c)
        }
        self.init(kind: kind)

        if let text = try c.decodeIfPresent(String.self, forKey: .direction) {
            guard let direction = DetectorDirection(rawValue: text) else {
                throw Self.bad(.direction, "\"\(text)\"", "up, down or both", c)
            }
            self.direction = direction
        }
        if let warmup = try c.decodeIfPresent(Int.self, forKey: .warmup) {
            guard (0...1_000_000).contains(warmup) else { throw Self.bad(.warmup, "\(warmup)", "0...1000000", c) }
            self.warmup = warmup
        }
        if let alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) {
            guard alpha > 0, alpha < 1 else { throw Self.bad(.alpha, "\(alpha)", "0 < alpha < 1", c) }
            self.alpha = alpha
        }
        if let z = try c.decodeIfPresent(Double.self, forKey: .zThreshold) {
            guard z.isFinite, z > 0, z <= 1000 else { throw Self.bad(.zThreshold, "\(z)", "0 < zThreshold <= 1000", c) }
            self.zThreshold = z
        }
        if let m = try c.decodeIfPresent(Double.self, forKey: .minRelativeDeviation) {
            guard m.isFinite, m >= 0, m <= 100 else { throw Self.bad(.minRelativeDeviation, "\(m)", "0 <= minRelativeDeviation <= 100", c) }
            self.minRelativeDeviation = m
        }
        if let text = try c.decodeIfPresent(String.self, forKey: .period) {
            guard let period = SeasonalPeriod(parsing: text) else {
                throw Self.bad(.period, "\"\(text)\"", "1d, 1w, auto or a duration of at least 1m", c)
            }
            self.period = period
        }
        if c.contains(.adaptAfter) {
            let duration = try Self.duration(.adaptAfter, c)
            guard duration >= .zero, duration <= .hours(24 * 7) else {
                throw Self.bad(.adaptAfter, "\"\(duration)\"", "a duration from 0s to 7d", c)
            }
            self.adaptAfter = duration
        }
        if c.contains(.window) {
            let window = try Self.duration(.window, c)
            guard window >= .minutes(1), window <= .hours(24 * 30) else {
                throw Self.bad(.window, "\"\(window)\"", "a duration from 1m to 30d", c)
            }
            self.window = window
        }
        if let g = try c.decodeIfPresent(Double.self, forKey: .minRelativeGrowthPerHour) {
            guard g.isFinite, g > 0 else { throw Self.bad(.minRelativeGrowthPerHour, "\(g)", "a finite number > 0", c) }
            self.minRelativeGrowthPerHour = g
        }
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

    /// A duration given as a string (`"30m"`) or in `PromDuration`'s own encoding.
    static func duration(_ key: CodingKeys, _ c: KeyedDecodingContainer<CodingKeys>) throws -> PromDuration {
        if let text = try? c.decode(String.self, forKey: key) {
            guard let parsed = PromDuration(parsing: text) else {
                throw Self.bad(key, "\"\(text)\"", "a duration such as 30m", c)
            }
            return parsed
        }
        return try c.decode(PromDuration.self, forKey: key)
    }

    /// A decoding error that names the key, the value and what was expected.
    static func bad(_ key: CodingKeys, _ value: String, _ expected: String, _ c: KeyedDecodingContainer<CodingKeys>) -> DecodingError {
        DecodingError.dataCorruptedError(
            forKey: key, in: c, debugDescription: "detector key \"\(key.rawValue)\": invalid value \(value) (expected \(expected))")
    }
}
