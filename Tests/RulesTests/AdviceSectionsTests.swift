import AIOpsCore
import Detectors
import Foundation
import Testing
@testable import Rules

/// Advice reads well whatever the series and the detector could tell: sections leave out a
/// phrase whose fact is missing, and no stand-in such as `(none)` or `unknown` reaches the
/// shipped rules' summaries.
struct AdviceSectionsTests {
    func rule(_ summary: String, steps: [String] = []) throws -> Rule {
        Rule(name: "r", selector: try Selector(parsing: "up"), detector: .auto, advice: Advice(summary: summary, steps: steps))
    }

    @Test func sectionsShowWhenTheFactIsKnownAndInvertedOnesWhenItIsNot() throws {
        let r = try rule("a{{#labels.pod}} pod={{labels.pod}}{{/labels.pod}}{{^labels.pod}} no pod{{/labels.pod}}{{#limit}} of {{limit}}{{/limit}}{{^limit}}, no limit known{{/limit}}.")
        let with = AdviceContext(labels: Labels(metric: "m_bytes", ["pod": "p"]), rule: r, limit: 1024)
        let without = AdviceContext(labels: Labels(metric: "m_bytes", ["pod": ""]), rule: r, limit: .nan)
        #expect(r.advice.render(with).summary == "a pod=p of 1.00 KiB.")
        #expect(r.advice.render(without).summary == "a no pod, no limit known.")
    }

    @Test func sectionsNest() throws {
        let r = try rule("{{#labels.a}}A{{#labels.b}}B{{/labels.b}}{{/labels.a}}.")
        func render(_ labels: [String: String]) -> String { r.advice.render(AdviceContext(labels: Labels(metric: "m", labels), rule: r)).summary }
        #expect(render(["a": "1", "b": "2"]) == "AB.")
        #expect(render(["a": "1"]) == "A.")
        #expect(render(["b": "2"]) == ".")
    }

    @Test func aMissingLabelOutsideASectionIsSomethingToFillIn() throws {
        let r = try rule("s", steps: ["kubectl top pod {{labels.pod}} -n {{labels.namespace}}"])
        #expect(r.advice.render(AdviceContext(labels: Labels(metric: "m", ["namespace": "shop"]), rule: r)).steps == ["kubectl top pod POD -n shop"])
    }

    @Test(arguments: [
        ("{{#limit}}x", "{{#limit}} without a closing {{/limit}}"),
        ("x{{/limit}}", "{{/limit}} closes nothing"),
        ("{{#limit}}x{{/rate}}", "{{/rate}} closes nothing: {{#limit}} is open"),
        ("{{#nope}}x{{/nope}}", "unknown placeholder {{#nope}}"),
    ])
    func unbalancedSectionsAreRuleErrors(summary: String, problem: String) {
        let text = #"{"rules": [{"name": "r", "selector": "up", "detector": {"kind": "ewma"}, "advice": {"summary": "\#(summary)"}}]}"#
        let reasons = RuleSet.check(Data(text.utf8), file: "r.json").errors.map(\.reason)
        #expect(reasons.contains { $0.hasPrefix("advice.summary: " + problem) }, "\(reasons)")
    }

    /// Every shipped rule's summary with only the labels its selector guarantees and no number
    /// but the value: nothing that reads as a stand-in.
    @Test func shippedSummariesReadWellWithMissingFacts() throws {
        let set = try RuleSet.load(directory: shippedRulesDirectory)
        let guaranteed: [String: [String: String]] = [
            "container-memory-leak": ["container": "api"], "cpu-daily-pattern-break": ["container": "api"],
            "http-latency-spike": ["quantile": "0.99"], "http-error-rate-spike": ["code": "503"], "request-rate-drop": ["code": "200"],
        ]
        for rule in set.rules {
            let metric = rule.selector.matchers.first { $0.name == Labels.metricNameLabel }?.value ?? "m"
            let context = AdviceContext(labels: Labels(metric: metric, guaranteed[rule.name] ?? [:]), rule: rule, value: 1)
            let summary = rule.advice.render(context).summary
            for bad in ["unknown", "(none)", "()", "{{", "  ", " ,", " .", " :", "JOB", "POD", "NAMESPACE", "INSTANCE", "MOUNTPOINT", "DEVICE"] {
                #expect(!summary.contains(bad), "\(rule.name): \"\(summary)\" contains \"\(bad)\"")
            }
        }
    }

    @Test(arguments: [
        // The issue's examples, and what they read now.
        ("container-memory-leak", ["container": "cart", "namespace": "shop", "pod": "cart-7d9f"],
         "Memory of container cart in shop/cart-7d9f grows steadily at +45.2 MiB/h: 333.6 MiB, no memory limit known."),
        ("disk-filling", ["mountpoint": "/var"],
         "Filesystem /var is filling at -1.20 GiB/h: 333.6 MiB free, full in about 2h 55m."),
        ("http-latency-spike", ["quantile": "0.99"],
         "The 0.99 quantile of request latency is 850 ms, expected about 120 ms (normal up to 200 ms)."),
        ("http-error-rate-spike", ["code": "503"],
         "The service answers 12.3/s with status 503."),
    ])
    func shippedSummariesLeaveOutWhatIsNotKnown(name: String, labels: [String: String], expected: String) throws {
        let set = try RuleSet.load(directory: shippedRulesDirectory)
        let rule = try #require(set.rule(named: name))
        let metric = rule.selector.matchers.first { $0.name == Labels.metricNameLabel }?.value ?? "m"
        let context: AdviceContext
        switch name {
        case "container-memory-leak":
            context = AdviceContext(labels: Labels(metric: metric, labels), rule: rule, value: 333.6 * 1_048_576, leakRatePerHour: 45.2 * 1_048_576, limit: nil, secondsToLimit: nil)
        case "disk-filling":
            context = AdviceContext(labels: Labels(metric: metric, labels), rule: rule, value: 333.6 * 1_048_576, leakRatePerHour: -1.2 * 1_073_741_824, limit: 0, secondsToLimit: 10_500)
        case "http-latency-spike":
            context = AdviceContext(labels: Labels(metric: metric, labels), rule: rule, value: 0.85, expected: 0.12, upper: 0.2)
        default:
            context = AdviceContext(labels: Labels(metric: metric, labels), rule: rule, value: 12.3)
        }
        let summary = rule.advice.render(context).summary
        #expect(summary == expected)
        #expect(!summary.contains("unknown") && !summary.contains("(none)"))
    }
}
