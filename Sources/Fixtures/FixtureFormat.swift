/// The file formats `FixtureReader` decodes.
public enum FixtureFormat: String, Sendable, CaseIterable, Codable {
    /// `timestamp,value` rows, optional header (NAB's format).
    case csv
    /// The JSON body of Prometheus' `/api/v1/query_range` (`resultType: matrix`).
    case queryRange
    /// Prometheus text exposition or OpenMetrics, every sample with a timestamp.
    case exposition

    /// The format an extension names: `.csv`; `.json`; `.prom`, `.txt`, `.om`
    /// (case-insensitive). Nil for any other extension.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "csv": self = .csv
        case "json": self = .queryRange
        case "prom", "txt", "om": self = .exposition
        default: return nil
        }
    }

    /// The format of a file: by extension first, then by content.
    /// - Returns: nil when neither says.
    public static func detect(name: String, bytes: [UInt8]) -> FixtureFormat? {
        if let ext = extensionOf(name), let format = FixtureFormat(fileExtension: ext) { return format }
        return sniff(bytes)
    }

    /// Guesses the format from the first non-blank line: `{` opens JSON; `#` or a
    /// label set `{...}` means exposition; a comma means CSV; otherwise two or three
    /// blank-separated fields starting with a metric name mean exposition.
    public static func sniff(_ bytes: [UInt8]) -> FixtureFormat? {
        var index = ByteText.skipBOM(bytes)
        while index < bytes.count, ByteText.isSpaceOrNewline(bytes[index]) { index += 1 }
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .queryRange
        case UInt8(ascii: "#"): return .exposition
        default: break
        }
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        let line = bytes[index..<end]
        if line.contains(UInt8(ascii: "{")) { return .exposition }
        if line.contains(UInt8(ascii: ",")) { return .csv }
        let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") })
        if (2...3).contains(fields.count), let first = fields.first, ByteText.isMetricName(first) { return .exposition }
        return nil
    }

    /// The extension of the last path component, without the dot.
    static func extensionOf(_ path: String) -> String? {
        let base = FixtureReader.baseName(path)
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return nil }
        return String(base[base.index(after: dot)...])
    }
}
