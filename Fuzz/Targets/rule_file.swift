import Foundation
import Rules

/// The rule-file parser (JSON, selectors, detector specs, advice templates) on any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? RuleSet.parse(Data(bytes: data, count: size), file: "fuzz.json")
    return 0
}
