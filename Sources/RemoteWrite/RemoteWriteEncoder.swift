import AIOpsCore

/// One sample to encode; `startTimestamp` is 2.0 only (0 = unset).
public struct EncodedSample: Sendable, Equatable {
    public var timestamp: Int64
    public var value: Double
    public var startTimestamp: Int64

    public init(timestamp: Int64, value: Double, startTimestamp: Int64 = 0) {
        self.timestamp = timestamp
        self.value = value
        self.startTimestamp = startTimestamp
    }
}

public struct EncodedExemplar: Sendable {
    public var labels: Labels
    public var value: Double
    public var timestamp: Int64

    public init(labels: Labels, value: Double, timestamp: Int64) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}

/// A native histogram with the fields a realistic sender sets (enough to exercise skipping
/// nested spans and packed zigzag deltas; the decoder only counts histograms).
public struct EncodedHistogram: Sendable {
    public var count: UInt64
    public var sum: Double
    public var schema: Int32
    public var zeroThreshold: Double
    public var zeroCount: UInt64
    public var positiveSpans: [(offset: Int32, length: UInt32)]
    public var positiveDeltas: [Int64]
    public var timestamp: Int64

    public init(count: UInt64, sum: Double, schema: Int32 = 3, zeroThreshold: Double = 1e-128, zeroCount: UInt64 = 0,
                positiveSpans: [(offset: Int32, length: UInt32)] = [], positiveDeltas: [Int64] = [], timestamp: Int64) {
        self.count = count
        self.sum = sum
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.positiveSpans = positiveSpans
        self.positiveDeltas = positiveDeltas
        self.timestamp = timestamp
    }
}

/// Metric metadata: 1.0 sends it as separate `MetricMetadata` entries (with the family
/// name); 2.0 attaches it to a series.
public struct EncodedMetadata: Sendable {
    public var type: MetricType
    public var familyName: String
    public var help: String
    public var unit: String

    public init(type: MetricType, familyName: String = "", help: String = "", unit: String = "") {
        self.type = type
        self.familyName = familyName
        self.help = help
        self.unit = unit
    }
}

public struct EncodedSeries: Sendable {
    public var labels: Labels
    public var samples: [EncodedSample]
    public var exemplars: [EncodedExemplar]
    public var histograms: [EncodedHistogram]
    /// 2.0 only.
    public var metadata: EncodedMetadata?

    public init(labels: Labels, samples: [EncodedSample], exemplars: [EncodedExemplar] = [],
                histograms: [EncodedHistogram] = [], metadata: EncodedMetadata? = nil) {
        self.labels = labels
        self.samples = samples
        self.exemplars = exemplars
        self.histograms = histograms
        self.metadata = metadata
    }

    public init(labels: Labels, samples: [(timestamp: Int64, value: Double)]) {
        self.init(labels: labels, samples: samples.map { EncodedSample(timestamp: $0.timestamp, value: $0.value) })
    }
}

/// Builds remote-write request bodies, for tests, the load generator and benchmarks.
public enum RemoteWriteEncoder {
    /// An uncompressed 1.0 `prometheus.WriteRequest`.
    public static func encodeV1(_ series: [EncodedSeries], metadata: [EncodedMetadata] = []) -> [UInt8] {
        var w = ProtobufWriter(capacity: 64 + series.count * 64)
        for s in series {
            w.writeMessageField(1) { w in
                for label in s.labels { writeLabelV1(&w, label) }
                for sample in s.samples {
                    w.writeMessageField(2) { w in
                        w.writeDoubleField(1, sample.value)
                        if sample.timestamp != 0 { w.writeInt64Field(2, sample.timestamp) }
                    }
                }
                for exemplar in s.exemplars {
                    w.writeMessageField(3) { w in
                        for label in exemplar.labels { writeLabelV1(&w, label) }
                        w.writeDoubleField(2, exemplar.value)
                        w.writeInt64Field(3, exemplar.timestamp)
                    }
                }
                for histogram in s.histograms {
                    w.writeMessageField(4) { w in writeHistogram(&w, histogram) }
                }
            }
        }
        for m in metadata {
            w.writeMessageField(3) { w in
                if m.type != .unknown { w.writeVarintField(1, UInt64(m.type.rawValue)) }
                if !m.familyName.isEmpty { w.writeStringField(2, m.familyName) }
                if !m.help.isEmpty { w.writeStringField(4, m.help) }
                if !m.unit.isEmpty { w.writeStringField(5, m.unit) }
            }
        }
        return w.bytes
    }

    static func writeLabelV1(_ w: inout ProtobufWriter, _ label: Label) {
        w.writeMessageField(1) { w in
            w.writeStringField(1, label.name)
            w.writeStringField(2, label.value)
        }
    }

    /// Histogram fields are the same numbers in 1.0 and 2.0.
    static func writeHistogram(_ w: inout ProtobufWriter, _ h: EncodedHistogram) {
        w.writeVarintField(1, h.count)
        w.writeDoubleField(3, h.sum)
        w.writeSInt64Field(4, Int64(h.schema))
        w.writeDoubleField(5, h.zeroThreshold)
        w.writeVarintField(6, h.zeroCount)
        for span in h.positiveSpans {
            w.writeMessageField(11) { w in
                w.writeSInt64Field(1, Int64(span.offset))
                w.writeVarintField(2, UInt64(span.length))
            }
        }
        if !h.positiveDeltas.isEmpty {
            w.writePackedVarints(12, h.positiveDeltas.map(ProtobufWriter.zigZagEncode))
        }
        w.writeInt64Field(15, h.timestamp)
    }

    /// An uncompressed 2.0 `io.prometheus.write.v2.Request`, with a deduplicated symbols
    /// table starting with "".
    public static func encodeV2(_ series: [EncodedSeries]) -> [UInt8] {
        var symbols: [String] = [""]
        var index: [String: UInt64] = ["": 0]
        func ref(_ s: String) -> UInt64 {
            if let r = index[s] { return r }
            let r = UInt64(symbols.count)
            symbols.append(s)
            index[s] = r
            return r
        }
        var body = ProtobufWriter(capacity: 64 + series.count * 64)
        for s in series {
            var refs: [UInt64] = []
            for label in s.labels { refs.append(ref(label.name)); refs.append(ref(label.value)) }
            let exemplarRefs = s.exemplars.map { e in e.labels.flatMap { [ref($0.name), ref($0.value)] } }
            let metadataRefs = s.metadata.map { (help: ref($0.help), unit: ref($0.unit)) }
            body.writeMessageField(5) { w in
                if !refs.isEmpty { w.writePackedVarints(1, refs) }
                for sample in s.samples {
                    w.writeMessageField(2) { w in
                        w.writeDoubleField(1, sample.value)
                        if sample.timestamp != 0 { w.writeInt64Field(2, sample.timestamp) }
                        if sample.startTimestamp != 0 { w.writeInt64Field(3, sample.startTimestamp) }
                    }
                }
                for histogram in s.histograms {
                    w.writeMessageField(3) { w in writeHistogram(&w, histogram) }
                }
                for (k, exemplar) in s.exemplars.enumerated() {
                    w.writeMessageField(4) { w in
                        if !exemplarRefs[k].isEmpty { w.writePackedVarints(1, exemplarRefs[k]) }
                        w.writeDoubleField(2, exemplar.value)
                        w.writeInt64Field(3, exemplar.timestamp)
                    }
                }
                if let m = s.metadata, let refs = metadataRefs {
                    w.writeMessageField(5) { w in
                        if m.type != .unknown { w.writeVarintField(1, UInt64(m.type.rawValue)) }
                        if refs.help != 0 { w.writeVarintField(3, refs.help) }
                        if refs.unit != 0 { w.writeVarintField(4, refs.unit) }
                    }
                }
            }
        }
        var w = ProtobufWriter(capacity: body.bytes.count + symbols.count * 16)
        for symbol in symbols { w.writeStringField(4, symbol) }
        w.bytes.append(contentsOf: body.bytes)
        return w.bytes
    }

    /// An uncompressed request of either version (`metadata` is 1.0 only).
    public static func encode(_ series: [EncodedSeries], version: RemoteWriteVersion, metadata: [EncodedMetadata] = []) -> [UInt8] {
        switch version {
        case .v1: return encodeV1(series, metadata: metadata)
        case .v2: return encodeV2(series)
        }
    }

    /// A snappy-compressed request body, ready to POST with `version.contentType`.
    public static func compressedBody(_ series: [EncodedSeries], version: RemoteWriteVersion, metadata: [EncodedMetadata] = []) -> [UInt8] {
        Snappy.compress(encode(series, version: version, metadata: metadata))
    }
}
