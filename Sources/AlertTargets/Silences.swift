import AIOpsCore
import Delivery
import Synchronization

/// Every workspace's silences, and the filter that makes the Slack notifier (and the text
/// printed for workspaces without a webhook) honour them (`Notifier.setFilter`).
///
/// Alerts sent to Alertmanager are not filtered here: Alertmanager has silences of its own,
/// and muting before it would hide the alert from its UI and inhibition.
public final class Silences: NotificationFilter {
    private let stores = Mutex<[String: SilenceStore]>([:])
    // Never change after init.
    private let dataDirectory: String?
    private let settings: SilenceStore.Settings
    private let log: DeliveryLog

    /// Loads each workspace's `silences.json` from `dataDirectory` (nil: in memory only).
    public init(workspaces: [String], dataDirectory: String?, settings: SilenceStore.Settings = .init(), now: Timestamp, log: DeliveryLog = .standardError) {
        self.dataDirectory = dataDirectory
        self.settings = settings
        self.log = log
        setWorkspaces(workspaces, now: now)
    }

    /// Keeps the stores of `workspaces` that exist, loads the others', drops the rest (a
    /// reload added or removed workspaces; a removed one's file stays on disk).
    public func setWorkspaces(_ workspaces: [String], now: Timestamp) {
        let current = stores.withLock { $0 }
        var next: [String: SilenceStore] = [:]
        for workspace in workspaces {
            next[workspace] = current[workspace]
                ?? SilenceStore(workspace: workspace, dataDirectory: dataDirectory, settings: settings, now: now, log: log)
        }
        stores.withLock { $0 = next }
    }

    public func store(workspace: String) -> SilenceStore? { stores.withLock { $0[workspace] } }

    public var workspaces: [String] { stores.withLock { $0.keys.sorted() } }

    public func admit(_ batch: NotificationBatch, now: Timestamp) -> NotificationBatch? {
        guard let store = store(workspace: batch.workspace) else { return batch }
        return store.admit(batch, now: now)
    }
}
