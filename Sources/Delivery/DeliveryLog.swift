import AIOpsCore
import Foundation

/// The module's log: one line per event through an injectable writer.
///
/// Takes messages that are already redacted: build them from `WebhookURL.redacted`, webhook
/// IDs and `DeliveryError` descriptions, never from a URL string or a Foundation error.
public struct DeliveryLog: Sendable {
    public enum Level: String, Sendable { case info, warning, error }

    private let write: @Sendable (Level, String) -> Void

    /// - Parameter write: Receives whole lines (`delivery <level>: <message>`) without the
    ///   trailing newline.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = { level, message in write("delivery \(level.rawValue): \(message)") }
    }

    /// Lines through `logger` (component `delivery`), at its levels: `warning` is `warn`.
    public init(logger: Logger) {
        let logger = logger.with(component: "delivery")
        self.write = { level, message in
            switch level {
            case .info: logger.info(message)
            case .warning: logger.warn(message)
            case .error: logger.error(message)
            }
        }
    }

    /// Lines to standard error.
    public static let standardError = DeliveryLog { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Discards everything.
    public static let silent = DeliveryLog { _ in }

    /// Writes `delivery <level>: <message>`; `message` must already be redacted.
    public func log(_ level: Level, _ message: String) {
        write(level, message)
    }
}
