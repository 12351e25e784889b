import AIOpsCore
import Incidents
import Rules

/// What an analysis needs besides the usage: prices, policies, forecasts, open incidents,
/// and the zone times are written in.
public struct AdvisorContext: Sendable {
    public var pricing: Pricing
    public var scaling: ScalingPolicy
    public var rightsizing: RightsizingPolicy
    /// Per-series forecasts (the `Forecasting` module); nil, or nil for a series: the
    /// recorder's daily profile is used instead.
    public var forecast: ForecastProvider?
    /// Open incidents: leaks with a time to their limit become OOM risks.
    public var openIncidents: [Incident]
    /// Times in advice text are written in this zone (the daily summary's).
    public var schedule: DailySummarySchedule

    public init(pricing: Pricing = .default, scaling: ScalingPolicy = .default, rightsizing: RightsizingPolicy = .default,
                forecast: ForecastProvider? = nil, openIncidents: [Incident] = [], schedule: DailySummarySchedule = .default) {
        self.pricing = pricing
        self.scaling = scaling
        self.rightsizing = rightsizing
        self.forecast = forecast
        self.openIncidents = openIncidents
        self.schedule = schedule
    }
}

/// Turns the recorders' summaries into advice: rolls pods up to their workloads, compares
/// each container's requests with its p95 CPU and peak memory over the window (cost
/// optimisation), checks throttling, memory headroom and OOM kills (under-provisioning),
/// finds idle workloads, forecasts each Deployment's load against what its replicas serve
/// (predictive scaling), and turns leak incidents into OOM risks.
///
/// Pure: the same extract and context always give the same report.
/// - Complexity: O(series × hours in the window), outside any lock.
public enum Advisor {
    public static func analyze(_ extract: UsageExtract, context: AdvisorContext) -> AdviceReport {
        var analysis = Analysis(extract: extract, context: context)
        return analysis.run()
    }
}

/// One analysis' working state.
struct Analysis {
    let extract: UsageExtract
    let context: AdvisorContext
    let rollup: WorkloadRollup
    let policy: RightsizingPolicy
    let hourMs: Int64 = 3_600_000

    struct PodContainer: Hashable { var namespace: String; var pod: String; var container: String }
    struct NamedObject: Hashable { var namespace: String; var name: String }
    struct Spec { var cpuRequest: Double?; var cpuLimit: Double?; var memoryRequest: Double?; var memoryLimit: Double?; var specMemoryLimit: Double?; var lastSeen: Int64 = .min }

    /// A workload's container, its pods' series added up hour by hour.
    struct Aggregate {
        var pods: [String: Int64] = [:]  // pod -> CPU last seen
        var cpuHours: [Double]
        var cpuPodsPerHour: [Int]
        var histogram = [UInt32](repeating: 0, count: UsageHistogram.bucketCount)
        var memoryPeak = -Double.infinity
        var periodsHours: [Double]
        var throttledHours: [Double]
        var currentCPU: [UsageSeries] = []

        init(hours: Int) {
            cpuHours = Array(repeating: 0, count: hours)
            cpuPodsPerHour = Array(repeating: 0, count: hours)
            periodsHours = Array(repeating: 0, count: hours)
            throttledHours = Array(repeating: 0, count: hours)
        }
    }

    var specs: [PodContainer: Spec] = [:]
    var replicas: [String: [NamedObject: (value: Double, lastSeen: Int64)]] = [:]
    var oomKilled = Set<PodContainer>()
    var aggregates: [WorkloadID: [String: Aggregate]] = [:]
    var unattributed = Set<String>()
    var loadHours: [Int: [Double]] = [:]
    var loadSeries: [Int: [UsageSeries]] = [:]

    init(extract: UsageExtract, context: AdvisorContext) {
        self.extract = extract
        self.context = context
        self.rollup = WorkloadRollup(extract.inventory)
        self.policy = context.rightsizing
    }

    var firstHourStart: Timestamp { (extract.windowStart / hourMs) * hourMs }

    mutating func run() -> AdviceReport {
        readInventory()
        aggregateUsage()
        var workloads: [WorkloadReport] = []
        for workload in aggregates.keys.sorted() {
            workloads.append(report(workload, containers: aggregates[workload]!))
        }
        addOOMRisks(&workloads)
        return AdviceReport(generatedAt: extract.now, windowStart: extract.windowStart, pricing: context.pricing, scaling: context.scaling,
                            workloads: workloads, unattributedPods: unattributed.count)
    }

    // MARK: Inputs

    mutating func readInventory() {
        for item in extract.inventory {
            let labels = item.labels
            let namespace = labels["namespace"] ?? ""
            switch item.role {
            case .requests, .limits, .specMemoryLimit:
                let key = PodContainer(namespace: namespace, pod: labels["pod"] ?? "", container: labels["container"] ?? "")
                var spec = specs[key] ?? Spec()
                let value = item.value.isFinite ? item.value : nil
                switch (item.role, labels["resource"]) {
                case (.requests, "cpu"): spec.cpuRequest = value
                case (.requests, "memory"): spec.memoryRequest = value
                case (.limits, "cpu"): spec.cpuLimit = value
                case (.limits, "memory"): spec.memoryLimit = value
                case (.specMemoryLimit, _): spec.specMemoryLimit = (value ?? 0) > 0 ? value : nil
                default: break
                }
                spec.lastSeen = max(spec.lastSeen, item.lastSeen)
                specs[key] = spec
            case .deploymentReplicas, .statefulSetReplicas, .daemonSetReplicas:
                let (kind, label) = switch item.role {
                case .deploymentReplicas: ("Deployment", "deployment")
                case .statefulSetReplicas: ("StatefulSet", "statefulset")
                default: ("DaemonSet", "daemonset")
                }
                let key = NamedObject(namespace: namespace, name: labels[label] ?? "")
                if let current = replicas[kind]?[key], current.lastSeen >= item.lastSeen { continue }
                replicas[kind, default: [:]][key] = (item.value, item.lastSeen)
            case .terminatedReason:
                if labels["reason"] == "OOMKilled", item.value > 0 {
                    oomKilled.insert(PodContainer(namespace: namespace, pod: labels["pod"] ?? "", container: labels["container"] ?? ""))
                }
            default:
                continue
            }
        }
    }

    mutating func aggregateUsage() {
        let hours = extract.hourCount
        for series in extract.series {
            if series.role == .load {
                var sums = loadHours[series.load] ?? Array(repeating: .nan, count: hours)
                for (offset, value) in extract.hours(of: series).enumerated() where value.isFinite {
                    sums[offset] = (sums[offset].isNaN ? 0 : sums[offset]) + Double(value)
                }
                loadHours[series.load] = sums
                if series.lastSeen >= extract.now - 30 * 60_000 { loadSeries[series.load, default: []].append(series) }
                continue
            }
            let namespace = series.labels["namespace"] ?? ""
            let pod = series.labels["pod"] ?? ""
            let container = series.labels["container"] ?? ""
            guard let workload = rollup.workload(namespace: namespace, pod: pod) else {
                unattributed.insert(namespace + "/" + pod)
                continue
            }
            var aggregate = aggregates[workload]?[container] ?? Aggregate(hours: hours)
            let values = extract.hours(of: series)
            switch series.role {
            case .cpu:
                aggregate.pods[pod] = max(aggregate.pods[pod] ?? .min, series.lastSeen)
                for (offset, value) in values.enumerated() where value.isFinite {
                    aggregate.cpuHours[offset] += Double(value)
                    aggregate.cpuPodsPerHour[offset] += 1
                }
                for (bucket, count) in extract.histogram(of: series).enumerated() { aggregate.histogram[bucket] += count }
                if series.lastSeen >= extract.now - 30 * 60_000 { aggregate.currentCPU.append(series) }
            case .memory:
                for value in values where value.isFinite { aggregate.memoryPeak = max(aggregate.memoryPeak, Double(value)) }
            case .cfsPeriods:
                for (offset, value) in values.enumerated() where value.isFinite { aggregate.periodsHours[offset] += Double(value) }
            case .cfsThrottled:
                for (offset, value) in values.enumerated() where value.isFinite { aggregate.throttledHours[offset] += Double(value) }
            default:
                break
            }
            aggregates[workload, default: [:]][container] = aggregate
        }
    }

    // MARK: Per workload

    func report(_ workload: WorkloadID, containers: [String: Aggregate]) -> WorkloadReport {
        let replicaCount = replicaCount(workload, containers: containers)
        var report = WorkloadReport(workload: workload, replicas: replicaCount)
        var rightsizing: [Finding] = []
        var under: [(finding: Finding, throttledOnly: Bool)] = []
        for name in containers.keys.sorted() {
            let aggregate = containers[name]!
            var container = containerReport(workload, name: name, aggregate: aggregate)
            recommend(&container)
            if let finding = overProvisioned(workload, container, replicas: replicaCount) { rightsizing.append(finding) }
            if let finding = underProvisioned(workload, container) { under.append(finding) }
            report.containers.append(container)
        }
        if let idle = idle(workload, report: report, containers: containers) {
            // Everything it requests is idle: the rightsizing of its containers is moot.
            report.findings = [idle] + under.filter { !$0.throttledOnly }.map(\.finding)
            return report
        }
        var scaling: Finding?
        if workload.kind == "Deployment" {
            // Over-provisioned requests make CPU a wrong measure of capacity: fix those first.
            scaling = predictiveScaling(workload, report: report, containers: containers, cpu: rightsizing.isEmpty)
        }
        if var scaling, scaling.scaling?.exceedsFrom != nil {
            // More replicas relieve the throttling: it is evidence for the scale-out, not a
            // finding of its own.
            for entry in under where entry.throttledOnly {
                scaling.details += entry.finding.details.map {
                    "container \(entry.finding.container ?? ""): \($0); the usage seen at the peaks is capped, so the demand may be higher still"
                }
            }
            report.findings = [scaling] + under.filter { !$0.throttledOnly }.map(\.finding) + rightsizing
        } else {
            report.findings = (scaling.map { [$0] } ?? []) + under.map(\.finding) + rightsizing
        }
        return report
    }

    func replicaCount(_ workload: WorkloadID, containers: [String: Aggregate]) -> Int {
        if let declared = replicas[workload.kind]?[NamedObject(namespace: workload.namespace, name: workload.name)], declared.value.isFinite {
            return max(0, Int(declared.value.rounded()))
        }
        var current = Set<String>()
        for aggregate in containers.values {
            for (pod, lastSeen) in aggregate.pods where lastSeen >= extract.now - hourMs { current.insert(pod) }
        }
        return max(1, current.count)
    }

    func containerReport(_ workload: WorkloadID, name: String, aggregate: Aggregate) -> ContainerReport {
        var container = ContainerReport(name: name, pods: aggregate.pods.count, hoursObserved: aggregate.cpuPodsPerHour.filter { $0 > 0 }.count)
        // The spec of the pod seen last is the workload's current one.
        var latest: Spec?
        for pod in aggregate.pods.keys {
            guard let spec = specs[PodContainer(namespace: workload.namespace, pod: pod, container: name)] else { continue }
            if latest == nil || spec.lastSeen > latest!.lastSeen { latest = spec }
        }
        if let latest {
            container.cpuRequest = latest.cpuRequest
            container.cpuLimit = latest.cpuLimit
            container.memoryRequest = latest.memoryRequest
            container.memoryLimit = latest.memoryLimit ?? latest.specMemoryLimit
        }
        container.cpuP95 = UsageHistogram.quantile(aggregate.histogram[...], policy.cpuPercentile)
        let hourly = zip(aggregate.cpuHours, aggregate.cpuPodsPerHour).compactMap { $1 > 0 ? $0 / Double($1) : nil }
        container.cpuPeakHour = hourly.max()
        container.memoryPeak = aggregate.memoryPeak.isFinite ? aggregate.memoryPeak : nil
        var shares: [Double] = []
        for (periods, throttled) in zip(aggregate.periodsHours, aggregate.throttledHours) where periods > 0 {
            shares.append(min(1, throttled / periods))
        }
        if !shares.isEmpty {
            shares.sort()
            container.throttledShare = shares[min(shares.count - 1, Int((Double(shares.count) * 0.95).rounded(.down)))]
        }
        container.oomKilled = aggregate.pods.keys.contains { oomKilled.contains(PodContainer(namespace: workload.namespace, pod: $0, container: name)) }
        return container
    }

    /// KRR's simple strategy: CPU at the p95 plus headroom; memory at the peak plus 15 %, and
    /// after an OOM kill at least the limit × `oomGrowth`.
    func recommend(_ container: inout ContainerReport) {
        guard container.hoursObserved >= policy.minimumHours else { return }
        if let p95 = container.cpuP95 {
            container.recommendedCPU = ResourceQuantity.roundUpCPU(p95 * (1 + policy.cpuHeadroom))
        }
        if let peak = container.memoryPeak {
            var memory = peak * (1 + policy.memoryBuffer)
            if container.oomKilled, let limit = container.memoryLimit { memory = max(memory, limit * policy.oomGrowth) }
            container.recommendedMemory = ResourceQuantity.roundUpMemory(memory)
        }
    }

    // MARK: Cost

    func overProvisioned(_ workload: WorkloadID, _ container: ContainerReport, replicas: Int) -> Finding? {
        var cpuExcess = 0.0
        var memoryExcess = 0.0
        var over = false
        if let request = container.cpuRequest, let recommended = container.recommendedCPU {
            cpuExcess = request - recommended
            if request >= policy.overProvisionedRatio * recommended && cpuExcess >= policy.minimumCPUExcess { over = true }
        }
        if let request = container.memoryRequest, let recommended = container.recommendedMemory {
            memoryExcess = request - recommended
            if request >= policy.overProvisionedRatio * recommended && memoryExcess >= policy.minimumMemoryExcess { over = true }
        }
        let saving = Double(replicas) * context.pricing.monthly(cores: cpuExcess, bytes: memoryExcess)
        guard over, saving > 0 else { return nil }
        var parts: [String] = []
        if let request = container.cpuRequest, let recommended = container.recommendedCPU, let p95 = container.cpuP95 {
            parts.append("CPU request \(ResourceQuantity.cpu(request)) for a p95 of \(ResourceQuantity.cores(p95)) (recommended \(ResourceQuantity.cpu(recommended)))")
        }
        if let request = container.memoryRequest, let recommended = container.recommendedMemory, let peak = container.memoryPeak {
            parts.append("memory request \(ResourceQuantity.memory(request)) for a peak of \(ResourceQuantity.bytes(peak)) (recommended \(ResourceQuantity.memory(recommended)))")
        }
        let summary = "\(workload) container \(container.name): " + parts.joined(separator: "; ")
            + ". Right-sizing saves \(context.pricing.format(saving)) a month over \(replicas) replica\(replicas == 1 ? "" : "s")."
        return Finding(kind: .overProvisioned, workload: workload, container: container.name, summary: summary,
                       details: evidence(container), monthlySaving: saving, yaml: resourcesYAML(container),
                       commands: [setResourcesCommand(workload, container)], usage: container)
    }

    func evidence(_ container: ContainerReport) -> [String] {
        var lines = ["\(container.hoursObserved) hours of data from \(container.pods) pod\(container.pods == 1 ? "" : "s")"]
        if let peak = container.cpuPeakHour { lines.append("busiest hour \(ResourceQuantity.cores(peak)) per pod") }
        return lines
    }

    /// The `resources:` block of a recommendation: requests at the recommendation, memory
    /// limit equal to the memory request (KRR), no CPU limit unless one is set already.
    func resourcesYAML(_ container: ContainerReport, cpuLimit: Double? = nil) -> String {
        var lines = ["# container: \(container.name)", "resources:", "  requests:"]
        if let cpu = container.recommendedCPU { lines.append("    cpu: \(ResourceQuantity.cpu(cpu))") }
        if let memory = container.recommendedMemory { lines.append("    memory: \(ResourceQuantity.memory(memory))") }
        var limits: [String] = []
        if let limit = cpuLimit ?? container.cpuLimit, limit >= (container.recommendedCPU ?? 0) { limits.append("    cpu: \(ResourceQuantity.cpu(limit))") }
        if let memory = container.recommendedMemory { limits.append("    memory: \(ResourceQuantity.memory(memory))") }
        if !limits.isEmpty { lines += ["  limits:"] + limits }
        return lines.joined(separator: "\n")
    }

    func setResourcesCommand(_ workload: WorkloadID, _ container: ContainerReport, cpuLimit: Double? = nil) -> String {
        var requests: [String] = []
        var limits: [String] = []
        if let cpu = container.recommendedCPU { requests.append("cpu=\(ResourceQuantity.cpu(cpu))") }
        if let memory = container.recommendedMemory {
            requests.append("memory=\(ResourceQuantity.memory(memory))")
            limits.append("memory=\(ResourceQuantity.memory(memory))")
        }
        if let cpuLimit { limits.insert("cpu=\(ResourceQuantity.cpu(cpuLimit))", at: 0) }
        var command = "kubectl set resources \(workload.kubectlName) -n \(workload.namespace) -c \(container.name)"
        if !requests.isEmpty { command += " --requests=" + requests.joined(separator: ",") }
        if !limits.isEmpty { command += " --limits=" + limits.joined(separator: ",") }
        return command
    }

    func idle(_ workload: WorkloadID, report: WorkloadReport, containers: [String: Aggregate]) -> Finding? {
        guard report.replicas > 0 else { return nil }
        let hours = extract.hourCount
        var observed = 0
        var busiest = 0.0
        for hour in 0..<hours {
            var total = 0.0
            var pods = 0
            for aggregate in containers.values where aggregate.cpuPodsPerHour[hour] > 0 {
                total += aggregate.cpuHours[hour]
                pods = max(pods, aggregate.cpuPodsPerHour[hour])
            }
            guard pods > 0 else { continue }
            observed += 1
            busiest = max(busiest, total / Double(pods))
            if total / Double(pods) > policy.idleCoresPerPod { return nil }
        }
        guard observed >= policy.idleHours else { return nil }
        var cores = 0.0
        var bytes = 0.0
        for container in report.containers {
            cores += container.cpuRequest ?? 0
            bytes += container.memoryRequest ?? 0
        }
        let saving = Double(report.replicas) * context.pricing.monthly(cores: cores, bytes: bytes)
        let days = observed / 24
        let summary = "\(workload) used at most \(ResourceQuantity.cpu(busiest)) CPU per pod in any hour of the last \(days) days"
            + " while its \(report.replicas) replica\(report.replicas == 1 ? "" : "s") request \(ResourceQuantity.cpu(cores)) CPU and \(ResourceQuantity.memory(bytes)) each."
            + (saving > 0 ? " If nothing depends on it, scaling it to zero saves \(context.pricing.format(saving)) a month." : "")
        return Finding(kind: .idle, workload: workload, summary: summary,
                       details: ["\(observed) hours of data, busiest hour \(ResourceQuantity.cpu(busiest)) CPU per pod"],
                       monthlySaving: saving > 0 ? saving : nil,
                       commands: workload.kind == "DaemonSet" ? ["kubectl delete \(workload.kubectlName) -n \(workload.namespace)"]
                           : ["kubectl scale \(workload.kubectlName) -n \(workload.namespace) --replicas=0"])
    }

    // MARK: Under-provisioned

    func underProvisioned(_ workload: WorkloadID, _ container: ContainerReport) -> (finding: Finding, throttledOnly: Bool)? {
        var reasons: [String] = []
        var throttled = false
        var memory = false
        if let share = container.throttledShare, share > policy.throttledShare {
            throttled = true
            reasons.append("throttled in \(ResourceQuantity.percent(share)) of CFS periods in its busiest hours (p95 of hours)"
                + (container.cpuLimit.map { " by its \(ResourceQuantity.cpu($0)) CPU limit" } ?? ""))
        }
        if let peak = container.memoryPeak, let limit = container.memoryLimit, limit > 0, peak >= policy.memoryNearLimit * limit {
            memory = true
            reasons.append("memory peaked at \(ResourceQuantity.bytes(peak)), within \(ResourceQuantity.percent(1 - peak / limit)) of its \(ResourceQuantity.memory(limit)) limit")
        }
        if container.oomKilled {
            memory = true
            reasons.append("OOM-killed (last terminated reason OOMKilled)")
        }
        guard !reasons.isEmpty else { return nil }
        var fixed = container
        var cpuLimit: Double?
        if throttled, let limit = container.cpuLimit {
            cpuLimit = ResourceQuantity.roundUpCPU(max(limit * 1.5, (container.cpuPeakHour ?? 0) * 2))
        }
        if !memory { fixed.recommendedMemory = nil }
        if let request = container.cpuRequest, let recommended = fixed.recommendedCPU { fixed.recommendedCPU = max(request, recommended) }
        var actions: [String] = []
        if throttled, let request = container.cpuRequest, let recommended = fixed.recommendedCPU, recommended > request {
            actions.append("raise the CPU request to \(ResourceQuantity.cpu(recommended))" + (container.cpuP95.map { " (p95 \(ResourceQuantity.cores($0)))" } ?? ""))
        }
        if let cpuLimit { actions.append("raise the CPU limit to \(ResourceQuantity.cpu(cpuLimit)) (or remove it)") }
        if memory, let recommended = fixed.recommendedMemory { actions.append("set memory request and limit to \(ResourceQuantity.memory(recommended))") }
        let summary = "\(workload) container \(container.name): " + reasons.joined(separator: "; ")
            + (actions.isEmpty ? "." : ". " + actions.joined(separator: ", ").capitalizedFirst + ".")
        let finding = Finding(kind: .underProvisioned, workload: workload, container: container.name, summary: summary, details: reasons,
                              yaml: resourcesYAML(fixed, cpuLimit: cpuLimit), commands: [setResourcesCommand(workload, fixed, cpuLimit: cpuLimit)], usage: container)
        return (finding, throttled && !memory)
    }

    // MARK: Predictive scaling

    /// The load of a Deployment over the next day against what its replicas serve.
    func predictiveScaling(_ workload: WorkloadID, report: WorkloadReport, containers: [String: Aggregate], cpu: Bool) -> Finding? {
        guard report.replicas > 0 else { return nil }
        let target = context.scaling.targetUtilisation
        var candidates: [(signal: String, forecast: LoadForecast, perReplica: Double)] = []
        let cpuPerReplica = report.containers.reduce(0) { $0 + ($1.cpuRequest ?? 0) }
        if cpu, cpuPerReplica > 0, let forecast = cpuForecast(containers) {
            candidates.append(("cpu", forecast, cpuPerReplica))
        }
        for (index, load) in context.scaling.loads.enumerated() where load.namespace == workload.namespace && load.deployment == workload.name {
            if let forecast = loadForecast(index) { candidates.append((load.selector.text, forecast, load.perReplica)) }
        }
        var best: ScalingAdvice?
        for candidate in candidates {
            guard let advice = scaling(candidate.forecast, signal: candidate.signal, replicas: report.replicas, perReplica: candidate.perReplica, target: target)
            else { continue }
            if best == nil || advice.neededReplicas > best!.neededReplicas { best = advice }
        }
        guard var advice = best, advice.exceedsFrom != nil || advice.quietFrom != nil else { return nil }
        advice.throttledShare = report.containers.compactMap(\.throttledShare).max()
        return scalingFinding(workload, advice)
    }

    func cpuForecast(_ containers: [String: Aggregate]) -> LoadForecast? {
        if let provider = context.forecast {
            var parts: [LoadForecast] = []
            var complete = true
            for aggregate in containers.values {
                for series in aggregate.currentCPU {
                    guard let forecast = provider(series.labels) else { complete = false; break }
                    parts.append(forecast)
                }
            }
            if complete, let sum = LoadForecast.sum(parts) { return sum }
        }
        var hourly = Array(repeating: Double.nan, count: extract.hourCount)
        for aggregate in containers.values {
            for hour in 0..<extract.hourCount where aggregate.cpuPodsPerHour[hour] > 0 {
                hourly[hour] = (hourly[hour].isNaN ? 0 : hourly[hour]) + aggregate.cpuHours[hour]
            }
        }
        return LoadForecast.dailyProfile(hourly: hourly, firstHourStart: firstHourStart, now: extract.now)
    }

    func loadForecast(_ index: Int) -> LoadForecast? {
        if let provider = context.forecast, let series = loadSeries[index], !series.isEmpty {
            let parts = series.compactMap { provider($0.labels) }
            if parts.count == series.count, let sum = LoadForecast.sum(parts) { return sum }
        }
        guard let hourly = loadHours[index] else { return nil }
        return LoadForecast.dailyProfile(hourly: hourly, firstHourStart: firstHourStart, now: extract.now)
    }

    /// Replicas needed per forecast step (upper bound at the target utilisation), the first
    /// run of steps above the current replicas, and the longest run in which fewer suffice.
    func scaling(_ forecast: LoadForecast, signal: String, replicas: Int, perReplica: Double, target: Double) -> ScalingAdvice? {
        let steps = forecast.times.indices.filter { forecast.times[$0] + forecast.step > extract.now }
        guard !steps.isEmpty, perReplica > 0 else { return nil }
        let unit = perReplica * target
        func needed(_ index: Int) -> Int { max(1, Int((forecast.upper[index] / unit - 1e-9).rounded(.up))) }
        let peak = steps.max { forecast.upper[$0] < forecast.upper[$1] }!
        var advice = ScalingAdvice(signal: signal, forecastSource: forecast.source, replicas: replicas, capacityPerReplica: perReplica,
                                   targetUtilisation: target, peakTime: forecast.times[peak], peakMean: forecast.mean[peak],
                                   peakUpper: forecast.upper[peak], neededReplicas: steps.map(needed).max() ?? replicas)
        if let first = steps.first(where: { needed($0) > replicas }) {
            var last = first
            while last + 1 < forecast.times.count, steps.contains(last + 1), needed(last + 1) > replicas { last += 1 }
            advice.exceedsFrom = forecast.times[first]
            advice.exceedsUntil = forecast.times[last] + forecast.step
            advice.scaleBy = max(extract.now, forecast.times[first] - context.scaling.lead.milliseconds)
        }
        // Quiet hours: the longest run in which max(minReplicas, needed) is below the replicas.
        let floor = context.scaling.minReplicas
        var bestRun: Range<Int>?
        var runStart: Int?
        for (position, index) in steps.enumerated() {
            let quiet = max(floor, needed(index)) < replicas
            if quiet, runStart == nil { runStart = position }
            if !quiet || position == steps.count - 1, let start = runStart {
                let end = quiet ? position + 1 : position
                if bestRun == nil || end - start > bestRun!.count { bestRun = start..<end }
                runStart = nil
            }
        }
        if let run = bestRun, Double(run.count) * Double(forecast.step) >= Double(context.scaling.quietHours) * Double(hourMs) {
            let indexes = run.map { steps[$0] }
            advice.quietFrom = forecast.times[indexes.first!]
            advice.quietUntil = forecast.times[indexes.last!] + forecast.step
            advice.quietReplicas = max(floor, indexes.map(needed).max() ?? floor)
        }
        return advice
    }

    func scalingFinding(_ workload: WorkloadID, _ advice: ScalingAdvice) -> Finding {
        let zone = context.schedule
        let what = advice.signal == "cpu" ? "CPU" : advice.signal
        func amount(_ value: Double) -> String {
            advice.signal == "cpu" ? ResourceQuantity.cores(value) : ResourceQuantity.format2(value) + "/s"
        }
        let capacityText = advice.signal == "cpu"
            ? "\(advice.replicas) × \(ResourceQuantity.cpu(advice.capacityPerReplica)) requested at \(ResourceQuantity.percent(advice.targetUtilisation))"
            : "\(advice.replicas) × \(ResourceQuantity.format2(advice.capacityPerReplica))/s at \(ResourceQuantity.percent(advice.targetUtilisation))"
        var sentences: [String] = []
        var commands: [String] = []
        let base = "kubectl scale \(workload.kubectlName) -n \(workload.namespace)"
        if let from = advice.exceedsFrom, let until = advice.exceedsUntil, let by = advice.scaleBy {
            sentences.append("\(workload): the \(what) forecast peaks at \(amount(advice.peakUpper)) (80% upper bound; mean \(amount(advice.peakMean))) at \(zone.localTime(at: advice.peakTime)),"
                + " over the \(amount(advice.capacity)) its \(capacityText) serve, from \(zone.localTime(at: from)) to \(zone.localTime(at: until))."
                + " Scale to \(advice.neededReplicas) replicas by \(zone.localTime(at: by)) and back to \(advice.replicas) after \(zone.localTime(at: until)).")
            commands.append("\(base) --replicas=\(advice.neededReplicas)   # by \(zone.localTime(at: by))")
            commands.append("\(base) --replicas=\(advice.replicas)   # after \(zone.localTime(at: until))")
            commands.append("kubectl patch hpa \(workload.name) -n \(workload.namespace) -p '{\"spec\":{\"minReplicas\":\(advice.neededReplicas)}}'   # with an HPA: by \(zone.localTime(at: by)), lowered again after \(zone.localTime(at: until))")
        }
        if let from = advice.quietFrom, let until = advice.quietUntil, let quiet = advice.quietReplicas {
            let prefix = sentences.isEmpty ? "\(workload): f" : "F"
            sentences.append(prefix + "rom \(zone.localTime(at: from)) to \(zone.localTime(at: until)) the forecast needs only \(quiet) of its \(advice.replicas) replicas.")
            commands.append("\(base) --replicas=\(quiet)   # \(zone.localTime(at: from)) to \(zone.localTime(at: until))")
        }
        let details = ["forecast: \(advice.forecastSource)", "capacity: \(capacityText)"]
        let hpa = """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: \(workload.name)
              namespace: \(workload.namespace)
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: \(workload.kind), name: \(workload.name)}
              minReplicas: \(min(advice.quietReplicas ?? advice.replicas, advice.replicas))
              maxReplicas: \(max(advice.neededReplicas, advice.replicas))
              metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: \(Int((advice.targetUtilisation * 100).rounded()))}}
            """
        return Finding(kind: .predictiveScaling, workload: workload, summary: sentences.joined(separator: " "), details: details,
                       yaml: hpa, commands: commands, scaling: advice)
    }

    // MARK: Risks

    /// Leak incidents with a time to their limit, on a pod of a known workload.
    func addOOMRisks(_ workloads: inout [WorkloadReport]) {
        for incident in context.openIncidents where incident.phase == .firing {
            guard let seconds = incident.secondsToLimit, seconds.isFinite, let namespace = incident.labels["namespace"],
                  let pod = incident.labels["pod"], let workload = rollup.workload(namespace: namespace, pod: pod)
            else { continue }
            let container = incident.labels["container"]
            let formatter = ValueFormatter(metric: incident.labels.metricName, transform: incident.transform)
            let limit = incident.limit.map { " (\(formatter.format($0)))" } ?? ""
            let growth = incident.leakRatePerHour.map { " at \(formatter.formatGrowth(perHour: $0))" } ?? ""
            let summary = "\(workload): \(incident.labels.metricName) of pod \(pod)\(container.map { " container \($0)" } ?? "") reaches its limit\(limit)"
                + " in about \(ValueFormatter.duration(seconds: seconds))\(growth) (\(incident.rule)): an OOM kill will restart it."
                + " Restart it at a quiet hour and fix the leak; raising the limit only buys time."
            let finding = Finding(kind: .oomRisk, workload: workload, container: container, summary: summary,
                                  details: ["incident \(incident.id)"],
                                  commands: ["kubectl delete pod \(pod) -n \(namespace)   # at a quiet hour; the controller recreates it"],
                                  secondsToLimit: seconds)
            if let index = workloads.firstIndex(where: { $0.workload == workload }) {
                workloads[index].findings.insert(finding, at: 0)
            } else {
                workloads.append(WorkloadReport(workload: workload, replicas: 0, findings: [finding]))
                workloads.sort { $0.workload < $1.workload }
            }
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
