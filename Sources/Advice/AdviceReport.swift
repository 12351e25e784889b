import AIOpsCore

/// Everything advice found in a workspace at one moment: per workload its containers' usage
/// against their requests, and the findings, each with what to change.
public struct AdviceReport: Sendable {
    public var generatedAt: Timestamp
    /// The window the usage figures cover (`UsageRecorder.windowStart`).
    public var windowStart: Timestamp
    public var pricing: Pricing
    public var scaling: ScalingPolicy
    /// Every workload seen, findings or not, in `WorkloadID` order.
    public var workloads: [WorkloadReport] {
        didSet { findings = Self.sortedFindings(workloads) }
    }
    /// Pods with usage but no owner series (kube-state-metrics missing): not advised on.
    public var unattributedPods: Int
    /// All findings: scaling and risks first, then under-provisioned, idle and
    /// over-provisioned by saving. Sorted once, when `workloads` is set.
    public private(set) var findings: [Finding]

    public init(generatedAt: Timestamp, windowStart: Timestamp, pricing: Pricing, scaling: ScalingPolicy, workloads: [WorkloadReport] = [], unattributedPods: Int = 0) {
        self.generatedAt = generatedAt
        self.windowStart = windowStart
        self.pricing = pricing
        self.scaling = scaling
        self.workloads = workloads
        self.unattributedPods = unattributedPods
        self.findings = Self.sortedFindings(workloads)
    }

    static func sortedFindings(_ workloads: [WorkloadReport]) -> [Finding] {
        workloads.flatMap(\.findings).sorted { a, b in
            if a.kind.order != b.kind.order { return a.kind.order < b.kind.order }
            if (a.monthlySaving ?? 0) != (b.monthlySaving ?? 0) { return (a.monthlySaving ?? 0) > (b.monthlySaving ?? 0) }
            return a.workload < b.workload
        }
    }

    /// The saving of applying every over-provisioned and idle finding, per month.
    public var monthlySaving: Double {
        findings.reduce(0) { $0 + max(0, $1.monthlySaving ?? 0) }
    }

    /// Days of data the window spans at `generatedAt`.
    public var windowDays: Double { Double(generatedAt - windowStart) / 86_400_000 }
}

/// One workload: its replicas, containers and findings.
public struct WorkloadReport: Sendable {
    public var workload: WorkloadID
    /// Desired replicas (`kube_deployment_spec_replicas`, ...), else the pods seen in the last hour.
    public var replicas: Int
    public var containers: [ContainerReport]
    public var findings: [Finding]

    public init(workload: WorkloadID, replicas: Int, containers: [ContainerReport] = [], findings: [Finding] = []) {
        self.workload = workload
        self.replicas = replicas
        self.containers = containers
        self.findings = findings
    }
}

/// A container of a workload over the window: what it requests and what it used (all its
/// pods together, the replaced ones included).
public struct ContainerReport: Sendable {
    public var name: String
    /// Distinct pods whose usage was seen in the window.
    public var pods: Int
    /// Hours of the window with CPU data.
    public var hoursObserved: Int
    /// Per pod, from kube-state-metrics (cores, bytes); nil when not set.
    public var cpuRequest: Double?
    public var cpuLimit: Double?
    public var memoryRequest: Double?
    public var memoryLimit: Double?
    /// p95 of the 5-minute (scrape-step) CPU rates of all its pods; the largest hourly mean.
    public var cpuP95: Double?
    public var cpuPeakHour: Double?
    /// Largest working set of any of its pods.
    public var memoryPeak: Double?
    /// p95 over the window's hours of the share of CFS periods throttled.
    public var throttledShare: Double?
    /// A pod's last termination was an OOM kill in the window.
    public var oomKilled: Bool
    /// The KRR-style recommendation: CPU request at p95 + headroom, memory at the peak + 15 %.
    public var recommendedCPU: Double?
    public var recommendedMemory: Double?

    public init(name: String, pods: Int = 0, hoursObserved: Int = 0, oomKilled: Bool = false) {
        self.name = name
        self.pods = pods
        self.hoursObserved = hoursObserved
        self.oomKilled = oomKilled
    }
}

/// What kind of advice a finding is.
public enum FindingKind: String, Sendable, CaseIterable {
    /// The forecast load will exceed what the replicas serve at the target utilisation (or
    /// leaves long quiet hours): scale ahead of time.
    case predictiveScaling
    /// A memory leak's projected OOM kill (an open leak incident with its time to the limit).
    case oomRisk
    /// Throttled above 10 % of CFS periods, memory within 10 % of the limit, or OOM-killed.
    case underProvisioned
    /// Near-zero CPU for 7 days: everything it requests is idle.
    case idle
    /// Requests well above p95 CPU and peak memory.
    case overProvisioned

    var order: Int { FindingKind.allCases.firstIndex(of: self)! }

    /// `Over-provisioned`, for messages.
    public var title: String {
        switch self {
        case .predictiveScaling: return "Predictive scaling"
        case .oomRisk: return "OOM risk"
        case .underProvisioned: return "Under-provisioned"
        case .idle: return "Idle"
        case .overProvisioned: return "Over-provisioned"
        }
    }
}

/// One piece of advice on one workload (and container, where it is about one).
public struct Finding: Sendable {
    public var kind: FindingKind
    public var workload: WorkloadID
    public var container: String?
    /// One line a person reads first (plain text, no markup).
    public var summary: String
    /// Evidence, one short line each.
    public var details: [String]
    /// What the change saves per month (over-provisioned, idle), in `AdviceReport.pricing`.
    public var monthlySaving: Double?
    /// The `resources:` block to paste (rightsizing), or an HPA manifest (scaling).
    public var yaml: String?
    /// Commands that make the change.
    public var commands: [String]
    public var scaling: ScalingAdvice?
    /// Seconds until a leak reaches its limit (oomRisk).
    public var secondsToLimit: Double?
    /// The container's figures behind a rightsizing finding.
    public var usage: ContainerReport?

    public init(kind: FindingKind, workload: WorkloadID, container: String? = nil, summary: String, details: [String] = [],
                monthlySaving: Double? = nil, yaml: String? = nil, commands: [String] = [], scaling: ScalingAdvice? = nil, secondsToLimit: Double? = nil, usage: ContainerReport? = nil) {
        self.kind = kind
        self.workload = workload
        self.container = container
        self.summary = summary
        self.details = details
        self.monthlySaving = monthlySaving
        self.yaml = yaml
        self.commands = commands
        self.scaling = scaling
        self.secondsToLimit = secondsToLimit
        self.usage = usage
    }
}

/// The numbers behind a predictive scaling finding.
public struct ScalingAdvice: Sendable, Equatable {
    /// `cpu`, or the load rule's selector.
    public var signal: String
    /// `LoadForecast.source`.
    public var forecastSource: String
    public var replicas: Int
    /// What one replica serves at 100 % (cores for CPU).
    public var capacityPerReplica: Double
    public var targetUtilisation: Double
    /// The forecast's highest upper bound, its mean there, and when.
    public var peakTime: Timestamp
    public var peakMean: Double
    public var peakUpper: Double
    /// Replicas that keep the peak's upper bound at the target utilisation.
    public var neededReplicas: Int
    /// The forecast steps in which the replicas fall short (nil when they never do).
    public var exceedsFrom: Timestamp?
    public var exceedsUntil: Timestamp?
    /// When to have scaled out: `exceedsFrom` minus the policy's lead (not before now).
    public var scaleBy: Timestamp?
    /// A run of forecast hours in which fewer replicas suffice.
    public var quietFrom: Timestamp?
    public var quietUntil: Timestamp?
    public var quietReplicas: Int?
    /// Throttling seen in the window (p95 of hourly shares), as evidence.
    public var throttledShare: Double?

    public init(signal: String, forecastSource: String, replicas: Int, capacityPerReplica: Double, targetUtilisation: Double,
                peakTime: Timestamp, peakMean: Double, peakUpper: Double, neededReplicas: Int) {
        self.signal = signal
        self.forecastSource = forecastSource
        self.replicas = replicas
        self.capacityPerReplica = capacityPerReplica
        self.targetUtilisation = targetUtilisation
        self.peakTime = peakTime
        self.peakMean = peakMean
        self.peakUpper = peakUpper
        self.neededReplicas = neededReplicas
    }

    /// Load the current replicas serve at the target utilisation.
    public var capacity: Double { Double(replicas) * capacityPerReplica * targetUtilisation }
}
