/// A Prometheus-style duration such as `30s`, `5m`, `1h30m`, `7d`, `1w`, held in
/// milliseconds.
public struct PromDuration: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func seconds(_ s: Int64) -> PromDuration { .init(milliseconds: s * 1000) }
    public static func minutes(_ m: Int64) -> PromDuration { .init(milliseconds: m * 60_000) }
    public static func hours(_ h: Int64) -> PromDuration { .init(milliseconds: h * 3_600_000) }
    public static let zero = PromDuration(milliseconds: 0)

    public var seconds: Double { Double(milliseconds) / 1000 }

    /// Parses `[0-9]+(ms|s|m|h|d|w|y)` repeated, units in decreasing order, as PromQL does.
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
            ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var total: Int64 = 0
        var lastRank = -1
        while index < bytes.count {
            var number: Int64 = 0
            var sawDigit = false
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[index] - 48))
                if o1 || o2 { return nil }
                number = a
                sawDigit = true
                index += 1
            }
            guard sawDigit, index < bytes.count else { return nil }
            var unit = String(UnicodeScalar(bytes[index]))
            index += 1
            if unit == "m", index < bytes.count, bytes[index] == UInt8(ascii: "s") {
                unit = "ms"
                index += 1
            }
            guard let rank = units.firstIndex(where: { $0.0 == unit }), rank > lastRank else { return nil }
            lastRank = rank
            let (product, overflow) = number.multipliedReportingOverflow(by: units[rank].1)
            if overflow { return nil }
            total += product
        }
        self.milliseconds = total
    }

    /// The shortest Prometheus form: `1h30m`, `45s`, `0s`.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    /// A coarse human form for reports: `3h 20m`, `2d 4h`, `45s`.
    public var humanized: String {
        let s = milliseconds / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + (s % 60 == 0 ? "" : " \(s % 60)s") }
        if s < 86_400 { return "\(s / 3600)h" + (s / 60 % 60 == 0 ? "" : " \(s / 60 % 60)m") }
        return "\(s / 86_400)d" + (s / 3600 % 24 == 0 ? "" : " \(s / 3600 % 24)h")
    }

    public static func < (lhs: PromDuration, rhs: PromDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Decodes from a string (`"5m"`) or a number of seconds.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            self.milliseconds = Int64(seconds * 1000)
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = PromDuration(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid duration \"\(text)\" (expected e.g. 30s, 5m, 1h30m)")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
