import AIOpsCore
import Foundation
import Testing
@testable import WarmStart

@Suite struct WarmStartPlannerTests {
    static func planner(_ configure: (inout WarmStartOptions) -> Void = { _ in }) throws -> WarmStartPlanner {
        var options = WarmStartOptions(source: try WarmStartSource(parsing: "http://127.0.0.1:9090"))
        configure(&options)
        return WarmStartPlanner(options: options)
    }

    @Test(arguments: [
        (Int64(15_000), Int64(15_000)), (15_012, 15_000), (14_611, 15_000), (59_700, 60_000), (200, 1000),
        (7_200_000, 3_600_000), (1_499, 1000), (1_500, 2000),
    ])
    func stepIsTheFirstTwoSamplesDistanceInWholeSeconds(distance: Int64, step: Int64) throws {
        #expect(try Self.planner().step(first: 1_000_000, second: 1_000_000 + distance) == step)
    }

    @Test func stepDefaultsWhenOnlyOneSampleIsKnown() throws {
        let planner = try Self.planner { $0.defaultStep = .seconds(30) }
        #expect(planner.step(first: 1_000_000, second: nil) == 30_000)
        #expect(planner.step(first: 1_000_000, second: 1_000_000) == 30_000, "no distance: the default")
    }

    @Test func oneSeriesIsSelectedByItsWholeLabelSet() throws {
        let selector = try Self.planner().selector([Labels(metric: "node_load1", ["instance": "a:9100", "job": "node"])])
        #expect(selector == #"{__name__="node_load1",instance="a:9100",job="node"}"#)
    }

    /// Labels that differ become anchored alternatives, quoted for RE2 and then for PromQL; a
    /// label one series lacks is the empty alternative.
    @Test func aBatchIsSelectedByCommonLabelsAndAlternatives() throws {
        let selector = try Self.planner().selector([
            Labels(metric: "http_requests_total", ["job": "api", "path": "/v1/items.json", "code": "200"]),
            Labels(metric: "http_requests_total", ["job": "api", "path": "/v1/(all)", "code": "500"]),
            Labels(metric: "http_requests_total", ["job": "api", "code": "200", "note": "say \"hi\""]),
        ])
        #expect(selector == #"{__name__="http_requests_total",code=~"200|500",job="api",note=~"|say \"hi\"",path=~"|/v1/\\(all\\)|/v1/items\\.json"}"#)
    }

    @Test func ignoredLabelsAreLeftOutOfSelectorsAndIdentities() throws {
        let planner = try Self.planner { $0.ignoredLabels = ["cluster", "replica"] }
        let labels = Labels(metric: "up", ["cluster": "eu-1", "replica": "a", "job": "node"])
        #expect(planner.selector([labels]) == #"{__name__="up",job="node"}"#)
        #expect(planner.identity(labels) == Labels(metric: "up", ["job": "node"]))
    }

    /// 7 days at 15 s are 40,320 points: four windows of at most 11,000, each starting one
    /// step after the previous ends, together exactly the evaluation times of one query.
    @Test func aLongRangeIsSplitAtTheMaximumPointsPerQuery() throws {
        let planner = try Self.planner()
        let end: Timestamp = 1_800_000_000_000 - 1
        let start = end + 1 - 7 * 86_400_000
        let windows = planner.windows(start: start, end: end, step: 15_000)
        let points = windows.map { QueryRangeQuery(query: "", start: $0.start, end: $0.end, step: 15_000).points }
        #expect(points == [11_000, 11_000, 11_000, 7_320])
        #expect(points.reduce(0, +) == QueryRangeQuery(query: "", start: start, end: end, step: 15_000).points)
        #expect(windows.first?.start == start)
        for (earlier, later) in zip(windows, windows.dropFirst()) { #expect(later.start == earlier.end + 15_000) }
        #expect(windows.last.map { $0.end <= end } == true)
        #expect(planner.windows(start: start, end: start + 60_000, step: 60_000).count == 1)
    }

    /// A query's series times its points stay under the samples budget.
    @Test func seriesPerQueryFollowsThePointsOfOneWindow() throws {
        let planner = try Self.planner()
        #expect(planner.seriesPerQuery(step: 15_000) == 500_000 / 11_000)
        #expect(planner.seriesPerQuery(step: 60_000) == 500_000 / 10_081)
        #expect(planner.seriesPerQuery(step: 3_600_000) == 500_000 / 169)
        let tiny = try Self.planner { $0.maxSamplesPerQuery = 10 }
        #expect(tiny.seriesPerQuery(step: 15_000) == 1, "never zero")
    }

    @Test func formBodyIsPercentEncoded() {
        let query = QueryRangeQuery(query: #"{__name__="a b",x=~"1|2"}"#, start: 1_712_345_678_123, end: 1_712_345_700_000, step: 15_000)
        #expect(String(decoding: query.formBody, as: UTF8.self)
            == "query=%7B__name__%3D%22a%20b%22%2Cx%3D~%221%7C2%22%7D&start=1712345678.123&end=1712345700&step=15")
        #expect(QueryRangeQuery.seconds(1_005) == "1.005")
        #expect(QueryRangeQuery.seconds(-1_500) == "-1.500")
    }

    @Test func thePacerSpacesQueriesEvenly() {
        var pacer = QueryPacer(queriesPerSecond: 5)
        #expect(pacer.reserve(now: 1000) == 0)
        #expect(pacer.reserve(now: 1000) == 200)
        #expect(pacer.reserve(now: 1100) == 300)
        #expect(pacer.reserve(now: 5000) == 0, "no burst is saved up while idle beyond one slot")
        #expect(pacer.reserve(now: 5000) == 200)
    }
}

@Suite struct WarmStartSourceTests {
    @Test(arguments: [
        ("http://prometheus:9090", "http://prometheus:9090/api/v1/query_range", "http://prometheus:9090"),
        ("https://mimir.example/prometheus/", "https://mimir.example/prometheus/api/v1/query_range", "https://mimir.example/prometheus"),
        ("http://[::1]:8428/api/v1/query_range", "http://[::1]:8428/api/v1/query_range", "http://[::1]:8428"),
        ("HTTP://vm:8428", "http://vm:8428/api/v1/query_range", "http://vm:8428"),
    ])
    func baseURLs(text: String, url: String, redacted: String) throws {
        let source = try WarmStartSource(parsing: text)
        #expect(source.queryRangeURL.absoluteString == url)
        #expect(source.redacted == redacted)
    }

    @Test(arguments: ["prometheus:9090", "ftp://host/", "http://", "http://host:9090/?x=1", "http://host/#frag"])
    func refused(text: String) {
        #expect(throws: WarmStartError.self) { try WarmStartSource(parsing: text) }
    }

    /// Credentials in the URL are refused, and the error does not repeat them.
    @Test func credentialsInTheURLAreRefusedWithoutEchoingThem() {
        do {
            _ = try WarmStartSource(parsing: "https://admin:hunter2secret@prom.example")
            Issue.record("accepted a URL with credentials")
        } catch {
            #expect(!error.description.contains("hunter2secret"))
            #expect(error.description.contains("--warm-basic-auth-file"))
        }
    }

    @Test func credentialFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warm-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "  tok3n-value\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try "reader:pa:ss\n".write(toFile: directory + "/basic", atomically: true, encoding: .utf8)
        try "\n".write(toFile: directory + "/empty", atomically: true, encoding: .utf8)
        let bearer = try WarmStartCredentials.bearerTokenFile(directory + "/token")
        #expect(bearer.authorization == "Bearer tok3n-value")
        #expect(!bearer.description.contains("tok3n"))
        let basic = try WarmStartCredentials.basicAuthFile(directory + "/basic")
        #expect(basic == .basic(user: "reader", password: "pa:ss"))
        #expect(basic.authorization == "Basic " + Data("reader:pa:ss".utf8).base64EncodedString())
        #expect(!basic.description.contains("pa:ss"))
        #expect(throws: WarmStartError.credentials(path: directory + "/empty", reason: "the file is empty; expected a bearer token")) {
            try WarmStartCredentials.bearerTokenFile(directory + "/empty")
        }
        #expect(throws: WarmStartError.self) { try WarmStartCredentials.basicAuthFile(directory + "/token") }
        #expect(throws: WarmStartError.self) { try WarmStartCredentials.bearerTokenFile(directory + "/missing") }
    }
}
