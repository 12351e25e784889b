import Foundation
import Advice
import AIOpsCore
import Delivery
import Fixtures
import Incidents
import Replay
import Rules
import WebView

enum ReplayCommand {
    /// Where notifications go: nowhere (plain replay), standard output, or a webhook.
    enum SlackMode {
        case off
        case dryRun
        case post(WebhookURL)
    }

    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(
                arguments, valued: ["rules", "metric", "format", "scores", "slack", "allow-webhook-host", "plan", "summary-at", "time-zone", "html"],
                flags: ["help", "quiet", "slack-dry-run", "daily-summary"])
        } catch {
            Console.error("\(error); see 'aiops replay --help'")
            return 2
        }
        if parsed.has("help") {
            print(Help.replay)
            return 0
        }
        guard !parsed.positionals.isEmpty else {
            Console.error("replay needs at least one FILE; see 'aiops replay --help'")
            return 2
        }
        // A webhook URL given where a FILE goes would be echoed by the "cannot read" error.
        if let index = parsed.positionals.firstIndex(where: { $0.contains("://") }) {
            Console.error("FILE argument \(index + 1) looks like a URL (not shown); a webhook URL goes after --slack")
            return 2
        }
        guard let format = parsed.outputFormat() else { return 2 }
        let slack: SlackMode
        switch slackMode(parsed) {
        case .success(let mode): slack = mode
        case .failure(let error):
            Console.error("\(error); see 'aiops replay --help'")
            return 2
        }
        guard let metric = parsed.seriesIdentity() else { return 2 }
        let summarySettings: AdviceSettings?
        switch dailySummarySettings(parsed) {
        case .success(let settings): summarySettings = settings
        case .failure(let error):
            Console.error("\(error); see 'aiops replay --help'")
            return 2
        }
        guard let rules = RulesLocator.load(parsed.value("rules")) else { return 1 }
        let replayer = Replayer(rules: rules)
        let slackReplay = SlackReplay(rules: rules)
        let quiet = parsed.has("quiet")
        var notifier: Notifier?
        if case .post(let webhook) = slack {
            do {
                notifier = try slackReplay.notifier(webhook: webhook, log: DeliveryLog { line in
                    // Lines are redacted by the Delivery module; --quiet keeps only errors.
                    if !quiet || line.hasPrefix("delivery error") { Console.progress(line) }
                })
            } catch {
                Console.error("--slack: \(error)")
                return 1
            }
        }
        defer { notifier?.shutdown() }

        let files = parsed.positionals
        let html = parsed.value("html")
        if let html, html.isEmpty || files.contains(html) {
            Console.error("--html needs an output file that is not one of the inputs")
            return 2
        }
        var htmlFiles: [ReplayReport.File] = []
        let showProgress = !quiet && files.count > 1
        var failures = 0
        var totalIncidents = 0
        var totalNotifications = 0
        for (index, file) in files.enumerated() {
            let result: ReplayResult
            var batches: [NotificationBatch] = []
            let summaries = summarySettings.map { DailySummaryReplay(workspace: SlackReplay.workspace, settings: $0) }
            do {
                if case .off = slack {
                    result = try replayer.replay(path: file, metric: metric, keepScores: parsed.value("scores") != nil, summaries: summaries, keepBands: html != nil)
                } else {
                    let replay = try slackReplay.replay(path: file, metric: metric, replayer: replayer, keepScores: parsed.value("scores") != nil, summaries: summaries, keepBands: html != nil)
                    result = replay.result
                    batches = replay.batches
                }
            } catch {
                Console.error("\(error)")
                failures += 1
                continue
            }
            totalIncidents += result.incidents.count
            let composed = summaries?.summaries ?? []
            if !slack.isOff {
                // Summaries go out with the incident reports, in event-time order.
                let prepared = composed.map { summary in
                    let rendered = summary.rendered()
                    return NotificationBatch.prepared(PreparedMessage(slackPayload: rendered.slackPayload, text: rendered.text),
                                                      workspace: SlackReplay.workspace, rule: "daily-summary", at: summary.at)
                }
                batches = (batches + prepared).enumerated().sorted { ($0.element.decidedAt, $0.offset) < ($1.element.decidedAt, $1.offset) }.map(\.element)
            }
            totalNotifications += batches.count
            if html != nil { htmlFiles.append(ReplayHTML.file(result, metric: metric, rules: rules)) }
            if let requested = parsed.value("scores") {
                let path = ScoresWriter.path(for: file, requested: requested, inputCount: files.count)
                do {
                    try ScoresWriter.write(result, to: path)
                } catch {
                    Console.error("\(path): cannot write scores: \(error.localizedDescription)")
                    failures += 1
                }
            }
            // The text output carries the note; JSON and payload lines stay machine-readable.
            var printsText = format != "json"
            if case .dryRun = slack { printsText = false }
            if !printsText, let note = ReplayText.seriesNote(result) { Console.progress("\(file): \(note)") }
            switch (slack, format) {
            case (.dryRun, _):
                for line in slackReplay.payloadLines(batches) { print(line) }
            case (_, "json"):
                for incident in result.incidents { print(IncidentJSON.line(incident, file: files.count > 1 ? file : nil)) }
            default:
                print(ReplayText.render(result))
            }
            if case .off = slack {
                for summary in composed {
                    if format == "json" {
                        print(summaryJSON(summary))
                    } else {
                        print("")
                        print(summary.rendered().text)
                    }
                }
            }
            if let notifier {
                do {
                    try notifier.send(batches)
                } catch {
                    preconditionFailure("replay batches name the notifier's only workspace: \(error)")
                }
            }
            if showProgress {
                let notes = slack.isOff ? "" : ", \(batches.count) notifications"
                Console.progress("[\(index + 1)/\(files.count)] \(file): \(result.samples) samples, \(result.incidents.count) incidents\(notes)")
            }
        }
        if showProgress {
            Console.progress("replayed \(files.count - failures) of \(files.count) files, \(totalIncidents) incidents")
        }
        if let html {
            let source = parsed.value("rules") ?? RulesLocator.defaultDirectory() ?? "the built-in auto rule only"
            do {
                try ReplayHTML.write(htmlFiles, to: html, rules: "\(rules.rules.count) rules from \(source)", version: Help.version)
                if !quiet { Console.progress("wrote \(html): \(htmlFiles.reduce(0) { $0 + $1.plots.count }) plots; open it in a browser") }
            } catch {
                Console.error("\(html): cannot write the report: \(error.localizedDescription)")
                failures += 1
            }
        }
        if let notifier {
            if !quiet, totalNotifications > 0 {
                Console.progress("slack: waiting for \(totalNotifications) notification\(totalNotifications == 1 ? "" : "s") to be delivered")
            }
            let flush = notifier.flush(timeout: SlackReplay.flushTimeout(count: totalNotifications))
            if let problem = SlackReplay.deliveryProblem(flush, statuses: notifier.webhookStatuses()) {
                Console.error("slack: \(problem)")
                failures += 1
            } else if !quiet {
                Console.progress("slack: \(flush.delivered) notification\(flush.delivered == 1 ? "" : "s") delivered")
            }
        } else if case .dryRun = slack, !quiet {
            Console.progress("slack dry run: \(totalNotifications) payload\(totalNotifications == 1 ? "" : "s")")
        }
        return failures == 0 ? 0 : 1
    }

    /// `--daily-summary [--plan hobby|pro] [--summary-at HH:MM] [--time-zone ZONE]`, checked;
    /// nil settings without `--daily-summary`.
    static func dailySummarySettings(_ parsed: ParsedArguments) -> Result<AdviceSettings?, UsageError> {
        guard parsed.has("daily-summary") else {
            for option in ["plan", "summary-at", "time-zone"] where parsed.value(option) != nil {
                return .failure(UsageError(message: "--\(option) only applies to --daily-summary"))
            }
            return .success(nil)
        }
        let plan = parsed.value("plan") ?? "pro"
        guard plan == "pro" || plan == "hobby" else {
            return .failure(UsageError(message: "--plan: \"\(plan)\" is not a plan (hobby or pro)"))
        }
        do {
            let schedule = try DailySummarySchedule(at: parsed.value("summary-at") ?? "09:00", timeZone: parsed.value("time-zone") ?? "UTC")
            return .success(AdviceSettings(includesAdvice: plan == "pro", schedule: schedule))
        } catch {
            let option = if case .invalidValue("timeZone", _) = error { "--time-zone" } else { "--summary-at" }
            return .failure(UsageError(message: "\(option): \(error.reason)"))
        }
    }

    /// `--format json` line of a daily summary: its time, incidents, risks and advice.
    static func summaryJSON(_ summary: DailySummary) -> String {
        let object: [String: Any] = [
            "dailySummary": TimeFormat.rfc3339(summary.at),
            "workspace": summary.workspace,
            "incidents": summary.incidents.map(\.id),
            "open": summary.open.map(\.id),
            "risks": summary.risks.map(\.text),
            "advice": summary.advice.map { AdviceJSON.object($0) } ?? NSNull(),
        ]
        return AdviceJSON.serialize(object)
    }

    /// `--slack` / `--slack-dry-run` / `--allow-webhook-host`, checked. Errors never contain
    /// the URL (`WebhookURL` reasons name the host or scheme at most).
    static func slackMode(_ parsed: ParsedArguments) -> Result<SlackMode, UsageError> {
        let url = parsed.value("slack")
        let hosts = parsed.values("allow-webhook-host")
        if parsed.has("slack-dry-run") {
            if url != nil { return .failure(UsageError(message: "--slack and --slack-dry-run cannot be combined")) }
            if parsed.value("format") != nil {
                return .failure(UsageError(message: "--slack-dry-run prints the payloads instead of the incident list: it cannot be combined with --format"))
            }
        }
        if !hosts.isEmpty && url == nil {
            return .failure(UsageError(message: "--allow-webhook-host only applies to --slack"))
        }
        guard var url else { return .success(parsed.has("slack-dry-run") ? .dryRun : .off) }
        // `--slack @FILE` (curl's convention) keeps the URL out of the process list and the
        // shell history.
        if url.hasPrefix("@") {
            let path = String(url.dropFirst())
            // FileHandle rather than String(contentsOfFile:), which fails on /dev/null and pipes.
            guard let handle = FileHandle(forReadingAtPath: path),
                  let data = try? handle.readToEnd() ?? Data(), let text = String(data: data, encoding: .utf8)
            else {
                return .failure(UsageError(message: "--slack @\(path): cannot read the file"))
            }
            url = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if url.isEmpty { return .failure(UsageError(message: "--slack @\(path): the file is empty")) }
        }
        do {
            return .success(.post(try WebhookURL(url, allowedHosts: Set(hosts))))
        } catch {
            var message = "--slack: \(error.description)"
            if case .invalidWebhookURL(let reason) = error, reason.hasPrefix("host ") {
                message += "; use --allow-webhook-host HOST to allow another host for this run"
            }
            return .failure(UsageError(message: message))
        }
    }
}

extension ReplayCommand.SlackMode {
    var isOff: Bool {
        if case .off = self { return true }
        return false
    }
}
