import AIOpsCore
import Foundation
import Pipeline
import Rules
import Synchronization
import Testing
@testable import WarmStart
#if canImport(Glibc)
import Glibc
#endif

/// A pipeline behind a lock, as a workspace's shard is.
final class LockedPipeline: WarmStartShard, @unchecked Sendable {
    // `@unchecked Sendable`: the pipeline is only reached through `lock`.
    private let lock = Mutex(())
    private let pipeline: Pipeline

    init(_ pipeline: Pipeline) {
        self.pipeline = pipeline
    }

    func withPipeline(_ body: (Pipeline) -> Void) {
        lock.withLock { _ in body(pipeline) }
    }

    func read<R>(_ body: (Pipeline) -> R) -> R {
        lock.withLock { _ in body(pipeline) }
    }
}

/// Log lines, captured.
final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
}

/// The scheduler against a loopback `query_range` server: batching, step splitting, the
/// rate limit (on an injected clock), failures counted and left to warm up as before.
@Suite struct WarmStartSchedulerTests {
    static let now: Timestamp = 1_800_000_000_000
    static let day: Int64 = 86_400_000

    typealias Entry = (labels: Labels, value: @Sendable (Timestamp) -> Double?)

    static func constant(_ labels: Labels, _ value: Double?) -> Entry { (labels, { @Sendable _ in value }) }

    static func function(_ labels: Labels, _ value: @escaping @Sendable (Timestamp) -> Double?) -> Entry { (labels, value) }

    /// A warming pipeline whose `series` each got two live samples 15 s apart, at `now`.
    static func setup(
        series: [Labels], table: [Entry], script: [FakeQueryRangeServer.Reply] = [],
        days: Int64 = 1, configure: (inout WarmStartOptions) -> Void = { _ in }
    ) throws -> (FakeQueryRangeServer, LockedPipeline, WarmStartScheduler, ManualClock, SleepLog, Lines) {
        let server = try FakeQueryRangeServer(table: table, script: script)
        let pipeline = Pipeline(rules: try rules())
        pipeline.warmsNewSeries = true
        for labels in series {
            let ref = try #require(pipeline.series(for: labels))
            pipeline.ingest(ref, timestamp: now, value: 1)
            pipeline.ingest(ref, timestamp: now + 15_000, value: 1)
        }
        let shard = LockedPipeline(pipeline)
        var options = WarmStartOptions(source: try WarmStartSource(parsing: server.url))
        options.history = .hours(days * 24)
        configure(&options)
        let clock = ManualClock(now + 20_000)
        let sleeps = SleepLog(clock: clock)
        let logged = Lines()
        let scheduler = WarmStartScheduler(options: options, shards: [shard], clock: clock, sleep: sleeps.sleep, log: logged.sink)
        return (server, shard, scheduler, clock, sleeps, logged)
    }

    /// Records the pacer's waits and moves the clock by them instead of sleeping.
    final class SleepLog: Sendable {
        let clock: ManualClock
        let waits = Mutex<[Int64]>([])
        init(clock: ManualClock) { self.clock = clock }
        var sleep: @Sendable (Int64) -> Void {
            { milliseconds in
                self.waits.withLock { $0.append(milliseconds) }
                self.clock.advance(by: milliseconds)
            }
        }
        var all: [Int64] { waits.withLock { $0 } }
    }

    /// `node_load1` gets an EWMA rule that scores after 5 samples; anything else the auto rule.
    static func rules() throws -> RuleSet {
        try RuleSet.parse(#"{"rules": [{"name": "load", "selector": "node_load1", "detector": {"kind": "ewma", "warmup": 5}, "for": "0s"}]}"#, file: "t.json")
    }

    static func load(_ instance: String) -> Labels { Labels(metric: "node_load1", ["instance": instance, "job": "node"]) }

    @Test func historyIsReadPerMetricNameAndReplayedThenLiveSamplesAreScored() throws {
        let a = Self.load("a"), b = Self.load("b"), other = Self.load("c")
        let queue = Labels(metric: "queue_depth", ["queue": "ingest"])
        let (server, shard, scheduler, _, _, _) = try Self.setup(
            series: [a, b, queue],
            table: [Self.constant(a, 1.0), Self.constant(b, 2.0), Self.constant(other, 3.0), Self.constant(queue, 4.0)])
        defer { server.stop() }
        scheduler.runPending()
        let requests = server.requests
        #expect(requests.count == 2, "one query per metric name")
        #expect(requests.allSatisfy { $0.path == "/api/v1/query_range" && $0.method == "POST" })
        #expect(requests.allSatisfy { $0.contentType == "application/x-www-form-urlencoded" && $0.authorization == nil })
        #expect(Set(requests.map(\.query)) == [#"{__name__="node_load1",instance=~"a|b",job="node"}"#, #"{__name__="queue_depth",queue="ingest"}"#])
        #expect(requests.allSatisfy { $0.step == 15_000 && $0.end == Self.now - 1 && $0.start == Self.now - Self.day })
        let statistics = scheduler.statistics
        #expect(statistics.seriesWarmed == 3)
        #expect(statistics.seriesFailed == 0 && statistics.seriesEmpty == 0)
        #expect(statistics.queriesSucceeded == 2 && statistics.queriesFailed == 0)
        #expect(statistics.samples == 3 * 5_760, "a day at 15 s before the first live sample, for each series; instance c ignored")
        #expect(statistics.seriesQueued == 0)
        shard.read { pipeline in
            #expect(pipeline.warmingSeriesCount == 0)
            #expect(pipeline.statistics.scoredSamples == 6, "both live samples of each series scored, once")
        }
        scheduler.runPending()
        #expect(server.requests.count == 2, "nothing more to read")
    }

    /// 7 days at the series' 15 s step: four queries, oldest first, contiguous, none over
    /// 11,000 points; every evaluation time replayed once.
    @Test func sevenDaysAtFifteenSecondsAreReadInFourQueries() throws {
        let a = Self.load("a")
        let (server, _, scheduler, _, _, _) = try Self.setup(series: [a], table: [Self.function(a) { t in Double(t % 1000) }], days: 7)
        defer { server.stop() }
        scheduler.runPending()
        let requests = server.requests
        #expect(requests.map { QueryRangeQuery(query: "", start: $0.start, end: $0.end, step: $0.step).points } == [11_000, 11_000, 11_000, 7_320])
        #expect(requests.first?.start == Self.now - 7 * Self.day)
        for (earlier, later) in zip(requests, requests.dropFirst()) { #expect(later.start == earlier.end + 15_000) }
        #expect(scheduler.statistics.samples == 40_320)
        #expect(scheduler.statistics.seriesWarmed == 1)
    }

    /// More series than one query carries: the metric's batch is split, and a series read at
    /// another step gets a query of its own.
    @Test func batchesAreSplitBySizeAndStep() throws {
        let series = (0..<5).map { Self.load("n\($0)") }
        let slow = Labels(metric: "node_load1", ["instance": "slow", "job": "node"])
        let (server, shard, scheduler, _, _, _) = try Self.setup(
            series: series, table: (series + [slow]).map { Self.constant($0, 1.0) }, configure: { $0.maxSamplesPerQuery = 2 * 5_761 })
        defer { server.stop() }
        shard.withPipeline { pipeline in
            let ref = pipeline.series(for: slow)!
            pipeline.ingest(ref, timestamp: Self.now, value: 1)
            pipeline.ingest(ref, timestamp: Self.now + 60_000, value: 1)
        }
        scheduler.runPending()
        let requests = server.requests
        #expect(requests.filter { $0.step == 15_000 }.count == 3, "5 series, 2 per query")
        #expect(requests.filter { $0.step == 60_000 }.map(\.query) == [#"{__name__="node_load1",instance="slow",job="node"}"#])
        #expect(scheduler.statistics.seriesWarmed == 6)
    }

    /// The pacer on an injected clock: six queries at 5/s wait 200 ms between starts.
    @Test func queriesAreRateLimited() throws {
        let series = (0..<6).map { Labels(metric: "metric_\($0)", ["job": "x"]) }
        let (server, _, scheduler, clock, sleeps, _) = try Self.setup(series: series, table: series.map { Self.constant($0, 1.0) })
        defer { server.stop() }
        let before = clock.now()
        scheduler.runPending()
        #expect(server.requests.count == 6)
        #expect(sleeps.all == [200, 200, 200, 200, 200])
        #expect(clock.now() - before == 1000)
    }

    @Test func aSlowerRateWaitsLonger() throws {
        let series = (0..<3).map { Labels(metric: "metric_\($0)", ["job": "x"]) }
        let (server, _, scheduler, _, sleeps, _) = try Self.setup(series: series, table: series.map { Self.constant($0, 1.0) }) { $0.queriesPerSecond = 0.5 }
        defer { server.stop() }
        scheduler.runPending()
        #expect(sleeps.all == [2000, 2000])
    }

    /// An HTTP error: the series are counted failed, stop waiting and score their live
    /// samples as if there were no warm start; the log says why, once.
    @Test(arguments: [
        (FakeQueryRangeServer.Reply.status(503, "upstream down"), "HTTP 503: upstream down"),
        (.status(400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""}"#),
         #"HTTP 400: query status is "error": bad_data: invalid parameter "query""#),
        (.status(200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}"#), "bad query_range response"),
        (.status(200, "<html>"), "bad query_range response"),
        (.status(302, ""), "HTTP 302"),
    ])
    func aFailedQueryIsCountedAndTheSeriesWarmUpAsBefore(reply: FakeQueryRangeServer.Reply, reason: String) throws {
        let a = Self.load("a"), b = Self.load("b")
        let (server, shard, scheduler, _, _, logged) = try Self.setup(series: [a, b], table: [Self.constant(a, 1.0), Self.constant(b, 1.0)], script: [reply])
        defer { server.stop() }
        scheduler.runPending()
        let statistics = scheduler.statistics
        #expect(statistics.seriesFailed == 2 && statistics.seriesWarmed == 0)
        #expect(statistics.queriesFailed == 1 && statistics.samples == 0)
        shard.read { pipeline in
            #expect(pipeline.warmingSeriesCount == 0)
            #expect(pipeline.statistics.scoredSamples == 4)
        }
        let failures = logged.all.filter { $0.contains("not read") }
        #expect(failures.count == 1)
        #expect(failures.first?.contains(reason) == true, "\(failures)")
        #expect(failures.first?.contains("they warm up from their live samples") == true)
    }

    /// The second of two windows fails: the first window's history is dropped again, and the
    /// series scores as one that never had any.
    @Test func aFailureAfterSomeHistoryDropsIt() throws {
        let a = Self.load("a")
        let (server, shard, scheduler, _, _, _) = try Self.setup(
            series: [a], table: [Self.function(a) { t in Double((t / 15_000) % 7) }], script: [.data, .status(500, "boom")], days: 3)
        defer { server.stop() }
        scheduler.runPending()
        #expect(server.requests.count == 2)
        #expect(scheduler.statistics.seriesFailed == 1)
        #expect(scheduler.statistics.samples == 0)
        // A pipeline that never warmed, fed the same two live samples and then the same values.
        let twin = Pipeline(rules: try Self.rules())
        twin.ingest(a, timestamp: Self.now, value: 1)
        twin.ingest(a, timestamp: Self.now + 15_000, value: 1)
        var twinScores: [Double] = []
        var warmScores: [Double] = []
        for index in 0..<200 {
            let t = Self.now + 30_000 + Int64(index) * 15_000
            let value = Double(index % 5)
            twin.ingest(a, timestamp: t, value: value)
            twinScores.append(twin.lastScore)
            shard.withPipeline { pipeline in
                pipeline.ingest(a, timestamp: t, value: value)
                warmScores.append(pipeline.lastScore)
            }
        }
        #expect(twinScores.contains { $0 > 0 })
        #expect(warmScores == twinScores)
    }

    @Test func noHistoryIsEmptyNotFailed() throws {
        let a = Self.load("a")
        let (server, shard, scheduler, _, _, logged) = try Self.setup(series: [a], table: [Self.constant(a, nil)])
        defer { server.stop() }
        scheduler.runPending()
        #expect(scheduler.statistics.seriesEmpty == 1)
        #expect(scheduler.statistics.seriesFailed == 0 && scheduler.statistics.queriesSucceeded == 1)
        shard.read { #expect($0.warmingSeriesCount == 0) }
        #expect(logged.all.contains { $0.contains("0 series warmed from history, 1 had none, 0 failed") })
    }

    /// The bearer token goes in the header and nowhere else, not even into a failure's log line.
    @Test func credentialsAreSentAndNeverLogged() throws {
        let a = Self.load("a")
        let (server, _, scheduler, _, _, logged) = try Self.setup(
            series: [a], table: [Self.constant(a, 1.0)], script: [.status(401, "unauthorized")]) { $0.credentials = .bearer(token: "s3cret-t0ken") }
        defer { server.stop() }
        scheduler.runPending()
        #expect(server.requests.first?.authorization == "Bearer s3cret-t0ken")
        #expect(!logged.all.isEmpty)
        #expect(!logged.all.joined().contains("s3cret"))
        #expect(scheduler.statistics.seriesFailed == 1)
    }

    /// A source that accepts the connection and never answers: the query times out.
    @Test func aSilentSourceTimesOut() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        pipeline.warmsNewSeries = true
        pipeline.ingest(Self.load("a"), timestamp: Self.now, value: 1)
        pipeline.ingest(Self.load("a"), timestamp: Self.now + 15_000, value: 1)
        var options = WarmStartOptions(source: try WarmStartSource(parsing: "http://127.0.0.1:\(port)"))
        options.timeout = .init(milliseconds: 300)
        let logged = Lines()
        let scheduler = WarmStartScheduler(options: options, shards: [LockedPipeline(pipeline)], clock: ManualClock(Self.now), sleep: { _ in }, log: logged.sink)
        scheduler.runPending()
        #expect(scheduler.statistics.queriesFailed == 1)
        #expect(scheduler.statistics.seriesFailed == 1)
        #expect(logged.all.contains { $0.contains("no answer within 0.3 s") }, "\(logged.all)")
    }

    /// The background thread: started, it warms new series as they come; stopped, the series
    /// still waiting are scored unwarmed.
    @Test func theBackgroundThreadWarmsAndStopsCleanly() throws {
        let a = Self.load("a")
        let server = try FakeQueryRangeServer(table: [Self.constant(a, 1.0)])
        defer { server.stop() }
        let pipeline = Pipeline(rules: RuleSet(rules: []))
        pipeline.warmsNewSeries = true
        let shard = LockedPipeline(pipeline)
        var options = WarmStartOptions(source: try WarmStartSource(parsing: server.url))
        options.history = .hours(1)
        options.pollInterval = .init(milliseconds: 20)
        let scheduler = WarmStartScheduler(options: options, shards: [shard], clock: SystemClock())
        scheduler.start()
        shard.withPipeline { pipeline in
            pipeline.ingest(a, timestamp: Self.now, value: 1)
            pipeline.ingest(a, timestamp: Self.now + 15_000, value: 1)
        }
        let deadline = Date().addingTimeInterval(30)
        while scheduler.statistics.seriesWarmed == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(scheduler.statistics.seriesWarmed == 1)
        // One more series, with one sample: it waits for its second (patience 2 min) when the
        // scheduler stops, and is then scored without history.
        let b = Self.load("b")
        shard.withPipeline { $0.ingest(b, timestamp: Self.now, value: 1) }
        scheduler.stop()
        shard.read { pipeline in
            #expect(pipeline.isWarming(pipeline.series(for: b)!) == true, "not handed out yet: its owner scores it on the next sample")
        }
    }
}
