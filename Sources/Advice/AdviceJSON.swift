import AIOpsCore
import Foundation
import Incidents

/// The JSON of `GET /api/v1/recommendations`: every workload with its containers' usage,
/// requests and recommendations, and the findings with what to change. Times are RFC 3339
/// UTC, CPU in cores, memory in bytes, money in the pricing's currency; unknown numbers are
/// null.
public enum AdviceJSON {
    public static func object(_ report: AdviceReport) -> [String: Any] {
        [
            "generatedAt": TimeFormat.rfc3339(report.generatedAt),
            "window": ["from": TimeFormat.rfc3339(report.windowStart), "to": TimeFormat.rfc3339(report.generatedAt), "days": rounded(report.windowDays, 2)],
            "pricing": ["coreHour": report.pricing.coreHour, "gibHour": report.pricing.gibHour, "currency": report.pricing.currency, "hoursPerMonth": Pricing.hoursPerMonth],
            "scaling": ["targetUtilisation": report.scaling.targetUtilisation, "minReplicas": report.scaling.minReplicas, "lead": report.scaling.lead.description],
            "monthlySaving": rounded(report.monthlySaving, 2),
            "unattributedPods": report.unattributedPods,
            "findings": report.findings.map(finding),
            "workloads": report.workloads.map(workload),
        ]
    }

    static func workload(_ workload: WorkloadReport) -> [String: Any] {
        [
            "workload": workload.workload.key,
            "kind": workload.workload.kind,
            "namespace": workload.workload.namespace,
            "name": workload.workload.name,
            "replicas": workload.replicas,
            "containers": workload.containers.map(container),
            "findings": workload.findings.map(\.kind.rawValue),
        ]
    }

    static func container(_ container: ContainerReport) -> [String: Any] {
        [
            "name": container.name,
            "pods": container.pods,
            "hoursObserved": container.hoursObserved,
            "cpu": ["request": number(container.cpuRequest), "limit": number(container.cpuLimit), "p95": number(container.cpuP95, 4),
                    "peakHour": number(container.cpuPeakHour, 4), "recommended": number(container.recommendedCPU)],
            "memory": ["request": number(container.memoryRequest), "limit": number(container.memoryLimit), "peak": number(container.memoryPeak, 0),
                       "recommended": number(container.recommendedMemory)],
            "throttledShare": number(container.throttledShare, 4),
            "oomKilled": container.oomKilled,
        ]
    }

    static func finding(_ finding: Finding) -> [String: Any] {
        var object: [String: Any] = [
            "kind": finding.kind.rawValue,
            "workload": finding.workload.key,
            "container": finding.container ?? NSNull(),
            "summary": finding.summary,
            "details": finding.details,
            "monthlySaving": number(finding.monthlySaving, 2),
            "yaml": finding.yaml ?? NSNull(),
            "commands": finding.commands,
        ]
        if let seconds = finding.secondsToLimit { object["secondsToLimit"] = rounded(seconds, 0) }
        if let scaling = finding.scaling { object["scaling"] = self.scaling(scaling) }
        return object
    }

    static func scaling(_ advice: ScalingAdvice) -> [String: Any] {
        func time(_ value: Timestamp?) -> Any { value.map { TimeFormat.rfc3339($0) } ?? NSNull() }
        return [
            "signal": advice.signal,
            "forecast": advice.forecastSource,
            "replicas": advice.replicas,
            "capacityPerReplica": advice.capacityPerReplica,
            "targetUtilisation": advice.targetUtilisation,
            "capacity": rounded(advice.capacity, 4),
            "peak": ["time": TimeFormat.rfc3339(advice.peakTime), "mean": rounded(advice.peakMean, 4), "upper": rounded(advice.peakUpper, 4)],
            "neededReplicas": advice.neededReplicas,
            "exceedsFrom": time(advice.exceedsFrom),
            "exceedsUntil": time(advice.exceedsUntil),
            "scaleBy": time(advice.scaleBy),
            "quiet": advice.quietFrom == nil ? NSNull() as Any
                : ["from": time(advice.quietFrom), "until": time(advice.quietUntil), "replicas": advice.quietReplicas ?? NSNull()] as [String: Any],
            "throttledShare": number(advice.throttledShare, 4),
        ]
    }

    static func number(_ value: Double?, _ digits: Int = 6) -> Any {
        guard let value, value.isFinite else { return NSNull() }
        return rounded(value, digits)
    }

    static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    /// Compact JSON with sorted keys (`IncidentJSON.serialize`).
    public static func serialize(_ object: Any) -> String { IncidentJSON.serialize(object) }
}
