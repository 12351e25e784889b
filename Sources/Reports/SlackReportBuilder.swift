import AIOpsCore
import Incidents
import Rules

/// Builds Slack incoming-webhook messages from incidents: firing, reminder ("still firing"),
/// resolved, each for one incident or grouped (several series of one rule in one message);
/// `message(for:kind:workspace:now:)` picks the right one.
///
/// Pure and deterministic: the time and workspace come in as parameters, so the same input
/// always yields the same payload. Every value that comes from metrics, labels or filled-in
/// advice is escaped (`SlackMrkdwn.escape`), so a label cannot mention `<!channel>` or plant
/// a link; only the runbook URL becomes a link, and only when it is a plain `http(s)` URL.
/// Every message stays within `limits`: long values are cut visibly with `…`, long lists end
/// with `…and N more`, and nothing is left for Slack to reject.
public struct SlackReportBuilder: Sendable {
    /// The labels that name a workload, shown as fields in this order when present.
    public static let defaultKeyLabels = ["namespace", "pod", "container", "instance", "job"]

    public var limits: SlackLimits
    public var keyLabels: [String]
    /// The most columns a sparkline takes; longer histories are grouped into columns.
    public var sparklineWidth: Int
    /// The URL `aiops` is reached at by people (`--external-url`), for links to its own pages
    /// (`RulePage`); nil: no such links. Leave nil until the web view serves rule pages.
    public var externalURL: String?

    // Budgets (characters) for the parts of a message, chosen so a firing message's parts
    // add up to about the message budget even when every value is huge; `fitToBudget`
    // shrinks whatever is left over.
    static let fallbackBudget = 300
    static let summaryBudget = 1500
    static let fieldTitleBudget = 100
    static let fieldValueBudget = 300
    static let otherLabelsBudget = 1000
    static let stepBudget = 500
    static let stepsBudget = 2500
    static let groupStepsBudget = 1500
    static let seriesLineBudget = 300
    static let contextElementBudget = 300
    static let runbookURLBudget = 1000

    public init(limits: SlackLimits = .slack, keyLabels: [String] = SlackReportBuilder.defaultKeyLabels, sparklineWidth: Int = 60) {
        self.limits = limits
        self.keyLabels = keyLabels
        self.sparklineWidth = max(1, min(sparklineWidth, 200))
    }

    /// The message for an incident event: `firing` or `resolved`.
    public func message(for event: IncidentEvent, workspace: String, now: Timestamp) -> SlackMessage {
        switch event {
        case .firing(let incident): return firing(incident, workspace: workspace, now: now)
        case .resolved(let incident): return resolved(incident, workspace: workspace, now: now)
        }
    }

    // MARK: Firing

    /// The full report of one firing incident: header, advice summary, series and state
    /// fields, other labels, sparkline, steps, runbook link.
    /// - Parameters:
    ///   - now: the time the duration so far is measured to.
    ///   - workspace: shown as a field; omitted when empty.
    public func firing(_ incident: Incident, workspace: String, now: Timestamp) -> SlackMessage {
        let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
        var blocks: [SlackBlock] = [header(prefix: "\(incident.severity.slackEmoji) \(facts.severityWord): ", name: incident.rule)]
        if let summary = summarySection(incident.advice.summary) { blocks.append(summary) }

        var seriesFields: [SlackText] = []
        if !facts.metric.isEmpty { seriesFields.append(field("Metric", facts.metric)) }
        if !workspace.isEmpty { seriesFields.append(field("Workspace", workspace)) }
        for label in facts.keyLabels { seriesFields.append(field(label.name, label.value)) }
        blocks.append(contentsOf: sections(fields: seriesFields))

        var stateFields = [field("Detector", facts.detectorText), field("Since", facts.sinceText)]
        if let fired = facts.firedText { stateFields.append(field("Fired", fired)) }
        stateFields.append(field("Observed", facts.observedText))
        if let expected = facts.expectedText { stateFields.append(field("Expected", expected)) }
        if let growth = facts.growthText { stateFields.append(field("Growth", growth)) }
        if let limit = facts.limitText { stateFields.append(field("Limit", limit)) }
        blocks.append(contentsOf: sections(fields: stateFields))

        if !facts.otherLabels.isEmpty {
            let text = "Labels: " + escapedList(facts.otherLabels.map { "\($0.name)=\($0.value)" }, budget: Self.otherLabelsBudget - 8)
            blocks.append(.context([.mrkdwn(text)]))
        }
        if let sparkline = sparklineSection(incident) { blocks.append(sparkline) }
        if let steps = stepsSection(incident.advice.steps, budget: Self.stepsBudget) { blocks.append(steps) }
        blocks.append(footer(runbookURL: runbookURL(incident), extra: [.mrkdwn("Incident " + escaped(SlackMrkdwn.oneLine(incident.id), Self.contextElementBudget - 9))]))

        let fallback = "\(facts.severityWord): \(incident.rule) — \(facts.metric) \(facts.seriesText) — \(facts.stateText)"
        return fitToBudget(SlackMessage(text: fallbackText(fallback), blocks: blocks))
    }

    // MARK: Resolved

    /// A short message: which series, how long it lasted, its peak score and why it resolved.
    /// - Parameter now: used as the end when the incident carries none.
    public func resolved(_ incident: Incident, workspace: String, now: Timestamp) -> SlackMessage {
        let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
        let series = escaped(SlackMrkdwn.oneLine("\(facts.metric) \(facts.seriesText)"), Self.otherLabelsBudget)
        let endText = TimeFormat.rfc3339(incident.end ?? now)
        let fired = facts.firedText.map { ", fired \($0)" } ?? ""
        let detail = "Lasted \(facts.durationText) (since \(facts.startText)\(fired), to \(endText)), peak score \(formatScore(incident.peakScore)), "
            + escaped(SlackMrkdwn.oneLine(facts.resolutionText), Self.contextElementBudget) + "."
        var context: [SlackText] = []
        if !workspace.isEmpty { context.append(.mrkdwn("Workspace " + escaped(SlackMrkdwn.oneLine(workspace), Self.contextElementBudget - 10))) }
        context.append(.mrkdwn("Incident " + escaped(SlackMrkdwn.oneLine(incident.id), Self.contextElementBudget - 9)))
        let blocks: [SlackBlock] = [
            header(prefix: ":white_check_mark: RESOLVED: ", name: incident.rule),
            .section(text: .mrkdwn(SlackMrkdwn.truncate(series + "\n" + detail, to: limits.maxSectionTextCharacters)), fields: nil),
            .context(context),
        ]
        let fallback = "RESOLVED: \(incident.rule) — \(facts.metric) \(facts.seriesText) — lasted \(facts.durationText), \(facts.resolutionText)"
        return fitToBudget(SlackMessage(text: fallbackText(fallback), blocks: blocks))
    }

    // MARK: Grouped

    /// One message for several firing series of one rule: the shared advice once and a
    /// compact line per series, most severe and highest score first. When the lines do not
    /// all fit the limits, the message lists what fits and ends with `…and N more series`.
    ///
    /// A single incident gets the full `firing` report. With no incidents the message has
    /// only the fallback text `No incidents`.
    ///
    /// The advice shown is the one whose summary most series share (ties: the first
    /// series'). `Incident` carries advice already filled in per series, so when the
    /// summaries differ the shown one is prefixed with the series it speaks of.
    public func grouped(_ incidents: [Incident], workspace: String, now: Timestamp) -> SlackMessage {
        if incidents.isEmpty { return SlackMessage(text: "No incidents", blocks: []) }
        if incidents.count == 1 { return firing(incidents[0], workspace: workspace, now: now) }
        let sorted = Self.sortedForReport(incidents)
        let lead = sorted[0]
        let severity = sorted.map(\.severity).max() ?? lead.severity
        let sameMetric = Set(sorted.map(\.labels.metricName)).count == 1
        let sameRule = Set(sorted.map(\.rule)).count == 1
        let mixedSeverity = Set(sorted.map(\.severity)).count > 1
        var advice = Self.sharedAdvice(sorted)
        if sorted.contains(where: { $0.advice.summary != advice.summary }), let example = sorted.first(where: { $0.advice == advice }) {
            // Filled-in summaries differ per series: say which series this one speaks of.
            let series = IncidentFacts(example, keyLabelNames: keyLabels, now: now).seriesText
            if !series.isEmpty { advice.summary = SlackMrkdwn.oneLine(series) + ": " + advice.summary }
        }
        let earliest = sorted.map(\.start).min() ?? lead.start
        let firstFired = sorted.compactMap(\.firedAt).min()

        var top: [SlackBlock] = [
            header(prefix: "\(severity.slackEmoji) \(severity.rawValue.uppercased()): ", name: lead.rule, suffix: " (\(sorted.count) series)")
        ]
        if let summary = summarySection(advice.summary) { top.append(summary) }
        var meta: [SlackText] = []
        if sameMetric, !lead.labels.metricName.isEmpty {
            meta.append(.mrkdwn("Metric " + escaped(SlackMrkdwn.oneLine(lead.labels.metricName), Self.contextElementBudget - 7)))
        }
        if !workspace.isEmpty { meta.append(.mrkdwn("Workspace " + escaped(SlackMrkdwn.oneLine(workspace), Self.contextElementBudget - 10))) }
        meta.append(.mrkdwn(Self.sinceText(earliest, now: now)))
        if let firstFired { meta.append(.mrkdwn("Fired \(TimeFormat.rfc3339(firstFired))")) }
        meta.append(.mrkdwn("\(sorted.count) series"))
        top.append(.context(meta))

        var bottom: [SlackBlock] = []
        let group = Self.groupSteps(sorted)
        if let steps = stepsSection(group?.steps ?? advice.steps, budget: Self.groupStepsBudget, legend: group?.legend) { bottom.append(steps) }
        // A context block must have at least one element: no runbook, no footer.
        if let runbook = advice.runbookURL ?? RulePage.url(rule: lead.rule, externalURL: externalURL), !runbook.isEmpty {
            bottom.append(footer(runbookURL: runbook, extra: []))
        }

        let fallbackSeries = sorted.prefix(5).map { IncidentFacts($0, keyLabelNames: keyLabels, now: now).seriesText }
        let fallback = "\(severity.rawValue.uppercased()): \(lead.rule) — \(sorted.count) series: "
            + fallbackSeries.joined(separator: ", ") + (sorted.count > 5 ? ", …" : "")
        return listMessage(text: fallbackText(fallback), top: top, bottom: bottom, count: sorted.count) { index in
            seriesLine(sorted[index], now: now, showMetric: !sameMetric, showRule: !sameRule, showSeverity: mixedSeverity)
        }
    }

    /// `top`, then as many of the `count` list lines as fit the limits (in sections of at
    /// most `maxSectionTextCharacters`), then `…and N more series` when some did not fit, then
    /// `bottom`. Lines are built only while they fit, so a huge group costs what is shown.
    func listMessage(text: String, top: [SlackBlock], bottom: [SlackBlock], count: Int, line: (Int) -> String) -> SlackMessage {
        // What the lines may take: the rest of the message budget and block count, keeping
        // room for the "…and N more series" line.
        let moreReserve = 40
        let fixed = SlackMessage(text: text, blocks: top + bottom)
        var remaining = limits.messageBudget - fixed.characterCount - moreReserve
        let blockRoom = limits.maxBlocks - top.count - bottom.count - 1
        var sectionTexts: [String] = []
        var current = ""
        var listed = 0
        for index in 0..<count {
            guard remaining > 0, blockRoom > 0 else { break }
            let line = line(index)
            let lineLength = SlackMrkdwn.length(line)
            var addition = current.isEmpty ? lineLength : lineLength + 1
            if SlackMrkdwn.length(current) + addition > limits.maxSectionTextCharacters {
                if sectionTexts.count + 2 > blockRoom { break }
                sectionTexts.append(current)
                current = ""
                addition = lineLength
            }
            if addition > remaining { break }
            current += current.isEmpty ? line : "\n" + line
            remaining -= addition
            listed += 1
        }
        if !current.isEmpty { sectionTexts.append(current) }
        var blocks = top
        blocks.append(contentsOf: sectionTexts.map { .section(text: .mrkdwn($0), fields: nil) })
        if listed < count {
            blocks.append(.context([.mrkdwn("…and \(count - listed) more series")]))
        }
        blocks.append(contentsOf: bottom)
        return fitToBudget(SlackMessage(text: text, blocks: blocks))
    }

    /// Most severe first, then highest peak score, then by series, so the message does not
    /// depend on the order incidents arrived in.
    static func sortedForReport(_ incidents: [Incident]) -> [Incident] {
        // A NaN score sorts last instead of breaking the ordering.
        let keyed = incidents.map { (incident: $0, score: $0.peakScore.isNaN ? -Double.infinity : $0.peakScore) }
        return keyed.sorted { a, b in
            if a.incident.severity != b.incident.severity { return a.incident.severity > b.incident.severity }
            if a.score != b.score { return a.score > b.score }
            // Label by label: decided by the first difference, without building series text.
            let (la, lb) = (a.incident.labels.labels, b.incident.labels.labels)
            if la != lb { return la.lexicographicallyPrecedes(lb) }
            return a.incident.id < b.incident.id
        }.map(\.incident)
    }

    /// The advice whose summary most incidents share; ties go to the earliest in `sorted`.
    static func sharedAdvice(_ sorted: [Incident]) -> RenderedAdvice {
        var counts: [String: Int] = [:]
        for incident in sorted { counts[incident.advice.summary, default: 0] += 1 }
        var best = sorted[0]
        for incident in sorted where counts[incident.advice.summary]! > counts[best.advice.summary]! {
            best = incident
        }
        return best.advice
    }

    func seriesLine(_ incident: Incident, now: Timestamp, showMetric: Bool, showRule: Bool, showSeverity: Bool) -> String {
        let facts = IncidentFacts(incident, keyLabelNames: keyLabels, now: now)
        let identity = Self.identity(incident, facts, showMetric: showMetric, showRule: showRule, showSeverity: showSeverity)
        return "• " + escaped(SlackMrkdwn.oneLine(identity + " — " + facts.stateText), Self.seriesLineBudget)
    }

    /// Which series a list line speaks of (unescaped): the key labels, with the metric, rule
    /// or severity in front when they differ within the group.
    static func identity(_ incident: Incident, _ facts: IncidentFacts, showMetric: Bool, showRule: Bool, showSeverity: Bool) -> String {
        var identity = facts.seriesText
        if showMetric || identity.isEmpty { identity = facts.metric + (identity.isEmpty ? "" : " " + identity) }
        if showRule { identity = incident.rule + ": " + identity }
        if showSeverity { identity = "\(incident.severity.rawValue.uppercased()) " + identity }
        return identity
    }

    // MARK: Parts

    func header(prefix: String, name: String, suffix: String = "") -> SlackBlock {
        let room = limits.maxHeaderCharacters - SlackMrkdwn.length(prefix) - SlackMrkdwn.length(suffix)
        let text = prefix + escaped(SlackMrkdwn.oneLine(name), max(1, room)) + suffix
        return .header(.plain(SlackMrkdwn.truncate(text, to: limits.maxHeaderCharacters)))
    }

    func summarySection(_ summary: String) -> SlackBlock? {
        let text = escaped(summary, min(Self.summaryBudget, limits.maxSectionTextCharacters))
        return text.isEmpty ? nil : .section(text: .mrkdwn(text), fields: nil)
    }

    /// `*Title*` over the value, both escaped and cut to their budgets.
    func field(_ title: String, _ value: String) -> SlackText {
        let text = "*" + escaped(SlackMrkdwn.oneLine(title), Self.fieldTitleBudget) + "*\n" + escaped(value, Self.fieldValueBudget)
        return .mrkdwn(SlackMrkdwn.truncate(text, to: limits.maxFieldCharacters))
    }

    /// Fields split into sections of at most `maxFieldsPerSection`.
    func sections(fields: [SlackText]) -> [SlackBlock] {
        let size = max(1, limits.maxFieldsPerSection)
        return stride(from: 0, to: fields.count, by: size).map {
            .section(text: nil, fields: Array(fields[$0..<min($0 + size, fields.count)]))
        }
    }

    /// `a=1, b=2, …` escaped, ending with `…and N more` when the budget runs out.
    func escapedList(_ items: [String], budget: Int) -> String {
        var out = ""
        for (index, item) in items.enumerated() {
            let piece = escaped(SlackMrkdwn.oneLine(item), Self.fieldValueBudget)
            let separator = out.isEmpty ? "" : ", "
            let more = index + 1 < items.count ? SlackMrkdwn.length(", …and \(items.count) more") : 0
            if SlackMrkdwn.length(out) + SlackMrkdwn.length(separator + piece) + more > budget {
                return out + (out.isEmpty ? "" : ", ") + "…and \(items.count - index) more"
            }
            out += separator + piece
        }
        return out
    }

    func sparklineSection(_ incident: Incident) -> SlackBlock? {
        guard !incident.recentValues.isEmpty else { return nil }
        // Two lines of at most 200 columns stay far under the section limit even if
        // `sparklineWidth` was set past what `init` allows.
        let sparkline = Sparkline(incident: incident, width: max(1, min(sparklineWidth, 200)))
        let metric = incident.labels.metricName
        var notes: [String] = []
        if let first = incident.recentTimestamps.first, let last = incident.recentTimestamps.last, last > first {
            notes.append("last " + PromDuration(milliseconds: last - first).humanized)
        }
        // Raw samples (before any `rate` transform), so no `/s`.
        if let low = sparkline.minimum, let high = sparkline.maximum {
            notes.append("min " + formatValue(low, metric: metric) + ", max " + formatValue(high, metric: metric))
        }
        if !sparkline.marker.isEmpty { notes.append("^ anomalous") }
        let title = "*Recent values*" + (notes.isEmpty ? "" : " (" + SlackMrkdwn.escape(notes.joined(separator: "; ")) + ")")
        var text = title + "\n```\n" + sparkline.line
        if !sparkline.marker.isEmpty { text += "\n" + sparkline.marker }
        text += "\n```"
        return .section(text: .mrkdwn(text), fields: nil)
    }

    /// `*What to do*` and the numbered steps that fit, then `…and N more steps`; `legend`
    /// (unescaped) in italics under them.
    func stepsSection(_ steps: [String], budget: Int, legend: String? = nil) -> SlackBlock? {
        let steps = steps.filter { !$0.isEmpty }
        guard !steps.isEmpty else { return nil }
        let legendLine = legend.map { "\n_" + escaped(SlackMrkdwn.oneLine($0), Self.stepBudget) + "_" } ?? ""
        let budget = min(budget, limits.maxSectionTextCharacters) - SlackMrkdwn.length(legendLine)
        var text = "*What to do*"
        for (index, step) in steps.enumerated() {
            let line = "\n\(index + 1). " + escaped(SlackMrkdwn.oneLine(step), Self.stepBudget)
            let moreReserve = index + 1 < steps.count ? 30 : 0
            if SlackMrkdwn.length(text) + SlackMrkdwn.length(line) + moreReserve > budget {
                text += "\n…and \(steps.count - index) more steps"
                break
            }
            text += line
        }
        return .section(text: .mrkdwn(text + legendLine), fields: nil)
    }

    /// The runbook of an incident: the rule's own `runbook`, else its page in the web view
    /// when `externalURL` is set, else none.
    func runbookURL(_ incident: Incident) -> String? {
        incident.advice.runbookURL ?? RulePage.url(rule: incident.rule, externalURL: externalURL)
    }

    /// `Since 2026-11-26T17:10:00Z (4h 50m)`: when the anomaly started and how long ago.
    static func sinceText(_ start: Timestamp, now: Timestamp) -> String {
        "Since \(TimeFormat.rfc3339(start)) (\(PromDuration(milliseconds: max(0, now - start)).humanized))"
    }

    /// The steps of a grouped message rendered once for all its series: labels the series
    /// share filled in, labels that differ as their name in capitals (`POD`), with a legend
    /// naming those; nil when the incidents do not carry one common template (records from
    /// before templates were kept), and the shared advice's steps are shown instead.
    static func groupSteps(_ incidents: [Incident]) -> (steps: [String], legend: String?)? {
        guard let template = incidents.first?.advice.template, !template.steps.isEmpty,
              incidents.allSatisfy({ $0.advice.template == template })
        else { return nil }
        var names: [String] = []
        for incident in incidents {
            for label in incident.labels.labels where !names.contains(label.name) { names.append(label.name) }
        }
        var common: [Label] = []
        var varying: Set<String> = []
        for name in names {
            let values = Set(incidents.map { $0.labels[name] ?? "" })
            if values.count == 1 {
                if let value = values.first, !value.isEmpty { common.append(Label(name, value)) }
            } else {
                varying.insert(name)
            }
        }
        let lead = incidents[0]
        let context = AdviceContext(
            labels: Labels(common), ruleName: lead.rule, severity: lead.severity, varyingLabels: varying, transform: lead.transform)
        let steps = Advice(summary: "", steps: template.steps).render(context).steps
        let shown = Advice(summary: "", steps: template.steps).labelNames.filter { varying.contains($0) }.map { $0.uppercased() }
        let legend = shown.isEmpty ? nil : shown.joined(separator: ", ") + ": each series' own, as listed above"
        return (steps, legend)
    }

    /// The runbook as a link when it is a safe `http(s)` URL, otherwise as escaped text; and
    /// `extra` elements.
    func footer(runbookURL: String?, extra: [SlackText]) -> SlackBlock {
        var elements: [SlackText] = []
        if let url = runbookURL, !url.isEmpty {
            if let link = SlackMrkdwn.link(url, label: "Runbook", maxLength: Self.runbookURLBudget) {
                elements.append(.mrkdwn(":book: " + link))
            } else {
                elements.append(.mrkdwn("Runbook: " + escaped(SlackMrkdwn.oneLine(url), Self.contextElementBudget)))
            }
        }
        elements.append(contentsOf: extra)
        return .context(Array(elements.prefix(limits.maxContextElements)))
    }

    func fallbackText(_ text: String) -> String {
        escaped(SlackMrkdwn.oneLine(text), Self.fallbackBudget)
    }

    /// Escapes and cuts to `limit`, without escaping more of a huge value than can be shown.
    func escaped(_ text: String, _ limit: Int) -> String {
        var end = text.startIndex
        var units = 0
        // Escaping only lengthens text, so a raw prefix longer than `limit` decides the cut.
        while end < text.endIndex, units <= limit {
            let next = text.index(after: end)
            units += text[end..<next].utf16.count
            end = next
        }
        return SlackMrkdwn.truncate(SlackMrkdwn.escape(String(text[..<end])), to: limit)
    }

    /// Shrinks the longest texts (never the header) until the message fits the budget.
    func fitToBudget(_ message: SlackMessage) -> SlackMessage {
        var message = message
        let floor = 40
        while message.characterCount > limits.messageBudget {
            let excess = message.characterCount - limits.messageBudget
            var longest: (block: Int, slot: Int, length: Int)?
            for (b, block) in message.blocks.enumerated() {
                let texts: [SlackText]
                switch block {
                case .section(let text, let fields): texts = (text.map { [$0] } ?? []) + (fields ?? [])
                case .context(let elements): texts = elements
                case .header, .divider: texts = []
                }
                for (slot, text) in texts.enumerated() where SlackMrkdwn.length(text.text) > (longest?.length ?? floor) {
                    longest = (b, slot, SlackMrkdwn.length(text.text))
                }
            }
            guard let target = longest else { break }
            let newLimit = max(floor, target.length - excess)
            message.blocks[target.block] = Self.truncating(message.blocks[target.block], slot: target.slot, to: newLimit)
        }
        return message
    }

    static func truncating(_ block: SlackBlock, slot: Int, to limit: Int) -> SlackBlock {
        switch block {
        case .section(var text, var fields):
            if let t = text {
                if slot == 0 { text = SlackText(type: t.type, text: SlackMrkdwn.truncate(t.text, to: limit), emoji: t.emoji) }
                else { fields![slot - 1].text = SlackMrkdwn.truncate(fields![slot - 1].text, to: limit) }
            } else {
                fields![slot].text = SlackMrkdwn.truncate(fields![slot].text, to: limit)
            }
            return .section(text: text, fields: fields)
        case .context(var elements):
            elements[slot].text = SlackMrkdwn.truncate(elements[slot].text, to: limit)
            return .context(elements)
        case .header, .divider:
            return block
        }
    }
}
