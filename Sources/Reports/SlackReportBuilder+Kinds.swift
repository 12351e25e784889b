import AIOpsCore
import Incidents
import Rules

/// The entry point by report kind, and the reminder and grouped resolved messages.
extension SlackReportBuilder {
    /// The message for `incidents` (one rule, as a notification batch holds them) of `kind`:
    ///
    /// | kind | one incident | several |
    /// |---|---|---|
    /// | firing | `firing` | `grouped` |
    /// | reminder | `reminder` | `groupedReminder` |
    /// | resolved | `resolved` | `groupedResolved` |
    ///
    /// - Parameter now: when the message is decided (event time in a replay): durations of
    ///   open incidents run to it.
    public func message(for incidents: [Incident], kind: ReportKind, workspace: String, now: Timestamp) -> SlackMessage {
        switch kind {
        case .firing: return grouped(incidents, workspace: workspace, now: now)
        case .reminder: return groupedReminder(incidents, workspace: workspace, now: now)
        case .resolved: return groupedResolved(incidents, workspace: workspace, now: now)
        }
    }

    // MARK: Reminder

    /// A short message for an incident notified a while ago and still firing: which series,
    /// since when (the anomaly's start, as in every message, and when it fired), and how it
    /// stands now: the incident carries its latest facts, so a leak four hours on says what
    /// its growth and time to the limit are now, as of its latest sample.
    public func reminder(_ incident: Incident, workspace: String, now: Timestamp) -> SlackMessage {
        let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
        let series = escaped(SlackMrkdwn.oneLine("\(facts.metric) \(facts.seriesText)"), Self.otherLabelsBudget)
        let detail = Self.reminderText(incident, facts, now: now, budget: Self.seriesLineBudget) { self.escaped($0, $1) }
        var extra: [SlackText] = []
        if !workspace.isEmpty { extra.append(.mrkdwn("Workspace " + escaped(SlackMrkdwn.oneLine(workspace), Self.contextElementBudget - 10))) }
        extra.append(.mrkdwn("Incident " + escaped(SlackMrkdwn.oneLine(incident.id), Self.contextElementBudget - 9)))
        let blocks: [SlackBlock] = [
            header(prefix: "\(incident.severity.slackEmoji) \(facts.severityWord) (still firing): ", name: incident.rule),
            .section(text: .mrkdwn(SlackMrkdwn.truncate(series + "\n" + detail, to: limits.maxSectionTextCharacters)), fields: nil),
            footer(runbookURL: runbookURL(incident), extra: extra),
        ]
        let fallback = "\(facts.severityWord) (still firing): \(incident.rule) — \(facts.metric) \(facts.seriesText) — since \(facts.sinceText), now \(facts.stateText)"
        return fitToBudget(SlackMessage(text: fallbackText(fallback), blocks: blocks))
    }

    /// `Since <start> (4h 50m), fired <time>. Now, as of <time>: <state>.`, the state
    /// passed through `escape` with `budget`.
    static func reminderText(_ incident: Incident, _ facts: IncidentFacts, now: Timestamp, budget: Int, escape: (String, Int) -> String) -> String {
        let fired = facts.firedText.map { ", fired \($0)" } ?? ""
        return "Since \(facts.sinceText)\(fired). Now, as of \(TimeFormat.rfc3339(incident.lastSeen)): "
            + escape(SlackMrkdwn.oneLine(facts.stateText), budget) + "."
    }

    /// One reminder for several still-firing series of one rule: a line per series with
    /// since when it is anomalous and how it stands now, most severe and highest score
    /// first, ending with `…and N more series` when not all fit. One incident gets
    /// `reminder`; none, the fallback text `No incidents`.
    public func groupedReminder(_ incidents: [Incident], workspace: String, now: Timestamp) -> SlackMessage {
        if incidents.isEmpty { return SlackMessage(text: "No incidents", blocks: []) }
        if incidents.count == 1 { return reminder(incidents[0], workspace: workspace, now: now) }
        let group = GroupShape(incidents)
        let severity = group.severity
        let earliest = group.sorted.map(\.start).min() ?? group.lead.start
        var meta = groupMeta(group, workspace: workspace)
        meta.insert(.mrkdwn(Self.sinceText(earliest, now: now)), at: meta.count - 1)
        if let fired = group.sorted.compactMap(\.firedAt).min() {
            meta.insert(.mrkdwn("Fired \(TimeFormat.rfc3339(fired))"), at: meta.count - 1)
        }
        let top: [SlackBlock] = [
            header(prefix: "\(severity.slackEmoji) \(severity.rawValue.uppercased()) (still firing): ", name: group.lead.rule, suffix: " (\(group.sorted.count) series)"),
            .context(meta),
        ]
        let advice = Self.sharedAdvice(group.sorted)
        let runbook = advice.runbookURL ?? RulePage.url(rule: group.lead.rule, externalURL: externalURL)
        // A context block must have at least one element: no runbook, no footer.
        let bottom: [SlackBlock] = (runbook ?? "").isEmpty ? [] : [footer(runbookURL: runbook, extra: [])]
        let fallback = "\(severity.rawValue.uppercased()) (still firing): \(group.lead.rule) — " + fallbackSeries(group, now: now)
        return listMessage(text: fallbackText(fallback), top: top, bottom: bottom, count: group.sorted.count) { index in
            let incident = group.sorted[index]
            let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
            let identity = Self.identity(incident, facts, showMetric: !group.sameMetric, showRule: !group.sameRule, showSeverity: group.mixedSeverity)
            let line = identity + " — since " + facts.sinceText + "; now, as of \(TimeFormat.rfc3339(incident.lastSeen)): " + facts.stateText
            return "• " + escaped(SlackMrkdwn.oneLine(line), Self.seriesLineBudget)
        }
    }

    // MARK: Grouped resolved

    /// One short message for several series of one rule that resolved together: a line per
    /// series with how long it lasted and why it ended, ending with `…and N more series`
    /// when not all fit. One incident gets `resolved`; none, the fallback text `No incidents`.
    public func groupedResolved(_ incidents: [Incident], workspace: String, now: Timestamp) -> SlackMessage {
        if incidents.isEmpty { return SlackMessage(text: "No incidents", blocks: []) }
        if incidents.count == 1 { return resolved(incidents[0], workspace: workspace, now: now) }
        let group = GroupShape(incidents)
        let top: [SlackBlock] = [
            header(prefix: ":white_check_mark: RESOLVED: ", name: group.lead.rule, suffix: " (\(group.sorted.count) series)"),
            .context(groupMeta(group, workspace: workspace)),
        ]
        let fallbackLines = group.sorted.prefix(5).map { incident -> String in
            let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
            return "\(facts.seriesText) (lasted \(facts.durationText))"
        }
        let fallback = "RESOLVED: \(group.lead.rule) — \(group.sorted.count) series: "
            + fallbackLines.joined(separator: ", ") + (group.sorted.count > 5 ? ", …" : "")
        return listMessage(text: fallbackText(fallback), top: top, bottom: [], count: group.sorted.count) { index in
            let incident = group.sorted[index]
            let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
            let identity = Self.identity(incident, facts, showMetric: !group.sameMetric, showRule: !group.sameRule, showSeverity: false)
            let line = identity + " — lasted \(facts.durationText) (since \(facts.startText), to \(TimeFormat.rfc3339(incident.end ?? now))), "
                + facts.resolutionText
            return "• " + escaped(SlackMrkdwn.oneLine(line), Self.seriesLineBudget)
        }
    }

    // MARK: Parts

    /// What a grouped message needs to know about its incidents, computed once.
    struct GroupShape {
        /// `sortedForReport` order; never empty.
        let sorted: [Incident]
        let lead: Incident
        /// The most severe.
        let severity: Severity
        let sameMetric: Bool
        let sameRule: Bool
        let mixedSeverity: Bool

        init(_ incidents: [Incident]) {
            sorted = SlackReportBuilder.sortedForReport(incidents)
            lead = sorted[0]
            severity = sorted.map(\.severity).max() ?? lead.severity
            sameMetric = Set(sorted.map(\.labels.metricName)).count == 1
            sameRule = Set(sorted.map(\.rule)).count == 1
            mixedSeverity = Set(sorted.map(\.severity)).count > 1
        }
    }

    /// `Metric m` (when shared), `Workspace w` (when set), `N series`: context elements.
    func groupMeta(_ group: GroupShape, workspace: String) -> [SlackText] {
        var meta: [SlackText] = []
        if group.sameMetric, !group.lead.labels.metricName.isEmpty {
            meta.append(.mrkdwn("Metric " + escaped(SlackMrkdwn.oneLine(group.lead.labels.metricName), Self.contextElementBudget - 7)))
        }
        if !workspace.isEmpty { meta.append(.mrkdwn("Workspace " + escaped(SlackMrkdwn.oneLine(workspace), Self.contextElementBudget - 10))) }
        meta.append(.mrkdwn("\(group.sorted.count) series"))
        return meta
    }

    /// `N series: a, b, c, …` (five at most), unescaped, for fallback texts.
    func fallbackSeries(_ group: GroupShape, now: Timestamp) -> String {
        let names = group.sorted.prefix(5).map { IncidentFacts($0, keyLabelNames: keyLabels, now: now).seriesText }
        return "\(group.sorted.count) series: " + names.joined(separator: ", ") + (group.sorted.count > 5 ? ", …" : "")
    }

}
