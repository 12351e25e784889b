import AIOpsCore
import Testing
@testable import RemoteWrite

/// The 1.0 fast path against the general parser (the reference): same batch or same error on
/// the layouts it takes, the layouts it hands back, and damaged input.
@Suite struct V1FastPathTests {
    /// Decodes `body` (uncompressed 1.0) with and without the fast path.
    static func both(_ body: [UInt8]) -> (fast: Result<WriteBatch, RemoteWriteError>, general: Result<WriteBatch, RemoteWriteError>) {
        func run(_ fast: Bool) -> Result<WriteBatch, RemoteWriteError> {
            var decoder = RemoteWriteDecoder()
            decoder.usesFastPath = fast
            var batch = WriteBatch()
            do {
                try decode(body, version: .v1, compressed: false, decoder: &decoder, into: &batch)
                return .success(batch)
            } catch {
                return .failure(error)
            }
        }
        return (run(true), run(false))
    }

    static func same(_ a: Result<WriteBatch, RemoteWriteError>, _ b: Result<WriteBatch, RemoteWriteError>) -> Bool {
        switch (a, b) {
        case let (.success(x), .success(y)):
            return x.series == y.series && x.labels == y.labels && x.samples == y.samples
                && x.histogramCount == y.histogramCount && x.exemplarCount == y.exemplarCount && x.metadataCount == y.metadataCount
        case let (.failure(x), .failure(y)):
            return "\(x)" == "\(y)"
        default:
            return false
        }
    }

    /// One series written field by field, so each odd layout can be made.
    static func series(_ fields: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        w.writeMessageField(1, fields)
        return w.bytes
    }

    static func label(_ w: inout ProtobufWriter, _ name: String, _ value: String) {
        w.writeMessageField(1) { w in
            if !name.isEmpty { w.writeStringField(1, name) }
            if !value.isEmpty { w.writeStringField(2, value) }
        }
    }

    static func sample(_ w: inout ProtobufWriter, _ value: Double, _ timestamp: Int64) {
        w.writeMessageField(2) { w in
            if value != 0 { w.writeDoubleField(1, value) }
            if timestamp != 0 { w.writeInt64Field(2, timestamp) }
        }
    }

    static let layouts: [(String, [UInt8])] = [
        ("encoder output", RemoteWriteEncoder.encode(makeSeries(count: 20, samples: 3, seed: 5), version: .v1)),
        ("empty value, zero value and timestamp", series { w in
            label(&w, "__name__", "up"); label(&w, "job", "")
            sample(&w, 0, 0); sample(&w, 1.5, 0); sample(&w, 0, 17)
        }),
        ("empty name", series { w in label(&w, "", "x"); sample(&w, 1, 1) }),
        ("empty label message", series { w in w.writeMessageField(1) { _ in }; sample(&w, 1, 1) }),
        ("value before name", series { w in
            w.writeMessageField(1) { w in w.writeStringField(2, "v"); w.writeStringField(1, "n") }
            sample(&w, 1, 1)
        }),
        ("repeated name", series { w in
            w.writeMessageField(1) { w in w.writeStringField(1, "a"); w.writeStringField(2, "v"); w.writeStringField(1, "b") }
        }),
        ("label after samples", series { w in label(&w, "a", "1"); sample(&w, 1, 1); label(&w, "b", "2") }),
        ("timestamp before value", series { w in
            label(&w, "a", "1")
            w.writeMessageField(2) { w in w.writeInt64Field(2, 5); w.writeDoubleField(1, 2) }
        }),
        ("negative timestamp", series { w in label(&w, "a", "1"); sample(&w, 1, -1000) }),
        ("long value", series { w in label(&w, "a", String(repeating: "v", count: 20_000)); sample(&w, 1, 1) }),
        ("two-byte lengths", series { w in label(&w, "a", String(repeating: "v", count: 300)); sample(&w, 1, 1) }),
        ("exemplar", series { w in
            label(&w, "a", "1"); sample(&w, 1, 1)
            w.writeMessageField(3) { w in w.writeDoubleField(2, 1) }
        }),
        ("histogram", series { w in label(&w, "a", "1"); w.writeMessageField(4) { w in w.writeVarintField(1, 3) } }),
        ("unknown field", series { w in label(&w, "a", "1"); sample(&w, 1, 1); w.writeVarintField(9, 1) }),
        ("unknown field in a sample", series { w in
            label(&w, "a", "1")
            w.writeMessageField(2) { w in w.writeDoubleField(1, 2); w.writeInt64Field(2, 5); w.writeVarintField(7, 1) }
        }),
        ("no labels, no samples", series { _ in }),
        ("wrong wire type for a label", series { w in w.writeVarintField(1, 3) }),
        ("wrong wire type for a value", series { w in
            label(&w, "a", "1")
            w.writeMessageField(2) { w in w.writeVarintField(1, 2) }
        }),
    ]

    @Test(arguments: 0..<layouts.count)
    func decodesLikeTheGeneralParser(layout: Int) {
        let (name, body) = Self.layouts[layout]
        let (fast, general) = Self.both(body)
        #expect(Self.same(fast, general), "\(name)")
    }

    /// Every prefix and every single-byte change of the common layout: same batch or same error.
    @Test func damagedInputDecodesLikeTheGeneralParser() {
        let body = RemoteWriteEncoder.encode(makeSeries(count: 3, samples: 2, seed: 13), version: .v1)
        var differences: [String] = []
        for cut in 0...body.count where !Self.same(Self.both(Array(body.prefix(cut))).fast, Self.both(Array(body.prefix(cut))).general) {
            differences.append("prefix \(cut)")
        }
        for position in body.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x09, 0x0a, 0x10, 0x12, 0x7f, 0x80, 0xff] where body[position] != replacement {
                var damaged = body
                damaged[position] = replacement
                let (fast, general) = Self.both(damaged)
                if !Self.same(fast, general) { differences.append("byte \(position) = \(replacement)") }
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(5))")
    }

    /// Label bytes laid out as `Labels.Key` does are the key itself (no copy); anything else
    /// gets no span and a built key. Either way the key is the one `Labels` would give.
    @Test(arguments: [
        ("encoder output", true),
        ("unsorted", false),
        ("omitted empty value", false),
        ("long length written in two bytes", false),
        ("two-byte length", true),
    ])
    func spansOnlyForKeyLayout(name: String, expectSpan: Bool) throws {
        var body: [UInt8]
        switch name {
        case "encoder output":
            body = RemoteWriteEncoder.encode(makeSeries(count: 4, samples: 1, seed: 3), version: .v1)
        case "unsorted":
            body = Self.series { w in Self.label(&w, "job", "a"); Self.label(&w, "__name__", "up"); Self.sample(&w, 1, 1) }
        case "omitted empty value":
            body = Self.series { w in Self.label(&w, "__name__", "up"); Self.label(&w, "job", ""); Self.sample(&w, 1, 1) }
        case "long length written in two bytes":
            // Label `a=b` whose message length 6 is written as 0x86 0x00 (valid protobuf, not shortest).
            body = [0x0a, 13, 0x0a, 0x86, 0x00, 0x0a, 1, 0x61, 0x12, 1, 0x62, 0x12, 2, 0x10, 1]
        default:
            body = Self.series { w in Self.label(&w, "__name__", String(repeating: "m", count: 200)); Self.sample(&w, 1, 1) }
        }
        var decoder = RemoteWriteDecoder()
        var batch = WriteBatch()
        try decode(body, version: .v1, compressed: false, decoder: &decoder, into: &batch)
        #expect(batch.keySpans.count == batch.series.count)
        var keys = SeriesKeys()
        keys.build(from: &batch)
        for i in batch.series.indices {
            #expect(!batch.keySpans[i].isNone == expectSpan, "\(name)")
            #expect(keys.slices[i].inBatch == expectSpan)
            #expect(keys.key(i, in: batch) == batch.makeLabels(series: i).keyBytes, "\(name)")
            #expect(keys.hashes[i] == batch.makeLabels(series: i).stableHash)
        }
    }
}
