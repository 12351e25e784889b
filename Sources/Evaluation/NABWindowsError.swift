/// Why a NAB windows file could not be loaded; every case names the windows file and, where
/// there is one, the data file and the window entry (0-based, as written) at fault.
public enum NABWindowsError: Error, Equatable, CustomStringConvertible {
    /// The windows file could not be read.
    case unreadable(path: String, reason: String)
    /// The text is not JSON, or its top level is not an object.
    case notAnObject(source: String, reason: String)
    /// A data file's value is not a list of windows.
    case notAList(source: String, file: String)
    /// A window is not a list of exactly two strings.
    case malformedEntry(source: String, file: String, entry: Int)
    /// A window boundary is not a `YYYY-MM-DD HH:MM:SS[.ffffff]` timestamp.
    case badTimestamp(source: String, file: String, entry: Int, text: String)
    /// A window ends before it starts.
    case reversed(source: String, file: String, entry: Int)
    /// A window overlaps another window of the same file.
    case overlapping(source: String, file: String, entry: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read NAB windows: \(reason)"
        case let .notAnObject(source, reason):
            return "\(source): NAB windows must be a JSON object of file -> [[start, end], ...]: \(reason)"
        case let .notAList(source, file):
            return "\(source): \(file): windows must be a list of [start, end] pairs"
        case let .malformedEntry(source, file, entry):
            return "\(source): \(file): window \(entry) is not a [start, end] pair of strings"
        case let .badTimestamp(source, file, entry, text):
            return "\(source): \(file): window \(entry): bad timestamp \"\(text)\""
        case let .reversed(source, file, entry):
            return "\(source): \(file): window \(entry) ends before it starts"
        case let .overlapping(source, file, entry):
            return "\(source): \(file): window \(entry) overlaps another window"
        }
    }
}
