import AIOpsCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads Prometheus text exposition and OpenMetrics with sample timestamps.
///
/// - `# TYPE family type` gives the type of the series of that family
///   (`FixtureSeries.metricType`, which tells the pipeline a counter from a gauge, as
///   remote-write metadata does); `# HELP`, `# UNIT` and other `#` lines are skipped;
///   `# EOF` ends an OpenMetrics file and nothing but blank lines may follow it.
/// - Every sample needs a timestamp (replay runs on event time): a line without one is an
///   error naming the line.
/// - Timestamp unit: OpenMetrics (the file ends with `# EOF`) writes seconds, with a
///   fraction. Otherwise the unit is decided per sample by magnitude, like CSV: below
///   1e11 it is seconds, from 1e11 on milliseconds (Prometheus text's unit). Real
///   timestamps in ms are all above 1e11 (1973), so Prometheus text reads correctly and
///   hand-written files in seconds work too.
/// - An exemplar after the timestamp (` # {trace_id="..."} 1 1712345678`) is ignored.
/// - Series come out in order of first appearance, each with its lines in file order.
enum ExpositionParser {
    static func parse(_ bytes: [UInt8], file: String) throws(FixtureError) -> [FixtureSeries] {
        let openMetrics = endsWithEOF(bytes)
        let unit: ByteText.EpochUnit = openMetrics ? .seconds : .byMagnitude
        var series: [FixtureSeries] = []
        // Raw series text -> index: most lines repeat a series verbatim, so the label set
        // is parsed once per distinct spelling; lines are matched by an FNV hash of the
        // bytes (cheaper than hashing an ArraySlice) and confirmed byte for byte.
        var spellings = SpellingTable()
        var byLabels: [Labels: Int] = [:]
        var eofLine: Int?
        var declared: [String: MetricType] = [:]
        for line in ByteText.Lines(bytes) {
            var start = line.start
            var end = line.end
            ByteText.trim(bytes, &start, &end)
            if start == end { continue }
            if let eofLine {
                throw FixtureError(file: file, line: line.number, code: .syntax, reason: "content after # EOF (line \(eofLine))")
            }
            if bytes[start] == UInt8(ascii: "#") {
                if end - start == 5, bytes[start + 1] == 0x20, bytes[start + 2] == UInt8(ascii: "E"),
                   bytes[start + 3] == UInt8(ascii: "O"), bytes[start + 4] == UInt8(ascii: "F") {
                    eofLine = line.number
                } else if let (family, type) = typeDeclaration(bytes, start, end) {
                    declared[family] = type
                }
                continue
            }
            func fail(_ code: FixtureError.Code, _ reason: String) -> FixtureError {
                FixtureError(file: file, line: line.number, code: code, reason: reason)
            }
            // The series text.
            let seriesEnd: Int
            do {
                seriesEnd = try scanSeriesEnd(bytes, start, end)
            } catch {
                throw fail(.syntax, "column \(error.index - line.start + 1): \(error.reason)")
            }
            let hash = SpellingTable.hash(bytes, start, seriesEnd)
            let index: Int
            if let known = spellings.lookup(hash: hash, bytes, start, seriesEnd) {
                index = known
            } else {
                var parser = LabelSetParser(bytes, from: start, to: seriesEnd)
                let result: LabelSetParser.Result
                do {
                    result = try parser.parse(requireName: true)
                } catch {
                    throw fail(.syntax, "column \(error.index - line.start + 1): \(error.reason)")
                }
                if result.next != seriesEnd {
                    throw fail(.syntax, "column \(result.next - line.start + 1): unexpected \(ByteText.quote(bytes, result.next, seriesEnd))")
                }
                if let known = byLabels[result.labels] {
                    index = known
                } else {
                    index = series.count
                    series.append(FixtureSeries(labels: result.labels))
                    byLabels[result.labels] = index
                }
                spellings.insert(hash: hash, Array(bytes[start..<seriesEnd]), series: index)
            }
            // Value, timestamp, optional exemplar.
            var i = seriesEnd
            guard i < end, ByteText.isSpace(bytes[i]) else {
                throw fail(.syntax, "column \(i - line.start + 1): expected a blank and a value after the series")
            }
            while i < end, ByteText.isSpace(bytes[i]) { i += 1 }
            let valueStart = i
            while i < end, !ByteText.isSpace(bytes[i]) { i += 1 }
            let valueEnd = i
            guard let value = ByteText.parseDouble(bytes, valueStart, valueEnd) else {
                throw fail(.value, "invalid value \(ByteText.quote(bytes, valueStart, valueEnd)) (expected a number, NaN, +Inf or -Inf)")
            }
            while i < end, ByteText.isSpace(bytes[i]) { i += 1 }
            let timestampStart = i
            while i < end, !ByteText.isSpace(bytes[i]) { i += 1 }
            let timestampEnd = i
            if timestampStart == timestampEnd || bytes[timestampStart] == UInt8(ascii: "#") {
                throw fail(.missingTimestamp, "sample has no timestamp; replay needs event time: \(ByteText.quote(bytes, start, end, limit: 80))")
            }
            guard let timestamp = ByteText.parseEpoch(bytes, timestampStart, timestampEnd, unit: unit) else {
                throw fail(.timestamp, "invalid timestamp \(ByteText.quote(bytes, timestampStart, timestampEnd)) (expected Unix milliseconds, or seconds in OpenMetrics)")
            }
            while i < end, ByteText.isSpace(bytes[i]) { i += 1 }
            if i < end, bytes[i] != UInt8(ascii: "#") {
                throw fail(.syntax, "column \(i - line.start + 1): unexpected \(ByteText.quote(bytes, i, end)) after the timestamp")
            }
            series[index].append(timestamp, value)
        }
        if !declared.isEmpty {
            for index in series.indices {
                let families = MetricType.familyNames(ofSeries: series[index].labels.metricName)
                series[index].metricType = families.lazy.compactMap { declared[$0] }.first
            }
        }
        return series
    }

    /// The family and type of a `# TYPE family type` line (`start..<end`, trimmed); nil for
    /// any other comment, or a type this does not know (then the name decides).
    static func typeDeclaration(_ b: [UInt8], _ start: Int, _ end: Int) -> (String, MetricType)? {
        let words = b[start..<end].split(whereSeparator: { ByteText.isSpace($0) })
        guard words.count == 4, words[0].elementsEqual("#".utf8), words[1].elementsEqual("TYPE".utf8),
              let type = MetricType(exposition: String(decoding: words[3], as: UTF8.self))
        else { return nil }
        return (String(decoding: words[2], as: UTF8.self), type)
    }

    /// The index just past a series' text (`name`, `name{...}` or `{...}`), honouring
    /// quotes so a `}` or blank inside a label value does not end it.
    static func scanSeriesEnd(_ b: [UInt8], _ start: Int, _ end: Int) throws(LabelSetParser.Failure) -> Int {
        var i = start
        while i < end, ByteText.isMetricNameChar(b[i]) { i += 1 }
        if i == start, b[i] != UInt8(ascii: "{") {
            throw LabelSetParser.Failure(index: i, reason: "expected a metric name, found '\(String(decoding: [b[i]], as: UTF8.self))'")
        }
        var j = i
        while j < end, ByteText.isSpace(b[j]) { j += 1 }
        guard j < end, b[j] == UInt8(ascii: "{") else { return i }
        let open = j
        var quote: UInt8 = 0
        j += 1
        while j < end {
            let c = b[j]
            if quote != 0 {
                if c == UInt8(ascii: "\\") { j += 2; continue }
                if c == quote { quote = 0 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: "}") {
                return j + 1
            }
            j += 1
        }
        throw LabelSetParser.Failure(index: open, reason: quote != 0 ? "unterminated quoted string in label set" : "unterminated label set, expected '}'")
    }

    /// Whether the last non-blank line is `# EOF`: the OpenMetrics marker.
    static func endsWithEOF(_ b: [UInt8]) -> Bool {
        var e = b.count
        while e > 0, ByteText.isSpaceOrNewline(b[e - 1]) { e -= 1 }
        guard e >= 5 else { return false }
        let tail = b[(e - 5)..<e]
        guard tail.elementsEqual("# EOF".utf8) else { return false }
        return e == 5 || b[e - 6] == ByteText.newline
    }
}

/// Distinct spellings of series text seen so far, by hash.
struct SpellingTable {
    private var spellings: [(bytes: [UInt8], series: Int)] = []
    /// Hash -> indices into `spellings` (more than one only on a collision).
    private var byHash: [UInt64: [Int]] = [:]

    static func hash(_ bytes: [UInt8], _ start: Int, _ end: Int) -> UInt64 {
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        return hasher.value
    }

    func lookup(hash: UInt64, _ bytes: [UInt8], _ start: Int, _ end: Int) -> Int? {
        guard let candidates = byHash[hash] else { return nil }
        for candidate in candidates {
            let known = spellings[candidate]
            if known.bytes.count == end - start, known.bytes.withUnsafeBytes({ a in
                bytes.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress! + start, end - start) == 0 }
            }) {
                return known.series
            }
        }
        return nil
    }

    mutating func insert(hash: UInt64, _ text: [UInt8], series: Int) {
        byHash[hash, default: []].append(spellings.count)
        spellings.append((text, series))
    }
}
