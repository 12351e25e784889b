import AIOpsCore
import Incidents
import Reports
import Rules

/// The daily summary as one Slack Block Kit message.
///
/// Layout: a header; the date, time and plan; the incidents of the last 24 hours by severity
/// with the worst few and how long each took to resolve; what is still open; the risks ahead;
/// then, for Pro, scaling advice (with the commands) and cost advice (with the monthly saving
/// and the `resources:` blocks to paste). A summary with nothing to say is one line. Every
/// value from labels or names is escaped, lists end with `…and N more`, and the message
/// keeps within `SlackLimits` like the incident reports.
public struct DailySummarySlackBuilder: Sendable {
    public var limits: SlackLimits
    /// Lines per list (worst incidents, open, risks, scaling, cost).
    public var listLength: Int
    /// `resources:` blocks shown in the cost section (the rest are in the recommendations API).
    public var yamlBlocks: Int

    static let sectionBudget = 1400

    public init(limits: SlackLimits = .slack, listLength: Int = 5, yamlBlocks: Int = 2) {
        self.limits = limits
        self.listLength = max(1, listLength)
        self.yamlBlocks = max(0, yamlBlocks)
    }

    public func message(for summary: DailySummary) -> SlackMessage {
        let zone = summary.schedule
        let date = zone.localDate(at: summary.at)
        let workspace = SlackMrkdwn.oneLine(summary.workspace)
        if summary.isQuiet {
            let line = "Daily summary for \(workspace) (\(date)): all quiet. No incidents in the last 24 hours, nothing open, no risks ahead"
                + (summary.includesAdvice ? ", no scaling or cost advice." : ".")
            return SlackMessage(text: SlackMrkdwn.escaped(line, limit: 300),
                                blocks: [.section(text: .mrkdwn(":white_check_mark: " + SlackMrkdwn.escaped(line, limit: limits.maxSectionTextCharacters - 20)), fields: nil)])
        }
        var blocks: [SlackBlock] = [
            .header(.plain(SlackMrkdwn.truncate(":sunrise: Daily summary: " + SlackMrkdwn.escape(workspace), to: limits.maxHeaderCharacters))),
            .context([.mrkdwn(SlackMrkdwn.escape("\(date) \(zone.localTime(at: summary.at)) · last 24 hours · plan \(summary.includesAdvice ? "Pro" : "Hobby")"))]),
        ]
        blocks.append(section(incidentsText(summary)))
        if !summary.open.isEmpty {
            let lines = summary.open.map { "• " + incidentLine($0, summary: summary, open: true) }
            blocks.append(section("*Still open (\(summary.open.count))*\n" + list(lines)))
        }
        if !summary.risks.isEmpty {
            let lines = summary.risks.map { risk -> String in
                var text = "• " + Self.riskEmoji(risk.kind) + " " + SlackMrkdwn.escape(risk.text)
                if let from = risk.from { text += " from \(zone.localTime(at: from))" }
                return text
            }
            blocks.append(section("*Risks ahead*\n" + list(lines)))
        }
        var footer: [String] = []
        if let advice = summary.advice {
            blocks.append(.divider)
            let scaling = summary.scalingFindings
            if scaling.isEmpty {
                blocks.append(section("*Scaling*\nNo Deployment's forecast needs other replicas, and nothing is throttled or short of memory."))
            } else {
                blocks.append(section("*Scaling*\n" + list(scaling.map { "• " + scalingLine($0, zone: zone) })))
            }
            let cost = summary.costFindings
            if cost.isEmpty {
                blocks.append(section("*Cost*\nEvery request is within 30% of its usage (p95 CPU, peak memory over \(days(advice)))."))
            } else {
                let total = cost.reduce(0) { $0 + max(0, $1.monthlySaving ?? 0) }
                var text = "*Cost: \(SlackMrkdwn.escape(advice.pricing.format(total))) a month to save*\n" + list(cost.map { "• " + costLine($0, pricing: advice.pricing) })
                let yaml = cost.filter { $0.kind == .overProvisioned && $0.yaml != nil }.prefix(yamlBlocks)
                for finding in yaml {
                    text += "\n`\(SlackMrkdwn.escape(finding.workload.description))`\n```\n" + SlackMrkdwn.escape(finding.yaml!) + "\n```"
                }
                blocks.append(section(text))
            }
            footer.append("Usage over \(days(advice)); prices \(advice.pricing.formatUnit(advice.pricing.coreHour)) per core-hour, \(advice.pricing.formatUnit(advice.pricing.gibHour)) per GiB-hour")
            footer.append("All advice: GET /api/v1/recommendations")
        } else {
            footer.append("Scaling and cost advice come with the Pro plan.")
        }
        blocks.append(.context(footer.map { .mrkdwn(SlackMrkdwn.escaped($0, limit: 300)) }))
        return fit(SlackMessage(text: fallback(summary), blocks: blocks))
    }

    // MARK: Parts

    func incidentsText(_ summary: DailySummary) -> String {
        guard !summary.incidents.isEmpty else { return "*Incidents (24 h)*\nNone in the last 24 hours." }
        let counts = summary.countsBySeverity.map { "\(Self.severityEmoji($0.severity)) \($0.count) \($0.severity.rawValue)" }.joined(separator: ", ")
        let resolved = summary.incidents.count - summary.open.count
        var text = "*Incidents (24 h): \(summary.incidents.count)*, \(counts); \(resolved) resolved, \(summary.open.count) still open\n"
        text += "Worst:\n" + list(summary.incidents.map { "• " + incidentLine($0, summary: summary, open: $0.end == nil) }, limit: 3)
        return text
    }

    func incidentLine(_ incident: Incident, summary: DailySummary, open: Bool) -> String {
        let zone = summary.schedule
        let fired = incident.firedAt ?? incident.start
        var series: [String] = []
        for key in ["namespace", "pod", "container", "instance", "job", "mountpoint"] {
            if let value = incident.labels[key], !value.isEmpty { series.append(value) }
        }
        let what = series.isEmpty ? incident.labels.metricName : series.joined(separator: " ")
        var line = "\(Self.severityEmoji(incident.severity)) *\(SlackMrkdwn.escape(incident.rule))* `\(SlackMrkdwn.escape(SlackMrkdwn.oneLine(what)))`"
        let firedText = zone.localDate(at: fired) == zone.localDate(at: summary.at) ? zone.localTime(at: fired) : zone.localDayTime(at: fired)
        if open {
            line += " fired \(firedText), open for \(ValueFormatter.duration(seconds: Double(summary.at - fired) / 1000))"
        } else if let end = incident.end {
            line += " fired \(firedText), resolved after \(ValueFormatter.duration(seconds: Double(end - fired) / 1000))"
        }
        return line
    }

    func scalingLine(_ finding: Finding, zone: DailySummarySchedule) -> String {
        let name = "*\(SlackMrkdwn.escape(finding.workload.description))*"
        guard finding.kind == .predictiveScaling, let scaling = finding.scaling else {
            return ":warning: " + name + (finding.container.map { " (\(SlackMrkdwn.escape($0)))" } ?? "") + ": "
                + SlackMrkdwn.escape(finding.summary.droppingPrefix("\(finding.workload) container \(finding.container ?? ""): "))
                + (finding.commands.first.map { "\n`" + SlackMrkdwn.escape($0) + "`" } ?? "")
        }
        let amount = { (value: Double) in scaling.signal == "cpu" ? ResourceQuantity.cores(value) : ResourceQuantity.format2(value) + "/s" }
        var line = ":chart_with_upwards_trend: " + name + ": "
        let base = "kubectl scale \(finding.workload.kubectlName) -n \(finding.workload.namespace)"
        if let from = scaling.exceedsFrom, let until = scaling.exceedsUntil, let by = scaling.scaleBy {
            line += "forecast \(amount(scaling.peakUpper)) at \(zone.localTime(at: scaling.peakTime)) needs \(scaling.neededReplicas) replicas"
                + " (\(scaling.replicas) serve \(amount(scaling.capacity)) at \(ResourceQuantity.percent(scaling.targetUtilisation))"
                + (scaling.signal == "cpu" ? " of \(ResourceQuantity.cpu(scaling.capacityPerReplica)) requests" : "") + ")."
                + " Scale to *\(scaling.neededReplicas)* by \(zone.localTime(at: by)), back to \(scaling.replicas) after \(zone.localTime(at: until))"
            _ = from
            if let share = scaling.throttledShare, share > 0.1 { line += "; throttled \(ResourceQuantity.percent(share)) at the last peaks" }
            line += ".\n`" + SlackMrkdwn.escape("\(base) --replicas=\(scaling.neededReplicas)") + "`"
            if let quietFrom = scaling.quietFrom, let quietUntil = scaling.quietUntil, let quiet = scaling.quietReplicas {
                line += "\nQuiet \(zone.localTime(at: quietFrom)) to \(zone.localTime(at: quietUntil)): \(quiet) replicas suffice."
            }
        } else if let quietFrom = scaling.quietFrom, let quietUntil = scaling.quietUntil, let quiet = scaling.quietReplicas {
            line += "from \(zone.localTime(at: quietFrom)) to \(zone.localTime(at: quietUntil)) the forecast needs \(quiet) of its \(scaling.replicas) replicas."
                + "\n`" + SlackMrkdwn.escape("\(base) --replicas=\(quiet)") + "`"
        }
        return line
    }

    func costLine(_ finding: Finding, pricing: Pricing) -> String {
        let name = "*\(SlackMrkdwn.escape(finding.workload.description))*"
        let saving = finding.monthlySaving.map { " saves *\(SlackMrkdwn.escape(pricing.format($0)))* a month" } ?? ""
        guard finding.kind == .overProvisioned, let usage = finding.usage else {
            return ":zzz: " + name + ": " + SlackMrkdwn.escape(finding.summary.droppingPrefix("\(finding.workload) "))
                + (finding.commands.first.map { "\n`" + SlackMrkdwn.escape($0) + "`" } ?? "")
        }
        func pair(_ cpu: Double?, _ memory: Double?) -> String {
            [cpu.map(ResourceQuantity.cpu), memory.map(ResourceQuantity.memory)].compactMap { $0 }.joined(separator: " / ")
        }
        var used: [String] = []
        if let p95 = usage.cpuP95 { used.append("p95 \(ResourceQuantity.cores(p95))") }
        if let peak = usage.memoryPeak { used.append("peak \(ResourceQuantity.bytes(peak))") }
        return ":money_with_wings: " + name + " (" + SlackMrkdwn.escape(usage.name) + "): requests "
            + pair(usage.cpuRequest, usage.memoryRequest) + " for " + used.joined(separator: " and ")
            + "; recommended " + pair(usage.recommendedCPU, usage.recommendedMemory) + saving + "."
    }

    func days(_ advice: AdviceReport) -> String {
        ResourceQuantity.format1(advice.windowDays) + " days"
    }

    func fallback(_ summary: DailySummary) -> String {
        var parts = ["\(summary.incidents.count) incident\(summary.incidents.count == 1 ? "" : "s") in 24 h", "\(summary.open.count) open"]
        if !summary.risks.isEmpty { parts.append("\(summary.risks.count) risk\(summary.risks.count == 1 ? "" : "s") ahead") }
        if let advice = summary.advice {
            let saving = summary.costFindings.reduce(0) { $0 + max(0, $1.monthlySaving ?? 0) }
            if !summary.scalingFindings.isEmpty { parts.append("\(summary.scalingFindings.count) scaling advice") }
            if saving > 0 { parts.append("\(advice.pricing.format(saving))/month to save") }
        }
        return SlackMrkdwn.escaped("Daily summary for \(SlackMrkdwn.oneLine(summary.workspace)) (\(summary.schedule.localDate(at: summary.at))): " + parts.joined(separator: ", "), limit: 300)
    }

    /// The first `limit` lines, then `…and N more`, within the section budget.
    func list(_ lines: [String], limit: Int? = nil) -> String {
        let shown = min(lines.count, limit ?? listLength)
        var out: [String] = []
        var used = 0
        for line in lines.prefix(shown) {
            let cut = SlackMrkdwn.truncate(line, to: 700)
            if used + SlackMrkdwn.length(cut) > Self.sectionBudget - 40 { break }
            out.append(cut)
            used += SlackMrkdwn.length(cut) + 1
        }
        if out.count < lines.count { out.append("…and \(lines.count - out.count) more") }
        return out.joined(separator: "\n")
    }

    func section(_ text: String) -> SlackBlock {
        .section(text: .mrkdwn(SlackMrkdwn.truncate(text, to: limits.maxSectionTextCharacters)), fields: nil)
    }

    /// Drops YAML and then trailing sections until the message fits the budget and block count.
    func fit(_ message: SlackMessage) -> SlackMessage {
        var message = message
        while (message.characterCount > limits.messageBudget || message.blocks.count > limits.maxBlocks) && message.blocks.count > 2 {
            message.blocks.remove(at: message.blocks.count - 2)  // keep the footer
        }
        return message
    }

    static func severityEmoji(_ severity: Severity) -> String {
        switch severity {
        case .critical: return ":red_circle:"
        case .warning: return ":warning:"
        case .info: return ":information_source:"
        }
    }

    static func riskEmoji(_ kind: Risk.Kind) -> String {
        switch kind {
        case .memoryLeak: return ":chart_with_upwards_trend:"
        case .diskFilling: return ":floppy_disk:"
        case .limitAhead: return ":hourglass_flowing_sand:"
        case .forecastPeak: return ":crystal_ball:"
        }
    }
}

extension String {
    func droppingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
