/// Which report to build for a set of incidents of one rule: the same three kinds a
/// notification policy decides (Delivery's `NotificationKind` maps onto it one to one;
/// Reports cannot see Delivery, which depends on it).
public enum ReportKind: String, Sendable, CaseIterable {
    /// First notification of the incidents: the full report (one) or the grouped one (many).
    case firing
    /// Still firing after the repeat interval: a short "still firing since" message.
    case reminder
    /// Over: which series, and how long each lasted.
    case resolved
}
