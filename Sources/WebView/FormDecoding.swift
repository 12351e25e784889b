/// `application/x-www-form-urlencoded` as browsers send forms and query strings: pairs
/// separated by `&`, `+` for a space, `%XX` for a byte; names may repeat (`match[]`).
enum FormDecoding {
    /// The pairs in order; a pair without `=` has an empty value. Bytes that do not form
    /// UTF-8 after decoding become U+FFFD, never a trap.
    static func parse<Bytes: Collection>(_ bytes: Bytes) -> [(name: String, value: String)] where Bytes.Element == UInt8 {
        var out: [(name: String, value: String)] = []
        var name: [UInt8] = []
        var value: [UInt8] = []
        var inValue = false
        var sawAny = false
        func finish() {
            if sawAny { out.append((decode(name), decode(value))) }
            name.removeAll(keepingCapacity: true)
            value.removeAll(keepingCapacity: true)
            inValue = false
            sawAny = false
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"):
                finish()
            case UInt8(ascii: "=") where !inValue:
                inValue = true
                sawAny = true
            default:
                sawAny = true
                if inValue { value.append(byte) } else { name.append(byte) }
            }
        }
        finish()
        return out
    }

    /// The first value of `name`, if any.
    static func first(_ name: String, in pairs: [(name: String, value: String)]) -> String? {
        pairs.first { $0.name == name }?.value
    }

    static func decode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                      let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
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
