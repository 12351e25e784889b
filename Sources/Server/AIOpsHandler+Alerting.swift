import AIOpsCore
import AlertTargets
import HTTPServer
import Incidents
import ScoreExport

/// Routes of the Prometheus-ecosystem features, each with the workspace token:
/// - `GET /federate?match[]=...`: the workspace's scores as series (text format);
/// - `GET /api/v1/silences`, `POST /api/v1/silences`, `GET|DELETE /api/v1/silences/<id>`;
/// - `GET /api/v1/incidents/<id>`: one incident (where alerts' `generatorURL` points).
extension AIOpsHandler {
    /// The response for one of these routes, nil for any other path.
    func alertingRoute(_ request: HTTPRequest, _ routing: Routing) -> HTTPResponse? {
        let path = request.path
        if path == "/federate" {
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            return federate(request, workspace: workspace)
        }
        if path == "/api/v1/silences" {
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            switch request.method {
            case .get, .head: return listSilences(workspace)
            case .post: return createSilence(request, workspace: workspace)
            default: return methodNotAllowed("GET, POST")
            }
        }
        if path.hasPrefix("/api/v1/silences/") {
            let id = HTTPQuery.parse("id=" + path.dropFirst("/api/v1/silences/".count)).first?.value ?? ""
            guard !id.isEmpty, !id.contains("/") else { return nil }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            switch request.method {
            case .get, .head: return getSilence(id, workspace: workspace)
            case .delete: return expireSilence(id, workspace: workspace)
            default: return methodNotAllowed("GET, DELETE")
            }
        }
        if path.hasPrefix("/api/v1/incidents/") {
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            let id = HTTPQuery.parse("id=" + path.dropFirst("/api/v1/incidents/".count)).first?.value ?? ""
            guard !id.isEmpty else { return nil }
            guard let workspace = authenticate(request, routing) else { return unauthorized() }
            let (open, resolved) = workspace.incidents()
            guard let incident = (open + resolved).last(where: { $0.id == id }) else {
                return json(404, ["status": "error", "error": "no incident with id \(id) in workspace \(workspace.name)"])
            }
            return json(200, ["status": "success", "workspace": workspace.name, "data": IncidentJSON.object(incident)])
        }
        return nil
    }

    // MARK: Scores

    private func federate(_ request: HTTPRequest, workspace: Workspace) -> HTTPResponse {
        let limit = state.alerting?.federateLimit ?? 100_000
        do throws(ScoreExportError) {
            let selectors = try ScoreExposition.selectors(HTTPQuery.values("match[]", in: request.query))
            let records = workspace.latestScores(pendingOnly: false, markExported: false)
            let body = try ScoreExposition.render(records, selectors: selectors, limit: limit)
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: body)
        } catch {
            return HTTPResponse(status: error.httpStatus, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array((error.description + "\n").utf8))
        }
    }

    // MARK: Silences

    private func silenceStore(_ workspace: Workspace) -> SilenceStore? {
        state.alerting?.silences.store(workspace: workspace.name)
    }

    private func listSilences(_ workspace: Workspace) -> HTTPResponse {
        let now = endpoint.clock.now()
        let silences = silenceStore(workspace)?.list(now: now) ?? []
        return json(200, ["status": "success", "workspace": workspace.name, "data": silences.map { SilenceJSON.object($0, now: now) }])
    }

    private func getSilence(_ id: String, workspace: Workspace) -> HTTPResponse {
        guard let silence = silenceStore(workspace)?.silence(id: id) else { return silenceError(.notFound(id: id)) }
        return json(200, ["status": "success", "workspace": workspace.name, "data": SilenceJSON.object(silence, now: endpoint.clock.now())])
    }

    private func createSilence(_ request: HTTPRequest, workspace: Workspace) -> HTTPResponse {
        guard let store = silenceStore(workspace) else { return silenceError(.invalid("silences are not available")) }
        let now = endpoint.clock.now()
        do throws(SilenceError) {
            let parsed = try SilenceJSON.decodeRequest(Array(request.body), now: now)
            let id = try store.create(parsed, now: now)
            return json(200, ["status": "success", "silenceID": id])
        } catch {
            return silenceError(error)
        }
    }

    private func expireSilence(_ id: String, workspace: Workspace) -> HTTPResponse {
        guard let store = silenceStore(workspace) else { return silenceError(.notFound(id: id)) }
        do throws(SilenceError) {
            try store.expire(id: id, now: endpoint.clock.now())
            return json(200, ["status": "success"])
        } catch {
            return silenceError(error)
        }
    }

    private func silenceError(_ error: SilenceError) -> HTTPResponse {
        json(error.httpStatus, ["status": "error", "error": error.description])
    }

    private func json(_ status: Int, _ object: [String: Any]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array((IncidentJSON.serialize(object) + "\n").utf8))
    }
}
