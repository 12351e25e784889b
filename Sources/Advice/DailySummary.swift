import AIOpsCore
import Incidents
import Rules

/// What a workspace's daily summary says: the last 24 hours' incidents, what is still open,
/// the risks ahead, and (Pro) the scaling and cost advice.
public struct DailySummary: Sendable {
    public var workspace: String
    /// When it is sent (event time in a replay).
    public var at: Timestamp
    public var schedule: DailySummarySchedule
    /// Incidents that fired and were open at some point of the 24 hours before `at`, worst first.
    public var incidents: [Incident]
    /// Incidents still firing at `at`, oldest first.
    public var open: [Incident]
    public var risks: [Risk]
    /// The Pro plan's advice; nil for Hobby (the summary then says where it comes from).
    public var advice: AdviceReport?

    /// The hours the incident part looks back.
    public static let lookback: Int64 = 24 * 3_600_000

    /// - Parameters:
    ///   - incidents: the workspace's incidents as known at `at`: open ones and recently
    ///     resolved ones (the pipelines keep the last 1,000), any order.
    ///   - advice: the analysis of the window ending at `at`, for a Pro workspace; nil for Hobby.
    public init(workspace: String, at: Timestamp, schedule: DailySummarySchedule, incidents: [Incident], advice: AdviceReport?) {
        self.workspace = workspace
        self.at = at
        self.schedule = schedule
        self.advice = advice
        let since = at - Self.lookback
        var seen = Set<String>()
        var recent: [Incident] = []
        var open: [Incident] = []
        for incident in incidents {
            guard let fired = incident.firedAt, fired <= at, seen.insert(incident.id).inserted else { continue }
            let end = incident.end.flatMap { $0 <= at ? $0 : nil }
            if let end, end <= since { continue }
            var asOfNow = incident
            if end == nil {
                asOfNow.end = nil
                asOfNow.phase = .firing
                asOfNow.lastSeen = min(asOfNow.lastSeen, at)
                open.append(asOfNow)
            }
            recent.append(asOfNow)
        }
        self.incidents = recent.sorted { Self.worse($0, than: $1, at: at) }
        self.open = open.sorted { ($0.firedAt ?? $0.start, $0.id) < ($1.firedAt ?? $1.start, $1.id) }
        var risks = open.compactMap(Risk.init(incident:)).sorted { $0.secondsAhead < $1.secondsAhead }
        if let advice {
            for finding in advice.findings where finding.kind == .predictiveScaling {
                if let risk = Risk(forecastPeak: finding, at: at) { risks.append(risk) }
            }
        }
        self.risks = risks
        let findings = advice?.findings ?? []
        scalingFindings = findings.filter { $0.kind == .predictiveScaling || $0.kind == .underProvisioned }
        costFindings = findings.filter { $0.kind == .overProvisioned || $0.kind == .idle }
    }

    /// More severe first, then longer-lasting (open ones until `at`), then earlier.
    static func worse(_ a: Incident, than b: Incident, at: Timestamp) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        let durationA = (a.end ?? at) - (a.firedAt ?? a.start)
        let durationB = (b.end ?? at) - (b.firedAt ?? b.start)
        if durationA != durationB { return durationA > durationB }
        return (a.firedAt ?? a.start, a.id) < (b.firedAt ?? b.start, b.id)
    }

    /// Incident counts by severity, most severe first (only severities that occurred).
    public var countsBySeverity: [(severity: Severity, count: Int)] {
        var counts: [Severity: Int] = [:]
        for incident in incidents { counts[incident.severity, default: 0] += 1 }
        return counts.keys.sorted(by: >).map { ($0, counts[$0]!) }
    }

    /// Advice findings the summary shows: scaling and under-provisioning, then cost.
    public private(set) var scalingFindings: [Finding] = []
    public private(set) var costFindings: [Finding] = []

    /// Nothing happened, nothing is open, nothing threatens and nothing is advised.
    public var isQuiet: Bool {
        incidents.isEmpty && open.isEmpty && risks.isEmpty && scalingFindings.isEmpty && costFindings.isEmpty
    }

    /// Whether the Pro parts (advice) are included.
    public var includesAdvice: Bool { advice != nil }
}

/// Something that will go wrong unless someone acts: a leak or a filling disk with its time
/// to the limit, or a forecast peak above what a Deployment's replicas serve.
public struct Risk: Sendable {
    public enum Kind: String, Sendable {
        case memoryLeak, diskFilling, limitAhead, forecastPeak
    }

    public var kind: Kind
    /// Plain text; the builder escapes it.
    public var text: String
    /// Seconds from the summary until it happens (the limit reached, the peak's start).
    public var secondsAhead: Double
    public var incidentID: String?

    public init(kind: Kind, text: String, secondsAhead: Double, incidentID: String? = nil) {
        self.kind = kind
        self.text = text
        self.secondsAhead = secondsAhead
        self.incidentID = incidentID
    }

    /// A firing incident that projects a time to its limit (leak detectors).
    init?(incident: Incident) {
        guard let seconds = incident.secondsToLimit, seconds.isFinite, seconds >= 0 else { return nil }
        let name = incident.labels.metricName
        let formatter = ValueFormatter(metric: name, transform: incident.transform)
        let kind: Kind = name.contains("filesystem") || name.contains("disk") || name.contains("volume") ? .diskFilling
            : (name.contains("memory") || name.contains("heap") || name.contains("resident") ? .memoryLeak : .limitAhead)
        var where_: [String] = []
        for key in ["namespace", "pod", "container", "instance", "mountpoint", "device"] {
            if let value = incident.labels[key], !value.isEmpty { where_.append(value) }
        }
        var text = "\(incident.rule) on \(where_.isEmpty ? name : where_.joined(separator: " "))"
        if incident.observed.isFinite { text += ": \(formatter.format(incident.observed))" }
        if let limit = incident.limit { text += kind == .diskFilling ? " free" : " of \(formatter.format(limit))" }
        text += ", limit in about \(ValueFormatter.duration(seconds: seconds))"
        if let rate = incident.leakRatePerHour { text += " (\(formatter.formatGrowth(perHour: rate)))" }
        self.init(kind: kind, text: text, secondsAhead: seconds, incidentID: incident.id)
    }

    /// A predictive scaling finding whose forecast exceeds capacity.
    init?(forecastPeak finding: Finding, at: Timestamp) {
        guard let scaling = finding.scaling, let from = scaling.exceedsFrom else { return nil }
        let amount = scaling.signal == "cpu" ? ResourceQuantity.cores(scaling.peakUpper) : ResourceQuantity.format2(scaling.peakUpper) + "/s"
        let capacity = scaling.signal == "cpu" ? ResourceQuantity.cores(scaling.capacity) : ResourceQuantity.format2(scaling.capacity) + "/s"
        let text = "\(finding.workload): forecast peak \(amount) over the \(capacity) its \(scaling.replicas) replicas serve at \(ResourceQuantity.percent(scaling.targetUtilisation))"
        self.init(kind: .forecastPeak, text: text, secondsAhead: Double(max(0, from - at)) / 1000)
        self.peakTime = scaling.peakTime
        self.from = from
    }

    /// For forecast peaks: when the replicas fall short, and when the peak is.
    public var from: Timestamp?
    public var peakTime: Timestamp?
}
