import AIOpsCore
import Foundation
import Testing
@testable import Server

/// The web view in a real browser: Debian's headless Chromium, driven over the DevTools
/// Protocol, loads the pages of an in-process `aiops serve` fed by remote write.
///
/// For each page: it renders, logs no console error or warning and no refused resource, and
/// requests nothing from any host but the server; plots have the expected number of points
/// and incident spans; it can be used by keyboard alone (sign-in included) and at 400 CSS
/// pixels wide without the page scrolling sideways. With `AIOPS_SCREENSHOTS=DIR` the tests
/// also write screenshots of the pages there (`docs/screenshots/make.sh`).
///
/// Skipped, with the reason, where no Chromium is installed; `.ci/run` installs it.
@Suite(.serialized) struct BrowserTests {
    static let skipNote: Comment = "chromium is not installed (apt-get install chromium; .ci/run installs it)"
    static let screenshots = ProcessInfo.processInfo.environment["AIOPS_SCREENSHOTS"]

    /// Checks what the browser recorded for one page load, then forgets it.
    func expectClean(_ browser: HeadlessChromium, origin: String, page: String) {
        let problems = browser.problems
        #expect(problems.isEmpty, "\(page): \(problems)")
        let foreign = browser.requestedURLs.filter { !$0.hasPrefix(origin + "/") && !$0.hasPrefix("data:") }
        #expect(foreign.isEmpty, "\(page) requested \(foreign)")
        browser.clearEvents()
    }

    /// Signs in as a person does: the sign-in page's token field has focus (autofocus, applied
    /// once the page renders: asked until it has), the token is typed, Enter submits.
    func signIn(_ browser: HeadlessChromium, origin: String, token: String) throws {
        try browser.navigate(origin + "/login")
        var focused = false
        for _ in 0..<500 where !focused {
            focused = try browser.string("document.activeElement.id") == "token"
        }
        #expect(focused, "the token field has focus on arrival")
        try browser.insertText(token)
        try browser.pressEnterAndWaitForLoad()
        #expect(try browser.string("location.pathname") == "/")
    }

    func save(_ browser: HeadlessChromium, _ name: String) throws {
        guard let directory = Self.screenshots else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try browser.screenshot().write(to: URL(fileURLWithPath: "\(directory)/\(name).png"))
    }

    @Test(.enabled(if: HeadlessChromium.binary != nil, skipNote))
    func signInByKeyboardThenEveryPageRendersCleanly() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let incidents = try fixture.incidents(token: WebFixture.tokenA)
        let orders = try #require(incidents.first { $0.queue == "orders" })
        let billing = try #require(incidents.first { $0.queue == "billing" })
        let browser = try HeadlessChromium()
        defer { browser.stop() }
        let origin = fixture.base

        // Sign in with the keyboard alone: the token field has focus, Enter submits.
        try browser.navigate(origin + "/")
        #expect(try browser.string("document.querySelector('h1').textContent") == "Sign in to aiops")
        try save(browser, "sign-in")
        expectClean(browser, origin: origin, page: "sign-in")
        try signIn(browser, origin: origin, token: WebFixture.tokenA)
        #expect(try !browser.string("location.href").contains(WebFixture.tokenA), "the token is never in a URL")
        #expect(try browser.string("document.cookie") == "", "HttpOnly: no script sees the session cookie")
        let cookie = try #require(try browser.cookies(origin).first { $0["name"] as? String == "aiops_session" })
        #expect(cookie["httpOnly"] as? Bool == true)
        #expect(cookie["sameSite"] as? String == "Strict")
        #expect(try browser.string("document.querySelector('h1').textContent").hasPrefix("Workspace team-a"))
        try save(browser, "overview")
        expectClean(browser, origin: origin, page: "overview")

        let pages: [(name: String, path: String, points: [Int], spans: [Int])] = [
            ("incident-firing", "/incidents/\(billing.id)",
             [fixture.expectedIncidentPoints(workspace: "team-a", queue: "billing", start: billing.start, end: nil)], [2]),
            ("incident-resolved", "/incidents/\(orders.id)",
             [fixture.expectedIncidentPoints(workspace: "team-a", queue: "orders", start: orders.start, end: orders.end)], [2]),
            // By labels: the hostile queue name sorts first, then billing, then orders.
            ("series", "/series?match%5B%5D=queue_depth", [64, 64, 64], [0, 2, 0]),
            ("rules", "/rules", [], []),
        ]
        for page in pages {
            try browser.navigate(origin + page.path)
            #expect(try browser.int("document.querySelectorAll('h1').length") == 1, "\(page.name)")
            let points = try browser.evaluate("[...document.querySelectorAll('figure.plot svg')].map(s => s.querySelector('polyline.value').points.numberOfItems)") as? [Int]
            let declared = try browser.evaluate("[...document.querySelectorAll('figure.plot svg')].map(s => +s.dataset.points)") as? [Int]
            let spans = try browser.evaluate("[...document.querySelectorAll('figure.plot svg')].map(s => s.querySelectorAll('rect.span').length)") as? [Int]
            #expect(points == page.points, "\(page.name): points drawn")
            #expect(declared == page.points, "\(page.name): points declared")
            #expect(spans == page.spans, "\(page.name): spans")
            try save(browser, page.name)
            expectClean(browser, origin: origin, page: page.name)
        }

        // The hostile label value is text in the page, not a script that ran.
        try browser.navigate(origin + "/series?match%5B%5D=queue_depth")
        #expect(try browser.string("document.querySelector('main h2 code').textContent").contains(WebFixture.hostile))
        #expect(try browser.int("document.querySelectorAll('script').length") == 4, "the page's own script and three plots' data blocks")
        expectClean(browser, origin: origin, page: "series, hostile label")

        // Signing out by keyboard: the button is reachable with Tab and Enter ends the session.
        var reached = false
        for _ in 0..<20 {
            try browser.press("Tab")
            if try browser.string("document.activeElement.textContent") == "Sign out" { reached = true; break }
        }
        #expect(reached, "the Sign out button is reachable by Tab")
        try browser.pressEnterAndWaitForLoad()
        #expect(try browser.string("location.pathname") == "/login")
        #expect(try browser.cookies(origin).first { $0["name"] as? String == "aiops_session" } == nil)
        expectClean(browser, origin: origin, page: "sign-out")
    }

    @Test(.enabled(if: HeadlessChromium.binary != nil, skipNote))
    func pagesAreUsableByKeyboard() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let billing = try #require(try fixture.incidents(token: WebFixture.tokenA).first { $0.queue == "billing" })
        let browser = try HeadlessChromium()
        defer { browser.stop() }
        let origin = fixture.base
        try signIn(browser, origin: origin, token: WebFixture.tokenA)
        browser.clearEvents()

        for path in ["/", "/incidents/\(billing.id)", "/series?match%5B%5D=queue_depth", "/rules"] {
            try browser.navigate(origin + path)
            // Every form control has a label, every button and link a name.
            #expect(try browser.int("[...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter(e => !e.labels || !e.labels.length).length") == 0, "\(path): unlabelled controls")
            #expect(try browser.int("[...document.querySelectorAll('a,button')].filter(e => !e.textContent.trim()).length") == 0, "\(path): nameless links or buttons")
            #expect(try browser.int("[...document.querySelectorAll('svg[role=img]')].filter(s => !document.getElementById(s.getAttribute('aria-labelledby').split(' ')[0])).length") == 0)
            // Tab reaches the first link, then the page's plots.
            try browser.press("Tab")
            #expect(try browser.string("document.activeElement.className") == "skip", "\(path): the first Tab is the skip link")
            let plots = try browser.int("document.querySelectorAll('figure.plot svg').length")
            var focusedPlots = 0
            for _ in 0..<60 {
                try browser.press("Tab")
                if try browser.string("document.activeElement.tagName") == "svg" { focusedPlots += 1 }
                if focusedPlots == plots { break }
            }
            #expect(focusedPlots == plots, "\(path): each plot is reachable by Tab")
            expectClean(browser, origin: origin, page: path)
        }

        // A focused plot reads out its values with the arrow keys.
        try browser.navigate(origin + "/incidents/\(billing.id)")
        for _ in 0..<40 {
            try browser.press("Tab")
            if try browser.string("document.activeElement.tagName") == "svg" { break }
        }
        let last = try browser.string("document.querySelector('output.readout').textContent")
        #expect(last.contains("UTC: 400"), "focus shows the newest point: \(last)")
        #expect(last.contains("score 1.00"))
        try browser.press("Home")
        let first = try browser.string("document.querySelector('output.readout').textContent")
        try browser.press("ArrowRight")
        let second = try browser.string("document.querySelector('output.readout').textContent")
        #expect(first != last && second != first && second.contains(" UTC: "), "\(first) / \(second)")
        #expect(try browser.string("document.querySelector('svg .cursor').getAttribute('class')") == "cursor on")
        expectClean(browser, origin: origin, page: "plot readout")
    }

    @Test(.enabled(if: HeadlessChromium.binary != nil, skipNote))
    func pagesFitA400PixelWideScreen() throws {
        let fixture = try WebFixture()
        defer { fixture.stop() }
        let billing = try #require(try fixture.incidents(token: WebFixture.tokenA).first { $0.queue == "billing" })
        let browser = try HeadlessChromium(width: 400, height: 900)
        defer { browser.stop() }
        try browser.setViewport(width: 400, height: 900)
        let origin = fixture.base
        try signIn(browser, origin: origin, token: WebFixture.adminToken)
        browser.clearEvents()
        for (name, path) in [("overview", "/"), ("incident", "/incidents/\(billing.id)"), ("series", "/series?match%5B%5D=queue_depth%7Bqueue%3D%22billing%22%7D"), ("rules", "/rules")] {
            try browser.navigate(origin + path)
            #expect(try browser.int("window.innerWidth") == 400)
            #expect(try browser.int("document.documentElement.scrollWidth") <= 400, "\(path): the page scrolls sideways")
            // Wide things (plots, tables) scroll inside their own frame; nothing else overflows.
            let overflowing = try browser.evaluate("""
                [...document.querySelectorAll('body *')].filter(e => !e.closest('.plot-frame,.table-wrap') && e.getBoundingClientRect().right > 400.5).map(e => e.tagName + '.' + e.className)
                """) as? [String] ?? ["?"]
            #expect(overflowing.isEmpty, "\(path): \(overflowing)")
            #expect(try browser.int("document.querySelector('main').getBoundingClientRect().width") <= 400)
            try save(browser, "narrow-\(name)")
            expectClean(browser, origin: origin, page: "\(path) at 400 px")
        }
    }

    @Test(.enabled(if: HeadlessChromium.binary != nil && WebFixtureBinary.aiops != nil, skipNote))
    func theReplayReportOpensFromDiskAndFetchesNothing() throws {
        let binary = try #require(WebFixtureBinary.aiops)
        let directory = NSTemporaryDirectory() + "aiops-replay-html-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/report.html"
        let root = WebFixtureBinary.repositoryRoot
        let run = try WebFixtureBinary.run(binary, ["replay", "fixtures/nodejs-memory-leak/metrics.prom", "fixtures/cpu-daily-offhours-spike/query_range.json",
                                                    "--rules", "rules", "--html", out, "--quiet"], in: root)
        #expect(run.status == 0, "\(run.output)")
        let browser = try HeadlessChromium()
        defer { browser.stop() }
        try browser.navigate("file://" + out)
        #expect(try browser.int("document.querySelectorAll('figure.plot').length") == 3, "two leak series and the CPU series")
        // 11,519 CPU rates are drawn as at most two points per pixel column.
        let cpu = try browser.evaluate("(() => { const s = [...document.querySelectorAll('figure.plot svg')].pop(); return [+s.dataset.samples, s.querySelector('polyline.value').points.numberOfItems, s.querySelectorAll('rect.span').length, +s.dataset.columns] })()") as? [Int] ?? []
        try #require(cpu.count == 4)
        #expect(cpu[0] == 11_519, "a counter plotted as its rate: every sample but the first")
        #expect(cpu[1] <= 2 * cpu[3] && cpu[1] > cpu[3], "\(cpu)")
        #expect(cpu[2] == 2, "pending and resolved")
        let foreign = browser.requestedURLs.filter { !$0.hasPrefix("file://") && !$0.hasPrefix("data:") }
        #expect(foreign.isEmpty, "\(foreign)")
        #expect(browser.problems.isEmpty, "\(browser.problems)")
        if let screenshots = Self.screenshots {
            try browser.setViewport(width: 1100, height: 900)
            try browser.navigate("file://" + out)
            try browser.screenshot(maxHeight: 1300).write(to: URL(fileURLWithPath: "\(screenshots)/replay-report.png"))
        }
    }
}

/// The built `aiops` binary and the repository it was built from.
enum WebFixtureBinary {
    static var aiops: String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("aiops").path
        for candidate in [beside, FileManager.default.currentDirectoryPath + "/.build/debug/aiops"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// The package root: this file is `<root>/Tests/WebViewTests/BrowserTests.swift`.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func run(_ binary: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
