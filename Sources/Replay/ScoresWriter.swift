import AIOpsCore
import Fixtures
import Foundation

/// Writes `--scores` files: `timestamp,value,anomaly_score` for every input row, in input order
/// (NAB's results layout). A file with several series adds a fourth column naming the series
/// and lists rows in the order they were fed.
public enum ScoresWriter {
    /// The scores file for `input` when the user asked for `requested`: the name itself for a
    /// single input; for several, `<requested without .csv>-<input base name>.csv`, or inside
    /// `requested` when it is a directory.
    public static func path(for input: String, requested: String, inputCount: Int) -> String {
        var isDirectory: ObjCBool = false
        let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        if requested.hasSuffix("/") || (FileManager.default.fileExists(atPath: requested, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return (requested as NSString).appendingPathComponent(base + ".scores.csv")
        }
        if inputCount == 1 { return requested }
        let stem = requested.hasSuffix(".csv") ? String(requested.dropLast(4)) : requested
        return "\(stem)-\(base).csv"
    }

    /// The CSV text of a result's scores.
    public static func render(_ result: ReplayResult) -> String {
        var out = ""
        out.reserveCapacity(result.samples * 40)
        if result.series.count == 1 {
            out += "timestamp,value,anomaly_score\n"
            let series = result.series[0]
            for row in 0..<series.count {
                out += line(series.timestamps[row], series.values[row], result.scores[0][row])
                out += "\n"
            }
        } else {
            out += "timestamp,value,anomaly_score,series\n"
            let names = result.series.map { "\"" + $0.labels.description.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            for (series, index) in result.mergedOrder {
                let s = Int(series)
                let r = Int(index)
                out += line(result.series[s].timestamps[r], result.series[s].values[r], result.scores[s][r])
                out += "," + names[s] + "\n"
            }
        }
        return out
    }

    /// Writes the scores of `result` to `path`.
    public static func write(_ result: ReplayResult, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try render(result).write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func line(_ timestamp: Timestamp, _ value: Double, _ score: Double) -> String {
        let v = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        let s = score == 0 ? "0" : String(format: "%.6f", score)
        return TimeFormat.plain(timestamp) + "," + v + "," + s
    }
}
