import AIOpsCore
import Foundation
import Incidents
import Rules
import Testing
@testable import Reports

/// Messages read well when a fact is missing, carry each series' own specifics when grouped,
/// give "Since" one meaning, and link no runbook nobody wrote.
@Suite struct MissingFactsTests {
    let builder = SlackReportBuilder()

    /// Every text a person reads in a message.
    func texts(_ message: SlackMessage) -> String {
        ([message.text] + message.textObjects.map(\.text)).joined(separator: "\n")
    }

    @Test func aLeakWithoutALimitSaysSoInsteadOfUnknown() {
        var incident = TestIncidents.leak()
        incident.limit = nil
        incident.secondsToLimit = nil
        let message = builder.firing(incident, workspace: "", now: TestIncidents.now)
        let all = texts(message)
        #expect(all.contains("*Limit*\nnone known"))
        #expect(message.text.hasSuffix("1.50 GiB, +45.2 MiB/h, no limit known"))
        for bad in ["unknown", "(none)", "reached in"] { #expect(!all.contains(bad), "\(bad)") }
        let text = TextReportRenderer().renderFiring(incident, workspace: "", now: TestIncidents.now)
        #expect(text.contains("growth    +45.2 MiB/h, no limit known\n"))
    }

    @Test func sinceIsTheAnomalysStartInEveryKindAndTheFiringTimeIsApart() {
        let incident = TestIncidents.leak()
        let later = TestIncidents.now + 4 * 3_600_000
        let start = "2026-11-26T17:00:00Z", fired = "2026-11-26T17:10:00Z"
        let messages = [
            builder.firing(incident, workspace: "", now: later),
            builder.grouped([incident, TestIncidents.leak(pod: "b")], workspace: "", now: later),
            builder.reminder(incident, workspace: "", now: later),
            builder.groupedReminder([incident, TestIncidents.leak(pod: "b")], workspace: "", now: later),
        ]
        for message in messages {
            let all = texts(message)
            #expect(all.contains("Since*\n\(start)") || all.contains("Since \(start)") || all.contains("since \(start)"), "\(message.text)")
            #expect(!all.contains("since \(fired)") && !all.contains("Since \(fired)") && !all.contains("Since*\n\(fired)"), "\(message.text)")
            #expect(all.contains(fired), "the firing time is given too: \(message.text)")
        }
    }

    @Test func aReminderShowsTheIncidentsLatestFacts() {
        var incident = TestIncidents.leak()
        let later = TestIncidents.now + 4 * 3_600_000
        incident.lastSeen = later - 60_000
        incident.observed = 1.9 * TestIncidents.gib
        incident.secondsToLimit = 600
        let text = texts(builder.reminder(incident, workspace: "", now: later))
        #expect(text.contains("Now, as of 2026-11-26T21:59:00Z: 1.90 GiB, +45.2 MiB/h, limit 2.00 GiB, reached in 10m."))
        #expect(!text.contains("3h 20m"))
    }

    /// Steps are rendered once for the group: what the series share filled in, what differs
    /// in capitals with a legend; each series' line carries its own values.
    @Test func groupedStepsSpeakForEverySeries() {
        let template = Advice(
            summary: "Memory of {{labels.pod}} grows.",
            steps: ["kubectl top pod {{labels.pod}} -n {{labels.namespace}} --containers", "Check {{labels.container}}{{#labels.node}} on {{labels.node}}{{/labels.node}}."])
        let incidents = ["api-a", "api-b"].map { pod -> Incident in
            var incident = TestIncidents.leak(pod: pod)
            incident.advice = template.render(AdviceContext(labels: incident.labels, ruleName: incident.rule, severity: incident.severity))
            return incident
        }
        let message = builder.grouped(incidents, workspace: "", now: TestIncidents.now)
        let all = texts(message)
        #expect(all.contains("*What to do*\n1. kubectl top pod POD -n shop --containers\n2. Check api on worker-3.\n_POD: each series' own, as listed above_"))
        #expect(all.contains("pod=api-a") && all.contains("pod=api-b"))
        #expect(!all.contains("kubectl top pod api-a"), "the first series' specifics are not given for all")
    }

    @Test func withoutExternalURLOnlyARulesOwnRunbookIsLinked() {
        var incident = TestIncidents.leak()
        incident.advice.runbookURL = nil
        #expect(!texts(builder.firing(incident, workspace: "", now: TestIncidents.now)).contains("Runbook"))
        #expect(!TextReportRenderer().renderFiring(incident, workspace: "", now: TestIncidents.now).contains("runbook"))
        var linked = builder
        linked.externalURL = "https://aiops.example.com/"
        #expect(texts(linked.firing(incident, workspace: "", now: TestIncidents.now)).contains("<https://aiops.example.com/rules/container-memory-leak|Runbook>"))
        // A rule's own runbook wins.
        #expect(texts(linked.firing(TestIncidents.leak(), workspace: "", now: TestIncidents.now)).contains("runbooks.example.com"))
    }

    @Test func rulePageURL() {
        #expect(RulePage.url(rule: "disk-filling", externalURL: nil) == nil)
        #expect(RulePage.url(rule: "disk-filling", externalURL: "") == nil)
        #expect(RulePage.url(rule: "disk-filling", externalURL: "http://aiops:9201") == "http://aiops:9201/rules/disk-filling")
        #expect(RulePage.url(rule: "a b/c", externalURL: "https://x/base//") == "https://x/base/rules/a%20b%2Fc")
    }
}
