import AIOpsCore
import Testing
@testable import RemoteWrite

/// The 1.0 fast path's storage (arrays extended past their counts, grown when a run finds one
/// full, cut back after the request) and its common-layout run: same batch as the general
/// parser at every size, across reused batches, and key spans exactly where the labels are a key.
@Suite struct V1StorageTests {
    /// Series `index` with `labels` labels (names sorted: `l000`, `l001`, ...) and `samples` samples.
    static func wide(_ index: Int, labels: Int, samples: Int) -> EncodedSeries {
        EncodedSeries(
            labels: Labels((0..<labels).map { Label(name: "l" + String(1000 + $0).dropFirst(), value: "v\(index)-\($0)") }),
            samples: (0..<samples).map { EncodedSample(timestamp: 1_700_000_000_000 + Int64($0) * 1000, value: Double($0) + 0.5) })
    }

    /// Fast and general decodes agree, and the fast batch's keys are the label sets' keys.
    static func check(_ body: [UInt8], _ name: String) throws {
        let (fast, general) = V1FastPathTests.both(body)
        #expect(V1FastPathTests.same(fast, general), "\(name)")
        var batch = try fast.get()
        #expect(batchIsConsistent(batch), "\(name)")
        #expect(batch.keySpans.count == batch.series.count, "\(name)")
        var keys = SeriesKeys()
        keys.build(from: &batch)
        #expect(keys.count == batch.series.count)
        for i in batch.series.indices {
            #expect(keys.key(i, in: batch) == batch.makeLabels(series: i).keyBytes, "\(name) series \(i)")
        }
    }

    /// Requests whose first series already overflow the first room estimate (many labels,
    /// many samples, many tiny series), so every array grows in the middle of a run.
    @Test(arguments: [
        ("300 labels a series", 3, 300, 1),
        ("2000 samples a series", 2, 5, 2000),
        ("3000 one-label series", 3000, 1, 1),
        ("labels and samples over 16 KiB", 2, 120, 1500),
        ("no samples", 50, 4, 0),
    ])
    func growsInTheMiddleOfARun(name: String, series: Int, labels: Int, samples: Int) throws {
        let body = RemoteWriteEncoder.encode((0..<series).map { Self.wide($0, labels: labels, samples: samples) }, version: .v1)
        try Self.check(body, name)
    }

    /// One decoder and one batch for requests of very different sizes and shapes, in both
    /// orders: each decode equals a fresh general decode (no element of an earlier request
    /// survives, whichever way the room estimate was off).
    @Test func reusesOneBatchAcrossRequestsOfDifferentSizes() throws {
        let requests: [[UInt8]] = [
            RemoteWriteEncoder.encode(makeSeries(count: 500, samples: 1, seed: 1), version: .v1),
            RemoteWriteEncoder.encode(makeSeries(count: 3, samples: 1, seed: 2), version: .v1),
            RemoteWriteEncoder.encode((0..<4).map { Self.wide($0, labels: 200, samples: 300) }, version: .v1),
            RemoteWriteEncoder.encode(makeSeries(count: 1, samples: 0, seed: 3), version: .v1),
            [],
            RemoteWriteEncoder.encode(makeSeries(count: 2000, samples: 2, seed: 4), version: .v1),
            RemoteWriteEncoder.encode(makeSeries(count: 10, samples: 1, seed: 5), version: .v1),
        ]
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        var keys = SeriesKeys()
        for (n, body) in (requests + requests.reversed()).enumerated() {
            try decode(body, version: .v1, compressed: false, decoder: &decoder, into: &batch)
            let general = V1FastPathTests.both(body).general
            #expect(V1FastPathTests.same(.success(batch), general), "request \(n)")
            #expect(batch.keySpans.count == batch.series.count, "request \(n)")
            keys.build(from: &batch)
            #expect(keys.count == batch.series.count && keys.slices.count == batch.series.count, "request \(n)")
            for i in batch.series.indices where i % 97 == 0 {
                #expect(keys.hashes[i] == batch.makeLabels(series: i).stableHash, "request \(n) series \(i)")
            }
        }
    }

    /// A failed request after a good one leaves the batch empty, and the next good one decodes whole.
    @Test func failureInTheMiddleLeavesNothingBehind() throws {
        var body = RemoteWriteEncoder.encode(makeSeries(count: 40, samples: 1, seed: 9), version: .v1)
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        try decode(body, version: .v1, compressed: false, decoder: &decoder, into: &batch)
        #expect(batch.series.count == 40)
        let good = body
        body.append(contentsOf: [0x0a, 0x05, 0x0a])  // a truncated series at the end
        #expect(throws: RemoteWriteError.self) { try decode(body, version: .v1, compressed: false, decoder: &decoder, into: &batch) }
        #expect(batch.series.isEmpty && batch.labels.isEmpty && batch.samples.isEmpty && batch.keySpans.isEmpty)
        try decode(good, version: .v1, compressed: false, decoder: &decoder, into: &batch)
        #expect(batch.series.count == 40 && batch.samples.count == 40)
    }

    /// Label sets the common run must hand to the careful path (names equal in their first
    /// 7 bytes, a name that is another's prefix, NUL bytes, empty names or values, two-byte
    /// heads, unsorted, duplicates), alone and between common series: same batch as the
    /// general parser, and a key span exactly when the labels are sorted and canonical.
    static let labelCases: [(name: String, labels: [(String, String)], sorted: Bool)] = [
        ("same 7-byte prefix", [("kubernetes_pod", "a"), ("kubernetes_namespace", "b")], false),
        ("same 7-byte prefix, sorted", [("kubernetes_namespace", "b"), ("kubernetes_pod", "a")], true),
        ("prefix name", [("ab", "1"), ("a", "2")], false),
        ("prefix name, sorted", [("a", "2"), ("ab", "1")], true),
        ("NUL bytes", [("a\u{0}", "1"), ("a", "2")], false),
        ("NUL bytes, sorted", [("a", "2"), ("a\u{0}", "1"), ("a\u{0}\u{0}", "0")], true),
        ("8-byte names", [("abcdefgh", "1"), ("abcdefgi", "2")], true),
        ("8-byte names, unsorted", [("abcdefgi", "1"), ("abcdefgh", "2")], false),
        ("duplicate names", [("job", "b"), ("job", "a")], false),
        ("duplicate names, sorted", [("job", "a"), ("job", "b")], true),
        ("empty first name", [("", "x"), ("a", "1")], true),
        ("long value", [("a", String(repeating: "v", count: 200)), ("b", "1")], true),
        ("unsorted", [("job", "a"), ("__name__", "up")], false),
        ("short labels", [("a", "1"), ("b", "2"), ("c", "3")], true),
    ]

    @Test(arguments: 0..<labelCases.count)
    func namesTheCommonRunDoesNotDecide(labelCase: Int) throws {
        let (name, labels, sorted) = Self.labelCases[labelCase]
        let common = RemoteWriteEncoder.encode(makeSeries(count: 2, samples: 1, seed: 7), version: .v1)
        for (body, index) in [(rawV1([labels]), 0), (common + rawV1([labels]) + common, 2), (rawV1([labels], samplesPerSeries: 0), 0)] {
            let (fast, general) = V1FastPathTests.both(body)
            #expect(V1FastPathTests.same(fast, general), "\(name)")
            let batch = try fast.get()
            #expect(!batch.keySpans[index].isNone == sorted, "\(name)")
            #expect(batch.labelsAreSorted(ofSeries: index) == sorted, "\(name)")
            try Self.check(body, name)
        }
    }

    /// Samples outside the common layout (omitted value or timestamp, negative or 9-byte
    /// timestamps, 1-byte timestamps, NaN) between common ones decode as the general parser does.
    @Test func samplesOutsideTheCommonLayout() throws {
        let timestamps: [Int64] = [0, 1, 127, 128, 1_700_000_000_000, -1, 1 << 56, (1 << 56) - 1, .max]
        let values: [Double] = [0, 1.5, -0.0, .nan, .infinity, StaleMarker.value]
        var series: [EncodedSeries] = []
        for (i, t) in timestamps.enumerated() {
            series.append(EncodedSeries(labels: Labels(metric: "m", ["i": "\(i)"]),
                                        samples: values.map { EncodedSample(timestamp: t, value: $0) }))
        }
        try Self.check(RemoteWriteEncoder.encode(series, version: .v1), "samples")
    }

    /// The word-wide varint (`compactVarint` of up to 8 bytes) against the byte loop.
    @Test func wordVarintAgreesWithTheByteLoop() {
        var rng = SplitMix64(seed: 17)
        var disagreements = 0
        for _ in 0..<20_000 {
            let bits = Int.random(in: 0...64, using: &rng)
            let value = bits == 0 ? 0 : rng.next() >> UInt64(64 - bits)
            var w = ProtobufWriter()
            w.writeVarint(value)
            var bytes = w.bytes
            let length = bytes.count
            bytes += randomBytes(Int.random(in: 0...10, using: &rng), &rng)  // what follows
            let end = Int.random(in: 0...bytes.count, using: &rng)
            bytes.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                var p1 = 0
                var p2 = 0
                let word = RemoteWriteDecoder.readVarint(base, &p1, end, bytes.count)
                let byte = RemoteWriteDecoder.readVarintSlow(base, &p2, end)
                if word != byte || p1 != p2 { disagreements += 1 }
                if end >= length && length <= 9 && byte != value { disagreements += 1 }
            }
        }
        #expect(disagreements == 0)
    }
}
