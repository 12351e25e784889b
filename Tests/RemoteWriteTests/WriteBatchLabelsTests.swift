import AIOpsCore
import Testing
@testable import RemoteWrite

@Suite struct WriteBatchLabelsTests {
    @Test(arguments: RemoteWriteVersion.allCases)
    func hashMatchesLabelsStableHash(version: RemoteWriteVersion) throws {
        let series = makeSeries(count: 30, samples: 1, seed: 21)
        let batch = try decode(RemoteWriteEncoder.compressedBody(series, version: version), version: version)
        for (i, s) in series.enumerated() {
            #expect(batch.stableHash(ofSeries: i) == s.labels.stableHash)
            #expect(batch.labelsEqual(ofSeries: i, to: s.labels))
            #expect(!batch.labelsEqual(ofSeries: i, to: series[(i + 1) % series.count].labels))
        }
    }

    @Test func unsortedLabelsHashAsSortedAndSortInPlace() throws {
        let pairs = [("zone", "b"), ("__name__", "up"), ("job", "api"), ("instance", "h:1")]
        var batch = try decodeV1Raw([pairs])
        let labels = Labels(pairs.map { Label($0.0, $0.1) })
        #expect(!batch.labelsAreSorted(ofSeries: 0))
        #expect(batch.stableHash(ofSeries: 0) == labels.stableHash)
        #expect(batch.labelsEqual(ofSeries: 0, to: labels))
        #expect(batch.validate(series: 0) == nil)
        batch.sortLabels(ofSeries: 0)
        #expect(batch.labelsAreSorted(ofSeries: 0))
        #expect(batch.labels(ofSeries: 0).map(batch.name) == ["__name__", "instance", "job", "zone"])
        #expect(batch.labels(ofSeries: 0).map(batch.value) == ["up", "h:1", "api", "b"])
        #expect(batch.stableHash(ofSeries: 0) == labels.stableHash)
        #expect(batch.makeLabels(series: 0) == labels)
    }

    @Test func sortAllLabelsTouchesOnlyItsSeries() throws {
        var batch = try decodeV1Raw([[("b", "2"), ("a", "1")], [("__name__", "x")], [("d", "4"), ("c", "3")]])
        batch.sortAllLabels()
        #expect(batch.labels.map(batch.name) == ["a", "b", "__name__", "c", "d"])
    }

    /// Byte-wise equality sees every difference a String comparison would.
    @Test(arguments: [
        [("__name__", "up"), ("job", "apj")],
        [("__name__", "up"), ("joc", "api")],
        [("__name__", "up")],
        [("__name__", "up"), ("job", "api"), ("x", "1")],
        [("__name__", "up"), ("job", "api ")],
        [("__name__", "up"), ("job", "apé")],
    ])
    func equalityDetectsDifferences(other: [(String, String)]) throws {
        let batch = try decodeV1Raw([[("__name__", "up"), ("job", "api")]])
        #expect(!batch.labelsEqual(ofSeries: 0, to: Labels(other.map { Label($0.0, $0.1) })))
        #expect(batch.labelsEqual(ofSeries: 0, to: Labels(["__name__": "up", "job": "api"])))
    }

    @Test func equalityWithLongNonSmallStrings() throws {
        let long = String(repeating: "héllo wörld ", count: 20)
        let batch = try decodeV1Raw([[("__name__", "up"), ("description", long)]])
        #expect(batch.labelsEqual(ofSeries: 0, to: Labels(["__name__": "up", "description": long])))
        #expect(!batch.labelsEqual(ofSeries: 0, to: Labels(["__name__": "up", "description": long + "!"])))
    }

    @Test func metricNameAccessors() throws {
        let batch = try decodeV1Raw([[("job", "a"), ("__name__", "node_load1")], [("job", "b")]])
        #expect(batch.metricName(ofSeries: 0) == "node_load1")
        #expect(batch.metricNameLabelIndex(ofSeries: 0) == 1)
        #expect(batch.metricName(ofSeries: 1) == nil)
    }

    @Test func staleMarkerIsRecognisedByBits() {
        #expect(StaleMarker.isStale(Double(bitPattern: 0x7ff0_0000_0000_0002)))
        #expect(!StaleMarker.isStale(Double(bitPattern: 0x7ff8_0000_0000_0001)))
        #expect(!StaleMarker.isStale(.nan))
        #expect(!StaleMarker.isStale(1))
        #expect(SampleEntry(timestamp: 1, value: StaleMarker.value).isStaleMarker)
    }
}

@Suite struct WriteBatchValidationTests {
    @Test(arguments: [
        ([("job", "a")], SeriesIssue.missingMetricName(series: 0)),
        ([("__name__", ""), ("job", "a")], .emptyMetricName(series: 0)),
        ([("__name__", "1up")], .invalidMetricName(series: 0, name: "1up")),
        ([("__name__", "up-time")], .invalidMetricName(series: 0, name: "up-time")),
        ([("__name__", "up"), ("", "x")], .emptyLabelName(series: 0)),
        ([("__name__", "up"), ("a:b", "x")], .invalidLabelName(series: 0, name: "a:b")),
        ([("__name__", "up"), ("9a", "x")], .invalidLabelName(series: 0, name: "9a")),
        ([("__name__", "up"), ("job", "")], .emptyLabelValue(series: 0, name: "job")),
        ([("__name__", "up"), ("job", "a"), ("job", "b")], .duplicateLabelName(series: 0, name: "job")),
        ([("job", "a"), ("__name__", "up"), ("job", "b")], .duplicateLabelName(series: 0, name: "job")),
        ([("__name__", "up"), ("__name__", "up")], .duplicateLabelName(series: 0, name: "__name__")),
    ] as [([(String, String)], SeriesIssue)])
    func reasons(labels: [(String, String)], issue: SeriesIssue) throws {
        let batch = try decodeV1Raw([labels])
        #expect(batch.validate(series: 0) == issue)
        #expect(!issue.description.contains("\n"))
    }

    @Test(arguments: [
        [("__name__", "up")],
        [("__name__", "ns:rule:rate5m"), ("_private", "x"), ("Job_2", "a b c é")],
        [("zeta", "1"), ("__name__", "up"), ("alpha", "2")],
    ])
    func acceptsValidSeries(labels: [(String, String)]) throws {
        #expect(try decodeV1Raw([labels]).validate(series: 0) == nil)
    }

    @Test func invalidUTF8IsReported() throws {
        var w = ProtobufWriter()
        w.writeMessageField(1) { w in
            w.writeMessageField(1) { w in w.writeStringField(1, "__name__"); w.writeStringField(2, "up") }
            w.writeMessageField(1) { w in w.writeStringField(1, "job"); w.writeBytesField(2, [0x61, 0xc3, 0x28]) }
            w.writeMessageField(2) { w in w.writeDoubleField(1, 1) }
        }
        let batch = try decode(w.bytes, version: .v1, compressed: false)
        #expect(batch.validate(series: 0) == .invalidUTF8(series: 0, name: "job"))
    }

    @Test(arguments: [
        ("a", true), ("é", true), ("\u{10FFFF}", true), ("日本語", true),
    ])
    func utf8Validator(text: String, valid: Bool) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { WriteBatch.isValidUTF8($0) } == valid)
    }

    @Test(arguments: [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xe2, 0x82], [0x80]] as [[UInt8]])
    func utf8ValidatorRejects(bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { WriteBatch.isValidUTF8($0) } == false)
    }

    @Test func limitsAndSampleRules() throws {
        let batch = try decodeV1Raw([[("__name__", "up"), ("job", "abcdef")]])
        #expect(batch.validate(series: 0, options: .init(maxLabelCount: 1)) == .tooManyLabels(series: 0, count: 2, limit: 1))
        #expect(batch.validate(series: 0, options: .init(maxLabelNameLength: 4)) == .labelNameTooLong(series: 0, name: "__name__", length: 8, limit: 4))
        #expect(batch.validate(series: 0, options: .init(maxLabelValueLength: 3)) == .labelValueTooLong(series: 0, name: "job", length: 6, limit: 3))
        let empty = try decode(rawV1([[("__name__", "up")]], samplesPerSeries: 0), version: .v1, compressed: false)
        #expect(empty.validate(series: 0) == .noSamples(series: 0))
        #expect(empty.validate(series: 0, options: .init(requireSamples: false)) == nil)
        let valueless = try decodeV1Raw([[("__name__", "up"), ("job", "")]])
        #expect(valueless.validate(series: 0, options: .init(rejectEmptyLabelValues: false)) == nil)

        var mixed = makeSeries(count: 1, samples: 1, seed: 1)
        mixed[0].histograms = [EncodedHistogram(count: 1, sum: 1, timestamp: 1)]
        let v2 = try decode(RemoteWriteEncoder.compressedBody(mixed, version: .v2), version: .v2)
        #expect(v2.validate(series: 0) == .samplesAndHistograms(series: 0))
        #expect(v2.validateAll() == .samplesAndHistograms(series: 0))
    }
}

@Suite struct SeriesKeysTests {
    @Test(arguments: RemoteWriteVersion.allCases)
    func keysAndHashesMatchLabels(version: RemoteWriteVersion) throws {
        let series = makeSeries(count: 40, samples: 2, seed: 31)
        var batch = try decode(RemoteWriteEncoder.compressedBody(series, version: version), version: version)
        var keys = SeriesKeys()
        keys.build(from: &batch)
        #expect(keys.count == series.count)
        for (i, s) in series.enumerated() {
            #expect(keys.key(i, in: batch) == s.labels.keyBytes)
            #expect(keys.hashes[i] == s.labels.stableHash)
            #expect(keys.withKeys(in: batch) { Array($0[i]) } == s.labels.keyBytes)
        }
        // Reused: a smaller batch afterwards leaves no stale entries.
        var small = try decode(RemoteWriteEncoder.compressedBody(Array(series.prefix(3)), version: version), version: version)
        keys.build(from: &small)
        #expect(keys.count == 3)
        #expect(keys.key(2, in: small) == series[2].labels.keyBytes)
    }

    @Test func unsortedSetsAreSortedFirst() throws {
        let pairs = [("zone", "b"), ("__name__", "up"), ("job", "api")]
        var batch = try decodeV1Raw([pairs, [("__name__", "x")]])
        var keys = SeriesKeys()
        keys.build(from: &batch)
        let labels = Labels(pairs.map { Label($0.0, $0.1) })
        #expect(keys.key(0, in: batch) == labels.keyBytes)
        #expect(keys.hashes[0] == labels.stableHash)
        #expect(batch.labelsAreSorted(ofSeries: 0))
        #expect(keys.key(1, in: batch) == Labels([Label("__name__", "x")]).keyBytes)
    }

    @Test func seriesWithoutLabelsHaveEmptyKeys() throws {
        var batch = try decodeV1Raw([[], []])
        var keys = SeriesKeys()
        keys.build(from: &batch)
        #expect(keys.count == 2)
        #expect(keys.key(0, in: batch).isEmpty && keys.key(1, in: batch).isEmpty)
        #expect(keys.hashes[0] == Labels([Label]()).stableHash)
    }

    /// Raw bytes that are not UTF-8 give a key no valid label set has: `a\xffb=c` cannot pass
    /// for `a=b, c=...` as it could with a separator byte.
    @Test func invalidBytesNeverAliasAValidSet() throws {
        var w = ProtobufWriter()
        w.writeMessageField(1) { w in
            w.writeMessageField(1) { w in
                w.writeBytesField(1, [0x61, 0xff, 0x62])
                w.writeBytesField(2, [0x63, 0xff, 0x64])
            }
            w.writeMessageField(2) { w in w.writeDoubleField(1, 1) }
        }
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        try w.bytes.withUnsafeBytes { try decoder.decode(uncompressed: $0, version: .v1, into: &batch) }
        var keys = SeriesKeys()
        keys.build(from: &batch)
        let lookalike = Labels([Label("a", "b"), Label("c", "d")])
        #expect(keys.key(0, in: batch) != lookalike.keyBytes)
        #expect(keys.key(0, in: batch) == [0x0a, 10, 0x0a, 3, 0x61, 0xff, 0x62, 0x12, 3, 0x63, 0xff, 0x64])
    }
}
