import AIOpsCore

/// What the advice module keeps of a series, decided once from its name and labels when the
/// recorder first sees it. Series of no role (almost all) cost one array read per sample.
///
/// Usage roles keep hourly summaries (and, for CPU, a daily histogram); inventory roles
/// (kube-state-metrics' objects and cAdvisor's memory limit) keep their latest value only.
public enum SeriesRole: UInt8, Sendable, CaseIterable {
    /// `container_cpu_usage_seconds_total` of a container (not the pod total `container=""`
    /// nor the pause container `POD`): its per-second rate is cores in use.
    case cpu
    /// `container_memory_working_set_bytes`: what the OOM killer looks at.
    case memory
    /// `container_cpu_cfs_periods_total` and `container_cpu_cfs_throttled_periods_total`.
    case cfsPeriods
    case cfsThrottled
    /// A series a `LoadRule` names as a Deployment's load.
    case load
    /// `kube_pod_owner`: pod -> ReplicaSet, StatefulSet, DaemonSet, Job.
    case podOwner
    /// `kube_replicaset_owner`: ReplicaSet -> Deployment.
    case replicaSetOwner
    /// `kube_deployment_spec_replicas`, `kube_statefulset_replicas`,
    /// `kube_daemonset_status_desired_number_scheduled`.
    case deploymentReplicas
    case statefulSetReplicas
    case daemonSetReplicas
    /// `kube_pod_container_resource_requests` and `_limits` (label `resource`).
    case requests
    case limits
    /// `kube_pod_container_status_last_terminated_reason` (label `reason`).
    case terminatedReason
    /// `container_spec_memory_limit_bytes` (0 when unlimited).
    case specMemoryLimit

    /// Keeps hourly summaries (else only the latest value).
    public var isUsage: Bool { rawValue <= SeriesRole.load.rawValue }

    /// The role of a series, or nil when the advice needs nothing of it.
    /// - Parameter loads: the workspace's load rules; a series one of them selects is `.load`
    ///   (the first such rule's index is returned too).
    /// - Complexity: a few string comparisons, plus one selector match per load rule.
    public static func of(_ labels: Labels, loads: [LoadRule] = []) -> (role: SeriesRole, load: Int)? {
        let name = labels.metricName
        switch name {
        case "container_cpu_usage_seconds_total": return container(labels, .cpu)
        case "container_memory_working_set_bytes": return container(labels, .memory)
        case "container_cpu_cfs_periods_total": return container(labels, .cfsPeriods)
        case "container_cpu_cfs_throttled_periods_total": return container(labels, .cfsThrottled)
        case "container_spec_memory_limit_bytes": return container(labels, .specMemoryLimit)
        case "kube_pod_owner": return has(labels, "namespace", "pod", "owner_kind") ? (.podOwner, -1) : nil
        case "kube_replicaset_owner": return has(labels, "namespace", "replicaset", "owner_kind") ? (.replicaSetOwner, -1) : nil
        case "kube_deployment_spec_replicas": return has(labels, "namespace", "deployment") ? (.deploymentReplicas, -1) : nil
        case "kube_statefulset_replicas": return has(labels, "namespace", "statefulset") ? (.statefulSetReplicas, -1) : nil
        case "kube_daemonset_status_desired_number_scheduled": return has(labels, "namespace", "daemonset") ? (.daemonSetReplicas, -1) : nil
        case "kube_pod_container_resource_requests": return has(labels, "namespace", "pod", "container", "resource") ? (.requests, -1) : nil
        case "kube_pod_container_resource_limits": return has(labels, "namespace", "pod", "container", "resource") ? (.limits, -1) : nil
        case "kube_pod_container_status_last_terminated_reason":
            return has(labels, "namespace", "pod", "container", "reason") ? (.terminatedReason, -1) : nil
        default:
            for (index, load) in loads.enumerated() where load.selector.matches(labels) { return (.load, index) }
            return nil
        }
    }

    /// A cAdvisor container series: needs namespace, pod and a real container name.
    private static func container(_ labels: Labels, _ role: SeriesRole) -> (role: SeriesRole, load: Int)? {
        guard let container = labels["container"], !container.isEmpty, container != "POD",
              let namespace = labels["namespace"], !namespace.isEmpty, let pod = labels["pod"], !pod.isEmpty
        else { return nil }
        return (role, -1)
    }

    private static func has(_ labels: Labels, _ names: String...) -> Bool {
        names.allSatisfy { !(labels[$0] ?? "").isEmpty }
    }

    /// Whether a series of this role (or, for loads, of this name) is a counter, summarised
    /// as its per-second rate.
    static func isCounter(_ role: SeriesRole, metricName: String) -> Bool {
        switch role {
        case .cpu, .cfsPeriods, .cfsThrottled: return true
        case .load:
            return metricName.hasSuffix("_total") || metricName.hasSuffix("_count") || metricName.hasSuffix("_sum") || metricName.hasSuffix("_bucket")
        default: return false
        }
    }
}
