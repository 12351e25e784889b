import AIOpsCore
import Synchronization

/// Counters of requests that belong to no workspace (bad tokens, unknown paths), and when
/// the server started.
final class ServerMetrics: Sendable {
    let started: Timestamp
    let unattributed = Mutex(WorkspaceCounters())

    init(started: Timestamp) {
        self.started = started
    }

    func count(code: Int, reason: String) {
        unattributed.withLock { $0.countRequest(code: code, reason: reason) }
    }
}
