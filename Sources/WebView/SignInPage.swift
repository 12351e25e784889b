/// `/login`: the workspace token, entered once. The form posts it (never a URL), the server
/// answers with a session cookie (`HttpOnly`, `SameSite=Strict`) that stands for it.
enum SignInPage {
    /// - Parameters:
    ///   - next: where to go after signing in (a path on this server).
    ///   - error: why the last attempt failed, shown above the form.
    static func main(prefix: String, next: String, error: String?) -> String {
        var html = "<h1>Sign in to aiops</h1>"
        if let error { html += "<p class=\"error\" role=\"alert\">\(HTML.escape(error))</p>" }
        html += "<form method=\"post\" action=\"\(prefix)/login\">"
        html += "<p><label for=\"token\">Workspace token</label><br>"
        html += "<input type=\"password\" id=\"token\" name=\"token\" required autocomplete=\"current-password\" autofocus aria-describedby=\"token-help\"></p>"
        html += "<input type=\"hidden\" name=\"next\" value=\"\(HTML.escape(next))\">"
        html += "<p><button type=\"submit\">Sign in</button></p></form>"
        html += "<p id=\"token-help\" class=\"muted\">The token your Prometheus sends as its remote-write bearer token (for <code>aiops serve</code> without a config, in <code>aiops-data/dev-workspace.token</code>), or the admin token to see every workspace. It is sent once, in this form; the browser keeps only a session cookie, never the token.</p>"
        html += "<p class=\"muted\">APIs: <code>POST /api/v1/write</code>, <code>GET /api/v1/incidents</code>, <code>GET /metrics</code>, <code>GET /-/healthy</code>, <code>GET /-/ready</code>, <code>POST /-/reload</code>.</p>"
        return html
    }
}
