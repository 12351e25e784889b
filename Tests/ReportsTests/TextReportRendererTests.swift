import AIOpsCore
import Incidents
import Rules
import Testing
@testable import Reports

@Suite struct TextReportRendererTests {
    let renderer = TextReportRenderer()

    @Test func firingLeakIncident() {
        let text = renderer.render(TestIncidents.leak(), workspace: "prod-eu", now: TestIncidents.now)
        #expect(text == """
        CRITICAL container-memory-leak [prod-eu]
          series    container_memory_working_set_bytes{container="api", namespace="shop", node="worker-3", pod="api-7d9f"}
          since     2026-11-26T17:00:00Z (1h), leak, peak score 0.97
          fired     2026-11-26T17:10:00Z
          observed  1.50 GiB
          growth    +45.2 MiB/h, limit 2.00 GiB, reached in 3h 20m
          recent    ▁▁▁▁▁▂▄▅▅▇▇█  last 1h 50m; min 1.00 GiB, max 1.50 GiB
                         ^^^^^^^
          advice    Memory of api-7d9f in shop grows by 45.2 MiB/h & reaches its limit in 3h 20m.
                    1. Check the recent deploys of api.
                    2. Take a heap profile of api-7d9f.
          runbook   https://runbooks.example.com/memory-leak?team=shop&lang=en

        """)
    }

    @Test func firingWithExpectedBandAndNoWorkspace() {
        let text = renderer.render(.firing(TestIncidents.latency()), workspace: "", now: TestIncidents.now)
        #expect(text == """
        WARNING http-latency
          series    http_request_duration_seconds{instance="10.0.0.7:9090", job="api"}
          since     2026-11-26T17:55:00Z (5m), ewma, peak score 0.80
          observed  750 ms vs expected 120 ms (band 80.0 ms – 200 ms)
          advice    Latency of api is high.

        """)
    }

    /// A `rate` rule's incident: the values the detector saw are per-second rates; the
    /// sparkline's are the raw counter samples, so its min and max have no `/s`.
    @Test func ratedCounterReadsPerSecond() {
        var incident = TestIncidents.latency()
        incident.labels = Labels(["__name__": "node_network_receive_bytes_total", "device": "eth0"])
        incident.transform = .rate
        incident.observed = 52_428_800
        incident.expected = 1_048_576
        incident.lower = 524_288
        incident.upper = 2_097_152
        incident.recentValues = [1e9, 2e9]
        incident.recentTimestamps = [TestIncidents.now - 60_000, TestIncidents.now]
        let text = renderer.render(.firing(incident), workspace: "", now: TestIncidents.now)
        #expect(text.contains("observed  50.0 MiB/s vs expected 1.00 MiB/s (band 512.0 KiB/s – 2.00 MiB/s)"))
        #expect(text.contains("min 953.7 MiB, max 1.86 GiB"))
    }

    @Test func resolvedIsShort() {
        var incident = TestIncidents.leak()
        incident.phase = .resolved
        incident.end = TestIncidents.now - 5 * TestIncidents.minute
        incident.resolution = "series went away"
        #expect(renderer.render(incident, workspace: "", now: TestIncidents.now) == """
        RESOLVED container-memory-leak
          series    container_memory_working_set_bytes{container="api", namespace="shop", node="worker-3", pod="api-7d9f"}
          lasted    55m (since 2026-11-26T17:00:00Z, fired 2026-11-26T17:10:00Z, to 2026-11-26T17:55:00Z), peak score 0.97, series went away

        """)
    }

    @Test func controlCharactersCannotReachTheTerminal() {
        var incident = TestIncidents.latency()
        incident.labels = incident.labels.setting("job", to: "\u{1B}[2J\u{9B}x")
        incident.advice.summary = "bell\u{7}"
        let text = renderer.render(incident, workspace: "w\u{1B}", now: TestIncidents.now)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 })
        #expect(text.contains(#"job="\u{1B}[2J\u{9B}x""#))
        #expect(text.contains(#"bell\u{7}"#))
    }

    @Test func severalIncidentsAreSeparatedByABlankLine() {
        let text = renderer.render([TestIncidents.latency(), TestIncidents.latency()], workspace: "", now: TestIncidents.now)
        let one = renderer.render(TestIncidents.latency(), workspace: "", now: TestIncidents.now)
        #expect(text == one + "\n" + one)
    }
}
