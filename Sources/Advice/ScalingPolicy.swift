import AIOpsCore
import Rules

/// How predictive scaling judges a Deployment's capacity (`"scaling"` in a workspace's config):
///
/// ```json
/// "scaling": {"targetUtilisation": 0.7, "minReplicas": 2, "lead": "30m", "quietHours": 6,
///             "loads": [{"namespace": "shop", "deployment": "checkout",
///                        "series": "http_requests_total{service=\"checkout\"}", "perReplica": 120}]}
/// ```
///
/// A Deployment's load is its CPU (the sum of its pods' `container_cpu_usage_seconds_total`
/// rates) against replicas × CPU requests, and, where a load names it, a request-rate series
/// (the sum of the matching series' per-second rates) against replicas × `perReplica`. Advice
/// keeps the forecast's upper bound at or below `targetUtilisation` of that capacity.
public struct ScalingPolicy: Sendable, Equatable {
    /// Share of capacity the forecast may use (0.7: an HPA's common CPU target).
    public var targetUtilisation: Double
    /// Fewest replicas advice ever suggests (two keep a Deployment up through a node drain).
    public var minReplicas: Int
    /// How long before the forecast crosses capacity the scale-out should be done: new pods
    /// need to be scheduled, pull images and warm up (AWS predictive scaling's buffer time).
    public var lead: PromDuration
    /// Shortest run of forecast hours in which fewer replicas suffice that is worth a
    /// scale-in.
    public var quietHours: Int
    /// Request-rate series named as Deployments' load.
    public var loads: [LoadRule]

    public static let `default` = ScalingPolicy()

    public init(targetUtilisation: Double = 0.7, minReplicas: Int = 2, lead: PromDuration = .minutes(30), quietHours: Int = 6, loads: [LoadRule] = []) {
        self.targetUtilisation = targetUtilisation
        self.minReplicas = minReplicas
        self.lead = lead
        self.quietHours = quietHours
        self.loads = loads
    }
}

/// A request-rate series that is a Deployment's load, and how much of it one replica serves.
public struct LoadRule: Sendable, Equatable {
    public var namespace: String
    public var deployment: String
    /// The series, as a PromQL selector; every matching series' rate (counters) or value
    /// (gauges) is summed.
    public let selector: Selector
    /// Load (in the series' unit per second) one replica serves at full utilisation.
    public var perReplica: Double

    /// - Throws: `AdviceConfigurationError` for a selector that does not parse or a
    ///   capacity that is not a positive number.
    public init(namespace: String, deployment: String, series: String, perReplica: Double) throws(AdviceConfigurationError) {
        do {
            selector = try Selector(parsing: series)
        } catch {
            throw .invalidValue(key: "series", reason: "\"\(series)\" is not a series selector: \(error.reason)")
        }
        guard perReplica.isFinite, perReplica > 0 else {
            throw .invalidValue(key: "perReplica", reason: "the load one replica serves must be a number > 0")
        }
        self.namespace = namespace
        self.deployment = deployment
        self.perReplica = perReplica
    }

    public static func == (lhs: LoadRule, rhs: LoadRule) -> Bool {
        lhs.namespace == rhs.namespace && lhs.deployment == rhs.deployment && lhs.selector.text == rhs.selector.text && lhs.perReplica == rhs.perReplica
    }
}
