import AIOpsCore
import AlertTargets
import ScoreExport

extension MetricsRenderer {
    /// The Alertmanager, silence and score remote-write series of the workspaces in
    /// `workspaces` (those the request may see), each labelled `workspace`; nothing for an
    /// anonymous request. Alertmanagers and receivers appear by their redacted URLs.
    static func renderAlerting(_ alerting: ServerAlerting?, workspaces: Set<String>, now: Timestamp) -> [UInt8] {
        guard let alerting, !workspaces.isEmpty else { return [] }
        var w = PrometheusTextWriter()
        let silenced = alerting.silences.workspaces.filter(workspaces.contains)
        if !silenced.isEmpty {
            w.family("aiops_silences", .gauge, help: "Silences by state (expired ones are kept 120h).")
            w.family("aiops_notifications_silenced_total", .counter, help: "Incidents left out of Slack (or printed) messages because a silence muted them.")
            for name in silenced {
                guard let store = alerting.silences.store(workspace: name) else { continue }
                let counts = store.counts(now: now)
                for state in Silence.State.allCases {
                    w.sample("aiops_silences", ["state": state.rawValue, "workspace": name], counts[state] ?? 0)
                }
                w.sample("aiops_notifications_silenced_total", ["workspace": name], store.mutedCount)
            }
        }
        let alertmanagers = alerting.alertmanager.statuses.filter { workspaces.contains($0.workspace) }
        if !alertmanagers.isEmpty {
            w.family("aiops_alertmanager_alerts_sent_total", .counter, help: "Alerts in requests Alertmanager accepted (each resend counts).")
            w.family("aiops_alertmanager_alerts_rejected_total", .counter, help: "Alerts in requests Alertmanager refused with a 4xx (not retried).")
            w.family("aiops_alertmanager_errors_total", .counter, help: "Failed requests to Alertmanager by reason (http_400, http_503, connection_refused, timeout, ...).")
            w.family("aiops_alertmanager_retries_total", .counter, help: "Requests to Alertmanager retried after a failure.")
            w.family("aiops_alertmanager_failing", .gauge, help: "1 while the latest request to the Alertmanager failed.")
            w.family("aiops_alertmanager_alerts", .gauge, help: "Alerts being sent, by state (resolved ones are sent for 15m).")
            w.family("aiops_alertmanager_alerts_dropped_total", .counter, help: "Alerts dropped because the workspace tracked the most it may.")
            for status in alertmanagers {
                let labels: KeyValuePairs<String, String> = ["alertmanager": status.alertmanager, "workspace": status.workspace]
                w.sample("aiops_alertmanager_alerts_sent_total", labels, status.alertsSent)
                w.sample("aiops_alertmanager_alerts_rejected_total", labels, status.alertsRejected)
                for (reason, count) in status.errors.sorted(by: { $0.key < $1.key }) {
                    w.sample("aiops_alertmanager_errors_total", ["alertmanager": status.alertmanager, "reason": reason, "workspace": status.workspace], count)
                }
                w.sample("aiops_alertmanager_retries_total", labels, status.retried)
                w.sample("aiops_alertmanager_failing", labels, status.failing ? 1 : 0)
            }
            var seen = Set<String>()
            for status in alertmanagers where seen.insert(status.workspace).inserted {
                w.sample("aiops_alertmanager_alerts", ["state": "firing", "workspace": status.workspace], status.firing)
                w.sample("aiops_alertmanager_alerts", ["state": "resolved", "workspace": status.workspace], status.resolved)
                w.sample("aiops_alertmanager_alerts_dropped_total", ["workspace": status.workspace], status.dropped)
            }
        }
        let writes = alerting.scoreWriter.statuses.filter { workspaces.contains($0.workspace) }
        if !writes.isEmpty {
            w.family("aiops_score_samples_sent_total", .counter, help: "Score samples remote-written (2xx).")
            w.family("aiops_score_samples_dropped_total", .counter, help: "Score samples dropped, by reason (queue_full, rejected, retries_exhausted).")
            w.family("aiops_score_samples_queued", .gauge, help: "Score samples waiting to be remote-written.")
            w.family("aiops_score_write_errors_total", .counter, help: "Failed score remote-write requests by reason.")
            for status in writes {
                w.sample("aiops_score_samples_sent_total", ["workspace": status.workspace], status.samplesSent)
                for reason in ["queue_full", "rejected", "retries_exhausted"] {
                    w.sample("aiops_score_samples_dropped_total", ["reason": reason, "workspace": status.workspace], status.samplesDropped[reason] ?? 0)
                }
                w.sample("aiops_score_samples_queued", ["workspace": status.workspace], status.samplesQueued)
                for (reason, count) in status.errors.sorted(by: { $0.key < $1.key }) {
                    w.sample("aiops_score_write_errors_total", ["reason": reason, "workspace": status.workspace], count)
                }
            }
        }
        return w.bytes
    }
}
