import Foundation
import Testing

/// The command-line side of the web view, on the built `aiops` binary: `replay --html` and
/// `serve --external-url`.
@Suite struct CommandTests {
    static let available = WebFixtureBinary.aiops != nil

    @Test(.enabled(if: available, "needs the aiops binary (swift test builds it)"))
    func replayWritesOneSelfContainedReport() throws {
        let binary = try #require(WebFixtureBinary.aiops)
        let directory = NSTemporaryDirectory() + "aiops-html-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/report.html"
        let run = try WebFixtureBinary.run(binary, [
            "replay", "fixtures/nodejs-memory-leak/metrics.prom", "fixtures/disk-filling/avail.csv", "--rules", "rules", "--html", out,
        ], in: WebFixtureBinary.repositoryRoot)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("wrote \(out): 3 plots; open it in a browser"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.components(separatedBy: "<figure class=\"plot\"").count - 1 == 3, "two leaking series, and the CSV's one series though it had no incident")
        #expect(html.contains("no series had an incident: the first 1 of 1 (use --metric to choose)"))
        #expect(!html.contains(" src=") && !html.contains("https://") && !html.contains("http://"))
        // --metric chooses what is plotted.
        let chosen = try WebFixtureBinary.run(binary, [
            "replay", "fixtures/nodejs-memory-leak/metrics.prom", "--rules", "rules", "--metric", "nodejs_heap_size_used_bytes", "--html", out, "--quiet",
        ], in: WebFixtureBinary.repositoryRoot)
        #expect(chosen.status == 0)
        let one = try String(contentsOfFile: out, encoding: .utf8)
        #expect(one.components(separatedBy: "<figure class=\"plot\"").count - 1 == 1)
        #expect(one.contains("plotted: the series --metric names"))
        // The report never replaces an input.
        let clobber = try WebFixtureBinary.run(binary, ["replay", "fixtures/disk-filling/avail.csv", "--html", "fixtures/disk-filling/avail.csv"], in: WebFixtureBinary.repositoryRoot)
        #expect(clobber.status == 2)
    }

    @Test(.enabled(if: available, "needs the aiops binary (swift test builds it)"))
    func serveRefusesAnExternalURLItCannotLinkTo() throws {
        let binary = try #require(WebFixtureBinary.aiops)
        for bad in ["ftp://aiops.example.com", "aiops.example.com", "https://user:secret@aiops.example.com", "https://aiops.example.com/?a=b"] {
            let run = try WebFixtureBinary.run(binary, ["serve", "--external-url", bad, "--listen", "127.0.0.1:0", "--data", NSTemporaryDirectory()])
            #expect(run.status == 2, "\(bad): \(run.output)")
            #expect(run.output.contains("--external-url must be an absolute http:// or https:// URL"))
            #expect(!run.output.contains("secret") || !bad.contains("secret"), "credentials are not echoed")
        }
        let both = try WebFixtureBinary.run(binary, ["serve", "--external-url", "https://a.example", "--web.external-url", "https://b.example"])
        #expect(both.status == 2)
    }
}
