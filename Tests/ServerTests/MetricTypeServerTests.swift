import AIOpsCore
import Pipeline
import RemoteWrite
import Rules
import Testing
@testable import Server

/// Remote-write metadata decides which series are counters (scored as rates by the auto rule).
@Suite(.serialized) struct MetricTypeServerTests {
    func transforms(_ server: TestServer, _ labels: Labels) -> [SeriesTransform?]? {
        server.server.workspaces[1].shards[0].withLock { box in
            box.pipeline.store.lookup(labels).map { box.pipeline.transforms(of: $0) }
        }
    }

    func series(_ name: String, at timestamp: Int64, metadata: EncodedMetadata? = nil) -> EncodedSeries {
        EncodedSeries(labels: Labels(metric: name, ["job": "api"]), samples: [EncodedSample(timestamp: timestamp, value: 1)], metadata: metadata)
    }

    /// 1.0: metadata-only requests (as Prometheus sends them) fill the workspace's table; a
    /// series created afterwards is classified by it, and one created before is reclassified.
    @Test func v1MetadataBeforeAndAfterTheSeries() throws {
        let server = try TestServer()
        defer { server.stop() }
        let now = server.clock.now()
        let early = try server.write([series("late_processed", at: now - 60_000)], token: TestServer.tokenB)
        #expect(early.status == 204)
        #expect(transforms(server, Labels(metric: "late_processed", ["job": "api"])) == [SeriesTransform.none], "the name says gauge")

        let metadata = RemoteWriteEncoder.compressedBody([], version: .v1, metadata: [
            EncodedMetadata(type: .counter, familyName: "jobs_processed"),
            EncodedMetadata(type: .counter, familyName: "late_processed"),
            EncodedMetadata(type: .gauge, familyName: "pg_stat_activity_count"),
        ])
        let response = try server.post(metadata, contentType: "application/x-protobuf", token: TestServer.tokenB)
        #expect(response.status == 204, "\(response.bodyText)")
        #expect(transforms(server, Labels(metric: "late_processed", ["job": "api"])) == [.rate], "reclassified when its type arrived")

        let names = ["jobs_processed", "pg_stat_activity_count", "http_requests_total", "http_requests_created", "queue_size"]
        let written = try server.write(names.map { series($0, at: now - 30_000) }, token: TestServer.tokenB)
        #expect(written.status == 204, "\(written.bodyText)")
        let seen = names.map { transforms(server, Labels(metric: $0, ["job": "api"])) }
        #expect(seen == [[.rate], [SeriesTransform.none], [.rate], [nil], [SeriesTransform.none]])
        #expect(transforms(server, Labels(metric: "late_processed", ["job": "api"])) == [.rate])
    }

    /// 2.0: each series carries its type.
    @Test func v2SeriesMetadata() throws {
        let server = try TestServer()
        defer { server.stop() }
        let now = server.clock.now()
        let response = try server.write([
            series("jobs_processed", at: now - 1000, metadata: EncodedMetadata(type: .counter)),
            series("pool_size_total", at: now - 1000, metadata: EncodedMetadata(type: .gauge)),
            series("rpc_seconds_count", at: now - 1000),
        ], version: .v2, token: TestServer.tokenB)
        #expect(response.status == 204, "\(response.bodyText)")
        #expect(transforms(server, Labels(metric: "jobs_processed", ["job": "api"])) == [.rate])
        #expect(transforms(server, Labels(metric: "pool_size_total", ["job": "api"])) == [SeriesTransform.none], "the sender's type wins over the name")
        #expect(transforms(server, Labels(metric: "rpc_seconds_count", ["job": "api"])) == [.rate])
    }
}
