import AIOpsCore
import Testing
@testable import RemoteWrite

/// The metric types a receiver needs to tell counters from gauges: 1.0 `MetricMetadata`
/// entries (type and family name, usually in requests of their own) and 2.0 per-series
/// `Metadata`.
@Suite struct MetadataDecodingTests {
    static let families: [EncodedMetadata] = [
        EncodedMetadata(type: .counter, familyName: "http_requests", help: "Requests served.", unit: ""),
        EncodedMetadata(type: .gauge, familyName: "pg_stat_activity_count", help: "Connections."),
        EncodedMetadata(type: .histogram, familyName: "rpc_duration_seconds", unit: "seconds"),
        EncodedMetadata(type: .summary, familyName: "gc_pause_seconds"),
    ]

    /// A metadata-only request, as Prometheus sends one every minute, with the fast path on
    /// and off (metadata is read by the general loop either way).
    @Test(arguments: [true, false])
    func v1MetadataOnlyRequest(fastPath: Bool) throws {
        var decoder = RemoteWriteDecoder()
        decoder.usesFastPath = fastPath
        var batch = WriteBatch()
        try decode(RemoteWriteEncoder.compressedBody([], version: .v1, metadata: Self.families), version: .v1, decoder: &decoder, into: &batch)
        #expect(batch.series.isEmpty)
        #expect(batch.metadataCount == 4)
        #expect(batch.metadata.map { batch.familyName($0) } == Self.families.map(\.familyName))
        #expect(batch.metadata.map(\.type) == Self.families.map(\.type.rawValue))
    }

    /// Metadata mixed with series, and an entry with no type (UNKNOWN, 0, is not written on
    /// the wire); a reused batch forgets the previous request's entries.
    @Test func v1MetadataBesideSeriesAndReuse() throws {
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        let series = [EncodedSeries(labels: Labels(metric: "http_requests_total", ["code": "200"]), samples: [(timestamp: 1000, value: 5)])]
        let metadata = [EncodedMetadata(type: .unknown, familyName: "mystery"), EncodedMetadata(type: .counter, familyName: "http_requests_total")]
        try decode(RemoteWriteEncoder.compressedBody(series, version: .v1, metadata: metadata), version: .v1, decoder: &decoder, into: &batch)
        expectMatches(batch, series)
        #expect(batch.metadata.count == 2)
        #expect(batch.metadata.first.map { batch.familyName($0) } == "mystery")
        #expect(batch.metadata.first?.type == MetricType.unknown.rawValue)
        #expect(batch.metadata.last.map { batch.familyName($0) } == "http_requests_total")
        #expect(batch.metadata.last?.type == MetricType.counter.rawValue)

        try decode(RemoteWriteEncoder.compressedBody(series, version: .v1), version: .v1, decoder: &decoder, into: &batch)
        #expect(batch.metadata.isEmpty)
        #expect(batch.metadataCount == 0)
    }

    @Test func v1MetadataWithWrongWireTypeIsAnError() {
        // WriteRequest.metadata (3, LEN) holding MetricMetadata.type (1) as a LEN field.
        let body: [UInt8] = [0x1a, 0x03, 0x0a, 0x01, 0x00]
        #expect(throws: RemoteWriteError.self) { try decode(body, version: .v1, compressed: false) }
    }

    /// 2.0 carries the type on every series; the series of one histogram family all say HISTOGRAM.
    @Test func v2SeriesTypes() throws {
        let series = [
            EncodedSeries(labels: Labels(metric: "jobs_processed"), samples: [EncodedSample(timestamp: 1000, value: 3)],
                          metadata: EncodedMetadata(type: .counter, help: "Jobs.")),
            EncodedSeries(labels: Labels(metric: "queue_depth_total"), samples: [EncodedSample(timestamp: 1000, value: 3)],
                          metadata: EncodedMetadata(type: .gauge)),
            EncodedSeries(labels: Labels(metric: "rpc_duration_seconds_bucket", ["le": "0.1"]), samples: [EncodedSample(timestamp: 1000, value: 3)],
                          metadata: EncodedMetadata(type: .histogram, unit: "seconds")),
            EncodedSeries(labels: Labels(metric: "no_metadata"), samples: [EncodedSample(timestamp: 1000, value: 3)]),
        ]
        let batch = try decode(RemoteWriteEncoder.compressedBody(series, version: .v2), version: .v2)
        #expect(batch.series.map(\.metadataType) == [MetricType.counter.rawValue, MetricType.gauge.rawValue, MetricType.histogram.rawValue, nil])
        #expect(batch.metadata.isEmpty, "2.0 has no request-level metadata")
    }
}
