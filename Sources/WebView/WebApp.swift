import AIOpsCore
import Foundation
import HTTPServer
import Incidents
import Rules

/// The web view of `aiops serve`: server-rendered pages with inline SVG plots, and sign-in.
///
/// | path | what |
/// |---|---|
/// | `GET /` | the workspace's overview (the sign-in form when not signed in) |
/// | `GET /login`, `POST /login` | the sign-in form; the token, posted once, becomes a session cookie |
/// | `POST /logout` | ends the session |
/// | `GET /incidents/ID` | an incident, plotted, with its facts, steps and rule |
/// | `GET /series?match[]=SELECTOR` | series a selector selects, plotted from their rings |
/// | `GET /rules` | the rules in force, each at `#rule-NAME` |
///
/// Who sees what: a workspace's token sees its workspace's pages only (another workspace's
/// incident is "not found"); the admin token sees every workspace, with a switcher
/// (`?workspace=NAME`). Pages also take `Authorization: Bearer <token>` (scripts, tests).
/// A request for a path that is not one of these returns nil: the server answers it.
///
/// Sign-in: the cookie `aiops_session` holds a random session id (`SessionStore`), is
/// `HttpOnly`, `SameSite=Strict`, `Path` the external URL's path, and `Secure` when
/// `--external-url` is https. A POST is refused (403) when its `Origin` is another site
/// (or `Sec-Fetch-Site` says cross-site); with `SameSite=Strict` that is the CSRF defence.
/// Every page carries a Content-Security-Policy that allows only its own inline style and
/// script (by nonce): nothing is loaded from anywhere.
public final class WebApp: Sendable {
    public struct Options: Sendable {
        /// The URL people reach `aiops` at (`--external-url`): its path prefixes every link
        /// (and is stripped from requests), https makes the cookie `Secure`, and its origin is
        /// accepted on POSTs besides the request's own `Host`.
        public var externalURL: String?
        /// Fills the overview's slots (daily summary, forecasts, recommendations).
        public var panels: [OverviewSlot: OverviewPanelProvider] = [:]
        /// Shown in the footer.
        public var version = ""
        public var sessionIdleTimeout: PromDuration = .hours(12)
        public var sessionLifetime: PromDuration = .hours(7 * 24)
        public var maxSessions = 10_000

        public init() {}
    }

    public static let cookieName = "aiops_session"

    let source: any WebSource
    let options: Options
    let clock: any WallClock
    let sessions: SessionStore
    /// The external URL's path without a trailing slash ("" at the root).
    let prefix: String
    /// `scheme://host[:port]` of the external URL, if any.
    let externalOrigin: String?
    let secureCookie: Bool

    public init(source: any WebSource, options: Options = Options(), clock: any WallClock = SystemClock()) {
        self.source = source
        self.options = options
        self.clock = clock
        sessions = SessionStore(idleTimeout: options.sessionIdleTimeout, lifetime: options.sessionLifetime, capacity: options.maxSessions)
        let parts = Self.split(externalURL: options.externalURL)
        prefix = parts.path
        externalOrigin = parts.origin
        secureCookie = parts.origin?.lowercased().hasPrefix("https://") ?? false
    }

    /// Sessions open now (for tests and `/metrics`).
    public var sessionCount: Int { sessions.count }

    /// The response for one of the web view's paths, or nil for any other path.
    public func handle(_ request: HTTPRequest) -> HTTPResponse? {
        guard let path = localPath(request.path) else { return nil }
        let now = clock.now()
        let isRead = request.method == .get || request.method == .head
        switch path {
        case "/", "/rules", "/series":
            guard isRead else { return methodNotAllowed("GET") }
        case "/login":
            guard isRead || request.method == .post else { return methodNotAllowed("GET, POST") }
        case "/logout":
            guard request.method == .post else { return methodNotAllowed("POST") }
        default:
            guard path.hasPrefix("/incidents/") else { return nil }
            guard isRead else { return methodNotAllowed("GET") }
        }
        if request.method == .post, !isSameOrigin(request) {
            return HTTPResponse(status: 403, headers: [("Content-Type", "text/plain; charset=utf-8")], text: "cross-site POST refused (its Origin is not this server)\n")
        }
        switch path {
        case "/login":
            return request.method == .post ? signIn(request, now: now) : signInPage(request, now: now)
        case "/logout":
            return signOut(request)
        default:
            break
        }
        guard let viewer = viewer(request, now: now) else {
            // Not signed in: the root shows the form (curl without a token gets nil from
            // here and the server's plain text instead); other pages send browsers to it.
            if path == "/" {
                guard Self.acceptsHTML(request) else { return nil }
                return page(status: 200, title: "Sign in", navigation: nil, main: SignInPage.main(prefix: prefix, next: "/", error: nil))
            }
            return redirect(to: "/login?next=" + HTML.percentEncode(path + (request.query.isEmpty ? "" : "?" + request.query)))
        }
        let query = FormDecoding.parse(request.query.utf8)
        guard let context = context(viewer, query: query, now: now) else {
            return notFound(viewer: viewer, what: "No such workspace.", now: now)
        }
        switch path {
        case "/":
            guard let overview = source.overview(workspace: context.workspace, now: now) else {
                return notFound(viewer: viewer, what: "No such workspace.", now: now)
            }
            return page(status: 200, title: "Workspace \(context.workspace)", navigation: context.navigation(current: "overview"),
                        main: OverviewPage.main(overview, panels: options.panels, context: context))
        case "/rules":
            return page(status: 200, title: "Rules", navigation: context.navigation(current: "rules"),
                        main: RulesPage.main(source.rules(workspace: context.workspace), context: context))
        case "/series":
            let text = (FormDecoding.first("match[]", in: query) ?? FormDecoding.first("match", in: query) ?? "").trimmingCharacters(in: .whitespaces)
            let outcome: SeriesPage.Outcome
            if text.isEmpty {
                outcome = .form
            } else {
                do {
                    let selector = try Selector(parsing: text)
                    let found = source.series(workspace: context.workspace, selector: selector, limit: SeriesPage.limit)
                    outcome = .found(selector: text, series: found.series, total: found.total)
                } catch {
                    outcome = .invalid(selector: text, reason: error.reason)
                }
            }
            let status: Int
            if case .invalid = outcome { status = 400 } else { status = 200 }
            return page(status: status, title: "Series", navigation: context.navigation(current: "series"), main: SeriesPage.main(outcome, context: context))
        default:
            let id = FormDecoding.decode(Array(path.dropFirst("/incidents/".count).utf8))
            var context = context
            var detail = source.incident(workspace: context.workspace, id: id)
            if detail == nil, viewer.identity == .admin {
                // A link from Slack names no workspace: the admin may see it in any.
                for name in source.workspaceNames where name != context.workspace {
                    if let found = source.incident(workspace: name, id: id) {
                        detail = found
                        context.workspace = name
                        break
                    }
                }
            }
            guard let detail else {
                return notFound(viewer: viewer, what: "No incident \(id) in workspace \(context.workspace): it may have resolved longer ago than the incidents kept, or belong to another workspace.", now: now, context: context)
            }
            return page(status: 200, title: "\(detail.incident.rule) incident", navigation: context.navigation(current: ""),
                        main: IncidentPage.main(detail, context: context))
        }
    }

    // MARK: Signing in and out

    struct Viewer {
        var identity: WebIdentity
        /// The session, when signed in by cookie (nil with a bearer token).
        var sessionID: String?
        var session: SessionStore.Session?
    }

    /// Who the request is from: its bearer token, else its session cookie, checked again
    /// against the configuration; nil when neither is valid.
    func viewer(_ request: HTTPRequest, now: Timestamp) -> Viewer? {
        if let token = Self.bearerToken(request) {
            guard let identity = source.identity(forToken: token) else { return nil }
            return Viewer(identity: identity)
        }
        guard let id = Self.cookie(Self.cookieName, in: request), let session = sessions.use(id, now: now) else { return nil }
        guard let identity = source.identity(forToken: session.token) else {
            sessions.remove(id)
            return nil
        }
        return Viewer(identity: identity, sessionID: id, session: session)
    }

    func signInPage(_ request: HTTPRequest, now: Timestamp) -> HTTPResponse {
        let next = Self.safeNext(FormDecoding.first("next", in: FormDecoding.parse(request.query.utf8)))
        if viewer(request, now: now) != nil { return redirect(to: next) }
        return page(status: 200, title: "Sign in", navigation: nil, main: SignInPage.main(prefix: prefix, next: next, error: nil))
    }

    func signIn(_ request: HTTPRequest, now: Timestamp) -> HTTPResponse {
        let form = FormDecoding.parse(request.body)
        let next = Self.safeNext(FormDecoding.first("next", in: form))
        let token = Array((FormDecoding.first("token", in: form) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard !token.isEmpty, source.identity(forToken: token) != nil else {
            return page(status: 401, title: "Sign in", navigation: nil,
                        main: SignInPage.main(prefix: prefix, next: next, error: "That token is not a workspace's or the admin's. Check it and try again."))
        }
        // A session id of a previous sign-in on this browser is dropped, not reused.
        if let old = Self.cookie(Self.cookieName, in: request) { sessions.remove(old) }
        let id = sessions.create(token: token, now: now)
        var response = redirect(to: next)
        response.headers.append(("Set-Cookie", cookie(id, maxAge: options.sessionLifetime.milliseconds / 1000)))
        return response
    }

    func signOut(_ request: HTTPRequest) -> HTTPResponse {
        if let id = Self.cookie(Self.cookieName, in: request) { sessions.remove(id) }
        var response = redirect(to: "/login")
        response.headers.append(("Set-Cookie", cookie("", maxAge: 0)))
        return response
    }

    /// The `Set-Cookie` value of the session cookie.
    func cookie(_ value: String, maxAge: Int64) -> String {
        "\(Self.cookieName)=\(value); Path=\(prefix.isEmpty ? "/" : prefix); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
    }

    /// Whether a POST comes from a page of this server: its `Origin`, when sent, is this
    /// server's (by the request's `Host`, or the external URL's origin), and `Sec-Fetch-Site`,
    /// when sent, is not cross-site. Browsers send `Origin` on every POST; a client that
    /// sends neither header is not a browser, and cookies are `SameSite=Strict` anyway.
    func isSameOrigin(_ request: HTTPRequest) -> Bool {
        if let site = request.headers.values("Sec-Fetch-Site").first?.lowercased(), site == "cross-site" || site == "same-site" {
            return false
        }
        guard let origin = request.headers.values("Origin").first?.lowercased() else { return true }
        if let externalOrigin, origin == externalOrigin.lowercased() { return true }
        guard let host = request.headers.values("Host").first?.lowercased(), !host.isEmpty else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    // MARK: Context

    /// The workspace shown and where links go; nil when the viewer asked for a workspace it
    /// may not see (or there is none).
    func context(_ viewer: Viewer, query: [(name: String, value: String)], now: Timestamp) -> PageContext? {
        let asked = FormDecoding.first("workspace", in: query)
        switch viewer.identity {
        case .workspace(let name):
            if let asked, asked != name { return nil }
            return PageContext(prefix: prefix, workspace: name, switchable: [], now: now)
        case .admin:
            let names = source.workspaceNames
            guard !names.isEmpty else { return nil }
            let chosen: String
            if let asked {
                guard names.contains(asked) else { return nil }
                chosen = asked
                if let id = viewer.sessionID, viewer.session?.workspace != asked { sessions.setWorkspace(asked, for: id) }
            } else if let remembered = viewer.session?.workspace, names.contains(remembered) {
                chosen = remembered
            } else {
                chosen = names[0]
            }
            return PageContext(prefix: prefix, workspace: chosen, switchable: names, now: now)
        }
    }

    // MARK: Responses

    func page(status: Int, title: String, navigation: PageLayout.Navigation?, main: String) -> HTTPResponse {
        let nonce = SessionStore.randomID().prefix(22)
        let html = PageLayout.page(title: title, nonce: String(nonce), navigation: navigation, main: main, version: options.version)
        return HTTPResponse(status: status, headers: [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", PageLayout.policy(nonce: String(nonce))),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` on
            // a same-origin POST, which the CSRF check must refuse.
            ("Referrer-Policy", "same-origin"),
            ("Cache-Control", "no-store"),
        ], body: Array(html.utf8))
    }

    func notFound(viewer: Viewer, what: String, now: Timestamp, context: PageContext? = nil) -> HTTPResponse {
        let navigation: PageLayout.Navigation?
        if let context {
            navigation = context.navigation(current: "")
        } else if case .workspace(let name) = viewer.identity {
            navigation = PageContext(prefix: prefix, workspace: name, switchable: [], now: now).navigation(current: "")
        } else {
            navigation = nil
        }
        return page(status: 404, title: "Not found", navigation: navigation, main: "<h1>Not found</h1><p>\(HTML.escape(what))</p><p><a href=\"\(prefix)/\">Overview</a></p>")
    }

    /// 303 to a path of this server (`path` without the prefix).
    func redirect(to path: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", prefix + path), ("Cache-Control", "no-store"), ("Content-Type", "text/plain; charset=utf-8")], text: "see \(prefix + path)\n")
    }

    func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        HTTPResponse(status: 405, headers: [("Allow", allowed), ("Content-Type", "text/plain; charset=utf-8")], text: "method not allowed; use \(allowed)\n")
    }

    // MARK: Request parts

    /// The request's path without the external URL's path prefix; nil when it has another
    /// prefix (then it is not a page of this view).
    func localPath(_ path: String) -> String? {
        guard !prefix.isEmpty else { return path }
        if path == prefix { return "/" }
        if path.hasPrefix(prefix + "/") { return String(path.dropFirst(prefix.count)) }
        // Also served at the root, for a proxy that strips the prefix.
        return path
    }

    /// Where to go after signing in: a local path (`/x`, not `//host` or `/\host`), else `/`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.utf8.count <= 2048,
              !next.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" })
        else { return "/" }
        return next
    }

    static func bearerToken(_ request: HTTPRequest) -> [UInt8]? {
        guard let header = request.headers.values("Authorization").first else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : Array(token.utf8)
    }

    /// The value of cookie `name` in the request's `Cookie` headers.
    static func cookie(_ name: String, in request: HTTPRequest) -> String? {
        for header in request.headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name {
                    let value = String(trimmed[trimmed.index(after: equals)...])
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }

    /// Whether the client asked for HTML (a browser's `Accept`).
    static func acceptsHTML(_ request: HTTPRequest) -> Bool {
        request.headers.values("Accept").contains { $0.contains("text/html") }
    }

    /// `https://host:port/path/` -> origin `https://host:port`, path `/path`.
    static func split(externalURL: String?) -> (origin: String?, path: String) {
        guard let url = externalURL, let scheme = url.range(of: "://") else { return (nil, "") }
        let afterScheme = url[scheme.upperBound...]
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        var path = String(afterScheme[slash...])
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<query]) }
        while path.hasSuffix("/") { path.removeLast() }
        return (String(url[..<slash]), path)
    }
}
