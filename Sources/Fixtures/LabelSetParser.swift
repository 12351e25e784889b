import AIOpsCore

/// Parses `name{a="b", c="d"}` from bytes: the series syntax shared by exposition
/// lines and `--metric`.
///
/// Accepts Prometheus 3 / OpenMetrics 2 quoted names (`{"my.metric", "a.b"="c"}`),
/// a trailing comma, blanks around tokens, and `'` as well as `"` quotes. Escapes
/// `\\`, `\"`, `\'`, `\n`, `\t` are decoded; any other backslash pair is kept as written,
/// like Prometheus' text parser. A label with an empty value is dropped: Prometheus
/// treats it as absent.
struct LabelSetParser {
    /// Where (byte index into the buffer) and why parsing stopped.
    struct Failure: Error {
        var index: Int
        var reason: String
    }

    struct Result {
        /// Labels sorted into a set, `__name__` included when a name was given.
        var labels: Labels
        /// The index after the series text.
        var next: Int
    }

    let bytes: [UInt8]
    let end: Int
    var i: Int

    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        self.i = start
        self.end = end
    }

    /// Parses a series starting at the current index.
    /// - Parameter requireName: whether a metric name must be present.
    mutating func parse(requireName: Bool) throws(Failure) -> Result {
        var labels: [Label] = []
        var name: String?
        skipBlanks()
        if i < end, ByteText.isMetricNameStart(bytes[i]) {
            let start = i
            while i < end, ByteText.isMetricNameChar(bytes[i]) { i += 1 }
            name = ByteText.string(bytes, start, i)
        } else if i < end, bytes[i] != UInt8(ascii: "{") {
            throw Failure(index: i, reason: "expected a metric name or '{', found '\(char(i))'")
        }
        let afterName = i
        skipBlanks()
        if i < end, bytes[i] == UInt8(ascii: "{") {
            i += 1
            try parseBraces(into: &labels, name: &name)
        } else {
            i = afterName
        }
        if let name {
            if let existing = labels.first(where: { $0.name == Labels.metricNameLabel }) {
                if existing.value != name {
                    throw Failure(index: afterName, reason: "metric name \"\(name)\" conflicts with __name__=\"\(existing.value)\"")
                }
            } else {
                labels.append(Label(Labels.metricNameLabel, name))
            }
        }
        if requireName, !labels.contains(where: { $0.name == Labels.metricNameLabel }) {
            throw Failure(index: i, reason: "missing metric name")
        }
        labels.removeAll { $0.value.isEmpty }
        return Result(labels: Labels(labels), next: i)
    }

    private mutating func parseBraces(into labels: inout [Label], name: inout String?) throws(Failure) {
        while true {
            skipBlanks()
            guard i < end else { throw Failure(index: i, reason: "unterminated label set, expected '}'") }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            let nameStart = i
            let labelName: String
            var quotedName = false
            if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                labelName = try parseQuoted()
                quotedName = true
            } else if ByteText.isLabelNameStart(bytes[i]) {
                while i < end, ByteText.isLabelNameChar(bytes[i]) { i += 1 }
                labelName = ByteText.string(bytes, nameStart, i)
            } else {
                throw Failure(index: i, reason: "expected a label name, found '\(char(i))'")
            }
            skipBlanks()
            guard i < end else { throw Failure(index: i, reason: "unterminated label set, expected '}'") }
            if quotedName, bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}") {
                // A quoted string standing alone is the metric name (Prometheus 3 syntax).
                if name != nil { throw Failure(index: nameStart, reason: "metric name given twice") }
                name = labelName
            } else {
                try expectEquals(after: labelName)
                skipBlanks()
                guard i < end, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw Failure(index: i, reason: "expected a quoted value for label \"\(labelName)\"")
                }
                let value = try parseQuoted()
                if labels.contains(where: { $0.name == labelName }) {
                    throw Failure(index: nameStart, reason: "duplicate label \"\(labelName)\"")
                }
                labels.append(Label(labelName, value))
            }
            skipBlanks()
            guard i < end else { throw Failure(index: i, reason: "unterminated label set, expected '}'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw Failure(index: i, reason: "expected ',' or '}', found '\(char(i))'")
        }
    }

    private mutating func expectEquals(after labelName: String) throws(Failure) {
        let b = bytes[i]
        if b == UInt8(ascii: "=") {
            if i + 1 < end, bytes[i + 1] == UInt8(ascii: "~") {
                throw Failure(index: i, reason: "only '=' matchers are allowed, found '=~' after \"\(labelName)\"")
            }
            i += 1
            return
        }
        if b == UInt8(ascii: "!") {
            let op = i + 1 < end && bytes[i + 1] == UInt8(ascii: "~") ? "!~" : "!="
            throw Failure(index: i, reason: "only '=' matchers are allowed, found '\(op)' after \"\(labelName)\"")
        }
        throw Failure(index: i, reason: "expected '=' after label name \"\(labelName)\", found '\(char(i))'")
    }

    /// Parses a quoted string at `i`, decoding escapes.
    private mutating func parseQuoted() throws(Failure) -> String {
        let quote = bytes[i]
        let open = i
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < end, bytes[i] != quote, bytes[i] != UInt8(ascii: "\\") { i += 1 }
        if i < end, bytes[i] == quote {
            i += 1
            return ByteText.string(bytes, start, i - 1)
        }
        var out = Array(bytes[start..<i])
        while i < end {
            let b = bytes[i]
            if b == quote {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                guard i + 1 < end else { break }
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e)
                case UInt8(ascii: "n"): out.append(ByteText.newline)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(b); out.append(e)
                }
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
        throw Failure(index: open, reason: "unterminated quoted string")
    }

    private mutating func skipBlanks() {
        while i < end, ByteText.isSpace(bytes[i]) { i += 1 }
    }

    private func char(_ index: Int) -> String {
        guard index < end else { return "end of text" }
        return String(decoding: [bytes[index]], as: UTF8.self)
    }
}
