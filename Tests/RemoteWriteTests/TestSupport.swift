import AIOpsCore
@testable import RemoteWrite

/// Seeded, reproducible randomness for round-trip and fuzz tests.
func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Text-like data with repeats, as metric bodies are.
func repetitiveBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
    let words = ["http_requests_total", "instance", "job", "api-server", "10.0.0.1:9100", "__name__", "le", "0.25"]
    var out: [UInt8] = []
    out.reserveCapacity(count)
    while out.count < count {
        out.append(contentsOf: words[Int.random(in: 0..<words.count, using: &rng)].utf8)
        out.append(UInt8.random(in: 0...3, using: &rng))
    }
    return Array(out.prefix(count))
}

/// A 1.0 request with labels written exactly in the given order (duplicates, invalid names
/// and unsorted sets included), for validation and sorting tests.
func rawV1(_ series: [[(String, String)]], samplesPerSeries: Int = 1) -> [UInt8] {
    var w = ProtobufWriter()
    for labels in series {
        w.writeMessageField(1) { w in
            for (name, value) in labels {
                w.writeMessageField(1) { w in
                    w.writeStringField(1, name)
                    w.writeStringField(2, value)
                }
            }
            for k in 0..<samplesPerSeries {
                w.writeMessageField(2) { w in
                    w.writeDoubleField(1, Double(k))
                    w.writeInt64Field(2, Int64(1000 * k))
                }
            }
        }
    }
    return w.bytes
}

func decodeV1Raw(_ series: [[(String, String)]]) throws -> WriteBatch {
    var decoder = RemoteWriteDecoder()
    var batch = WriteBatch()
    try rawV1(series).withUnsafeBytes { try decoder.decode(uncompressed: $0, version: .v1, into: &batch) }
    return batch
}

/// Structural invariants every successfully decoded batch must hold, whatever the input.
func batchIsConsistent(_ batch: WriteBatch) -> Bool {
    var labelEnd = 0
    var sampleEnd = 0
    for s in batch.series {
        guard s.labelRange.lowerBound == labelEnd, s.sampleRange.lowerBound == sampleEnd else { return false }
        labelEnd = s.labelRange.upperBound
        sampleEnd = s.sampleRange.upperBound
    }
    guard labelEnd == batch.labels.count, sampleEnd == batch.samples.count else { return false }
    for l in batch.labels where l.nameRange.upperBound > batch.buffer.count || l.valueRange.upperBound > batch.buffer.count {
        return false
    }
    return batch.startTimestamps.isEmpty || batch.startTimestamps.count == batch.samples.count
}

/// Series with `__name__`, job and instance, and `samples` samples each.
func makeSeries(count: Int, samples: Int, seed: UInt64) -> [EncodedSeries] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { i in
        let labels = Labels(metric: "metric_\(i % 7)", ["job": "job\(i % 3)", "instance": "host-\(i):9100", "zone": "é-\(i % 2)"])
        let base = Int64(1_700_000_000_000) + Int64(i)
        let values = (0..<samples).map { k in
            EncodedSample(timestamp: base + Int64(k) * 15_000, value: Double.random(in: -1e6...1e6, using: &rng))
        }
        return EncodedSeries(labels: labels, samples: values)
    }
}
