import AIOpsCore
import Delivery
import Foundation
import Incidents
import Testing
@testable import AlertTargets

/// Prometheus' sending rules on a hand-moved clock: at once, every resend delay while firing
/// with endsAt 4 resend delays ahead, resolved with endsAt = resolution for 15 minutes,
/// retries with backoff, 4xx not retried.
@Suite struct AlertmanagerQueueTests {
    static let t0: Timestamp = 1_800_000_000_000
    static let am1 = try! OutboundEndpoint("http://127.0.0.1:9093")
    static let am2 = try! OutboundEndpoint("http://127.0.0.1:9094/prefix/")

    static func queue(_ endpoints: [OutboundEndpoint] = [am1], maxAlerts: Int = 10_000) -> AlertmanagerQueue {
        AlertmanagerQueue(
            targets: endpoints.map { AlertmanagerQueue.Target(workspace: "team-a", endpoint: $0) },
            settings: .init(maxAlertsPerWorkspace: maxAlerts, retry: RetryPolicy(initialBackoff: 0.5, maxBackoff: 60, jitter: 0, seed: 1)))
    }

    static func alerts(_ dispatch: AlertmanagerQueue.Dispatch) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(dispatch.body)) as? [[String: Any]])
    }

    @Test func firingIsSentAtOnceWithLabelsAnnotationsAndValidity() throws {
        var queue = Self.queue()
        let incident = makeIncident(firedAt: Self.t0 - 5_000)
        queue.handle(.firing(incident), workspace: "team-a", externalURL: "https://aiops.example/", now: Self.t0)
        let due = queue.due(now: Self.t0)
        try #require(due.count == 1)
        let alert = try #require(Self.alerts(due[0]).first)
        let labels = try #require(alert["labels"] as? [String: String])
        #expect(labels == ["alertname": "queue-spike", "severity": "critical", "workspace": "team-a", "metric": "queue_depth", "queue": "payments", "namespace": "shop"])
        let annotations = try #require(alert["annotations"] as? [String: String])
        #expect(annotations["summary"] == "queue payments is at 4000, expected 42")
        #expect(annotations["runbook_url"] == "https://runbooks.example/queue")
        #expect(annotations["score"] == "0.97")
        #expect(annotations["observed"] == "4000")
        #expect(annotations["expected"] == "42")
        #expect(annotations["description"]?.contains("Observed 4000, expected 42 (normal 38 to 46); ewma score 0.97.") == true, "\(annotations["description"] ?? "")")
        #expect(annotations["description"]?.contains("1. Check the consumers.\n2. Scale them up.") == true)
        #expect(alert["startsAt"] as? String == TimeFormat.rfc3339(Self.t0 - 5_000))
        #expect(alert["endsAt"] as? String == TimeFormat.rfc3339(Self.t0 + 4 * 60_000), "endsAt = now + 4 x resend delay")
        #expect(alert["generatorURL"] as? String == "https://aiops.example/api/v1/incidents/queue-spike-payments-\(Self.t0 - 5_000)")
        // In flight: nothing more until it completes.
        #expect(queue.due(now: Self.t0).isEmpty)
        #expect(queue.complete(due[0], outcome: .accepted, now: Self.t0) == nil)
        #expect(queue.statuses[0].alertsSent == 1)
    }

    @Test func resentEveryResendDelayWhileFiringThenResolvedFor15Minutes() throws {
        var queue = Self.queue()
        let incident = makeIncident()
        queue.handle(.firing(incident), workspace: "team-a", externalURL: nil, now: Self.t0)
        let first = queue.due(now: Self.t0)
        _ = queue.complete(first[0], outcome: .accepted, now: Self.t0)
        #expect(try Self.alerts(first[0])[0]["generatorURL"] == nil, "no --external-url: no link")
        #expect(queue.due(now: Self.t0 + 59_999).isEmpty, "not before the resend delay")
        #expect(queue.nextDeadline(now: Self.t0 + 1) == Self.t0 + 60_000)
        let again = queue.due(now: Self.t0 + 60_000)
        try #require(again.count == 1)
        #expect(try Self.alerts(again[0])[0]["endsAt"] as? String == TimeFormat.rfc3339(Self.t0 + 60_000 + 240_000))
        _ = queue.complete(again[0], outcome: .accepted, now: Self.t0 + 60_000)

        // Resolved: sent at once with endsAt = the resolution's event time.
        let end = Self.t0 + 90_000
        queue.handle(.resolved(makeIncident(phase: .resolved, end: end)), workspace: "team-a", externalURL: nil, now: Self.t0 + 91_000)
        let resolved = queue.due(now: Self.t0 + 91_000)
        try #require(resolved.count == 1)
        #expect(try Self.alerts(resolved[0])[0]["endsAt"] as? String == TimeFormat.rfc3339(end))
        _ = queue.complete(resolved[0], outcome: .accepted, now: Self.t0 + 91_000)
        #expect(queue.statuses[0].resolved == 1 && queue.statuses[0].firing == 0)
        // Again each minute for 15 minutes, then forgotten.
        let resent = queue.due(now: Self.t0 + 151_000)
        try #require(resent.count == 1)
        _ = queue.complete(resent[0], outcome: .accepted, now: Self.t0 + 151_000)
        #expect(queue.due(now: Self.t0 + 91_000 + 15 * 60_000).isEmpty)
        #expect(queue.statuses[0].resolved == 0)
        #expect(queue.nextDeadline(now: Self.t0 + 91_000 + 15 * 60_000) == nil)
    }

    @Test func failuresAreRetriedWithBackoffAndCarryTheLatestState() throws {
        var queue = Self.queue()
        queue.handle(.firing(makeIncident()), workspace: "team-a", externalURL: nil, now: Self.t0)
        let first = try #require(queue.due(now: Self.t0).first)
        let line = queue.complete(first, outcome: .retry(reason: "http_503", description: "alertmanager x: HTTP 503", retryAfter: nil), now: Self.t0)
        #expect(line?.contains("retrying in 0.5s") == true, "\(line ?? "")")
        #expect(queue.due(now: Self.t0 + 499).isEmpty, "backing off")
        // Meanwhile it resolves: the retry carries the resolution.
        queue.handle(.resolved(makeIncident(phase: .resolved, end: Self.t0 + 200)), workspace: "team-a", externalURL: nil, now: Self.t0 + 300)
        let retry = try #require(queue.due(now: Self.t0 + 500).first)
        #expect(try Self.alerts(retry)[0]["endsAt"] as? String == TimeFormat.rfc3339(Self.t0 + 200))
        _ = queue.complete(retry, outcome: .retry(reason: "connection_refused", description: "x", retryAfter: nil), now: Self.t0 + 500)
        #expect(queue.due(now: Self.t0 + 1_499).isEmpty, "second backoff: 1 s")
        let third = try #require(queue.due(now: Self.t0 + 1_500).first)
        let recovered = queue.complete(third, outcome: .accepted, now: Self.t0 + 1_500)
        #expect(recovered?.contains("reachable again after 2 failed attempt(s)") == true)
        let status = queue.statuses[0]
        #expect(status.errors == ["http_503": 1, "connection_refused": 1])
        #expect(status.retried == 2 && status.alertsSent == 1 && !status.failing)
    }

    @Test func a4xxIsLoggedCountedAndNotRetried() throws {
        var queue = Self.queue()
        queue.handle(.firing(makeIncident()), workspace: "team-a", externalURL: nil, now: Self.t0)
        let first = try #require(queue.due(now: Self.t0).first)
        let outcome = AlertmanagerQueue.Outcome.classify(.http(status: 400, body: Array("{\"code\":400,\"message\":\"bad alert\"}\n".utf8), retryAfter: nil), endpoint: Self.am1.redacted)
        let line = queue.complete(first, outcome: outcome, now: Self.t0)
        #expect(line == "alertmanager http://127.0.0.1:9093: HTTP 400: {\"code\":400,\"message\":\"bad alert\"}; 1 alert(s) not sent")
        #expect(queue.due(now: Self.t0 + 1_000).isEmpty, "not retried")
        #expect(queue.statuses[0].alertsRejected == 1 && queue.statuses[0].errors == ["http_400": 1])
        #expect(AlertmanagerQueue.Outcome.classify(.http(status: 500, body: [], retryAfter: nil), endpoint: "x") == .retry(reason: "http_500", description: "alertmanager x: HTTP 500", retryAfter: nil))
        #expect(AlertmanagerQueue.Outcome.classify(.http(status: 429, body: [], retryAfter: 3), endpoint: "x") == .retry(reason: "http_429", description: "alertmanager x: HTTP 429", retryAfter: 3))
    }

    @Test func everyAlertmanagerGetsEveryAlertAndOneFailingDoesNotHoldTheOther() throws {
        var queue = Self.queue([Self.am1, Self.am2])
        queue.handle(.firing(makeIncident()), workspace: "team-a", externalURL: nil, now: Self.t0)
        queue.handle(.firing(makeIncident(rule: "other")), workspace: "team-b", externalURL: nil, now: Self.t0)
        let due = queue.due(now: Self.t0)
        #expect(due.map(\.target.endpoint.redacted).sorted() == ["http://127.0.0.1:9093", "http://127.0.0.1:9094/prefix"])
        #expect(due.allSatisfy { $0.alertCount == 1 }, "team-b has no Alertmanager: its event is ignored")
        _ = queue.complete(due[0], outcome: .retry(reason: "timeout", description: "x", retryAfter: nil), now: Self.t0)
        _ = queue.complete(due[1], outcome: .accepted, now: Self.t0)
        #expect(queue.due(now: Self.t0 + 500).map(\.lane) == [due[0].lane], "only the failed one retries")
    }

    @Test func overTheCapTheOldestResolvedIsDropped() throws {
        var queue = Self.queue(maxAlerts: 2)
        queue.handle(.firing(makeIncident(queue: "a")), workspace: "team-a", externalURL: nil, now: Self.t0)
        queue.handle(.resolved(makeIncident(queue: "b", phase: .resolved, end: Self.t0)), workspace: "team-a", externalURL: nil, now: Self.t0 + 1)
        queue.handle(.firing(makeIncident(queue: "c")), workspace: "team-a", externalURL: nil, now: Self.t0 + 2)
        #expect(queue.tracked(workspace: "team-a", id: makeIncident(queue: "b").id) == nil)
        #expect(queue.tracked(workspace: "team-a", id: makeIncident(queue: "a").id) != nil)
        #expect(queue.statuses[0].dropped == 1 && queue.statuses[0].firing == 2)
    }

    @Test func aChangeWhileInFlightIsSentAgain() throws {
        var queue = Self.queue()
        queue.handle(.firing(makeIncident()), workspace: "team-a", externalURL: nil, now: Self.t0)
        let first = try #require(queue.due(now: Self.t0).first)
        queue.handle(.resolved(makeIncident(phase: .resolved, end: Self.t0 + 10)), workspace: "team-a", externalURL: nil, now: Self.t0 + 10)
        _ = queue.complete(first, outcome: .accepted, now: Self.t0 + 20)
        let again = try #require(queue.due(now: Self.t0 + 20).first)
        #expect(try Self.alerts(again)[0]["endsAt"] as? String == TimeFormat.rfc3339(Self.t0 + 10))
    }

    @Test func eventTimesAheadOfTheClockAreClampedToNow() throws {
        let alert = AlertmanagerAlert(incident: makeIncident(firedAt: Self.t0 + 300_000), workspace: "w", externalURL: nil)
        let object = alert.jsonObject(now: Self.t0, validity: 240_000)
        #expect(object["startsAt"] as? String == TimeFormat.rfc3339(Self.t0))
        let resolved = AlertmanagerAlert(incident: makeIncident(firedAt: Self.t0, phase: .resolved, end: Self.t0 + 60_000), workspace: "w", externalURL: nil)
        #expect(resolved.jsonObject(now: Self.t0 + 1_000, validity: 240_000)["endsAt"] as? String == TimeFormat.rfc3339(Self.t0 + 1_000))
    }
}

@Suite struct AlertLabelsTests {
    @Test func seriesLabelsWithMetricNameAndClashesRenamed() {
        let incident = makeIncident(extra: ["severity": "low", "alertname": "theirs", "http.method": "GET", "metric": "m"])
        let labels = AlertLabels.labels(of: incident, workspace: "team-a")
        #expect(labels.dictionary == [
            "alertname": "queue-spike", "severity": "critical", "workspace": "team-a",
            "exported_alertname": "theirs", "exported_severity": "low", "http_method": "GET",
            "metric": "queue_depth", "exported_metric": "m", "namespace": "shop", "queue": "payments",
        ])
    }

    @Test func sanitizedNames() {
        #expect(Labels.sanitizedName("ok_name9") == "ok_name9")
        #expect(Labels.sanitizedName("9lives") == "_lives")
        #expect(Labels.sanitizedName("a.b-c") == "a_b_c")
        #expect(Labels.sanitizedName("") == "_")
    }
}

@Suite struct AlertmanagerQueueReconfigureTests {
    static let t0: Timestamp = 1_800_000_000_000

    @Test func changedAlertmanagersGetEveryAlertAgainAndOldCompletionsAreIgnored() throws {
        let am1 = try OutboundEndpoint("http://127.0.0.1:9093")
        let am2 = try OutboundEndpoint("http://127.0.0.1:9094")
        var queue = AlertmanagerQueue(targets: [.init(workspace: "team-a", endpoint: am1)])
        queue.handle(.firing(makeIncident()), workspace: "team-a", externalURL: nil, now: Self.t0)
        let first = try #require(queue.due(now: Self.t0).first)
        _ = queue.complete(first, outcome: .accepted, now: Self.t0)
        // Unchanged: nothing due again before the resend delay.
        queue.reconfigure(targets: [.init(workspace: "team-a", endpoint: am1)])
        #expect(queue.due(now: Self.t0 + 1).isEmpty)
        #expect(queue.statuses.first?.alertsSent == 1, "a kept lane keeps its counters")
        // A second Alertmanager: the alert goes to both at once.
        queue.reconfigure(targets: [.init(workspace: "team-a", endpoint: am1), .init(workspace: "team-a", endpoint: am2)])
        let both = queue.due(now: Self.t0 + 2)
        #expect(both.count == 2)
        // A completion from before the next reconfigure changes nothing.
        queue.reconfigure(targets: [.init(workspace: "team-a", endpoint: am2)])
        #expect(queue.complete(both[0], outcome: .retry(reason: "x", description: "x", retryAfter: nil), now: Self.t0 + 3) == nil)
        #expect(queue.statuses.count == 1 && queue.statuses[0].retried == 0)
        // No Alertmanager left: the workspace's alerts are forgotten.
        queue.reconfigure(targets: [])
        #expect(queue.tracked(workspace: "team-a", id: makeIncident().id) == nil)
    }
}
