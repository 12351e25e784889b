import AIOpsCore

/// Decides, just before a batch is rendered and queued, which of its incidents people may be
/// told about: how silences mute the Slack notifier (and the printed text) without touching
/// the policy's grouping and timers.
///
/// Called on the notifier's delivery thread (or `send`'s caller) for every batch, so at most
/// a few times a minute; never per sample.
public protocol NotificationFilter: Sendable {
    /// `batch` without its muted incidents; nil when none is left.
    func admit(_ batch: NotificationBatch, now: Timestamp) -> NotificationBatch?
}
