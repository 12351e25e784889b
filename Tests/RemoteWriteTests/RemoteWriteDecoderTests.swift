import AIOpsCore
import Testing
@testable import RemoteWrite

func decode(_ body: [UInt8], version: RemoteWriteVersion, compressed: Bool = true,
            decoder: inout RemoteWriteDecoder, into batch: inout WriteBatch) throws(RemoteWriteError) {
    var failure: RemoteWriteError?
    body.withUnsafeBytes { raw in
        do throws(RemoteWriteError) {
            if compressed {
                try decoder.decode(body: raw, version: version, into: &batch)
            } else {
                try decoder.decode(uncompressed: raw, version: version, into: &batch)
            }
        } catch {
            failure = error
        }
    }
    if let failure { throw failure }
}

func decode(_ body: [UInt8], version: RemoteWriteVersion, compressed: Bool = true) throws(RemoteWriteError) -> WriteBatch {
    var decoder = RemoteWriteDecoder()
    var batch = WriteBatch()
    try decode(body, version: version, compressed: compressed, decoder: &decoder, into: &batch)
    return batch
}

/// The encoded series as the batch shows them.
func expectMatches(_ batch: WriteBatch, _ series: [EncodedSeries]) {
    #expect(batch.series.count == series.count)
    for (i, s) in series.enumerated() where i < batch.series.count {
        #expect(batch.makeLabels(series: i) == s.labels)
        let samples = batch.samples(ofSeries: i)
        #expect(samples.map(\.timestamp) == s.samples.map(\.timestamp))
        #expect(samples.map(\.value.bitPattern) == s.samples.map(\.value.bitPattern))
        for (k, index) in batch.series[i].sampleRange.enumerated() {
            #expect(batch.startTimestamp(ofSample: index) == s.samples[k].startTimestamp)
        }
        #expect(Int(batch.series[i].exemplarCount) == s.exemplars.count)
        #expect(Int(batch.series[i].histogramCount) == s.histograms.count)
    }
    #expect(batch.sampleCount == series.reduce(0) { $0 + $1.samples.count })
}

/// A body's top-level field boundaries: the only prefixes that are valid messages.
func topLevelBoundaries(_ body: [UInt8]) throws -> Set<Int> {
    var boundaries: Set<Int> = [0]
    try withReader(body) { r throws(ProtobufError) in
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            try r.skip(wireType: wireType, field: field)
            boundaries.insert(r.position)
        }
    }
    return boundaries
}

@Suite struct RemoteWriteV1Tests {
    @Test func roundTripsSeriesSamplesExemplarsHistogramsAndMetadata() throws {
        var series = makeSeries(count: 20, samples: 50, seed: 1)
        series[3].exemplars = [EncodedExemplar(labels: Labels(["trace_id": "abc"]), value: 1.5, timestamp: 17)]
        series[4].histograms = [
            EncodedHistogram(count: 10, sum: 3.5, positiveSpans: [(offset: -2, length: 3)], positiveDeltas: [1, -1, 4], timestamp: 99),
            EncodedHistogram(count: 12, sum: 4.5, timestamp: 100),
        ]
        series[5].samples[0].value = StaleMarker.value
        series[5].samples[1].value = .nan
        let metadata = [EncodedMetadata(type: .counter, familyName: "metric_0", help: "help", unit: "seconds"),
                        EncodedMetadata(type: .gauge, familyName: "metric_1")]
        let body = RemoteWriteEncoder.compressedBody(series, version: .v1, metadata: metadata)
        let batch = try decode(body, version: .v1)
        expectMatches(batch, series)
        #expect(batch.version == .v1)
        #expect(batch.exemplarCount == 1)
        #expect(batch.histogramCount == 2)
        #expect(batch.metadataCount == 2)
        #expect(batch.samples(ofSeries: 5).first?.isStaleMarker == true)
        #expect(batch.samples(ofSeries: 5).dropFirst().first?.isStaleMarker == false)
        #expect(batch.startTimestamps.isEmpty)
        #expect(batchIsConsistent(batch))
    }

    @Test func metadataOnlyRequestHasNoSeries() throws {
        let body = RemoteWriteEncoder.compressedBody([], version: .v1, metadata: [EncodedMetadata(type: .summary, familyName: "x")])
        let batch = try decode(body, version: .v1)
        #expect(batch.series.isEmpty)
        #expect(batch.metadataCount == 1)
    }

    @Test func unknownFieldsAreSkippedAtEveryLevel() throws {
        var w = ProtobufWriter()
        w.writeStringField(2, "reserved field")
        w.writeMessageField(1) { w in
            w.writeVarintField(9, 1)
            w.writeMessageField(1) { w in
                w.writeFixed32Field(7, 1)
                w.writeStringField(1, "__name__")
                w.writeDoubleField(3, 0)
                w.writeStringField(2, "up")
            }
            w.writeMessageField(2) { w in
                w.writeStringField(5, "x")
                w.writeInt64Field(2, -5)
                w.writeDoubleField(1, 1)
            }
            w.writeMessageField(15) { _ in }
        }
        w.writeDoubleField(99, 1)
        let batch = try decode(w.bytes, version: .v1, compressed: false)
        #expect(batch.makeLabels(series: 0) == Labels(["__name__": "up"]))
        #expect(batch.samples == [SampleEntry(timestamp: -5, value: 1)])
    }

    @Test(arguments: [
        // (series body builder, field, wire type, message)
        (1, 2, 1, "prometheus.Sample"),
        (1, 1, 0, "prometheus.Label"),
        (2, 1, 1, "prometheus.TimeSeries"),
        (3, 1, 0, "prometheus.WriteRequest"),
    ])
    func wrongWireTypeNamesFieldAndMessage(level: Int, field: Int, wireType: Int, message: String) {
        var w = ProtobufWriter()
        switch level {
        case 1 where message == "prometheus.Sample":
            w.writeMessageField(1) { w in w.writeMessageField(2) { w in w.writeDoubleField(2, 1.0) } }
        case 1:
            w.writeMessageField(1) { w in w.writeMessageField(1) { w in w.writeVarintField(1, 3) } }
        case 2:
            w.writeMessageField(1) { w in w.writeDoubleField(1, 1.0) }
        default:
            w.writeVarintField(1, 7)
        }
        #expect {
            try decode(w.bytes, version: .v1, compressed: false)
        } throws: { error in
            guard case let .protobuf(.wrongWireType(w, f, m, _)) = error as? RemoteWriteError else { return false }
            return w == wireType && f == field && m == message
        }
    }

    @Test func decoderAndBatchAreReusedWithoutLeftovers() throws {
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        let big = makeSeries(count: 50, samples: 20, seed: 2)
        let small = makeSeries(count: 2, samples: 3, seed: 3)
        try decode(RemoteWriteEncoder.compressedBody(big, version: .v1), version: .v1, decoder: &decoder, into: &batch)
        expectMatches(batch, big)
        let capacity = batch.samples.capacity
        try decode(RemoteWriteEncoder.compressedBody(small, version: .v2), version: .v2, decoder: &decoder, into: &batch)
        expectMatches(batch, small)
        #expect(batch.samples.capacity == capacity)
        #expect(throws: RemoteWriteError.self) {
            try decode([1, 2, 3], version: .v1, decoder: &decoder, into: &batch)
        }
        #expect(batch.series.isEmpty && batch.samples.isEmpty && batch.labels.isEmpty)
    }

    @Test func decodedBodyLimitIsEnforcedBeforeDecompressing() {
        var decoder = RemoteWriteDecoder(maxDecodedLength: 100)
        var batch = WriteBatch()
        let body = RemoteWriteEncoder.compressedBody(makeSeries(count: 10, samples: 10, seed: 4), version: .v1)
        #expect {
            try decode(body, version: .v1, decoder: &decoder, into: &batch)
        } throws: { error in
            guard case let .decodedBodyTooLarge(_, limit) = error as? RemoteWriteError else { return false }
            return limit == 100
        }
        #expect(throws: RemoteWriteError.decodedBodyTooLarge(declared: 101, limit: 100)) {
            try decode([UInt8](repeating: 0, count: 101), version: .v1, compressed: false, decoder: &decoder, into: &batch)
        }
    }

    @Test func snappyErrorsAreWrapped() {
        #expect(throws: RemoteWriteError.snappy(.lengthMismatch(declared: 5, produced: 0))) { try decode([5], version: .v1) }
    }
}

@Suite struct RemoteWriteV2Tests {
    @Test func roundTripsWithStartTimestampsExemplarsHistogramsMetadata() throws {
        var series = makeSeries(count: 15, samples: 40, seed: 5)
        series[2].samples[3].startTimestamp = 1_699_999_999_000
        series[6].exemplars = [EncodedExemplar(labels: Labels(["trace_id": "t1", "span_id": "s1"]), value: 2, timestamp: 5)]
        series[7].metadata = EncodedMetadata(type: .histogram, help: "latency", unit: "seconds")
        series[8] = EncodedSeries(labels: series[8].labels, samples: [],
                                  histograms: [EncodedHistogram(count: 3, sum: 1, positiveSpans: [(offset: 0, length: 2)], positiveDeltas: [1, 1], timestamp: 7)])
        let body = RemoteWriteEncoder.compressedBody(series, version: .v2)
        let batch = try decode(body, version: .v2)
        expectMatches(batch, series)
        #expect(batch.version == .v2)
        #expect(batch.exemplarCount == 1)
        #expect(batch.histogramCount == 1)
        #expect(batch.metadataCount == 1)
        #expect(batch.series[7].metadataType == MetricType.histogram.rawValue)
        #expect(batch.series[6].metadataType == nil)
        #expect(batch.startTimestamps.count == batch.samples.count)
        #expect(batchIsConsistent(batch))
        #expect(batch.validateAll() == nil)
    }

    /// Unpacked refs, symbols after the series, and an unknown field 6 (old created timestamp).
    @Test func unpackedRefsAndSymbolsAfterSeries() throws {
        var w = ProtobufWriter()
        w.writeMessageField(5) { w in
            for ref: UInt64 in [1, 2, 3, 4] { w.writeVarintField(1, ref) }
            w.writeVarintField(6, 12345)
            w.writeMessageField(2) { w in w.writeDoubleField(1, 4); w.writeInt64Field(2, 10) }
        }
        for symbol in ["", "__name__", "up", "job", "api"] { w.writeStringField(4, symbol) }
        let batch = try decode(w.bytes, version: .v2, compressed: false)
        #expect(batch.makeLabels(series: 0) == Labels(["__name__": "up", "job": "api"]))
        #expect(batch.samples == [SampleEntry(timestamp: 10, value: 4)])
    }

    @Test func emptyRequestIsAccepted() throws {
        let batch = try decode([], version: .v2, compressed: false)
        #expect(batch.series.isEmpty)
    }

    static func request(symbols: [String], refs: [UInt64], exemplarRefs: [UInt64] = [], metadataRefs: [UInt64] = []) -> [UInt8] {
        var w = ProtobufWriter()
        for symbol in symbols { w.writeStringField(4, symbol) }
        w.writeMessageField(5) { w in
            w.writePackedVarints(1, refs)
            w.writeMessageField(2) { w in w.writeDoubleField(1, 1) }
            if !exemplarRefs.isEmpty { w.writeMessageField(4) { w in w.writePackedVarints(1, exemplarRefs) } }
            if !metadataRefs.isEmpty {
                w.writeMessageField(5) { w in
                    w.writeVarintField(1, 2)
                    for ref in metadataRefs { w.writeVarintField(3, ref) }
                }
            }
        }
        return w.bytes
    }

    @Test(arguments: [
        (["", "a", "b"], [1, 2, 1, 3], [], [], RemoteWriteError.badSymbolRef(ref: 3, symbolCount: 3, series: 0)),
        (["", "a", "b"], [1, 2, 1, 1 << 40], [], [], .badSymbolRef(ref: 1 << 40, symbolCount: 3, series: 0)),
        (["", "a", "b"], [1, 2], [1, 9], [], .badSymbolRef(ref: 9, symbolCount: 3, series: 0)),
        (["", "a", "b"], [1, 2], [], [7], .badSymbolRef(ref: 7, symbolCount: 3, series: 0)),
        (["", "a", "b"], [1, 2, 1], [], [], .oddLabelRefCount(count: 3, series: 0)),
        ([], [1, 2], [], [], .missingSymbols),
        (["x", "a", "b"], [1, 2], [], [], .firstSymbolNotEmpty(length: 1)),
    ] as [([String], [UInt64], [UInt64], [UInt64], RemoteWriteError)])
    func rejectsBadSymbols(symbols: [String], refs: [UInt64], exemplarRefs: [UInt64], metadataRefs: [UInt64], error: RemoteWriteError) {
        let body = Self.request(symbols: symbols, refs: refs, exemplarRefs: exemplarRefs, metadataRefs: metadataRefs)
        #expect(throws: error) { try decode(body, version: .v2, compressed: false) }
        #expect(!error.description.contains("\n"))
    }

    @Test func wrongWireTypeForLabelRefs() {
        var w = ProtobufWriter()
        w.writeMessageField(5) { w in w.writeDoubleField(1, 1) }
        #expect(throws: RemoteWriteError.protobuf(.wrongWireType(wireType: 1, field: 1, message: "io.prometheus.write.v2.TimeSeries", at: 2))) {
            try decode(w.bytes, version: .v2, compressed: false)
        }
    }

    /// A 2.0 body read as 1.0 is not silently an empty success (its fields 4 and 5 are
    /// unknown to 1.0, so it would decode to nothing): it is refused as the wrong version.
    @Test func v2BodyDecodedAsV1IsRefused() throws {
        let body = RemoteWriteEncoder.compressedBody(makeSeries(count: 3, samples: 2, seed: 6), version: .v2)
        #expect(throws: RemoteWriteError.self) { try decode(body, version: .v1) }
        #expect(try decode(body, version: .v2).series.count == 3)
    }
}

@Suite struct RemoteWriteHostileInputTests {
    @Test(arguments: RemoteWriteVersion.allCases)
    func everyCompressedPrefixThrows(version: RemoteWriteVersion) {
        var series = makeSeries(count: 4, samples: 3, seed: 7)
        series[1].exemplars = [EncodedExemplar(labels: Labels(["a": "b"]), value: 1, timestamp: 2)]
        let body = RemoteWriteEncoder.compressedBody(series, version: version)
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        var accepted = 0
        for cut in 0..<body.count where (try? decode(Array(body.prefix(cut)), version: version, decoder: &decoder, into: &batch)) != nil {
            accepted += 1
        }
        #expect(accepted == 0)
        #expect(batch.series.isEmpty)
    }

    /// Uncompressed prefixes decode only when cut at a top-level field boundary.
    @Test(arguments: RemoteWriteVersion.allCases)
    func everyUncompressedPrefixThrowsUnlessAtABoundary(version: RemoteWriteVersion) throws {
        var series = makeSeries(count: 4, samples: 3, seed: 8)
        series[2].histograms = [EncodedHistogram(count: 1, sum: 1, positiveSpans: [(offset: 1, length: 1)], positiveDeltas: [1], timestamp: 1)]
        if version == .v1 { series[2].samples = [] }
        let body = RemoteWriteEncoder.encode(series, version: version)
        let boundaries = try topLevelBoundaries(body)
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        var wronglyAccepted: [Int] = []
        for cut in 0...body.count {
            let ok = (try? decode(Array(body.prefix(cut)), version: version, compressed: false, decoder: &decoder, into: &batch)) != nil
            if ok && !boundaries.contains(cut) { wronglyAccepted.append(cut) }
            if ok && !batchIsConsistent(batch) { wronglyAccepted.append(-cut) }
        }
        #expect(wronglyAccepted.isEmpty)
    }

    @Test(arguments: RemoteWriteVersion.allCases)
    func randomByteFlipsNeverTrap(version: RemoteWriteVersion) {
        var rng = SplitMix64(seed: version == .v1 ? 11 : 12)
        let series = makeSeries(count: 5, samples: 4, seed: 9)
        let plain = RemoteWriteEncoder.encode(series, version: version)
        let compressed = Snappy.compress(plain)
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        var inconsistent = 0
        var decodedSome = 0
        for round in 0..<600 {
            var body = round % 2 == 0 ? plain : compressed
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if (try? decode(body, version: version, compressed: round % 2 == 1, decoder: &decoder, into: &batch)) != nil {
                decodedSome += 1
                if !batchIsConsistent(batch) { inconsistent += 1 }
                // The accessors must not trap on whatever was accepted.
                for i in batch.series.indices {
                    _ = batch.stableHash(ofSeries: i)
                    _ = batch.validate(series: i)
                    _ = batch.makeLabels(series: i)
                }
                var keys = SeriesKeys()
                keys.build(from: &batch)
                if keys.count != batch.series.count { inconsistent += 1 }
                for i in batch.series.indices where keys.hashes[i] != batch.stableHash(ofSeries: i) { inconsistent += 1 }
                // A key taken verbatim from the request must be the one the store builds
                // from the labels, or a known series would be created again.
                for i in batch.series.indices where batch.validate(series: i) == nil {
                    if keys.key(i, in: batch) != batch.makeLabels(series: i).keyBytes { inconsistent += 1 }
                }
                if batch.keySpans.count != batch.series.count { inconsistent += 1 }
            }
        }
        #expect(inconsistent == 0)
        #expect(decodedSome > 0)
    }
}
