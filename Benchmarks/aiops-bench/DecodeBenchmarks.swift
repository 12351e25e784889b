import AIOpsCore
import RemoteWrite

/// Snappy and remote-write decoding of a reference request: 500 series, one sample each (the
/// end-to-end load's request).
enum DecodeBenchmarks {
    static let names = ["decode.snappy", "decode.rw1", "decode.rw2"]

    static func run(_ options: BenchmarkOptions, report: Report) {
        guard options.selectsAny(names) else { return }
        let target = options.quick ? 0.05 : 0.25
        var random = SplitMix64(seed: 1)
        let series = (0..<500).map { index in
            EncodedSeries(labels: LoadShape.labels(connection: 0, index: index), samples: [
                EncodedSample(timestamp: 1_700_000_000_000, value: LoadShape.value(series: index, timestamp: 1_700_000_000_000, random: &random)),
            ])
        }
        let raw1 = RemoteWriteEncoder.encode(series, version: .v1)
        let body1 = RemoteWriteEncoder.compressedBody(series, version: .v1)
        let body2 = RemoteWriteEncoder.compressedBody(series, version: .v2)
        let sizes = "request: 500 samples, rw1 \(raw1.count) B raw / \(body1.count) B snappy, rw2 \(body2.count) B snappy"

        if options.selects("decode.snappy") {
            var output: [UInt8] = []
            let values = body1.withUnsafeBytes { body in
                let decompress = {
                    try! Snappy.decompress(body, into: &output, maxLength: 32 << 20)
                    blackHole(Int(output[output.count / 2]))
                }
                let iterations = Harness.calibrate(target: target, decompress)
                return Harness.measure(runs: options.runs) {
                    let elapsed = Harness.seconds { for _ in 0..<iterations { decompress() } }
                    return Double(raw1.count * iterations) / elapsed / 1e6
                }
            }
            report.add(BenchmarkResult(name: "decode.snappy", unit: "MB/s", values: values, note: "decompressed bytes; " + sizes))
        }
        for (name, version, body) in [("decode.rw1", RemoteWriteVersion.v1, body1), ("decode.rw2", .v2, body2)] where options.selects(name) {
            var decoder = RemoteWriteDecoder()
            var batch = WriteBatch()
            let values = body.withUnsafeBytes { body in
                let decode = {
                    try! decoder.decode(body: body, version: version, into: &batch)
                    blackHole(batch.sampleCount)
                }
                let iterations = Harness.calibrate(target: target, decode)
                return Harness.measure(runs: options.runs) {
                    let elapsed = Harness.seconds { for _ in 0..<iterations { decode() } }
                    return Double(500 * iterations) / elapsed
                }
            }
            precondition(batch.sampleCount == 500, "decoder lost samples")
            report.add(BenchmarkResult(name: name, unit: "samples/s", values: values, note: "snappy + protobuf into a reused WriteBatch"))
        }
    }
}
