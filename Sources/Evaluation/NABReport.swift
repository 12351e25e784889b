import Foundation

/// Renders NAB results for people (an aligned text table per profile and a summary) and for
/// tools (JSON).
public enum NABReport {
    /// One section per result: a header with the threshold, normalised score, precision and
    /// recall, and a table of files (rows, windows, TP, FP, FN, raw score at the threshold);
    /// then, for several profiles, a summary table of all of them.
    public static func text(_ results: [NABResult]) -> String {
        var out = ""
        for (index, result) in results.enumerated() {
            if index > 0 { out += "\n" }
            out += section(result)
        }
        if results.count > 1 {
            out += "\n" + summary(results)
        }
        return out
    }

    /// The summary table alone: profile, threshold, normalised score, precision, recall.
    public static func summary(_ results: [NABResult]) -> String {
        var table = Table(headers: ["profile", "threshold", "score", "precision", "recall"], leftAligned: 1)
        for result in results {
            table.rows.append([
                result.profile.name, fixed(result.threshold, 6), fixed(result.score, 2),
                fixed(result.precision, 3), fixed(result.recall, 3),
            ])
        }
        return table.render()
    }

    /// The results as JSON: an array with one object per profile (see `NABResult`'s fields,
    /// plus `precision` and `recall`), keys sorted so the output is stable.
    /// - Throws: `EncodingError` (only for non-finite numbers, which the scorer never produces).
    public static func json(_ results: [NABResult]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(results), as: UTF8.self)
    }

    static func section(_ result: NABResult) -> String {
        var out = "NAB profile \(result.profile.name): score \(fixed(result.score, 2)), threshold \(fixed(result.threshold, 6)), "
        out += "precision \(fixed(result.precision, 3)), recall \(fixed(result.recall, 3))\n"
        out += "raw \(fixed(result.rawScore, 4)) (null \(fixed(result.nullScore, 4)), perfect \(fixed(result.perfectScore, 4)))\n"
        var table = Table(headers: ["file", "rows", "windows", "TP", "FP", "FN", "score"], leftAligned: 1)
        var rows = 0, windows = 0
        for file in result.files {
            rows += file.rows
            windows += file.windows
            table.rows.append([
                file.file, String(file.rows), String(file.windows), String(file.truePositives),
                String(file.falsePositives), String(file.falseNegatives), fixed(file.rawScore, 4),
            ])
        }
        table.rows.append([
            "total", String(rows), String(windows), String(result.truePositives),
            String(result.falsePositives), String(result.falseNegatives), fixed(result.rawScore, 4),
        ])
        return out + table.render()
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// A plain text table: columns padded to their widest cell, the first `leftAligned`
    /// columns aligned left and the rest (numbers) right.
    struct Table {
        var headers: [String]
        var leftAligned: Int
        /// The last column holds text (a note) and is aligned left too.
        var lastLeftAligned = false
        var rows: [[String]] = []

        func render() -> String {
            var widths = headers.map(\.count)
            for row in rows {
                for (column, cell) in row.enumerated() where column < widths.count {
                    widths[column] = max(widths[column], cell.count)
                }
            }
            var out = ""
            for row in [headers] + rows {
                var line = ""
                for (column, cell) in row.enumerated() where column < widths.count {
                    let padding = String(repeating: " ", count: widths[column] - cell.count)
                    if column > 0 { line += "  " }
                    let left = column < leftAligned || (lastLeftAligned && column == headers.count - 1)
                    line += left ? cell + padding : padding + cell
                }
                while line.hasSuffix(" ") { line.removeLast() }
                out += line + "\n"
            }
            return out
        }
    }
}
