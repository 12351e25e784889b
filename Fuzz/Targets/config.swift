import Server

/// The `aiops serve` config reader: JSON parsing, key and type checks and validation, on any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? ServerConfiguration.parse(Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz.json")
    return 0
}
