/// A request's query string (`a=1&match%5B%5D=up`) decoded as HTML forms encode it:
/// `+` is a space, `%XX` a byte; names may repeat (`match[]`), so the result is a list.
public enum HTTPQuery {
    /// The name-value pairs in order; a pair without `=` has an empty value. Bytes that do
    /// not form UTF-8 after decoding are replaced (U+FFFD), never trapped on.
    public static func parse(_ query: String) -> [(name: String, value: String)] {
        guard !query.isEmpty else { return [] }
        var out: [(name: String, value: String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: "=") {
                out.append((decode(pair[..<equals]), decode(pair[pair.index(after: equals)...])))
            } else {
                out.append((decode(pair), ""))
            }
        }
        return out
    }

    /// The values of every `name` parameter, in order.
    public static func values(_ name: String, in query: String) -> [String] {
        parse(query).filter { $0.name == name }.map(\.value)
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if iterator.count >= 2, let high = hex(iterator[iterator.startIndex]), let low = hex(iterator[iterator.startIndex + 1]) {
                    bytes.append(high << 4 | low)
                    iterator.removeFirst(2)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
