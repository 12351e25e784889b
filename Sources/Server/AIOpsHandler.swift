import AIOpsCore
import Delivery
import Forecasting
import Foundation
import HTTPServer
import Incidents
import Synchronization

/// Routes requests: `POST /api/v1/write`, `GET /metrics`, `GET /healthz`, `GET /readyz`,
/// `GET /api/v1/incidents`, `GET /api/v1/forecast`. The token (`Authorization: Bearer ...`) decides the workspace.
struct AIOpsHandler: HTTPHandler {
    let workspaces: [Workspace]
    let adminToken: [UInt8]?
    let endpoint: RemoteWriteEndpoint
    let metrics: ServerMetrics
    let state: ServerState

    func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse {
        switch request.path {
        case "/api/v1/write", "/api/v1/push", "/api/v1/receive":
            guard request.method == .post else { return methodNotAllowed("POST") }
            guard let workspace = authenticate(request) else { return unauthorized() }
            return endpoint.handle(request, workspace: workspace, loop: context.loopIndex)
        case "/metrics":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            return metricsResponse(request)
        case "/healthz":
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], text: "ok\n")
        case "/readyz":
            if state.ready.load(ordering: .relaxed) {
                return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], text: "ready\n")
            }
            return HTTPResponse(status: 503, headers: [("Content-Type", "text/plain")], text: "shutting down\n")
        case "/api/v1/incidents":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request) else { return unauthorized() }
            return incidentsResponse(workspace)
        case "/api/v1/forecast":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request) else { return unauthorized() }
            return forecastResponse(request, workspace: workspace)
        case "/":
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], text: """
                aiops \(AIOpsServer.version): remote-write target with anomaly detection.
                POST /api/v1/write  GET /api/v1/incidents  GET /api/v1/forecast  GET /metrics  GET /healthz  GET /readyz

                """)
        default:
            metrics.count(code: 404, reason: "unknown_path")
            return HTTPResponse(status: 404, headers: [("Content-Type", "text/plain")], text: "not found: \(request.path)\n")
        }
    }

    /// Write requests are authenticated on their head: a wrong method or token is answered
    /// before a byte of the body is read, and the connection closed, so an unauthenticated
    /// upload costs no memory.
    func inspectHead(_ request: HTTPRequest, context: HTTPRequestContext) -> HTTPResponse? {
        switch request.path {
        case "/api/v1/write", "/api/v1/push", "/api/v1/receive":
            guard request.method == .post else { return methodNotAllowed("POST") }
            guard authenticate(request) != nil else { return unauthorized() }
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

    private func authenticate(_ request: HTTPRequest) -> Workspace? {
        guard let token = token(request) else { return nil }
        var found: Workspace?
        for workspace in workspaces where workspace.accepts(token: token) { found = workspace }
        return found
    }

    private func isAdmin(_ request: HTTPRequest) -> Bool {
        guard let adminToken, let token = token(request) else { return false }
        return TokenComparison.matches(adminToken, token)
    }

    private func unauthorized() -> HTTPResponse {
        metrics.count(code: 401, reason: "unauthorized")
        return HTTPResponse(
            status: 401, headers: [("WWW-Authenticate", "Bearer realm=\"aiops\""), ("Content-Type", "text/plain")],
            text: "missing or unknown workspace token (send 'Authorization: Bearer <token>')\n")
    }

    private func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        metrics.count(code: 405, reason: "method_not_allowed")
        return HTTPResponse(status: 405, headers: [("Allow", allowed), ("Content-Type", "text/plain")], text: "method not allowed; use \(allowed)\n")
    }

    private func metricsResponse(_ request: HTTPRequest) -> HTTPResponse {
        let all = workspaces.map { $0.snapshot() }
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
        totals.counters.add(metrics.unattributed.withLock { $0 })
        let visible: [WorkspaceSnapshot]
        if isAdmin(request) {
            visible = all
        } else if let workspace = authenticate(request) {
            visible = all.filter { $0.name == workspace.name }
        } else {
            visible = []
        }
        let names = Set(visible.map(\.name))
        let webhooks = (state.notifier?.webhookStatuses() ?? []).filter { names.contains($0.webhook) }
        let body = MetricsRenderer.render(
            workspaces: visible, totals: totals, http: state.httpStats(), webhooks: webhooks,
            started: metrics.started, now: endpoint.clock.now())
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
    /// Series in one forecast response by default, and at most (`limit=`).
    static let defaultForecastLimit = 100
    static let maximumForecastLimit = 1000

    /// `GET /api/v1/forecast?match[]=SELECTOR&hours=24&step=1h&limit=100`: the forecast of
    /// every series the selectors select whose seasonal state is warm, in label order, at most
    /// `limit`, with `truncated` when more had one. A Pro-plan feature: a Hobby workspace gets
    /// 403 saying so.
    func forecastResponse(_ request: HTTPRequest, workspace: Workspace) -> HTTPResponse {
        guard workspace.plan == .pro else {
            workspace.counters.withLock { $0.countRequest(code: 403, reason: "plan") }
            return forecastError(
                status: 403, type: "plan",
                message: "forecasts are part of the Pro plan; workspace '\(workspace.name)' is on the \(workspace.plan.displayName) plan")
        }
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
}

/// What the handler learns after it is built: readiness, the HTTP server's stats, the notifier.
final class ServerState: Sendable {
    let ready = Atomic<Bool>(false)
    let notifier: Notifier?
    private let server = Mutex<HTTPServer?>(nil)

    init(notifier: Notifier?) {
        self.notifier = notifier
    }

    func attach(_ httpServer: HTTPServer) {
        server.withLock { $0 = httpServer }
    }

    func httpStats() -> HTTPServerStats? {
        server.withLock { $0?.stats }
    }
}
