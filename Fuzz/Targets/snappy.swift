import RemoteWrite

/// Snappy block decompression: any input either decodes within the limit or throws.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var out: [UInt8] = []
    try? Snappy.decompress(UnsafeRawBufferPointer(start: data, count: size), into: &out, maxLength: 1 << 20)
    return 0
}
