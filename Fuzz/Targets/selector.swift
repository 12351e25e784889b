import AIOpsCore
import Rules

/// The PromQL selector parser, and matching what it accepts against a label set.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let selector = try? Selector(parsing: text) {
        _ = selector.matches(Labels(metric: "http_requests_total", ["job": "api", "code": "500"]))
        _ = selector.description
    }
    return 0
}
