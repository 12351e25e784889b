import AIOpsCore
import Delivery
import HTTPServer
import Store
import WarmStart

/// `GET /metrics` in the Prometheus text format.
///
/// Who sees what: without a token, the process's own metrics and totals without a workspace
/// label; with a workspace's token, also that workspace's series labelled `workspace`; with the
/// admin token, every workspace's. A workspace never sees another's.
enum MetricsRenderer {
    static func render(
        workspaces: [WorkspaceSnapshot], totals: WorkspaceSnapshot,
        http: HTTPServerStats?, webhooks: [WebhookStatus], warmStart: WarmStartStatistics? = nil, started: Timestamp, now: Timestamp
    ) -> [UInt8] {
        var w = PrometheusTextWriter()
        w.family("aiops_build_info", .gauge, help: "Version of aiops.")
        w.sample("aiops_build_info", ["version": AIOpsServer.version], 1)
        w.family("aiops_start_time_seconds", .gauge, help: "When the server started, in Unix seconds.")
        w.sample("aiops_start_time_seconds", [:], Double(started) / 1000)

        // Totals over every workspace, no workspace label.
        write(totals, into: &w, labelled: false)
        for snapshot in workspaces { write(snapshot, into: &w, labelled: true) }

        if let http {
            w.family("aiops_http_connections_open", .gauge, help: "Open HTTP connections.")
            w.sample("aiops_http_connections_open", [:], http.connectionsOpen)
            w.family("aiops_http_connections_total", .counter, help: "HTTP connections by outcome.")
            w.sample("aiops_http_connections_total", ["outcome": "accepted"], http.connectionsAccepted)
            w.sample("aiops_http_connections_total", ["outcome": "rejected_over_cap"], http.connectionsRejected)
            w.sample("aiops_http_connections_total", ["outcome": "timed_out"], http.connectionsTimedOut)
            w.family("aiops_http_parse_errors_total", .counter, help: "Requests the HTTP parser refused, by status.")
            for (status, count) in http.parseErrors.sorted(by: { $0.key < $1.key }) {
                w.sample("aiops_http_parse_errors_total", ["code": String(status)], count)
            }
            w.family("aiops_http_refused_before_body_total", .counter,
                     help: "Requests refused on their head, body unread: by the handler (401), or over the body budget (503).")
            for (status, count) in http.refusedOnHead.sorted(by: { $0.key < $1.key }) {
                w.sample("aiops_http_refused_before_body_total", ["code": String(status), "reason": "handler"], count)
            }
            w.sample("aiops_http_refused_before_body_total", ["code": "503", "reason": "body_budget"], http.refusedOverBodyBudget)
            w.family("aiops_http_body_bytes_held", .gauge, help: "Bytes reserved by request bodies in memory now.")
            w.sample("aiops_http_body_bytes_held", [:], http.bodyBytesHeld)
            w.family("aiops_http_body_bytes_limit", .gauge, help: "The body budget: bytes request bodies may hold at once.")
            w.sample("aiops_http_body_bytes_limit", [:], http.bodyBytesLimit)
        }
        if let warm = warmStart {
            w.family("aiops_warm_start_series_total", .counter,
                     help: "New series by warm-start result: ok (history replayed), empty (the source had none), failed (a query failed, or live samples outran the wait).")
            w.sample("aiops_warm_start_series_total", ["result": "ok"], warm.seriesWarmed)
            w.sample("aiops_warm_start_series_total", ["result": "empty"], warm.seriesEmpty)
            w.sample("aiops_warm_start_series_total", ["result": "failed"], warm.seriesFailed)
            w.family("aiops_warm_start_queries_total", .counter, help: "query_range requests to the warm-start source, by result.")
            w.sample("aiops_warm_start_queries_total", ["result": "ok"], warm.queriesSucceeded)
            w.sample("aiops_warm_start_queries_total", ["result": "failed"], warm.queriesFailed)
            w.family("aiops_warm_start_samples_total", .counter, help: "History samples replayed through detectors.")
            w.sample("aiops_warm_start_samples_total", [:], warm.samples)
            w.family("aiops_warm_start_query_seconds", .summary, help: "Time in query_range requests (answer and JSON decoding included).")
            w.sample("aiops_warm_start_query_seconds_sum", [:], Double(warm.queryNanoseconds) / 1e9)
            w.sample("aiops_warm_start_query_seconds_count", [:], warm.queriesSucceeded + warm.queriesFailed)
            w.family("aiops_warm_start_replay_seconds_total", .counter, help: "Time replaying history through detectors.")
            w.sample("aiops_warm_start_replay_seconds_total", [:], Double(warm.replayNanoseconds) / 1e9)
            w.family("aiops_warm_start_series_queued", .gauge, help: "Series waiting for their history query.")
            w.sample("aiops_warm_start_series_queued", [:], warm.seriesQueued)
        }
        if !webhooks.isEmpty {
            w.family("aiops_notifications_sent_total", .counter, help: "Slack messages delivered (HTTP 200 ok).")
            w.family("aiops_notifications_retried_total", .counter, help: "Delivery attempts retried.")
            w.family("aiops_notifications_failed_total", .counter, help: "Messages given up, by reason.")
            w.family("aiops_notifications_queued", .gauge, help: "Messages waiting to be delivered.")
            w.family("aiops_webhook_failing", .gauge, help: "1 when the workspace's webhook's last message was given up.")
            for status in webhooks {
                let ws = status.webhook
                w.sample("aiops_notifications_sent_total", ["workspace": ws], status.sent)
                w.sample("aiops_notifications_retried_total", ["workspace": ws], status.retried)
                for (reason, count) in status.failed.sorted(by: { $0.key < $1.key }) {
                    w.sample("aiops_notifications_failed_total", ["workspace": ws, "reason": reason], count)
                }
                w.sample("aiops_notifications_queued", ["workspace": ws], status.queued)
                w.sample("aiops_webhook_failing", ["workspace": ws], status.failing ? 1 : 0)
            }
        }
        return w.bytes
    }

    static func write(_ s: WorkspaceSnapshot, into w: inout PrometheusTextWriter, labelled: Bool) {
        let ws = labelled ? s.name : ""
        w.family("aiops_requests_total", .counter, help: "Remote-write and API requests by status code and reason.")
        for (key, value) in s.counters.requests.sorted(by: { $0.key < $1.key }) {
            w.sample("aiops_requests_total", ["code": String(key.code), "reason": key.reason, "workspace": ws], value)
        }
        w.family("aiops_samples_total", .counter, help: "Samples received, by outcome (appended, duplicate, stale_marker, non_finite, out_of_order, too_old, invalid_series, series_limit, rate_limited, ...).")
        for (reason, value) in s.counters.samples.sorted(by: { $0.key < $1.key }) {
            w.sample("aiops_samples_total", ["outcome": reason, "workspace": ws], value)
        }
        w.family("aiops_histograms_ignored_total", .counter, help: "Native histogram samples received and not analysed.")
        w.sample("aiops_histograms_ignored_total", ["workspace": ws], s.counters.histogramsIgnored)
        w.family("aiops_active_series", .gauge, help: "Series held in memory.")
        w.sample("aiops_active_series", ["workspace": ws], s.activeSeries)
        w.family("aiops_series_created_total", .counter, help: "Series created.")
        w.sample("aiops_series_created_total", ["workspace": ws], s.store.seriesCreated)
        w.family("aiops_series_evicted_total", .counter, help: "Idle series removed.")
        w.sample("aiops_series_evicted_total", ["workspace": ws], s.store.seriesEvicted)
        w.family("aiops_gaps_total", .counter, help: "Gaps seen in series (not anomalies).")
        w.sample("aiops_gaps_total", ["workspace": ws], s.store.gaps)
        w.family("aiops_decode_seconds", .summary, help: "Time decoding remote-write bodies (snappy and protobuf).")
        w.sample("aiops_decode_seconds_sum", ["workspace": ws], Double(s.counters.decodeNanoseconds) / 1e9)
        w.sample("aiops_decode_seconds_count", ["workspace": ws], s.counters.decodeCount)
        w.family("aiops_detect_seconds", .summary, help: "Time storing and scoring decoded samples.")
        w.sample("aiops_detect_seconds_sum", ["workspace": ws], Double(s.counters.detectNanoseconds) / 1e9)
        w.sample("aiops_detect_seconds_count", ["workspace": ws], s.counters.detectCount)
        w.family("aiops_incidents_open", .gauge, help: "Open incidents by phase.")
        w.sample("aiops_incidents_open", ["phase": "firing", "workspace": ws], s.firing)
        w.sample("aiops_incidents_open", ["phase": "pending", "workspace": ws], s.pending)
        w.family("aiops_incidents_total", .counter, help: "Incidents by transition.")
        w.sample("aiops_incidents_total", ["transition": "fired", "workspace": ws], s.incidentsFired)
        w.sample("aiops_incidents_total", ["transition": "resolved", "workspace": ws], s.incidentsResolved)
    }
}
