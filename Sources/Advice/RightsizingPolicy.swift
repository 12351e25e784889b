/// The thresholds of cost optimisation: how requests are recommended (KRR's `simple`
/// strategy) and when a difference is worth a finding.
public struct RightsizingPolicy: Sendable, Equatable {
    /// CPU request = p95 of CPU usage × (1 + this). KRR uses the p95 as it is; 15 % of
    /// headroom keeps a request at the p95 from throttling the busiest 5 % of steps more
    /// than the neighbours allow.
    public var cpuPercentile = 0.95
    public var cpuHeadroom = 0.15
    /// Memory request and limit = peak working set × (1 + this) (KRR's 15 % buffer), never
    /// below the peak.
    public var memoryBuffer = 0.15
    /// After an OOM kill the peak seen is capped by the limit: recommend at least the limit
    /// × this.
    public var oomGrowth = 1.2
    /// Over-provisioned: a request at least this many times the recommendation, and at
    /// least `minimumCPUExcess` cores or `minimumMemoryExcess` bytes above it.
    public var overProvisionedRatio = 1.3
    public var minimumCPUExcess = 0.05
    public var minimumMemoryExcess = 64.0 * 1_048_576
    /// Under-provisioned: throttled in more than this share of CFS periods (p95 over the
    /// window's hours), or a memory peak within `memoryNearLimit` of the limit.
    public var throttledShare = 0.10
    public var memoryNearLimit = 0.90
    /// Idle: a workload's CPU per running pod at or below this (cores) in every hour of at
    /// least `idleHours` hours of data.
    public var idleCoresPerPod = 0.005
    public var idleHours = 168
    /// Hours of data a container needs before its requests are judged.
    public var minimumHours = 24

    public static let `default` = RightsizingPolicy()

    public init() {}
}
