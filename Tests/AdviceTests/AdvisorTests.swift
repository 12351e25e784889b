import AIOpsCore
import Foundation
import Incidents
import Rules
import Store
import Testing
@testable import Advice

/// A namespace fed to a store and recorder step by step, as a pipeline would: cAdvisor
/// series every 5 minutes, kube-state-metrics every 30.
final class SimulatedNamespace {
    static let t0: Timestamp = 1_772_409_600_000  // Monday 2026-03-02 00:00 UTC
    static let step: Timestamp = 300_000
    static let GiB = 1_073_741_824.0
    static let MiB = 1_048_576.0

    struct Pod {
        var name: String
        var container = "app"
        var ownerKind: String
        var ownerName: String
        var cpuRequest: Double?
        var cpuLimit: Double?
        var memoryRequest: Double?
        var memoryLimit: Double?
        /// Cores and bytes at a time (ms since t0).
        var cpu: (Timestamp) -> Double
        var memory: (Timestamp) -> Double
        var throttled: ((Timestamp) -> Double)? = nil
        var terminatedReason: String? = nil
    }

    let store = SeriesStore()
    let recorder: UsageRecorder
    var pods: [Pod] = []
    var replicaSets: [(String, String)] = []
    var replicas: [(kind: String, label: String, name: String, count: Double)] = []
    var extra: [(labels: Labels, value: (Timestamp) -> Double)] = []
    private var refs: [Labels: SeriesRef] = [:]
    private var counters: [Labels: Double] = [:]

    init(loads: [LoadRule] = []) {
        recorder = UsageRecorder(store: store, loads: loads)
    }

    func feed(_ labels: Labels, _ t: Timestamp, _ value: Double) {
        let ref = refs[labels] ?? store.insert(labels)
        refs[labels] = ref
        if store.append(ref, timestamp: t, value: value) == .appended { recorder.observe(ref, timestamp: t, value: value) }
    }

    func count(_ labels: Labels, _ t: Timestamp, _ rate: Double) {
        let total = (counters[labels] ?? 1000) + rate * Double(Self.step) / 1000
        counters[labels] = total
        feed(labels, t, total)
    }

    /// Runs from t0 for `days` (or until `until`).
    func run(days: Double, from start: Timestamp = SimulatedNamespace.t0) {
        let end = start + Timestamp(days * 86_400_000)
        var t = start
        while t < end {
            let offset = t - Self.t0
            for pod in pods {
                let base = ["namespace": "shop", "pod": pod.name, "container": pod.container]
                count(Labels(metric: "container_cpu_usage_seconds_total", base), t, pod.cpu(offset))
                feed(Labels(metric: "container_memory_working_set_bytes", base), t, pod.memory(offset))
                if let throttled = pod.throttled {
                    count(Labels(metric: "container_cpu_cfs_periods_total", base), t, 10)
                    count(Labels(metric: "container_cpu_cfs_throttled_periods_total", base), t, 10 * throttled(offset))
                }
                if offset % 1_800_000 == 0 {
                    feed(Labels(metric: "kube_pod_owner", ["namespace": "shop", "pod": pod.name, "owner_kind": pod.ownerKind, "owner_name": pod.ownerName, "owner_is_controller": "true"]), t, 1)
                    for (resource, request, limit) in [("cpu", pod.cpuRequest, pod.cpuLimit), ("memory", pod.memoryRequest, pod.memoryLimit)] {
                        let labels = base.merging(["resource": resource, "unit": resource == "cpu" ? "core" : "byte"]) { a, _ in a }
                        if let request { feed(Labels(metric: "kube_pod_container_resource_requests", labels), t, request) }
                        if let limit { feed(Labels(metric: "kube_pod_container_resource_limits", labels), t, limit) }
                    }
                    if let reason = pod.terminatedReason {
                        feed(Labels(metric: "kube_pod_container_status_last_terminated_reason", base.merging(["reason": reason]) { a, _ in a }), t, 1)
                    }
                }
            }
            if offset % 1_800_000 == 0 {
                for (replicaSet, deployment) in replicaSets {
                    feed(Labels(metric: "kube_replicaset_owner", ["namespace": "shop", "replicaset": replicaSet, "owner_kind": "Deployment", "owner_name": deployment]), t, 1)
                }
                for entry in replicas {
                    feed(Labels(metric: entry.kind, ["namespace": "shop", entry.label: entry.name]), t, entry.count)
                }
            }
            for entry in extra { count(entry.labels, t, entry.value(offset)) }
            t += Self.step
        }
    }

    func deployment(_ name: String, replicas count: Int, cpuRequest: Double?, memoryRequest: Double?, cpuLimit: Double? = nil, memoryLimit: Double? = nil,
                    cpu: @escaping (Timestamp) -> Double, memory: @escaping (Timestamp) -> Double, throttled: ((Timestamp) -> Double)? = nil) {
        let replicaSet = "\(name)-5d8f7c9b4"
        replicaSets.append((replicaSet, name))
        replicas.append(("kube_deployment_spec_replicas", "deployment", name, Double(count)))
        for index in 0..<count {
            pods.append(Pod(name: "\(replicaSet)-p\(index)", ownerKind: "ReplicaSet", ownerName: replicaSet, cpuRequest: cpuRequest, cpuLimit: cpuLimit,
                            memoryRequest: memoryRequest, memoryLimit: memoryLimit, cpu: cpu, memory: memory, throttled: throttled))
        }
    }

    func statefulSet(_ name: String, cpuRequest: Double?, memoryRequest: Double?, cpuLimit: Double? = nil, memoryLimit: Double? = nil,
                     cpu: @escaping (Timestamp) -> Double, memory: @escaping (Timestamp) -> Double, throttled: ((Timestamp) -> Double)? = nil,
                     terminatedReason: String? = nil) {
        replicas.append(("kube_statefulset_replicas", "statefulset", name, 1))
        pods.append(Pod(name: "\(name)-0", ownerKind: "StatefulSet", ownerName: name, cpuRequest: cpuRequest, cpuLimit: cpuLimit, memoryRequest: memoryRequest,
                        memoryLimit: memoryLimit, cpu: cpu, memory: memory, throttled: throttled, terminatedReason: terminatedReason))
    }

    func analyze(at time: Timestamp, context: AdvisorContext = AdvisorContext()) -> AdviceReport {
        Advisor.analyze(recorder.extract(at: time), context: context)
    }

    /// A wave in [0, 1] peaking at `hour` UTC each day.
    static func daily(_ offset: Timestamp, peakHour: Double, width: Double = 2) -> Double {
        let hour = Double(offset % 86_400_000) / 3_600_000
        let distance = min(abs(hour - peakHour), 24 - abs(hour - peakHour))
        return exp(-0.5 * (distance / width) * (distance / width))
    }

    /// Deterministic noise in [-1, 1].
    static func noise(_ offset: Timestamp, _ salt: UInt64 = 0) -> Double {
        var random = SplitMix64(seed: UInt64(offset / step) &* 31 &+ salt)
        return Double(random.next() >> 11) / Double(1 << 52) - 1
    }
}

@Suite struct AdvisorTests {
    typealias NS = SimulatedNamespace
    static let end = NS.t0 + 8 * 86_400_000 + 9 * 3_600_000

    @Test func anOverProvisionedDeploymentGetsKRRStyleRequestsAndItsSaving() throws {
        let ns = NS()
        ns.deployment("api", replicas: 2, cpuRequest: 1, memoryRequest: 2 * NS.GiB, memoryLimit: 2 * NS.GiB,
                      cpu: { 0.2 + 0.02 * NS.noise($0) }, memory: { 500 * NS.MiB + 20 * NS.MiB * NS.daily($0, peakHour: 12) })
        ns.run(days: 8.4)
        let report = ns.analyze(at: Self.end)
        let workload = try #require(report.workloads.first)
        #expect(workload.workload.key == "Deployment/shop/api")
        #expect(workload.replicas == 2)
        let container = try #require(workload.containers.first)
        let p95 = try #require(container.cpuP95)
        #expect(abs(p95 - 0.219) < 0.015)
        #expect(container.recommendedCPU == ResourceQuantity.roundUpCPU(p95 * 1.15))
        let peak = try #require(container.memoryPeak)
        #expect(abs(peak - 520 * NS.MiB) < 1 * NS.MiB)
        #expect(container.recommendedMemory == ResourceQuantity.roundUpMemory(peak * 1.15))
        #expect(container.recommendedMemory! >= peak, "never below the peak")
        let finding = try #require(workload.findings.first)
        #expect(workload.findings.count == 1)
        #expect(finding.kind == .overProvisioned)
        let saving = 2 * Pricing.default.monthly(cores: 1 - container.recommendedCPU!, bytes: 2 * NS.GiB - container.recommendedMemory!)
        #expect(abs(finding.monthlySaving! - saving) < 0.01)
        #expect(finding.yaml == """
            # container: app
            resources:
              requests:
                cpu: \(ResourceQuantity.cpu(container.recommendedCPU!))
                memory: \(ResourceQuantity.memory(container.recommendedMemory!))
              limits:
                memory: \(ResourceQuantity.memory(container.recommendedMemory!))
            """)
        #expect(finding.commands == ["kubectl set resources deployment/api -n shop -c app --requests=cpu=\(ResourceQuantity.cpu(container.recommendedCPU!)),memory=\(ResourceQuantity.memory(container.recommendedMemory!)) --limits=memory=\(ResourceQuantity.memory(container.recommendedMemory!))"])
        #expect(abs(report.monthlySaving - saving) < 0.01)
    }

    @Test func aWellSizedWorkloadGetsNoAdvice() {
        let ns = NS()
        ns.statefulSet("db", cpuRequest: 0.5, memoryRequest: 1 * NS.GiB, memoryLimit: 1.5 * NS.GiB,
                       cpu: { 0.4 + 0.02 * NS.noise($0) }, memory: { _ in 0.85 * NS.GiB })
        ns.run(days: 8.4)
        let report = ns.analyze(at: Self.end)
        #expect(report.workloads.map(\.workload.key) == ["StatefulSet/shop/db"])
        #expect(report.findings.isEmpty)
    }

    @Test func tooLittleHistoryIsNotJudged() {
        let ns = NS()
        ns.deployment("api", replicas: 1, cpuRequest: 4, memoryRequest: 8 * NS.GiB, cpu: { _ in 0.1 }, memory: { _ in 100 * NS.MiB })
        ns.run(days: 0.5)
        let report = ns.analyze(at: NS.t0 + 12 * 3_600_000)
        #expect(report.findings.isEmpty)
        #expect(report.workloads.first?.containers.first?.recommendedCPU == nil)
    }

    @Test func throttlingMemoryNearTheLimitAndOOMKillsAreUnderProvisioned() throws {
        let ns = NS()
        ns.statefulSet("queue", cpuRequest: 0.5, memoryRequest: 512 * NS.MiB, cpuLimit: 0.5, memoryLimit: 512 * NS.MiB,
                       cpu: { 0.3 + 0.18 * NS.daily($0, peakHour: 15) }, memory: { 470 * NS.MiB + 2 * NS.MiB * NS.noise($0) },
                       throttled: { 0.4 * NS.daily($0, peakHour: 15, width: 1.5) }, terminatedReason: "OOMKilled")
        ns.run(days: 8.4)
        let report = ns.analyze(at: Self.end)
        let workload = try #require(report.workloads.first)
        let finding = try #require(workload.findings.first)
        #expect(workload.findings.map(\.kind) == [.underProvisioned])
        #expect(finding.details.count == 3)
        #expect(finding.details[0].hasPrefix("throttled in"))
        #expect(finding.details[1].hasPrefix("memory peaked at"))
        #expect(finding.details[2].hasPrefix("OOM-killed"))
        let container = workload.containers[0]
        #expect(container.oomKilled)
        #expect(container.throttledShare! > 0.1)
        // After an OOM kill the recommendation is at least the limit × 1.2.
        #expect(container.recommendedMemory! >= 512 * NS.MiB * 1.2)
        // The CPU limit raised by half, or to twice the busiest hour.
        let limit = ResourceQuantity.roundUpCPU(max(0.75, 2 * container.cpuPeakHour!))
        #expect(finding.yaml?.contains("    cpu: \(ResourceQuantity.cpu(limit))") == true)
        #expect(finding.commands[0].contains("--limits=cpu=\(ResourceQuantity.cpu(limit)),memory="))
    }

    @Test func anOOMKillOfAnotherReasonIsNotAdvice() {
        let ns = NS()
        ns.statefulSet("db", cpuRequest: 0.5, memoryRequest: 1 * NS.GiB, memoryLimit: 1.5 * NS.GiB,
                       cpu: { _ in 0.4 }, memory: { _ in 0.85 * NS.GiB }, terminatedReason: "Error")
        ns.run(days: 2)
        #expect(ns.analyze(at: NS.t0 + 2 * 86_400_000).findings.isEmpty)
    }

    @Test func aWorkloadIdleForSevenDaysIsIdle() throws {
        let ns = NS()
        ns.deployment("legacy", replicas: 3, cpuRequest: 0.25, memoryRequest: 256 * NS.MiB,
                      cpu: { 0.002 + 0.0005 * NS.noise($0) }, memory: { _ in 60 * NS.MiB })
        ns.run(days: 8.4)
        let report = ns.analyze(at: Self.end)
        let finding = try #require(report.findings.first)
        #expect(report.findings.count == 1)
        #expect(finding.kind == .idle)
        #expect(abs(finding.monthlySaving! - 3 * Pricing.default.monthly(cores: 0.25, bytes: 256 * NS.MiB)) < 0.01)
        #expect(finding.commands == ["kubectl scale deployment/legacy -n shop --replicas=0"])
        // Six days are not seven.
        let young = NS()
        young.deployment("legacy", replicas: 3, cpuRequest: 0.25, memoryRequest: 256 * NS.MiB, cpu: { _ in 0.002 }, memory: { _ in 60 * NS.MiB })
        young.run(days: 6)
        #expect(young.analyze(at: NS.t0 + 6 * 86_400_000).findings.allSatisfy { $0.kind != .idle })
    }

    /// A forecast built in the test, as the `Forecasting` module would provide it.
    static func forecast(from start: Timestamp, mean: [Double], spread: Double = 0.05) -> LoadForecast {
        LoadForecast(times: mean.indices.map { start + Timestamp($0) * 3_600_000 }, mean: mean, upper: mean.map { $0 + spread })
    }

    @Test func aForecastPeakAboveCapacityIsScaledAheadOfTime() throws {
        let ns = NS()
        ns.deployment("checkout", replicas: 3, cpuRequest: 0.5, memoryRequest: 256 * NS.MiB,
                      cpu: { 0.3 + 0.02 * NS.noise($0) }, memory: { _ in 200 * NS.MiB })
        ns.run(days: 8.4)
        // Per pod: 0.3 now, 0.65 (+0.05) from 14:00 to 17:00, 0.1 from 22:00 to 06:00.
        let now = Self.end
        let hour = Timestamp(3_600_000)
        let start = (now / hour) * hour  // 09:00
        let perPod = (0..<24).map { step -> Double in
            let h = (9 + step) % 24
            if (14..<17).contains(h) { return 0.65 }
            if h >= 22 || h < 6 { return 0.1 }
            return 0.3
        }
        let provider: ForecastProvider = { labels in
            labels.metricName == "container_cpu_usage_seconds_total" ? Self.forecast(from: start, mean: perPod) : nil
        }
        let report = ns.analyze(at: now, context: AdvisorContext(forecast: provider))
        let finding = try #require(report.findings.first)
        #expect(report.findings.map(\.kind) == [.predictiveScaling])
        let scaling = try #require(finding.scaling)
        #expect(scaling.forecastSource == "forecast")
        // 3 × 0.7 upper = 2.1 CPU over 3 × 500m × 70% = 1.05: 6 replicas.
        #expect(scaling.neededReplicas == 6)
        #expect(scaling.exceedsFrom == start + 5 * hour)
        #expect(scaling.exceedsUntil == start + 8 * hour)
        #expect(scaling.scaleBy == start + 5 * hour - 30 * 60_000)
        #expect(abs(scaling.peakUpper - 2.1) < 1e-9)
        // 22:00 to 06:00: 0.45 CPU needs 1, but never fewer than 2.
        #expect(scaling.quietFrom == start + 13 * hour)
        #expect(scaling.quietUntil == start + 21 * hour)
        #expect(scaling.quietReplicas == 2)
        #expect(finding.commands.first == "kubectl scale deployment/checkout -n shop --replicas=6   # by 13:30 UTC")
        #expect(finding.yaml?.contains("maxReplicas: 6") == true)
    }

    @Test func withoutAForecastTheDailyProfileIsUsed() throws {
        let ns = NS()
        // 3 pods, 0.15 CPU each, 0.55 at 15:00: 1.65 over 1.05.
        ns.deployment("checkout", replicas: 3, cpuRequest: 0.5, memoryRequest: 256 * NS.MiB,
                      cpu: { 0.15 + 0.4 * NS.daily($0, peakHour: 15, width: 1.5) + 0.01 * NS.noise($0) }, memory: { _ in 200 * NS.MiB })
        ns.run(days: 8.4)
        let report = ns.analyze(at: Self.end)
        let scaling = try #require(report.findings.first?.scaling)
        #expect(scaling.forecastSource.hasPrefix("daily profile of the last"))
        #expect((5...6).contains(scaling.neededReplicas))
        let from = try #require(scaling.exceedsFrom)
        #expect((12...15).contains((from / 3_600_000) % 24))
    }

    @Test func aRuleNamedRequestRateIsALoadToo() throws {
        let load = try LoadRule(namespace: "shop", deployment: "web", series: "http_requests_total{service=\"web\"}", perReplica: 100)
        let ns = NS(loads: [load])
        // CPU is low, but requests peak at 400/s at 12:00: at 70% of 100/s per replica, 6 replicas.
        ns.deployment("web", replicas: 2, cpuRequest: 1, memoryRequest: 256 * NS.MiB, cpu: { _ in 0.6 }, memory: { _ in 200 * NS.MiB })
        ns.extra.append((Labels(metric: "http_requests_total", ["service": "web", "instance": "a"]), { 50 + 350 * NS.daily($0, peakHour: 12, width: 1) }))
        ns.run(days: 8.4)
        let report = ns.analyze(at: Self.end, context: AdvisorContext(scaling: ScalingPolicy(loads: [load])))
        let scaling = try #require(report.findings.first { $0.kind == .predictiveScaling }?.scaling)
        #expect(scaling.signal == "http_requests_total{service=\"web\"}")
        #expect((5...7).contains(scaling.neededReplicas))
    }

    @Test func aLeakIncidentIsAnOOMRiskOfItsWorkload() throws {
        let ns = NS()
        ns.deployment("api", replicas: 1, cpuRequest: 0.25, memoryRequest: 300 * NS.MiB, cpu: { _ in 0.2 }, memory: { _ in 250 * NS.MiB })
        ns.run(days: 2)
        let labels = Labels(metric: "container_memory_working_set_bytes", ["namespace": "shop", "pod": "api-5d8f7c9b4-p0", "container": "app"])
        var incident = Incident(id: "leak-1", rule: "container-memory-leak", severity: .critical, labels: labels, detector: .leak, phase: .firing,
                                start: NS.t0, firedAt: NS.t0, lastSeen: NS.t0, peakScore: 0.9, observed: 250 * NS.MiB,
                                advice: RenderedAdvice(summary: "", steps: [], runbookURL: nil))
        incident.limit = 1 * NS.GiB
        incident.secondsToLimit = 5 * 3600
        incident.leakRatePerHour = 60 * NS.MiB
        let report = ns.analyze(at: NS.t0 + 2 * 86_400_000, context: AdvisorContext(openIncidents: [incident]))
        let risk = try #require(report.findings.first { $0.kind == .oomRisk })
        #expect(risk.workload.key == "Deployment/shop/api")
        #expect(risk.secondsToLimit == 18_000.0)
        #expect(risk.summary.contains("in about 5h"))
    }

    @Test func podsWithoutOwnerSeriesAreCountedNotAdvised() {
        let ns = NS()
        ns.deployment("api", replicas: 1, cpuRequest: 4, memoryRequest: 8 * NS.GiB, cpu: { _ in 0.1 }, memory: { _ in 100 * NS.MiB })
        ns.replicaSets = []
        ns.pods[0].ownerKind = "<none>"
        ns.run(days: 2)
        let report = ns.analyze(at: NS.t0 + 2 * 86_400_000)
        #expect(report.workloads.isEmpty)
        #expect(report.unattributedPods == 1)
    }

    @Test func aRolloutsPodsCountForTheSameDeployment() throws {
        let ns = NS()
        ns.deployment("api", replicas: 2, cpuRequest: 2, memoryRequest: 2 * NS.GiB, cpu: { _ in 0.2 }, memory: { _ in 400 * NS.MiB })
        ns.run(days: 4)
        // A new ReplicaSet replaces the pods; the old ones' usage stays in the window.
        ns.pods = ns.pods.map { pod in
            var next = pod
            next.name = pod.name.replacingOccurrences(of: "5d8f7c9b4", with: "6c9d8e7f1")
            next.ownerName = "api-6c9d8e7f1"
            next.memory = { _ in 300 * NS.MiB }
            return next
        }
        ns.replicaSets.append(("api-6c9d8e7f1", "api"))
        ns.run(days: 4.4, from: NS.t0 + 4 * 86_400_000)
        let report = ns.analyze(at: Self.end)
        let container = try #require(report.workloads.first?.containers.first)
        #expect(report.workloads.count == 1)
        #expect(container.pods == 4)
        #expect(abs(container.memoryPeak! - 400 * NS.MiB) < 1, "the replaced pods' peak counts")
    }
}
