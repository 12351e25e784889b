import AIOpsCore

/// Writes the Prometheus text exposition format (version 0.0.4) into a reused byte buffer,
/// the way swift-prometheus emits: families once, label values escaped.
public struct PrometheusTextWriter {
    public private(set) var bytes: [UInt8] = []
    private var families = Set<String>()

    public init() {
        bytes.reserveCapacity(8192)
    }

    public enum Kind: String {
        case counter
        case gauge
        case summary
        case histogram
    }

    /// Declares a family (once; repeated declarations are ignored).
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        guard families.insert(name).inserted else { return }
        append("# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n")
    }

    /// One sample line. A label with an empty value is left out (Prometheus treats the two alike).
    public mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Double) {
        append(name)
        if labels.contains(where: { !$0.value.isEmpty }) {
            append("{")
            var first = true
            for (key, labelValue) in labels where !labelValue.isEmpty {
                if !first { append(",") }
                first = false
                append(key)
                append("=\"")
                append(Labels.escape(labelValue))
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(PrometheusTextWriter.format(value))
        append("\n")
    }

    public mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Int) {
        sample(name, labels, Double(value))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func append(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
