import RemoteWrite

/// Remote-write 1.0 and 2.0 decoding of a snappy body (the first byte picks the version),
/// then label validation and sorting as the server does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let version: RemoteWriteVersion = data[0] & 1 == 0 ? .v1 : .v2
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var decoder = RemoteWriteDecoder(maxDecodedLength: 1 << 20)
    var batch = WriteBatch()
    // Compressed as sent, and the same bytes as an already decompressed message.
    if (try? decoder.decode(body: body, version: version, into: &batch)) != nil { exercise(&batch) }
    if (try? decoder.decode(uncompressed: body, version: version, into: &batch)) != nil { exercise(&batch) }
    return 0
}

func exercise(_ batch: inout WriteBatch) {
    let options = SeriesValidationOptions(rejectEmptyLabelValues: true, requireSamples: false, maxLabelCount: 30,
                                          maxLabelNameLength: 256, maxLabelValueLength: 1024)
    var keys = SeriesKeys()
    keys.build(from: &batch)
    for index in 0..<batch.series.count {
        if batch.validate(series: index, options: options) == nil { _ = batch.makeLabels(series: index) }
        _ = batch.metricName(ofSeries: index)
    }
}
