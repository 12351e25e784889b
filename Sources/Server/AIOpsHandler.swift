import Advice
import AIOpsCore
import Delivery
import Forecasting
import Foundation
import HTTPServer
import Incidents
import Synchronization
import WarmStart
import WebView

/// Routes requests: `POST /api/v1/write`, `GET /api/v1/incidents`, `GET /api/v1/summary`,
/// `GET /api/v1/recommendations` and `GET /api/v1/forecast` (Pro), `GET /metrics`, the health
/// endpoints (`/-/healthy`, `/-/ready`, `/healthz`, `/readyz`) and `POST /-/reload`; the web
/// view's pages (`/`, `/login`, `/logout`, `/incidents/ID`, `/series`, `/rules`) go to `web`.
/// The token (`Authorization: Bearer ...`, or a web view session) decides the workspace.
struct AIOpsHandler: HTTPHandler {
    let endpoint: RemoteWriteEndpoint
    let metrics: ServerMetrics
    let state: ServerState
    let web: WebApp

    static let text = "text/plain; charset=utf-8"

    func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse {
        let routing = state.routing.withLock { $0 }
        switch request.path {
        case "/api/v1/write", "/api/v1/push", "/api/v1/receive":
            guard request.method == .post else { return methodNotAllowed("POST") }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            guard state.loaded.load(ordering: .acquiring) else { return notLoaded() }
            return endpoint.handle(request, workspace: workspace, loop: context.loopIndex)
        case "/metrics":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            return metricsResponse(request, routing)
        case "/-/healthy", "/healthz":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            return HTTPResponse(status: 200, text: request.path == "/healthz" ? "ok\n" : "aiops is Healthy.\n")
        case "/-/ready", "/readyz":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            if state.stopping.load(ordering: .relaxed) {
                return HTTPResponse(status: 503, text: "shutting down\n")
            }
            guard state.loaded.load(ordering: .acquiring) else {
                return HTTPResponse(status: 503, text: "loading state; not ready yet\n")
            }
            return HTTPResponse(status: 200, text: request.path == "/readyz" ? "ready\n" : "aiops is Ready.\n")
        case "/-/reload":
            guard request.method == .post || request.method == .put else { return methodNotAllowed("POST") }
            guard routing.adminToken != nil else {
                metrics.count(code: 403, reason: "reload_not_enabled")
                return HTTPResponse(status: 403, text: "reloading over HTTP needs an adminToken in the config; send SIGHUP instead\n")
            }
            guard isAdmin(request, routing) else { return unauthorized() }
            switch state.reload() {
            case .success(let lines):
                return HTTPResponse(status: 200, text: (["configuration and rules reloaded"] + lines).joined(separator: "\n") + "\n")
            case .failure(let error):
                return HTTPResponse(status: 500, text: "failed to reload config: \(error)\n")
            }
        case "/api/v1/incidents":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            return incidentsResponse(workspace)
        case "/api/v1/recommendations":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            guard workspace.plan.includesAdvice else { return proOnly(request.path, feature: "scaling and cost advice", workspace: workspace) }
            return recommendationsResponse(workspace)
        case "/api/v1/summary":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            return summaryResponse(workspace)
        case "/api/v1/forecast":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            guard workspace.plan == .pro else { return proOnly(request.path, feature: "forecasts", workspace: workspace) }
            return forecastResponse(request, workspace: workspace)
        case "/":
            if let page = web.handle(request) { return page }
            return HTTPResponse(status: 200, text: """
                aiops \(AIOpsServer.version): remote-write target with anomaly detection.
                POST /api/v1/write  GET /api/v1/incidents  GET /api/v1/summary  GET /api/v1/recommendations
                GET /api/v1/forecast  GET /metrics  GET /-/healthy  GET /-/ready  POST /-/reload
                GET|POST /api/v1/silences  DELETE /api/v1/silences/ID  GET /federate?match[]=...
                Web view: open this address in a browser and sign in with the workspace token.

                """)
        default:
            if let response = alertingRoute(request, routing) { return response }
            if let page = web.handle(request) { return page }
            metrics.count(code: 404, reason: "unknown_path")
            return HTTPResponse(status: 404, text: "not found: \(request.path)\n")
        }
    }

    /// Write requests are authenticated on their head: a wrong method or token is answered
    /// before a byte of the body is read, and the connection closed, so an unauthenticated
    /// upload costs no memory.
    func inspectHead(_ request: HTTPRequest, context: HTTPRequestContext) -> HTTPResponse? {
        switch request.path {
        case "/api/v1/write", "/api/v1/push", "/api/v1/receive":
            guard request.method == .post else { return methodNotAllowed("POST") }
            guard authenticate(request, state.routing.withLock { $0 }) != nil else { return unauthorized() }
            guard state.loaded.load(ordering: .acquiring) else { return notLoaded() }
            return nil
        default:
            return nil
        }
    }

    /// The bearer token's bytes, if the request has one.
    private func token(_ request: HTTPRequest) -> UnsafeRawBufferPointer? {
        guard let header = request.headers.firstValueBytes("Authorization"), header.count > 7 else { return nil }
        // The scheme "Bearer" is case-insensitive (ASCII letters: OR 0x20 lower-cases them).
        let scheme = Array("bearer".utf8)
        for index in 0..<scheme.count where header[index] | 0x20 != scheme[index] { return nil }
        guard header[6] == 0x20 else { return nil }
        var start = 7
        while start < header.count, header[start] == 0x20 { start += 1 }
        return UnsafeRawBufferPointer(rebasing: header[start...])
    }

    func authenticate(_ request: HTTPRequest, _ routing: Routing) -> Workspace? {
        guard let token = token(request) else { return nil }
        return routing.workspace(token: token)
    }

    private func isAdmin(_ request: HTTPRequest, _ routing: Routing) -> Bool {
        guard let adminToken = routing.adminToken, let token = token(request) else { return false }
        return TokenComparison.matches(adminToken, token)
    }

    func unauthorized() -> HTTPResponse {
        metrics.count(code: 401, reason: "unauthorized")
        return HTTPResponse(
            status: 401, headers: [("WWW-Authenticate", "Bearer realm=\"aiops\"")],
            text: "missing or unknown workspace token (send 'Authorization: Bearer <token>')\n")
    }

    func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        metrics.count(code: 405, reason: "method_not_allowed")
        return HTTPResponse(status: 405, headers: [("Allow", allowed)], text: "method not allowed; use \(allowed)\n")
    }

    /// A write before every snapshot is loaded: the sender retries (remote write retries 5xx).
    private func notLoaded() -> HTTPResponse {
        metrics.count(code: 503, reason: "not_ready")
        return HTTPResponse(status: 503, headers: [("Retry-After", "1")], text: "loading state; not ready for writes yet\n")
    }

    private func metricsResponse(_ request: HTTPRequest, _ routing: Routing) -> HTTPResponse {
        let all = routing.workspaces.map { $0.snapshot() }
        var totals = WorkspaceSnapshot(name: "", plan: .hobby, counters: WorkspaceCounters())
        for snapshot in all {
            totals.counters.add(snapshot.counters)
            totals.activeSeries += snapshot.activeSeries
            totals.store.add(snapshot.store)
            totals.incidentsFired += snapshot.incidentsFired
            totals.incidentsResolved += snapshot.incidentsResolved
            totals.firing += snapshot.firing
            totals.pending += snapshot.pending
        }
        let unattributed = metrics.unattributed.withLock { $0 }
        totals.counters.add(unattributed)
        let view: MetricsRenderer.View
        var names = Set<String>()
        if isAdmin(request, routing) {
            view = .workspaces(all, unattributed: unattributed)
            names = Set(all.map(\.name))
        } else if let workspace = authenticate(request, routing) {
            view = .workspaces(all.filter { $0.name == workspace.name }, unattributed: nil)
            names = [workspace.name]
        } else {
            view = .totals(totals)
        }
        let webhooks = (state.notifier?.webhookStatuses() ?? []).filter { names.contains($0.webhook) }
        let body = MetricsRenderer.render(
            view, http: state.httpStats(), webhooks: webhooks, reload: state.reloadStatus.withLock { $0 },
            process: ProcessMetrics.read(), warmStart: state.warmStart?.statistics, started: metrics.started, now: endpoint.clock.now())
            + MetricsRenderer.renderAlerting(state.alerting, workspaces: names, now: endpoint.clock.now())
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: body)
    }

    private func incidentsResponse(_ workspace: Workspace) -> HTTPResponse {
        let (open, resolved) = workspace.incidents()
        let object: [String: Any] = [
            "status": "success",
            "workspace": workspace.name,
            "data": [
                "active": open.map { IncidentJSON.object($0) },
                "recent": resolved.suffix(100).reversed().map { IncidentJSON.object($0) },
            ],
        ]
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], text: IncidentJSON.serialize(object) + "\n")
    }
}

extension AIOpsHandler {
    /// 403 for a Hobby workspace asking for a Pro feature: the body says which plan offers it.
    func proOnly(_ path: String, feature: String, workspace: Workspace) -> HTTPResponse {
        metrics.count(code: 403, reason: "plan")
        let object: [String: Any] = [
            "status": "error", "errorType": "plan", "plan": Plan.pro.rawValue, "workspacePlan": workspace.plan.rawValue,
            "error": "\(path) (\(feature)) is part of the Pro plan; workspace \(workspace.name) is on the \(workspace.plan.title) plan",
        ]
        return HTTPResponse(status: 403, headers: [("Content-Type", "application/json")], text: AdviceJSON.serialize(object) + "\n")
    }

    /// Series in one forecast response by default, and at most (`limit=`).
    static let defaultForecastLimit = 100
    static let maximumForecastLimit = 1000

    /// `GET /api/v1/forecast?match[]=SELECTOR&hours=24&step=1h&limit=100`: the forecast of
    /// every series the selectors select whose seasonal state is warm, in label order, at most
    /// `limit`, with `truncated` when more had one. A Pro-plan feature: a Hobby workspace gets
    /// 403 saying so.
    func forecastResponse(_ request: HTTPRequest, workspace: Workspace) -> HTTPResponse {
        let parameters: QueryParameters
        let forecastRequest: ForecastRequest
        var limit = Self.defaultForecastLimit
        do {
            parameters = try QueryParameters(request.query)
            forecastRequest = try ForecastRequest(hours: parameters.value("hours"), step: parameters.value("step"), match: parameters.values("match[]"))
        } catch {
            workspace.counters.withLock { $0.countRequest(code: 400, reason: "bad_data") }
            return forecastError(status: 400, type: "bad_data", message: "\(error)")
        }
        if let text = parameters.value("limit") {
            guard let value = Int(text), (1...Self.maximumForecastLimit).contains(value) else {
                workspace.counters.withLock { $0.countRequest(code: 400, reason: "bad_data") }
                return forecastError(status: 400, type: "bad_data", message: "limit: '\(text.prefix(100))' is not a whole number from 1 to \(Self.maximumForecastLimit)")
            }
            limit = value
        }
        let result = workspace.forecasts(forecastRequest, limit: limit)
        let body = ForecastJSON.document(result.forecasts, truncated: result.truncated, workspace: workspace.name)
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array((body + "\n").utf8))
    }

    func forecastError(status: Int, type: String, message: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array((ForecastJSON.error(type: type, message: message) + "\n").utf8))
    }

    /// The workspace's scaling and cost advice now (`AdviceJSON`).
    func recommendationsResponse(_ workspace: Workspace) -> HTTPResponse {
        let now = endpoint.clock.now()
        var data: Any = NSNull()
        if let report = workspace.adviceReport(at: now, forecast: state.forecast) { data = AdviceJSON.object(report) }
        let object: [String: Any] = ["status": "success", "workspace": workspace.name, "data": data]
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], text: AdviceJSON.serialize(object) + "\n")
    }

    /// The daily summary as it would be sent now: its time, the Slack message, and the text.
    func summaryResponse(_ workspace: Workspace) -> HTTPResponse {
        let summary = workspace.dailySummary(at: endpoint.clock.now(), forecast: state.forecast)
        let message = DailySummarySlackBuilder().message(for: summary)
        let slack: Any = (try? message.jsonData()).flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? NSNull()
        let object: [String: Any] = [
            "status": "success", "workspace": workspace.name,
            "data": [
                "at": TimeFormat.rfc3339(summary.at), "plan": workspace.plan.rawValue,
                "next": TimeFormat.rfc3339(workspace.advice.schedule.nextTime(after: summary.at)),
                "slack": slack, "text": DailySummaryTextRenderer().render(summary),
            ] as [String: Any],
        ]
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], text: AdviceJSON.serialize(object) + "\n")
    }
}

/// What the handler shares with the server: routing, readiness, reload status, the HTTP
/// server's stats, the notifier.
final class ServerState: Sendable {
    /// Set once every workspace's snapshot is loaded: writes are taken, `/-/ready` is 200.
    let loaded = Atomic<Bool>(false)
    /// Set when shutdown begins: `/-/ready` is 503 again.
    let stopping = Atomic<Bool>(false)
    let notifier: Notifier?
    /// Per-series forecasts for predictive scaling; nil: the usage summaries' daily profile.
    let forecast: ForecastProvider?
    let warmStart: WarmStartScheduler?
    /// Alertmanagers, silences, scores remote write.
    let alerting: ServerAlerting?
    /// Replaced whole by a reload; read once per request.
    let routing: Mutex<Routing>
    let reloadStatus: Mutex<ReloadStatus>
    private let server = Mutex<HTTPServer?>(nil)
    private let reloader = Mutex<(@Sendable () -> Result<[String], ReloadError>)?>(nil)

    init(notifier: Notifier?, routing: Routing, started: Timestamp, warmStart: WarmStartScheduler? = nil, alerting: ServerAlerting? = nil, forecast: ForecastProvider? = nil) {
        self.notifier = notifier
        self.forecast = forecast
        self.warmStart = warmStart
        self.alerting = alerting
        self.routing = Mutex(routing)
        self.reloadStatus = Mutex(ReloadStatus(lastSuccessful: true, lastSuccess: started))
    }

    func attach(_ httpServer: HTTPServer) {
        server.withLock { $0 = httpServer }
    }

    func attach(reloader: @escaping @Sendable () -> Result<[String], ReloadError>) {
        self.reloader.withLock { $0 = reloader }
    }

    func reload() -> Result<[String], ReloadError> {
        guard let reloader = reloader.withLock({ $0 }) else { return .failure(ReloadError(lines: ["not started"])) }
        return reloader()
    }

    func httpStats() -> HTTPServerStats? {
        server.withLock { $0?.stats }
    }
}
