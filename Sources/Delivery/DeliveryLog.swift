import Foundation

/// The module's log: one line per event through an injectable writer.
///
/// Takes messages that are already redacted: build them from `WebhookURL.redacted`, webhook
/// IDs and `DeliveryError` descriptions, never from a URL string or a Foundation error.
public struct DeliveryLog: Sendable {
    public enum Level: String, Sendable { case info, warning, error }

    private let write: @Sendable (String) -> Void

    /// - Parameter write: Receives whole lines without the trailing newline.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Lines to standard error.
    public static let standardError = DeliveryLog { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Discards everything.
    public static let silent = DeliveryLog { _ in }

    /// Writes `delivery <level>: <message>`; `message` must already be redacted.
    public func log(_ level: Level, _ message: String) {
        write("delivery \(level.rawValue): \(message)")
    }
}
