import AIOpsCore
import Delivery
import Pipeline
import RemoteWrite
import Rules
import Testing
@testable import ScoreExport

@Suite struct ScoreExpositionTests {
    static let records = [
        ScoreRecord(labels: Labels(metric: "queue_depth", ["queue": "payments", "namespace": "shop"]), rule: "queue-spike",
                    latest: LatestScore(timestamp: 1_800_000_000_000, score: 0.97, expected: 42, lower: 38, upper: 46)),
        ScoreRecord(labels: Labels(metric: "queue_depth", ["queue": "orders", "note": "a \"quoted\"\nline"]), rule: "auto",
                    latest: LatestScore(timestamp: 1_800_000_015_000, score: 0, expected: .nan, lower: .nan, upper: .nan)),
    ]

    static func render(_ selectors: [String], limit: Int = 100) throws -> String {
        String(decoding: try ScoreExposition.render(records, selectors: try ScoreExposition.selectors(selectors), limit: limit), as: UTF8.self)
    }

    @Test func textFormatWithTimestampsFamiliesAndEscapes() throws {
        let text = try Self.render([#"{__name__=~"aiops_.+"}"#])
        #expect(text == """
            # HELP aiops_anomaly_score \(ScoreFamily.score.help)
            # TYPE aiops_anomaly_score gauge
            aiops_anomaly_score{metric="queue_depth",namespace="shop",queue="payments",rule="queue-spike"} 0.97 1800000000000
            aiops_anomaly_score{metric="queue_depth",note="a \\"quoted\\"\\nline",queue="orders",rule="auto"} 0 1800000015000
            # HELP aiops_expected_value \(ScoreFamily.expected.help)
            # TYPE aiops_expected_value gauge
            aiops_expected_value{metric="queue_depth",namespace="shop",queue="payments",rule="queue-spike"} 42 1800000000000
            # HELP aiops_expected_lower \(ScoreFamily.lower.help)
            # TYPE aiops_expected_lower gauge
            aiops_expected_lower{metric="queue_depth",namespace="shop",queue="payments",rule="queue-spike"} 38 1800000000000
            # HELP aiops_expected_upper \(ScoreFamily.upper.help)
            # TYPE aiops_expected_upper gauge
            aiops_expected_upper{metric="queue_depth",namespace="shop",queue="payments",rule="queue-spike"} 46 1800000000000

            """)
    }

    @Test func matchSelectsByFamilyAndLabelsAsFederate() throws {
        let one = try Self.render([#"aiops_anomaly_score{rule="queue-spike"}"#])
        #expect(one.split(separator: "\n").filter { !$0.hasPrefix("#") } == [#"aiops_anomaly_score{metric="queue_depth",namespace="shop",queue="payments",rule="queue-spike"} 0.97 1800000000000"#])
        let union = try Self.render([#"aiops_expected_value"#, #"aiops_anomaly_score{queue="orders"}"#])
        #expect(union.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 2)
        #expect(try Self.render([#"{metric="nothing"}"#]).isEmpty)
    }

    @Test func refusedWithoutMatchOverTheLimitOrWithABadSelector() throws {
        #expect(throws: ScoreExportError.noMatch) { try ScoreExposition.selectors([]) }
        #expect(throws: ScoreExportError.overLimit(limit: 4)) { try Self.render([#"{__name__=~"aiops_.+"}"#], limit: 4) }
        #expect(try Self.render([#"{__name__=~"aiops_.+"}"#], limit: 5).isEmpty == false)
        do {
            _ = try ScoreExposition.selectors(["{rule="])
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("match[]={rule=: column"), "\(error)")
            #expect(error.httpStatus == 400)
        }
        #expect(ScoreExportError.overLimit(limit: 4).description.contains("narrow match[]"))
    }
}

@Suite struct ScoreRemoteWriteQueueTests {
    static let t0: Timestamp = 1_800_000_000_000

    @Test func requestsAreRemoteWrite1WithOneSeriesPerFamily() throws {
        let requests = ScoreRemoteWriteQueue.requests(ScoreExpositionTests.records, maxSeriesPerRequest: 3)
        #expect(requests.map(\.samples) == [3, 2], "5 finite values in requests of at most 3 series")
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        var names: [String] = []
        for request in requests {
            try request.body.withUnsafeBytes { raw in try decoder.decode(body: raw, version: .v1, into: &batch) }
            for index in batch.series.indices {
                let labels = batch.makeLabels(series: index)
                names.append("\(labels.metricName)/\(labels["rule"] ?? "")/\(labels["metric"] ?? "")")
                #expect(batch.samples(ofSeries: index).count == 1)
            }
        }
        #expect(names == ["aiops_anomaly_score/queue-spike/queue_depth", "aiops_expected_value/queue-spike/queue_depth", "aiops_expected_lower/queue-spike/queue_depth",
                          "aiops_expected_upper/queue-spike/queue_depth", "aiops_anomaly_score/auto/queue_depth"])
    }

    @Test func boundedDropsOldestAndRetriesWithBackoff() {
        var queue = ScoreRemoteWriteQueue(workspace: "w", url: "http://x", maxQueuedSamples: 10, retry: RetryPolicy(initialBackoff: 1, maxBackoff: 8, jitter: 0, deadline: 60, seed: 1))
        queue.enqueue(body: [1], samples: 4, now: Self.t0)
        let first = queue.due(now: Self.t0)
        #expect(first?.body == [1])
        queue.enqueue(body: [2], samples: 4, now: Self.t0)
        queue.enqueue(body: [3], samples: 4, now: Self.t0)
        // 12 > 10: the oldest waiting one ([2]) goes, not the one in flight.
        #expect(queue.status.samplesDropped == ["queue_full": 4])
        #expect(queue.status.samplesQueued == 8)
        #expect(queue.complete(.retry(reason: "http_503", retryAfter: nil), now: Self.t0) == "http_503; retrying in 1.0s")
        #expect(queue.due(now: Self.t0 + 999) == nil)
        #expect(queue.due(now: Self.t0 + 1_000)?.body == [1])
        #expect(queue.complete(.accepted, now: Self.t0 + 1_000) == "reachable again")
        #expect(queue.due(now: Self.t0 + 1_000)?.body == [3])
        #expect(queue.complete(.rejected(reason: "http_400"), now: Self.t0 + 1_000) == "http_400: 4 sample(s) refused by the receiver, dropped")
        #expect(queue.isIdle)
        #expect(queue.status.samplesSent == 4 && queue.status.samplesDropped == ["queue_full": 4, "rejected": 4])
        #expect(queue.status.errors == ["http_503": 1, "http_400": 1])
    }

    @Test func givenUpAfterTheDeadline() {
        var queue = ScoreRemoteWriteQueue(workspace: "w", url: "http://x", retry: RetryPolicy(initialBackoff: 1, maxBackoff: 8, jitter: 0, deadline: 60, seed: 1))
        queue.enqueue(body: [1], samples: 4, now: Self.t0)
        _ = queue.due(now: Self.t0)
        #expect(queue.complete(.retry(reason: "timeout", retryAfter: nil), now: Self.t0 + 60_000) == "timeout; 4 sample(s) dropped after 1 attempt(s)")
        #expect(queue.status.samplesDropped == ["retries_exhausted": 4])
        #expect(ScoreRemoteWriteQueue.Outcome.classify(.http(status: 204, body: [], retryAfter: nil)) == .accepted)
        #expect(ScoreRemoteWriteQueue.Outcome.classify(.http(status: 400, body: [], retryAfter: nil)) == .rejected(reason: "http_400"))
    }
}
