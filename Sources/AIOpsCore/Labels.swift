/// The identity of a series: its label set sorted by name, `__name__` included.
///
/// The set is sorted once on construction, and its 64-bit hash is computed once and
/// kept, so lookups by a known series never hash strings again.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    public static let metricNameLabel = "__name__"

    /// Sorted by name; names are unique in a valid set (see `validationError`).
    public let labels: [Label]
    /// Stable across runs and machines (FNV-1a over `name 0xff value 0xff ...`), so it
    /// can later decide shards, like Prometheus' `hashmod`.
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

    /// FNV-1a 64 over each name and value followed by a 0xff separator (not valid UTF-8,
    /// so `a=bc` and `ab=c` hash apart).
    public static func hash(_ labels: [Label]) -> UInt64 {
        var hasher = StableHasher()
        for label in labels {
            hasher.combine(label.name.utf8)
            hasher.combineSeparator()
            hasher.combine(label.value.utf8)
            hasher.combineSeparator()
        }
        return hasher.value
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
