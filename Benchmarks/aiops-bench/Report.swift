import Foundation

/// Prints results as they come (a table row each) and, at the end, one JSON line per result.
final class Report {
    let cores: Int
    private(set) var results: [BenchmarkResult] = []
    private var headerPrinted = false

    init(cores: Int) {
        self.cores = cores
    }

    func add(_ result: BenchmarkResult) {
        results.append(result)
        if !headerPrinted {
            headerPrinted = true
            print(Self.row("benchmark", "median", "min", "max", "unit", "runs", "notes"))
            print(String(repeating: "-", count: 150))
        }
        var notes = result.extra.map { "\($0.0)=\(Self.format($0.1))" }.joined(separator: " ")
        if !result.note.isEmpty { notes += (notes.isEmpty ? "" : "  ") + result.note }
        print(Self.row(result.name, Self.format(result.median), Self.format(result.min), Self.format(result.max),
                       result.unit, String(result.runs), notes))
        fflush(nil)
    }

    /// A result that could not be measured: still a row, with the reason.
    func skip(_ name: String, because reason: String) {
        add(BenchmarkResult(name: name, unit: "-", values: [], note: "skipped: \(reason)"))
    }

    func printJSON() {
        print("")
        for result in results { print(result.jsonLine(cores: cores)) }
    }

    static func row(_ c: String...) -> String {
        let widths = [44, 14, 14, 14, 10, 5]
        var out = ""
        for (index, cell) in c.enumerated() {
            if index < widths.count {
                let width = widths[index]
                let padded = index == 0 ? cell.padding(toLength: max(width, cell.count), withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, width - cell.count)) + cell
                out += padded + " "
            } else {
                out += " " + cell
            }
        }
        return out
    }

    /// Three significant figures at least, thousands grouped: 1,234,567 or 12.3 or 0.0123.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        if magnitude >= 1000 {
            let rounded = Int64(value.rounded())
            var digits = String(abs(rounded))
            var groups: [String] = []
            while digits.count > 3 {
                groups.insert(String(digits.suffix(3)), at: 0)
                digits.removeLast(3)
            }
            groups.insert(digits, at: 0)
            return (rounded < 0 ? "-" : "") + groups.joined(separator: ",")
        }
        if magnitude >= 100 { return String(format: "%.1f", value) }
        if magnitude >= 1 { return String(format: "%.2f", value) }
        if magnitude == 0 { return "0" }
        return String(format: "%.3g", value)
    }
}
