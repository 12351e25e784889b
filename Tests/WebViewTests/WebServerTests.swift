import AIOpsCore
import Foundation
import HTTPServer
import Testing
@testable import Server
@testable import WebView

/// The web view served by a real `aiops serve` (in process, loopback, fed by remote write):
/// sign-in, who sees what, CSRF, escaping, the pages' content.
@Suite(.serialized) struct WebServerTests {
    @Test func signInKeepsOnlyASessionIdInAStrictHttpOnlyCookie() throws {
        let fixture = try WebFixture(feed: false)
        defer { fixture.stop() }
        let form = try fixture.get("/")
        #expect(form.status == 200)
        #expect(form.bodyText.contains("<form method=\"post\" action=\"/login\">"))
        #expect(form.bodyText.contains("type=\"password\""))

        let response = try fixture.postForm("/login", [("token", WebFixture.tokenA), ("next", "/rules")])
        #expect(response.status == 303)
        #expect(response.header("Location") == "/rules")
        let cookie = try #require(response.header("Set-Cookie"))
        #expect(cookie.hasPrefix("aiops_session="))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"), "plain http without an https external URL")
        #expect(!cookie.contains(WebFixture.tokenA), "the cookie carries a session id, not the token")
        let value = String(cookie.prefix { $0 != ";" }.dropFirst("aiops_session=".count))
        #expect(value.count == 43, "256 random bits, base64url")
        #expect(!(response.header("Location") ?? "").contains(WebFixture.tokenA))

        let page = try fixture.get("/rules", cookie: "aiops_session=\(value)")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Workspace <strong>team-a</strong>"))
        #expect(!page.bodyText.contains(WebFixture.tokenA))
        #expect(fixture.server.handler.web.sessionCount == 1)
    }

    @Test func pagesAskForSignInAndAWrongTokenIsRefused() throws {
        let fixture = try WebFixture(feed: false)
        defer { fixture.stop() }
        let redirect = try fixture.get("/series?match[]=up")
        #expect(redirect.status == 303)
        #expect(redirect.header("Location") == "/login?next=%2Fseries%3Fmatch%5B%5D%3Dup")
        let login = try fixture.get("/login?next=%2Fseries")
        #expect(login.bodyText.contains("name=\"next\" value=\"/series\""))
        // An open redirect is not possible through `next`.
        let away = try fixture.postForm("/login", [("token", WebFixture.tokenA), ("next", "//evil.example/x")])
        #expect(away.header("Location") == "/")

        let wrong = try fixture.postForm("/login", [("token", "not-a-token-0123456789"), ("next", "/")])
        #expect(wrong.status == 401)
        #expect(wrong.header("Set-Cookie") == nil)
        #expect(wrong.bodyText.contains("That token is not"))
        #expect(!wrong.bodyText.contains("not-a-token-0123456789"), "a wrong token is not echoed")
        // A forged session id is not a session.
        #expect(try fixture.get("/rules", cookie: "aiops_session=\(SessionStore.randomID())").status == 303)
        // Without a browser's Accept, the root stays the plain-text index for curl.
        let curl = try fixture.request("GET", "/")
        #expect(curl.bodyText.hasPrefix("aiops "))
    }

    @Test func crossSitePostsAreRefused() throws {
        let fixture = try WebFixture(feed: false)
        defer { fixture.stop() }
        let evil = try fixture.postForm("/login", [("token", WebFixture.tokenA)], origin: "https://evil.example")
        #expect(evil.status == 403)
        #expect(evil.header("Set-Cookie") == nil)
        let null = try fixture.postForm("/login", [("token", WebFixture.tokenA)], origin: "null")
        #expect(null.status == 403)
        var headers: [(String, String)] = [("Content-Type", "application/x-www-form-urlencoded"), ("Sec-Fetch-Site", "cross-site")]
        let crossSite = try fixture.request("POST", "/login", headers: headers, body: Array("token=\(WebFixture.tokenA)".utf8))
        #expect(crossSite.status == 403)
        headers[1] = ("Sec-Fetch-Site", "same-origin")
        #expect(try fixture.request("POST", "/login", headers: headers, body: Array("token=\(WebFixture.tokenA)".utf8)).status == 303)
        #expect(try fixture.request("GET", "/logout").status == 405, "signing out is a POST")
    }

    @Test func signingOutEndsTheSession() throws {
        let fixture = try WebFixture(feed: false)
        defer { fixture.stop() }
        let cookie = try fixture.signIn(WebFixture.tokenA)
        #expect(try fixture.get("/", cookie: cookie).status == 200)
        let out = try fixture.postForm("/logout", [], cookie: cookie)
        #expect(out.status == 303)
        #expect(out.header("Location") == "/login")
        #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try fixture.get("/rules", cookie: cookie).status == 303, "the old cookie is no session any more")
        #expect(fixture.server.handler.web.sessionCount == 0)
    }

    @Test func aWorkspaceSeesOnlyItsOwnPagesAndTheAdminSeesAll() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let incidentsA = try fixture.incidents(token: WebFixture.tokenA)
        let incidentsB = try fixture.incidents(token: WebFixture.tokenB)
        let secret = try #require(incidentsB.first { $0.queue == "secret-b" })
        let billing = try #require(incidentsA.first { $0.queue == "billing" })

        let a = try fixture.signIn(WebFixture.tokenA)
        let overview = try fixture.get("/", cookie: a).bodyText
        #expect(overview.contains("billing") && overview.contains("orders"))
        #expect(!overview.contains("secret-b"))
        #expect(!overview.contains("team-b"), "no switcher, no other workspace's name")
        #expect(try fixture.get("/incidents/\(secret.id)", cookie: a).status == 404)
        #expect(try fixture.get("/?workspace=team-b", cookie: a).status == 404)
        #expect(try fixture.get("/series?match[]=queue_depth&workspace=team-b", cookie: a).status == 404)
        let series = try fixture.get("/series?match[]=queue_depth", cookie: a).bodyText
        #expect(!series.contains("secret-b"))
        #expect(try fixture.get("/incidents/\(billing.id)", token: WebFixture.tokenB).status == 404, "bearer tokens too")

        let admin = try fixture.signIn(WebFixture.adminToken)
        let adminOverview = try fixture.get("/", cookie: admin).bodyText
        #expect(adminOverview.contains("<select id=\"workspace-switch\" name=\"workspace\"><option selected>team-a</option><option>team-b</option></select>"))
        let switched = try fixture.get("/?workspace=team-b", cookie: admin).bodyText
        #expect(switched.contains("secret-b"))
        #expect(switched.contains("href=\"/incidents/\(secret.id)?workspace=team-b\""), "links keep the admin's workspace")
        // A link from Slack names no workspace: the admin still finds it.
        #expect(try fixture.get("/incidents/\(billing.id)", cookie: admin).status == 200)
        #expect(try fixture.get("/incidents/\(secret.id)", cookie: admin).status == 200)
    }

    @Test func valuesFromMetricsAndRulesAreEscaped() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let cookie = try fixture.signIn(WebFixture.tokenA)
        let series = try fixture.get("/series?match%5B%5D=queue_depth%7Bqueue%3D~%22%3C.*%22%7D", cookie: cookie)
        #expect(series.status == 200)
        #expect(series.bodyText.contains("1 series matches."))
        #expect(!series.bodyText.contains(WebFixture.hostile))
        #expect(series.bodyText.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let billing = try #require(try fixture.incidents(token: WebFixture.tokenA).first { $0.queue == "billing" })
        let incident = try fixture.get("/incidents/\(billing.id)", cookie: cookie).bodyText
        #expect(incident.contains("<li>Scale the workers &lt;now&gt; &amp; see.</li>"))
        #expect(!incident.contains("<now>"))
        // The JSON block of readouts cannot end its script element.
        #expect(!series.bodyText.contains("</script><script"))
    }

    @Test func everyPageCarriesAPolicyThatAllowsOnlyItsOwnInlineStyleAndScript() throws {
        let fixture = try WebFixture(feed: false)
        defer { fixture.stop() }
        let response = try fixture.get("/rules", token: WebFixture.tokenA)
        let policy = try #require(response.header("Content-Security-Policy"))
        #expect(policy.hasPrefix("default-src 'none'; script-src 'nonce-"))
        let nonce = String(policy.split(separator: "'")[3].dropFirst("nonce-".count))
        #expect(nonce.count >= 16)
        #expect(response.bodyText.contains("<script nonce=\"\(nonce)\">"))
        #expect(response.bodyText.contains("<style nonce=\"\(nonce)\">"))
        #expect(response.header("Content-Type") == "text/html; charset=utf-8")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Referrer-Policy") == "same-origin")
        let again = try fixture.get("/rules", token: WebFixture.tokenA).header("Content-Security-Policy")
        #expect(again != policy, "a nonce per response")
    }

    @Test func rulesPageHasAnAnchorPerRule() throws {
        let fixture = try WebFixture(feed: false)
        defer { fixture.stop() }
        let page = try fixture.get("/rules", token: WebFixture.tokenA).bodyText
        #expect(page.contains("<section id=\"rule-queue-spike\""))
        #expect(page.contains("<section id=\"rule-auto\""))
        #expect(page.contains("queue {{labels.queue}} is at {{value}}, expected {{expected}}"))
        #expect(page.contains("ewma (direction up, warmup 20 samples"))
    }

    @Test func theIncidentPagePlotsTheTraceAndTheRing() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let incidents = try fixture.incidents(token: WebFixture.tokenA)
        #expect(incidents.count == 2)
        let orders = try #require(incidents.first { $0.queue == "orders" })
        let billing = try #require(incidents.first { $0.queue == "billing" })
        #expect(orders.state == "resolved" && orders.end != nil)
        #expect(billing.state == "firing")

        for (incident, spans) in [(orders, ["pending", "resolved"]), (billing, ["pending", "firing"])] {
            let page = try fixture.get("/incidents/\(incident.id)", token: WebFixture.tokenA)
            #expect(page.status == 200)
            let html = page.bodyText
            let points = fixture.expectedIncidentPoints(workspace: "team-a", queue: incident.queue, start: incident.start, end: incident.end)
            #expect(html.contains("data-points=\"\(points)\" data-spans=\"2\""), "\(incident.queue): \(points) points")
            for kind in spans { #expect(html.contains("class=\"span span-\(kind)\"")) }
            #expect(html.contains("class=\"band\""), "the band from the trace")
            #expect(html.contains("class=\"score\""))
            #expect(html.contains("<dt>Observed</dt>") || html.contains("<dt>Last observed</dt>"))
            #expect(html.contains("<li>Check the consumers of \(incident.queue).</li>"))
            #expect(html.contains("href=\"/rules#rule-queue-spike\""))
        }
        #expect(try fixture.get("/incidents/no-such-incident", token: WebFixture.tokenA).status == 404)
    }

    @Test func theSeriesPageFindsSeriesBySelectorAndSaysWhyNot() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let found = try fixture.get("/series?match[]=queue_depth%7Bqueue%3D%22billing%22%7D", token: WebFixture.tokenA)
        #expect(found.status == 200)
        #expect(found.bodyText.contains("1 series matches."))
        #expect(found.bodyText.contains("data-points=\"64\" data-spans=\"2\""), "the ring's 64 samples, the open incident's spans")
        #expect(found.bodyText.contains("value=\"queue_depth{queue=&quot;billing&quot;}\""), "the form keeps the selector")
        let all = try fixture.get("/series?match[]=queue_depth", token: WebFixture.tokenA).bodyText
        #expect(all.contains("3 series match."))
        let bad = try fixture.get("/series?match[]=queue_depth%7Bqueue%3D", token: WebFixture.tokenA)
        #expect(bad.status == 400)
        #expect(bad.bodyText.contains("Not a selector: column"))
        let none = try fixture.get("/series?match[]=nothing_here", token: WebFixture.tokenA)
        #expect(none.bodyText.contains("No series match."))
    }

    @Test func theOverviewShowsIncidentsIngestAndTheOtherModulesSlots() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        fixture.server.recordIngestRates()
        fixture.clock.advance(by: 60_000)
        try fixture.write("team-a", queue: "late", WebFixture.samples(quiet: 30, spike: 0, quietAfter: 0, start: fixture.clock.now() - 30 * WebFixture.step))
        let html = try fixture.get("/", token: WebFixture.tokenA).bodyText
        #expect(html.contains("Open incidents (1)"))
        #expect(html.contains("Incidents of the last 7 days (1 resolved)"))
        #expect(html.contains("0.5 samples/s"), "30 samples in the minute between the two readings")
        #expect(html.contains(">4</div><label class=\"muted\" for=\"series-meter\">of 10,000 allowed"))
        #expect(html.contains("<div class=\"big\">none</div><div class=\"muted\">reports go to standard output</div>"))
        for slot in OverviewSlot.allCases { #expect(html.contains("<section id=\"slot-\(slot.rawValue)\" class=\"slot\"")) }
        #expect(html.contains("<pre class=\"panel\">Daily summary: team-a,"), "the daily summary as it would be sent now")
        #expect(html.contains("<p>Forecasts come with the Pro plan.</p>"))
        #expect(html.contains("<p>Scaling and cost recommendations come with the Pro plan.</p>"))
        let pro = try fixture.get("/", token: WebFixture.tokenB).bodyText
        #expect(pro.contains("No series has a warm seasonal state yet"))
    }

    @Test func anExternalURLPrefixesLinksAndMakesTheCookieSecure() throws {
        let fixture = try WebFixture(externalURL: "https://aiops.example.com/watch/", feed: false)
        defer { fixture.stop() }
        let login = try fixture.postForm("/watch/login", [("token", WebFixture.tokenA), ("next", "/rules")], origin: "https://aiops.example.com")
        #expect(login.status == 303)
        #expect(login.header("Location") == "/watch/rules")
        let cookie = try #require(login.header("Set-Cookie"))
        #expect(cookie.contains("; Secure") && cookie.contains("Path=/watch;"))
        let page = try fixture.get("/watch/rules", token: WebFixture.tokenA).bodyText
        #expect(page.contains("href=\"/watch/series\""))
        #expect(page.contains("action=\"/watch/logout\""))
    }
}
