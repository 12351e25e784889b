import AIOpsCore
import Detectors
import Foundation
import Testing
@testable import Rules

private let MiB = 1_048_576.0
private let GiB = 1_073_741_824.0

struct ValueFormatterTests {
    @Test(arguments: [
        (0.0, "0 B"), (512, "512 B"), (1023, "1023 B"), (1536, "1.50 KiB"),
        (45.2 * MiB, "45.2 MiB"), (1.5 * GiB, "1.50 GiB"), (2048 * GiB, "2.00 TiB"),
        (-1.2 * GiB, "-1.20 GiB"), (512 * MiB, "512.0 MiB"),
    ])
    func bytes(value: Double, expected: String) {
        #expect(ValueFormatter(metric: "container_memory_working_set_bytes").format(value) == expected)
    }

    @Test(arguments: [
        (0.0, "0 s"), (0.00085, "850 µs"), (0.0025, "2.50 ms"), (0.0253, "25.3 ms"), (0.25, "250 ms"),
        (1.25, "1.25 s"), (12.5, "12.5 s"), (125, "2m 5s"),
    ])
    func seconds(value: Double, expected: String) {
        #expect(ValueFormatter(metric: "http_request_duration_seconds").format(value) == expected)
    }

    @Test(arguments: [
        (42.0, "42"), (0.853, "0.853"), (0.0123, "0.0123"), (1.5, "1.5"), (12.3456, "12.35"),
        (123.46, "123.5"), (12_345, "12.3k"), (250_000, "250k"), (4_500_000, "4.5M"), (-3, "-3"),
    ])
    func plain(value: Double, expected: String) {
        #expect(ValueFormatter(metric: "queue_fill_ratio").format(value) == expected)
    }

    @Test func unitsFromNameAndTransform() {
        #expect(ValueFormatter(metric: "http_requests_total", transform: .rate).format(12.3) == "12.3/s")
        #expect(ValueFormatter(metric: "http_requests_total").format(1234) == "1234")
        #expect(ValueFormatter(metric: "container_cpu_usage_seconds_total", transform: .rate).format(0.25) == "0.25 cores")
        #expect(ValueFormatter(metric: "node_network_receive_bytes_total", transform: .rate).format(1.5 * MiB) == "1.50 MiB/s")
        #expect(ValueFormatter(metric: "go_gc_duration_seconds_total", transform: .rate).format(0.25) == "250 ms/s")
        #expect(ValueFormatter(metric: "cpu_percent").unit == .plain)
        #expect(ValueFormatter(metric: "process_resident_memory_bytes").unit == .bytes)
    }

    @Test func unknownNumbers() {
        let f = ValueFormatter(metric: "x_bytes")
        #expect(f.format(nil) == "unknown")
        #expect(f.format(.nan) == "unknown")
        #expect(f.format(.infinity) == "unknown")
        #expect(f.formatGrowth(perHour: nil) == "unknown")
    }

    @Test func growthAndDurations() {
        let bytes = ValueFormatter(metric: "x_bytes")
        #expect(bytes.formatGrowth(perHour: 45.2 * MiB) == "+45.2 MiB/h")
        #expect(bytes.formatGrowth(perHour: -1.2 * GiB) == "-1.20 GiB/h")
        #expect(ValueFormatter(metric: "x").formatGrowth(perHour: 0) == "+0/h")
        #expect(ValueFormatter.duration(seconds: 12_000) == "3h 20m")
        #expect(ValueFormatter.duration(seconds: 45) == "45s")
        #expect(ValueFormatter.duration(seconds: 90_061) == "1d 1h")
        #expect(ValueFormatter.duration(seconds: nil) == "unknown")
        #expect(ValueFormatter.duration(seconds: .nan) == "unknown")
        #expect(ValueFormatter.duration(seconds: -5) == "unknown")
        #expect(ValueFormatter.duration(seconds: 1e12) == "more than 10 years")
    }
}

struct AdviceRenderingTests {
    static let memoryLabels = Labels(metric: "container_memory_working_set_bytes", ["namespace": "shop", "pod": "cart-7d9f", "container": "cart"])

    func rule(_ name: String = "r", severity: Severity = .critical, transform: SeriesTransform = .none, advice: Advice) throws -> Rule {
        Rule(name: name, selector: try Selector(parsing: "up"), detector: .auto, severity: severity, transform: transform, advice: advice)
    }

    @Test func everyPlaceholder() throws {
        let advice = Advice(
            summary: "{{rule}} {{severity}} {{metric}} pod={{labels.pod}} node={{labels.node}} v={{value}} e={{expected}} l={{lower}} u={{upper}}",
            steps: ["r={{rate}} lim={{limit}} ttl={{timeToLimit}} d={{duration}}", "{{ labels.namespace }} plain text, {braces} and }} stay"],
            runbookURL: "https://example.com/{{rule}}"
        )
        let context = AdviceContext(
            labels: Self.memoryLabels, rule: try rule("leaky", advice: advice), value: 1.5 * GiB, expected: nil,
            lower: .nan, upper: 2 * GiB, leakRatePerHour: 45.2 * MiB, limit: 2 * GiB, secondsToLimit: 12_000, durationSeconds: 1_500
        )
        #expect(advice.render(context) == RenderedAdvice(
            summary: "leaky critical container_memory_working_set_bytes pod=cart-7d9f node=NODE v=1.50 GiB e=unknown l=unknown u=2.00 GiB",
            steps: ["r=+45.2 MiB/h lim=2.00 GiB ttl=3h 20m d=25m", "shop plain text, {braces} and }} stay"],
            runbookURL: "https://example.com/leaky", template: advice
        ))
    }

    @Test func shippedContainerLeakAdvice() throws {
        let set = try RuleSet.load(directory: shippedRulesDirectory)
        let leak = try #require(set.rule(named: "container-memory-leak"))
        let output = DetectorOutput(score: 0.9, leakRatePerHour: 45.2 * MiB, secondsToLimit: 12_000, detector: .leak)
        let context = AdviceContext(labels: Self.memoryLabels, rule: leak, value: 1.5 * GiB, output: output, limit: 2 * GiB, durationSeconds: 3_600)
        #expect(context.expected == nil, "NaN fields of the output become nil")
        let rendered = leak.advice.render(context)
        #expect(rendered.summary == "Memory of container cart in shop/cart-7d9f grows steadily at +45.2 MiB/h: 1.50 GiB of a 2.00 GiB limit, OOM kill in about 3h 20m.")
        #expect(rendered.steps.first == "Confirm the growth per container: kubectl top pod cart-7d9f -n shop --containers")
        #expect(rendered.runbookURL == nil, "no made-up runbook site: the web view's rule pages will be linked")
        #expect(rendered.steps.allSatisfy { !$0.contains("{{") })
    }

    @Test func shippedLatencyAndErrorRateAdvice() throws {
        let set = try RuleSet.load(directory: shippedRulesDirectory)
        let latency = try #require(set.rule(named: "http-latency-spike"))
        let latencyLabels = Labels(metric: "http_request_duration_seconds", ["job": "checkout", "quantile": "0.99"])
        let rendered = latency.advice.render(AdviceContext(labels: latencyLabels, rule: latency, value: 0.85, expected: 0.12, upper: 0.2))
        #expect(rendered.summary == "The 0.99 quantile of request latency of checkout is 850 ms, expected about 120 ms (normal up to 200 ms).")

        let errors = try #require(set.rule(named: "http-error-rate-spike"))
        let errorLabels = Labels(metric: "http_requests_total", ["job": "checkout", "code": "503"])
        #expect(errors.advice.render(AdviceContext(labels: errorLabels, rule: errors, value: 12.3, expected: 0.2)).summary
            == "checkout answers 12.3/s with status 503, expected about 0.2/s.")

        let disk = try #require(set.rule(named: "disk-filling"))
        let diskLabels = Labels(metric: "node_filesystem_avail_bytes", ["instance": "node-1:9100", "mountpoint": "/var", "device": "/dev/sda1", "fstype": "ext4"])
        #expect(disk.advice.render(AdviceContext(labels: diskLabels, rule: disk, value: 3.5 * GiB, leakRatePerHour: -1.2 * GiB, limit: 0, secondsToLimit: 10_500)).summary
            == "Filesystem /var (/dev/sda1) on node-1:9100 is filling at -1.20 GiB/h: 3.50 GiB free, full in about 2h 55m.")
    }

    @Test func textWithoutPlaceholdersIsUnchanged() throws {
        let advice = Advice(summary: "Restart it.", steps: ["a {b} c"])
        let rendered = advice.render(AdviceContext(labels: Labels(metric: "m"), rule: try rule(advice: advice)))
        #expect(rendered == RenderedAdvice(summary: "Restart it.", steps: ["a {b} c"], runbookURL: nil, template: advice))
    }

    @Test func unknownPlaceholderIsKeptVerbatim() throws {
        let advice = Advice(summary: "{{nope}} and {{value")
        let rendered = advice.render(AdviceContext(labels: Labels(metric: "m"), rule: try rule(advice: advice), value: 1))
        #expect(rendered.summary == "{{nope}} and {{value")
    }
}
