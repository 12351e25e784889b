import Fixtures

/// The offline readers: CSV, Prometheus query_range JSON, text exposition / OpenMetrics;
/// the first byte picks the format (or detection), the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let formats: [FixtureFormat?] = [nil, .csv, .queryRange, .exposition]
    let format = formats[Int(data[0]) % formats.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    _ = try? FixtureReader.parse(bytes, name: "fuzz", format: format)
    return 0
}
