import AIOpsCore
import Delivery

/// Every workspace's silences, and the filter that makes the Slack notifier (and the text
/// printed for workspaces without a webhook) honour them (`Notifier.setFilter`).
///
/// Alerts sent to Alertmanager are not filtered here: Alertmanager has silences of its own,
/// and muting before it would hide the alert from its UI and inhibition.
public final class Silences: NotificationFilter {
    private let stores: [String: SilenceStore]

    /// Loads each workspace's `silences.json` from `dataDirectory` (nil: in memory only).
    public init(workspaces: [String], dataDirectory: String?, settings: SilenceStore.Settings = .init(), now: Timestamp, log: DeliveryLog = .standardError) {
        var stores: [String: SilenceStore] = [:]
        for workspace in workspaces {
            stores[workspace] = SilenceStore(workspace: workspace, dataDirectory: dataDirectory, settings: settings, now: now, log: log)
        }
        self.stores = stores
    }

    public func store(workspace: String) -> SilenceStore? { stores[workspace] }

    public var workspaces: [String] { stores.keys.sorted() }

    public func admit(_ batch: NotificationBatch, now: Timestamp) -> NotificationBatch? {
        guard let store = stores[batch.workspace] else { return batch }
        return store.admit(batch, now: now)
    }
}
