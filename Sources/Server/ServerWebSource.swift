import AIOpsCore
import Incidents
import Pipeline
import Rules
import WebView

/// The web view's reads of the running server: tokens, workspaces, incidents with their
/// traces and rings, series by selector, rules. Each read takes the routing once and each
/// shard lock it needs once, briefly; nothing here runs per sample.
struct ServerWebSource: WebSource {
    let state: ServerState
    let ingestRate: IngestRate

    func identity(forToken token: [UInt8]) -> WebIdentity? {
        let routing = state.routing.withLock { $0 }
        return token.withUnsafeBytes { bytes -> WebIdentity? in
            if let admin = routing.adminToken, TokenComparison.matches(admin, bytes) { return .admin }
            return routing.workspace(token: bytes).map { .workspace($0.name) }
        }
    }

    var workspaceNames: [String] {
        state.routing.withLock { $0 }.workspaces.map(\.name)
    }

    func workspace(_ name: String) -> Workspace? {
        state.routing.withLock { $0 }.workspaces.first { $0.name == name }
    }

    func overview(workspace name: String, now: Timestamp) -> WorkspaceOverview? {
        let routing = state.routing.withLock { $0 }
        guard let workspace = routing.workspaces.first(where: { $0.name == name }) else { return nil }
        let snapshot = workspace.snapshot()
        let (open, resolved) = workspace.incidents()
        let accepted = snapshot.counters.samples["appended"] ?? 0
        let rate = ingestRate.record(workspace: name, samples: accepted, now: now)
        var refused = snapshot.counters.samples
        refused["appended"] = nil
        refused["duplicate"] = nil  // resends, dropped silently: not a refusal
        refused["stale_marker"] = nil
        var webhook: WebhookHealth?
        let configured = routing.configuration.workspaces.first { $0.name == name }
        if configured?.slack != nil {
            let status = state.notifier?.webhookStatuses().first { $0.webhook == name }
            webhook = WebhookHealth(
                sent: status?.sent ?? 0, retried: status?.retried ?? 0, failed: status?.failedTotal ?? 0, queued: status?.queued ?? 0,
                failing: status?.failing ?? false, lastError: status?.lastError)
        }
        let limits = workspace.limits
        return WorkspaceOverview(
            name: name, plan: workspace.plan.rawValue, open: open, resolved: resolved.reversed(), activeSeries: snapshot.activeSeries,
            activeSeriesLimit: limits.activeSeries, samplesPerSecondLimit: limits.samplesPerSecond, samplesAccepted: accepted,
            samplesRefused: refused, ingestRate: rate?.rate, ingestRateWindow: rate?.seconds, webhook: webhook,
            ruleCount: workspace.rules.count)
    }

    func incident(workspace name: String, id: String) -> IncidentDetail? {
        guard let workspace = workspace(name) else { return nil }
        let rules = workspace.rules
        for shard in workspace.shards {
            let found: IncidentDetail? = shard.withLock { box in
                let pipeline = box.pipeline
                let incident = pipeline.currentIncidents().first { $0.id == id } ?? pipeline.recentlyResolved.last { $0.id == id }
                guard let incident else { return nil }
                let ring = pipeline.store.lookup(incident.labels).map { ref in
                    let recent = pipeline.store.recentSamples(ref)
                    return RingSamples(timestamps: recent.timestamps, values: recent.values, scores: recent.scores)
                }
                return IncidentDetail(incident: incident, trace: pipeline.trace(ofIncident: id), ring: ring, rule: nil)
            }
            if var found {
                found.rule = rules.first { $0.name == found.incident.rule }
                return found
            }
        }
        return nil
    }

    func series(workspace name: String, selector: Selector, limit: Int) -> (series: [SeriesDetail], total: Int) {
        guard let workspace = workspace(name) else { return ([], 0) }
        // Matching under each shard's lock; the metric name, when the selector says one, is
        // compared first, so a page over a million series costs a string compare for most.
        let metric = selector.matchers.first { $0.name == Labels.metricNameLabel && $0.type == .equal }?.value
        var matched: [(labels: Labels, shard: Int)] = []
        for (index, shard) in workspace.shards.enumerated() {
            shard.withLock { box in
                let store = box.pipeline.store
                for ref in store.allSeries {
                    let labels = store.labels(of: ref)
                    if let metric, labels.metricName != metric { continue }
                    if selector.matches(labels) { matched.append((labels, index)) }
                }
            }
        }
        matched.sort { $0.labels.labels.lexicographicallyPrecedes($1.labels.labels) }
        var out: [SeriesDetail] = []
        for (labels, index) in matched.prefix(limit) {
            workspace.shards[index].withLock { box in
                let pipeline = box.pipeline
                guard let ref = pipeline.store.lookup(labels) else { return }
                let recent = pipeline.store.recentSamples(ref)
                let bound = pipeline.boundRules(of: ref)
                let open = pipeline.openIncidents.filter { $0.labels == labels }
                out.append(SeriesDetail(
                    labels: labels, ring: RingSamples(timestamps: recent.timestamps, values: recent.values, scores: recent.scores),
                    rules: bound.names, scoredAsRate: bound.rate, incidents: open))
            }
        }
        return (out, matched.count)
    }

    func rules(workspace name: String) -> [Rule] {
        workspace(name)?.rules ?? []
    }
}
