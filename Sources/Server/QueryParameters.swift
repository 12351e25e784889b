/// The parameters of a URL query string (`a=1&match[]=x&match[]=y`), percent-decoded, `+` as
/// a space, in order; a name may repeat.
struct QueryParameters: Sendable {
    var items: [(name: String, value: String)] = []

    /// - Throws: `QueryParameters.Malformed` naming the first item that is not valid
    ///   percent-encoded UTF-8.
    init(_ query: String) throws(Malformed) {
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { throw Malformed(item: String(item)) }
            let raw = parts.count > 1 ? parts[1] : ""
            guard let value = Self.decode(raw) else { throw Malformed(item: String(item)) }
            items.append((name, value))
        }
    }

    /// The last value of `name`.
    func value(_ name: String) -> String? { items.last { $0.name == name }?.value }

    /// Every value of `name`, in order.
    func values(_ name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

    /// Percent-decoding with `+` as a space; nil for a bad escape or invalid UTF-8.
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A query item that does not decode.
    struct Malformed: Error, CustomStringConvertible {
        var item: String
        var description: String { "query: '\(item.prefix(100))' is not valid percent-encoded UTF-8" }
    }
}
