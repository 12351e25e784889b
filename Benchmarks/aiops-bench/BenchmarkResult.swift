import Foundation

/// One measured figure: the median, min and max over the timed runs, plus extra numbers a
/// benchmark reports beside it (latency percentiles, speedups, counts).
struct BenchmarkResult: Sendable {
    var name: String
    var unit: String
    var median: Double
    var min: Double
    var max: Double
    var runs: Int
    /// Extra named numbers, printed in the table's note column and in the JSON line.
    var extra: [(String, Double)] = []
    /// Free text for the table (why something was skipped, what the run covered).
    var note: String = ""

    init(name: String, unit: String, values: [Double], extra: [(String, Double)] = [], note: String = "") {
        let sorted = values.sorted()
        self.name = name
        self.unit = unit
        self.median = Statistics.median(sorted)
        self.min = sorted.first ?? .nan
        self.max = sorted.last ?? .nan
        self.runs = values.count
        self.extra = extra
        self.note = note
    }

    /// One JSON object on one line, for scripts and CI logs.
    func jsonLine(cores: Int) -> String {
        var fields: [String] = [
            "\"bench\":\(Self.quote(name))", "\"unit\":\(Self.quote(unit))",
            "\"median\":\(Self.number(median))", "\"min\":\(Self.number(min))", "\"max\":\(Self.number(max))",
            "\"runs\":\(runs)", "\"cores\":\(cores)",
        ]
        for (key, value) in extra { fields.append("\(Self.quote(key)):\(Self.number(value))") }
        if !note.isEmpty { fields.append("\"note\":\(Self.quote(note))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

enum Statistics {
    /// The median of sorted values (mean of the middle two for an even count).
    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The nearest-rank percentile `p` (0...100) of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}
