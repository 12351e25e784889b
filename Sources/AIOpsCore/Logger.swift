#if canImport(Glibc)
import Glibc
#endif

/// The one logger of `aiops serve`: every line carries a timestamp (RFC 3339, UTC,
/// milliseconds), a level and the component it comes from, as logfmt (Prometheus' default)
/// or one JSON object per line:
///
/// ```
/// ts=2026-03-01T12:00:00.000Z level=info component=snapshot msg="workspace team-a: loaded 12 series ..."
/// {"ts":"2026-03-01T12:00:00.000Z","level":"info","component":"snapshot","msg":"workspace team-a: ..."}
/// ```
///
/// A value: copy it freely; `with(component:)` gives a copy that names another component.
/// Time comes from an injected clock, so tests read exact lines. Messages must already be
/// free of secrets (tokens, webhook URLs): the logger does not redact.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warn, error

        /// `debug`, `info`, `warn`, `error`: the names `--log.level` takes and lines carry.
        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warn"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public enum Format: String, Sendable, CaseIterable {
        case logfmt
        case json
    }

    /// Lines below this level are dropped.
    public var level: Level
    public var format: Format
    /// Written as `component=` on every line ("" leaves it out).
    public var component: String
    let clock: any WallClock
    let write: @Sendable (String) -> Void
    /// When set, `write` receives the bare message instead of a formatted line (see `init(messages:)`).
    let bare: Bool

    /// - Parameters:
    ///   - write: receives each whole line, without the trailing newline; standard error by default.
    public init(level: Level = .info, format: Format = .logfmt, component: String = "", clock: any WallClock = SystemClock(),
                write: @escaping @Sendable (String) -> Void = Logger.standardError) {
        self.level = level
        self.format = format
        self.component = component
        self.clock = clock
        self.write = write
        self.bare = false
    }

    /// A logger that hands `write` the bare messages of every level (no timestamp, level or
    /// component), for callers and tests that only look at what was said.
    public init(messages write: @escaping @Sendable (String) -> Void) {
        self.level = .debug
        self.format = .logfmt
        self.component = ""
        self.clock = SystemClock()
        self.write = write
        self.bare = true
    }

    /// Drops everything.
    public static let silent = Logger(level: .error, write: { _ in })

    /// Writes `line` and a newline to file descriptor 2 in one `write(2)` (lines of several
    /// threads do not interleave), retrying a short write.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.append(10)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// This logger naming `component` on its lines.
    public func with(component: String) -> Logger {
        var copy = self
        copy.component = component
        return copy
    }

    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message(), fields)
    }

    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message(), fields)
    }

    public func warn(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warn, message(), fields)
    }

    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message(), fields)
    }

    /// Writes one line at `level` (nothing below `self.level`). `fields` follow `msg`.
    public func log(_ level: Level, _ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        guard level >= self.level else { return }
        if bare {
            write(message())
            return
        }
        write(line(level, message(), fields, at: clock.now()))
    }

    /// The formatted line (no newline).
    public func line(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, String> = [:], at time: Timestamp) -> String {
        var pairs: [(String, String)] = [("ts", Self.timestamp(time)), ("level", level.name)]
        if !component.isEmpty { pairs.append(("component", component)) }
        pairs.append(("msg", message))
        for (key, value) in fields { pairs.append((key, value)) }
        switch format {
        case .logfmt:
            return pairs.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + pairs.map { "\"\(Self.jsonEscaped($0.0))\":\"\(Self.jsonEscaped($0.1))\"" }.joined(separator: ",") + "}"
        }
    }

    /// `2026-03-01T12:00:00.000Z`: RFC 3339, UTC, always three fraction digits (lines align).
    public static func timestamp(_ ms: Timestamp) -> String {
        let text = TimeFormat.rfc3339(ms)
        return ms % 1000 == 0 ? String(text.dropLast()) + ".000Z" : text
    }

    /// A logfmt value: bare when it has no space, `=`, quote or control character, else
    /// quoted with `\"`, `\\`, `\n`, `\r`, `\t` escaped (as `jsonEscaped` does).
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == 0x7F }
        guard needsQuotes else { return value }
        return "\"" + jsonEscaped(value) + "\""
    }

    /// A JSON string's contents (RFC 8259 escapes; DEL too, which logfmt readers want escaped
    /// and JSON allows either way).
    static func jsonEscaped(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
