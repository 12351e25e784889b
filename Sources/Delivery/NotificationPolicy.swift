import AIOpsCore
import Rules

/// When to tell people about a workspace's incidents, as Alertmanager's route timing does.
///
/// Defaults (Alertmanager's):
/// - `groupWait` 30s: after the first firing series of a rule, wait this long so other series
///   of the same rule firing meanwhile go out in the same message.
/// - `groupInterval` 5m: after a rule's group was notified, new series (and resolutions) of that
///   rule are notified at most this often.
/// - `repeatInterval` 4h: a still-firing incident is notified again after this long. Zero
///   disables reminders (a zero interval would otherwise remind on every tick).
/// - `sendResolved` true: tell when a notified incident resolves.
///
/// A rule's `NotifyOverrides` apply on top with `applying(_:)`.
public struct NotificationPolicy: Sendable, Hashable, Codable {
    public var groupWait: PromDuration
    public var groupInterval: PromDuration
    public var repeatInterval: PromDuration
    public var sendResolved: Bool

    public init(
        groupWait: PromDuration = .seconds(30), groupInterval: PromDuration = .minutes(5),
        repeatInterval: PromDuration = .hours(4), sendResolved: Bool = true
    ) {
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
        self.sendResolved = sendResolved
    }

    /// Alertmanager's defaults: 30s, 5m, 4h, resolved messages on.
    public static let `default` = NotificationPolicy()

    /// This policy with a rule's overrides; nil fields keep this policy's values.
    public func applying(_ overrides: NotifyOverrides?) -> NotificationPolicy {
        guard let overrides else { return self }
        var result = self
        if let value = overrides.groupWait { result.groupWait = value }
        if let value = overrides.groupInterval { result.groupInterval = value }
        if let value = overrides.repeatInterval { result.repeatInterval = value }
        if let value = overrides.sendResolved { result.sendResolved = value }
        return result
    }
}
