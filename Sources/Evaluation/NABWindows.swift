import AIOpsCore
import Foundation

/// NAB's labeled anomaly windows (`windows.json`): data file path, relative to the data
/// directory (`realKnownCause/nyc_taxi.csv`), to its windows in time order.
///
/// Boundaries are written `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) and both ends are inclusive,
/// so a window is a `ClosedRange<Timestamp>`.
public struct NABWindows: Sendable, Equatable {
    /// Windows per data file, sorted by start and not overlapping.
    public var windowsByFile: [String: [ClosedRange<Timestamp>]]

    public init(windowsByFile: [String: [ClosedRange<Timestamp>]]) {
        self.windowsByFile = windowsByFile
    }

    /// The data files that have an entry, sorted.
    public var files: [String] { windowsByFile.keys.sorted() }

    /// The total number of windows over every file.
    public var count: Int { windowsByFile.values.reduce(0) { $0 + $1.count } }

    /// The windows of one data file (path relative to the data directory, `/`-separated);
    /// a file without an entry has no windows, as in NAB.
    public func windows(for relativePath: String) -> [ClosedRange<Timestamp>] {
        var path = Substring(relativePath)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return windowsByFile[String(path)] ?? []
    }

    /// Loads a windows file.
    /// - Throws: `NABWindowsError` naming the file and the entry at fault.
    public static func load(path: String) throws(NABWindowsError) -> NABWindows {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(data, source: path)
    }

    /// Parses the JSON text of a windows file.
    /// - Parameters:
    ///   - data: `{"dir/file.csv": [["start", "end"], ...], ...}`.
    ///   - source: where the text came from, for error messages.
    /// - Throws: `NABWindowsError` naming the data file and the entry at fault.
    public static func parse(_ data: Data, source: String = "windows.json") throws(NABWindowsError) -> NABWindows {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .notAnObject(source: source, reason: "not valid JSON")
        }
        guard let object = root as? [String: Any] else {
            throw .notAnObject(source: source, reason: "the top level is not an object")
        }
        var result: [String: [ClosedRange<Timestamp>]] = [:]
        for file in object.keys.sorted() {
            guard let entries = object[file] as? [Any] else { throw .notAList(source: source, file: file) }
            var windows: [(entry: Int, range: ClosedRange<Timestamp>)] = []
            for (entry, item) in entries.enumerated() {
                guard let pair = item as? [Any], pair.count == 2,
                      let startText = pair[0] as? String, let endText = pair[1] as? String
                else { throw .malformedEntry(source: source, file: file, entry: entry) }
                guard let start = TimeFormat.parse(startText) else {
                    throw .badTimestamp(source: source, file: file, entry: entry, text: startText)
                }
                guard let end = TimeFormat.parse(endText) else {
                    throw .badTimestamp(source: source, file: file, entry: entry, text: endText)
                }
                guard start <= end else { throw .reversed(source: source, file: file, entry: entry) }
                windows.append((entry, start...end))
            }
            // NAB's windows never overlap; the scorer relies on a row belonging to one window.
            windows.sort { $0.range.lowerBound < $1.range.lowerBound }
            for index in windows.indices.dropFirst()
            where windows[index].range.lowerBound <= windows[index - 1].range.upperBound {
                throw .overlapping(source: source, file: file, entry: max(windows[index].entry, windows[index - 1].entry))
            }
            result[file] = windows.map(\.range)
        }
        return NABWindows(windowsByFile: result)
    }
}
