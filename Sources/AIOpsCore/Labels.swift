/// The identity of a series: its label set sorted by name, `__name__` included.
///
/// The set is sorted once on construction, and its 64-bit hash is computed once and
/// kept, so lookups by a known series never hash strings again.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    public static let metricNameLabel = "__name__"

    /// Sorted by name; names are unique in a valid set (see `validationError`).
    public let labels: [Label]
    /// `Labels.Key.hash` of the series key: XXH64 (seed 0) over the sorted labels as a
    /// remote-write 1.0 `TimeSeries` encodes them (see `Key`). Stable across runs, machines and
    /// releases (any XXH64 implementation and protobuf encoder reproduce it), so it can decide
    /// shards, like Prometheus' `hashmod`.
    public let stableHash: UInt64

    /// Creates a label set, sorting it by name.
    public init(_ labels: [Label]) {
        var sorted = labels
        if !Labels.isSorted(sorted) { sorted.sort() }
        self.labels = sorted
        self.stableHash = Labels.hash(sorted)
    }

    /// Creates a label set from `name -> value` pairs.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Label($0.key, $0.value) })
    }

    /// Creates a label set from a dictionary.
    public init(dictionary: [String: String]) {
        self.init(dictionary.map { Label($0.key, $0.value) })
    }

    /// A metric name with extra labels: `Labels(metric: "up", ["job": "api"])`.
    public init(metric: String, _ extra: [String: String] = [:]) {
        var all = extra.map { Label($0.key, $0.value) }
        all.append(Label(Labels.metricNameLabel, metric))
        self.init(all)
    }

    public var startIndex: Int { labels.startIndex }
    public var endIndex: Int { labels.endIndex }
    public subscript(position: Int) -> Label { labels[position] }

    /// The value of the label `name`, or nil.
    public subscript(name: String) -> String? {
        // Label sets are small (under ~30): a linear scan beats a binary search here.
        for label in labels where label.name == name { return label.value }
        return nil
    }

    /// The value of `__name__`, or "" when absent.
    public var metricName: String { self[Labels.metricNameLabel] ?? "" }

    /// A copy with `name` set to `value` (added or replaced).
    public func setting(_ name: String, to value: String) -> Labels {
        var copy = labels.filter { $0.name != name }
        copy.append(Label(name, value))
        return Labels(copy)
    }

    /// A copy without the label `name`.
    public func removing(_ name: String) -> Labels {
        Labels(labels.filter { $0.name != name })
    }

    /// Prometheus syntax: `metric{a="1", b="2"}`, values escaped as PromQL strings.
    public var description: String {
        var out = metricName
        let rest = labels.filter { $0.name != Labels.metricNameLabel }
        if rest.isEmpty && !out.isEmpty { return out }
        out += "{"
        var first = true
        for label in rest {
            if !first { out += ", " }
            first = false
            out += label.name
            out += "=\""
            out += Labels.escape(label.value)
            out += "\""
        }
        out += "}"
        return out
    }

    /// The labels as a dictionary, for JSON output.
    public var dictionary: [String: String] {
        var dict: [String: String] = [:]
        for label in labels { dict[label.name] = label.value }
        return dict
    }

    public static func == (lhs: Labels, rhs: Labels) -> Bool {
        lhs.stableHash == rhs.stableHash && lhs.labels == rhs.labels
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(stableHash)
    }

    static func isSorted(_ labels: [Label]) -> Bool {
        var index = 1
        while index < labels.count {
            if labels[index] < labels[index - 1] { return false }
            index += 1
        }
        return true
    }

    /// `Key.hash` of the key of `labels`, which must be sorted by name.
    public static func hash(_ labels: [Label]) -> UInt64 {
        withKey(labels) { Key.hash($0) }
    }

    /// The series key (see `Key`): what the store compares a known series by.
    public var keyBytes: [UInt8] {
        Labels.withKey(labels) { Array($0) }
    }

    /// Calls `body` with the key of `labels` (sorted by name) in a temporary buffer.
    static func withKey<R>(_ labels: [Label], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var size = 0
        for label in labels {
            size += Key.encodedSize(nameLength: label.name.utf8.count, valueLength: label.value.utf8.count)
        }
        return withUnsafeTemporaryAllocation(byteCount: Swift.max(size, 1), alignment: 8) { scratch in
            var at = scratch.baseAddress!
            for label in labels {
                let nameLength = label.name.utf8.count
                let valueLength = label.value.utf8.count
                at = Key.writeHead(nameLength: nameLength, valueLength: valueLength, at: at)
                for byte in label.name.utf8 { at.storeBytes(of: byte, as: UInt8.self); at += 1 }
                at = Key.writeValueHead(valueLength: valueLength, at: at)
                for byte in label.value.utf8 { at.storeBytes(of: byte, as: UInt8.self); at += 1 }
            }
            return body(UnsafeRawBufferPointer(start: scratch.baseAddress!, count: size))
        }
    }

    /// The series key: a label set as one byte string, so that a known series is found by one
    /// hash and one `memcmp` instead of comparing `String`s.
    ///
    /// Layout: the labels in sorted order, each as field 1 of a remote-write 1.0 `TimeSeries`:
    /// `0x0a len(label) 0x0a len(name) name 0x12 len(value) value`, lengths as shortest LEB128
    /// varints, both fields always present (even an empty value). That is byte for byte what
    /// Prometheus sends for a valid series, so the decoder can use the request's own bytes as
    /// the key without copying (`WriteBatch.keySpans`). Length prefixes keep the key
    /// unambiguous for any bytes, valid UTF-8 or not, so two different label sets never have
    /// equal keys, even before validation.
    public enum Key {
        /// Bytes one label takes in a key.
        @inlinable
        public static func encodedSize(nameLength: Int, valueLength: Int) -> Int {
            let message = messageSize(nameLength: nameLength, valueLength: valueLength)
            return 1 + varintSize(message) + message
        }

        /// Bytes of one `Label` message (name and value fields).
        @inlinable
        public static func messageSize(nameLength: Int, valueLength: Int) -> Int {
            2 + varintSize(nameLength) + nameLength + varintSize(valueLength) + valueLength
        }

        @inlinable
        public static func varintSize(_ value: Int) -> Int {
            if value < 0x80 { return 1 }
            var size = 1
            var rest = UInt(bitPattern: value) >> 7
            while rest != 0 { size += 1; rest >>= 7 }
            return size
        }

        /// Writes `length` as a LEB128 varint at `at` and returns the byte after it.
        @inlinable
        public static func writeLength(_ length: Int, at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            var rest = UInt(bitPattern: length)
            var at = at
            while rest >= 0x80 {
                at.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, as: UInt8.self)
                at += 1
                rest >>= 7
            }
            at.storeBytes(of: UInt8(truncatingIfNeeded: rest), as: UInt8.self)
            return at + 1
        }

        /// Writes what precedes a label's name bytes (`0x0a len(label) 0x0a len(name)`); the
        /// value's length is needed for the label's. Returns where the name goes.
        @inlinable
        public static func writeHead(nameLength: Int, valueLength: Int, at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            at.storeBytes(of: 0x0a, as: UInt8.self)
            let at = writeLength(messageSize(nameLength: nameLength, valueLength: valueLength), at: at + 1)
            at.storeBytes(of: 0x0a, as: UInt8.self)
            return writeLength(nameLength, at: at + 1)
        }

        /// Writes what precedes a label's value bytes (`0x12 len(value)`). Returns where the value goes.
        @inlinable
        public static func writeValueHead(valueLength: Int, at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            at.storeBytes(of: 0x12, as: UInt8.self)
            return writeLength(valueLength, at: at + 1)
        }

        /// Writes one label at `at` and returns the byte after it.
        @inlinable
        public static func writeLabel(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                      at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            var at = writeHead(nameLength: name.count, valueLength: value.count, at: at)
            if let base = name.baseAddress, name.count > 0 { at.copyMemory(from: base, byteCount: name.count) }
            at = writeValueHead(valueLength: value.count, at: at + name.count)
            if let base = value.baseAddress, value.count > 0 { at.copyMemory(from: base, byteCount: value.count) }
            return at + value.count
        }

        @inlinable static var prime1: UInt64 { 0x9E37_79B1_85EB_CA87 }
        @inlinable static var prime2: UInt64 { 0xC2B2_AE3D_27D4_EB4F }
        @inlinable static var prime3: UInt64 { 0x1656_67B1_9E37_79F9 }
        @inlinable static var prime4: UInt64 { 0x85EB_CA77_C2B2_AE63 }
        @inlinable static var prime5: UInt64 { 0x27D4_EB2F_1656_67C5 }

        /// XXH64 with seed 0 (xxHash's 64-bit hash, as `xxhsum -H1` prints it): 8 bytes per
        /// step, 4 independent lanes from 32 bytes on; about 1.5 instructions per byte.
        /// - Complexity: O(bytes), no allocation.
        @inlinable
        public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            let count = bytes.count
            guard let base = bytes.baseAddress, count > 0 else { return avalanche(prime5) }
            var p = base
            let end = base + count
            var h: UInt64
            if count >= 32 {
                var v1 = prime1 &+ prime2
                var v2 = prime2
                var v3: UInt64 = 0
                var v4: UInt64 = 0 &- prime1
                let limit = end - 32
                repeat {
                    v1 = round(v1, load64(p))
                    v2 = round(v2, load64(p + 8))
                    v3 = round(v3, load64(p + 16))
                    v4 = round(v4, load64(p + 24))
                    p += 32
                } while p <= limit
                h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
                h = merge(h, v1)
                h = merge(h, v2)
                h = merge(h, v3)
                h = merge(h, v4)
            } else {
                h = prime5
            }
            h &+= UInt64(count)
            while end - p >= 8 {
                h ^= round(0, load64(p))
                h = rotl(h, 27) &* prime1 &+ prime4
                p += 8
            }
            if end - p >= 4 {
                h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) &* prime1
                h = rotl(h, 23) &* prime2 &+ prime3
                p += 4
            }
            while p < end {
                h ^= UInt64(p.load(as: UInt8.self)) &* prime5
                h = rotl(h, 11) &* prime1
                p += 1
            }
            return avalanche(h)
        }

        @inlinable @inline(__always)
        static func load64(_ p: UnsafeRawPointer) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }

        @inlinable @inline(__always)
        static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

        @inlinable @inline(__always)
        static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
            rotl(acc &+ input &* prime2, 31) &* prime1
        }

        @inlinable @inline(__always)
        static func merge(_ acc: UInt64, _ lane: UInt64) -> UInt64 {
            (acc ^ round(0, lane)) &* prime1 &+ prime4
        }

        @inlinable @inline(__always)
        static func avalanche(_ h: UInt64) -> UInt64 {
            var h = h
            h ^= h >> 33
            h &*= prime2
            h ^= h >> 29
            h &*= prime3
            h ^= h >> 32
            return h
        }
    }

    /// Escapes a label value for Prometheus text and PromQL: backslash, double quote, newline.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// FNV-1a 64-bit: stable, allocation-free, good enough to spread series over a table
/// whose collisions are resolved by comparing the labels themselves.
public struct StableHasher: Sendable {
    public var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inlinable
    public mutating func combine<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        value = h
    }

    @inlinable
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        value = h
    }

    @inlinable
    public mutating func combineSeparator() {
        value ^= 0xff
        value = value &* 0x0000_0100_0000_01b3
    }
}

extension Labels: Codable {
    /// Encoded as a JSON object `{"__name__": "up", "job": "api"}`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(dictionary: try container.decode([String: String].self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dictionary)
    }
}
