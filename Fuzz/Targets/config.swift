import Foundation
import Server

/// The `aiops serve` config parser: JSON decoding and validation, on any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let configuration = try? JSONDecoder().decode(ServerConfiguration.self, from: Data(bytes: data, count: size)) {
        try? configuration.validate(file: "fuzz.json")
    }
    return 0
}
