/// Where one header field lies, relative to the start of its request in the read buffer.
struct HTTPHeaderFieldRange {
    var nameStart: Int32
    var nameLength: Int32
    var valueStart: Int32
    var valueLength: Int32
}

/// The header fields of an `HTTPRequest`, viewed in place (same lifetime as the request).
///
/// Lookups compare names ASCII-case-insensitively against the stored bytes: no lowercased
/// copies, no allocation. `- Complexity:` O(fields) per lookup, fine for the dozen headers
/// a request carries.
public struct HTTPHeaders: Sequence {
    let base: UnsafeRawPointer
    let fields: UnsafeBufferPointer<HTTPHeaderFieldRange>

    /// Number of fields, duplicates included.
    public var count: Int { fields.count }

    /// The raw bytes of the first field named `name`, or nil.
    public func firstValueBytes(_ name: String) -> UnsafeRawBufferPointer? {
        guard let i = firstIndex(name) else { return nil }
        return valueBytes(at: i)
    }

    /// The first value of `name` as a String, or nil. (Allocates only for values over 15 bytes.)
    public subscript(_ name: String) -> String? {
        firstValueBytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        var out: [String] = []
        for i in fields.indices where nameMatches(i, name) {
            out.append(String(decoding: valueBytes(at: i), as: UTF8.self))
        }
        return out
    }

    public func contains(_ name: String) -> Bool { firstIndex(name) != nil }

    /// Whether the first value of `name` equals `value`, ignoring ASCII case (no allocation).
    /// With `prefixOnly`, `value` need only be a prefix (`application/x-protobuf;proto=...`).
    public func firstValue(_ name: String, equalsCaseInsensitive value: String, prefixOnly: Bool = false) -> Bool {
        guard let bytes = firstValueBytes(name) else { return false }
        let want = value.utf8
        if prefixOnly ? bytes.count < want.count : bytes.count != want.count { return false }
        var i = 0
        for c in want {
            if HTTPHeaders.lower(bytes[i]) != HTTPHeaders.lower(c) { return false }
            i += 1
        }
        return true
    }

    /// The first value of `name` parsed as a non-negative decimal integer, or nil.
    public func integer(_ name: String) -> Int? {
        guard let bytes = firstValueBytes(name), !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }

    public func makeIterator() -> Iterator { Iterator(headers: self, index: 0) }

    /// Yields `(name, value)` pairs as Strings, in order.
    public struct Iterator: IteratorProtocol {
        let headers: HTTPHeaders
        var index: Int
        public mutating func next() -> (name: String, value: String)? {
            guard index < headers.fields.count else { return nil }
            defer { index += 1 }
            let f = headers.fields[index]
            let name = String(decoding: UnsafeRawBufferPointer(start: headers.base + Int(f.nameStart), count: Int(f.nameLength)), as: UTF8.self)
            return (name, String(decoding: headers.valueBytes(at: index), as: UTF8.self))
        }
    }

    func valueBytes(at i: Int) -> UnsafeRawBufferPointer {
        let f = fields[i]
        return UnsafeRawBufferPointer(start: base + Int(f.valueStart), count: Int(f.valueLength))
    }

    func firstIndex(_ name: String) -> Int? {
        for i in fields.indices where nameMatches(i, name) { return i }
        return nil
    }

    private func nameMatches(_ i: Int, _ name: String) -> Bool {
        let f = fields[i]
        let utf8 = name.utf8
        guard Int(f.nameLength) == utf8.count else { return false }
        var p = base + Int(f.nameStart)
        for c in utf8 {
            if HTTPHeaders.lower(p.load(as: UInt8.self)) != HTTPHeaders.lower(c) { return false }
            p += 1
        }
        return true
    }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
}
