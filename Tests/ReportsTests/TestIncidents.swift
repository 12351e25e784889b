import AIOpsCore
import Detectors
import Incidents
import Rules

/// Incidents for the report tests, built with `Incident`'s memberwise init.
enum TestIncidents {
    static let gib = 1_073_741_824.0
    static let mib = 1_048_576.0
    /// 2026-11-26T18:00:00Z.
    static let now: Timestamp = TimeFormat.parse("2026-11-26T18:00:00Z")!
    static let minute: Int64 = 60_000

    /// A container leaking memory for an hour, two hours from hitting its limit.
    static func leak(pod: String = "api-7d9f", observedGiB: Double = 1.5, peakScore: Double = 0.97) -> Incident {
        let start = now - 60 * minute
        let values = [1.0, 1.0, 1.02, 1.0, 1.01, 1.1, 1.2, 1.25, 1.3, 1.4, 1.45, observedGiB].map { $0 * gib }
        let timestamps = (0..<12).map { now - Int64(11 - $0) * 10 * minute }
        return Incident(
            id: "container-memory-leak/\(pod)/1795708800000",
            rule: "container-memory-leak", severity: .critical,
            labels: Labels([
                "__name__": "container_memory_working_set_bytes", "namespace": "shop", "pod": pod,
                "container": "api", "node": "worker-3",
            ]),
            detector: .leak, phase: .firing, start: start, firedAt: start + 10 * minute, lastSeen: now,
            peakScore: peakScore, observed: observedGiB * gib,
            leakRatePerHour: 45.2 * mib, limit: 2 * gib, secondsToLimit: 12_000,
            advice: RenderedAdvice(
                summary: "Memory of \(pod) in shop grows by 45.2 MiB/h & reaches its limit in 3h 20m.",
                steps: ["Check the recent deploys of api.", "Take a heap profile of \(pod)."],
                runbookURL: "https://runbooks.example.com/memory-leak?team=shop&lang=en"
            ),
            recentValues: values, recentTimestamps: timestamps
        )
    }

    /// A latency spike seen by the EWMA detector.
    static func latency() -> Incident {
        Incident(
            id: "latency/abc", rule: "http-latency", severity: .warning,
            labels: Labels(["__name__": "http_request_duration_seconds", "job": "api", "instance": "10.0.0.7:9090"]),
            detector: .ewma, phase: .firing, start: now - 5 * minute, lastSeen: now,
            peakScore: 0.8, observed: 0.75, expected: 0.12, lower: 0.08, upper: 0.2,
            advice: RenderedAdvice(summary: "Latency of api is high.", steps: [], runbookURL: nil)
        )
    }
}
