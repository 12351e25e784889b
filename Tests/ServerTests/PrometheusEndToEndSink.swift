import Delivery
import Synchronization

/// Keeps every notification the notifier prints, so the test can check what a person would
/// have been told.
final class PrometheusEndToEndSink: NotificationSink {
    struct Delivered: Sendable {
        var workspace: String
        var rule: String
        var kind: NotificationKind
        var text: String
    }

    private let delivered = Mutex<[Delivered]>([])

    var all: [Delivered] { delivered.withLock { $0 } }

    func deliver(_ text: String, batch: NotificationBatch) {
        delivered.withLock { $0.append(Delivered(workspace: batch.workspace, rule: batch.rule, kind: batch.kind, text: text)) }
    }
}
