import Foundation
import Reports

/// The renderer the server and replay use: Slack Block Kit payloads from `SlackReportBuilder`
/// and terminal text from `TextReportRenderer`, chosen by the batch's kind and size.
///
/// | batch | Slack message |
/// |---|---|
/// | firing, one / many | full report / grouped report |
/// | reminder, one / many | "still firing since" / one line per series |
/// | resolved, one / many | short resolved / one line per series with how long it lasted |
///
/// `now` of every message is the batch's `decidedAt` (event time in a replay), so the same
/// batch always renders to the same bytes.
public struct ReportNotificationRenderer: NotificationRenderer {
    public var slack: SlackReportBuilder
    public var text: TextReportRenderer

    public init(slack: SlackReportBuilder = SlackReportBuilder(), text: TextReportRenderer = TextReportRenderer()) {
        self.slack = slack
        self.text = text
    }

    /// The Slack message of a batch, before encoding.
    public func message(for batch: NotificationBatch) -> SlackMessage {
        slack.message(for: batch.incidents, kind: ReportKind(batch.kind), workspace: batch.workspace, now: batch.decidedAt)
    }

    /// Compact JSON with sorted keys (`SlackMessage.jsonData()`); a prepared message as it is.
    public func slackPayload(for batch: NotificationBatch) -> [UInt8] {
        if let prepared = batch.prepared { return prepared.slackPayload }
        let message = message(for: batch)
        if let data = try? message.jsonData() { return [UInt8](data) }
        // JSONEncoder does not fail on strings and arrays; should it ever, the fallback
        // text alone still tells people something happened.
        let fallback = (try? JSONEncoder().encode(["text": message.text])) ?? Data(#"{"text":"aiops notification"}"#.utf8)
        return [UInt8](fallback)
    }

    public func text(for batch: NotificationBatch) -> String {
        if let prepared = batch.prepared { return prepared.text }
        return text.render(batch.incidents, kind: ReportKind(batch.kind), workspace: batch.workspace, now: batch.decidedAt)
    }
}

extension ReportKind {
    /// The report for a notification of `kind`: they correspond one to one.
    public init(_ kind: NotificationKind) {
        switch kind {
        case .firing: self = .firing
        case .reminder: self = .reminder
        case .resolved: self = .resolved
        // A summary carries its prepared message and is never rendered from incidents; should
        // one come without, its (empty) incident list renders as a firing report would.
        case .summary: self = .firing
        }
    }
}
