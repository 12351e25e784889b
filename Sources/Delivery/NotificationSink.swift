import Foundation

/// Where notification text goes when a workspace has no webhook.
public protocol NotificationSink: Sendable {
    /// Shows one rendered notification to a person.
    func deliver(_ text: String, batch: NotificationBatch)
}

/// Prints notifications to standard output, separated by a blank line.
public struct StdoutNotificationSink: NotificationSink {
    private let write: @Sendable (String) -> Void

    /// - Parameter write: Receives each message with its trailing newline; defaults to stdout.
    public init(write: @escaping @Sendable (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }) {
        self.write = write
    }

    public func deliver(_ text: String, batch: NotificationBatch) {
        var out = text
        if !out.hasSuffix("\n") { out += "\n" }
        write(out + "\n")
    }
}
