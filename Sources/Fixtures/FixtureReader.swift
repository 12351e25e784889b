import AIOpsCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads metric fixture files (CSV, query_range JSON, exposition text) into series,
/// for `aiops replay` and `aiops evaluate`.
///
/// Every reader works on the file's bytes directly (no `String` per line) and reports
/// malformed input as a `FixtureError` with file, line and reason; no input traps.
public enum FixtureReader {
    /// Reads and decodes one file.
    /// - Parameters:
    ///   - path: the file; its extension picks the format unless `format` is given, and
    ///     the content decides when the extension says nothing.
    ///   - metric: the identity of a CSV file's single series. Without it, the series is
    ///     named after the file's base name (sanitised to a metric name). When `metric`
    ///     has no `__name__`, the base name is added. For query_range, it names series
    ///     whose `metric` object lacks `__name__`; exposition files ignore it.
    ///   - format: forces a format.
    /// - Returns: the series in order of first appearance, each with its rows in file order.
    /// - Throws: `FixtureError` naming the path (and errno text when the file cannot be read).
    public static func read(path: String, metric: Labels? = nil, format: FixtureFormat? = nil) throws(FixtureError) -> [FixtureSeries] {
        let bytes = try readFile(path)
        return try parse(bytes, name: path, format: format, metric: metric)
    }

    /// Decodes bytes already in memory; `name` is used for format detection by
    /// extension, for the default metric name and in errors.
    public static func parse(_ bytes: [UInt8], name: String, format: FixtureFormat? = nil, metric: Labels? = nil) throws(FixtureError) -> [FixtureSeries] {
        guard let format = format ?? FixtureFormat.detect(name: name, bytes: bytes) else {
            let reason = bytes.isEmpty
                ? "empty file, cannot tell its format"
                : "unknown format (expected .csv, .json, .prom, .txt or .om, or content that looks like CSV, query_range JSON or exposition text)"
            throw FixtureError(file: name, line: nil, code: bytes.isEmpty ? .empty : .unknownFormat, reason: reason)
        }
        let series: [FixtureSeries]
        switch format {
        case .csv:
            series = try CSVParser.parse(bytes, file: name, labels: identity(for: name, metric: metric))
        case .queryRange:
            var parser = QueryRangeParser(bytes, file: name, defaultName: metric?.metricName.nonEmpty ?? defaultMetricName(for: name))
            series = try parser.parse()
        case .exposition:
            series = try ExpositionParser.parse(bytes, file: name)
        }
        if series.allSatisfy({ $0.count == 0 }) {
            throw FixtureError(file: name, line: nil, code: .empty, reason: "no samples in the file")
        }
        return series
    }

    /// Convenience for tests and small inputs.
    public static func parse(text: String, name: String, format: FixtureFormat? = nil, metric: Labels? = nil) throws(FixtureError) -> [FixtureSeries] {
        try parse(Array(text.utf8), name: name, format: format, metric: metric)
    }

    /// The identity a CSV file's series gets.
    public static func identity(for path: String, metric: Labels?) -> Labels {
        guard let metric else { return Labels(metric: defaultMetricName(for: path)) }
        if metric.metricName.isEmpty { return metric.setting(Labels.metricNameLabel, to: defaultMetricName(for: path)) }
        return metric
    }

    /// The file's base name without its extension, sanitised to a metric name:
    /// `data/ec2_cpu_utilization_24ae8d.csv` -> `ec2_cpu_utilization_24ae8d`.
    public static func defaultMetricName(for path: String) -> String {
        var base = baseName(path)
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        return SeriesIdentity.sanitizedMetricName(base)
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Reads a whole file with `open`/`read`, so failures carry the errno text.
    public static func readFile(_ path: String) throws(FixtureError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw unreadable(path, errno) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw unreadable(path, errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw unreadable(path, EISDIR) }
        // Sized from fstat, plus one byte to see the end of file in the same pass; a file
        // that grows meanwhile (or reports no size, like a pipe) is read in more rounds.
        var bytes: [UInt8] = []
        var capacity = max(Int(info.st_size), 0) + 1
        while true {
            var failure: Int32 = 0
            let round = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                while count < capacity {
                    let n = Glibc.read(fd, buffer.baseAddress! + count, capacity - count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    if n == 0 { return }
                    count += n
                }
            }
            if failure != 0 { throw unreadable(path, failure) }
            if bytes.isEmpty { bytes = round } else { bytes.append(contentsOf: round) }
            if round.count < capacity { break }
            capacity = 1 << 16
        }
        return bytes
    }

    private static func unreadable(_ path: String, _ code: Int32) -> FixtureError {
        FixtureError(file: path, line: nil, code: .unreadable, reason: "cannot read: \(String(cString: strerror(code)))")
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
