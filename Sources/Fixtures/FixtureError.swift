/// Why a fixture file could not be read, and where: `file:line: reason`.
///
/// A struct rather than an enum because the set of reasons grows with each format;
/// `code` is the closed part tests and callers can match on.
public struct FixtureError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The broad kind of failure.
    public enum Code: String, Sendable {
        /// The file could not be opened or read (the reason carries the errno text).
        case unreadable
        /// Neither the extension nor the content says which format the file is in.
        case unknownFormat
        /// Malformed structure: bad JSON, bad label syntax, a wrong column count.
        case syntax
        /// A timestamp that does not parse or is out of range.
        case timestamp
        /// A sample value that does not parse.
        case value
        /// An exposition sample without a timestamp: replay needs event time.
        case missingTimestamp
        /// Well-formed input this reader does not take (e.g. a `vector` query result).
        case unsupported
        /// The same series twice in one query_range result.
        case duplicateSeries
        /// The file holds no samples at all.
        case empty
    }

    /// The path or name the caller gave.
    public var file: String
    /// 1-based line number, when the failure has one.
    public var line: Int?
    public var code: Code
    /// What is wrong, in words (with a column where one helps).
    public var reason: String

    public init(file: String, line: Int?, code: Code, reason: String) {
        self.file = file
        self.line = line
        self.code = code
        self.reason = reason
    }

    /// `file:line: reason`, or `file: reason` when there is no line.
    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}
