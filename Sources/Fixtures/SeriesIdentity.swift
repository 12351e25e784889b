import AIOpsCore

/// Parses a series identity as users write it for `aiops replay --metric`.
public enum SeriesIdentity {
    /// Parses `name{a="b", c="d"}`, `name`, or `{__name__="name", a="b"}`.
    ///
    /// Only `=` matchers: this names one series, it does not select. Values may be in
    /// `"` or `'` quotes; labels with empty values are dropped (Prometheus treats them as
    /// absent).
    /// - Throws: `SeriesIdentityError` with the 1-based column of the problem.
    public static func parse(_ text: String) throws(SeriesIdentityError) -> Labels {
        let bytes = Array(text.utf8)
        var parser = LabelSetParser(bytes, from: 0, to: bytes.count)
        let result: LabelSetParser.Result
        do {
            result = try parser.parse(requireName: true)
        } catch {
            throw SeriesIdentityError(text: text, column: error.index + 1, reason: error.reason)
        }
        var rest = result.next
        while rest < bytes.count, ByteText.isSpaceOrNewline(bytes[rest]) { rest += 1 }
        if rest < bytes.count {
            throw SeriesIdentityError(text: text, column: rest + 1, reason: "unexpected text after the series: \(ByteText.quote(bytes, rest, bytes.count))")
        }
        return result.labels
    }

    /// Turns any text (e.g. a file's base name) into a valid metric name: characters
    /// outside `[a-zA-Z0-9_:]` become `_`, a leading digit gets a `_` prefix, and empty
    /// text becomes `series`.
    public static func sanitizedMetricName(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 1)
        for scalar in text.unicodeScalars {
            if scalar.isASCII, ByteText.isMetricNameChar(UInt8(scalar.value)) {
                out.append(UInt8(scalar.value))
            } else {
                out.append(UInt8(ascii: "_"))
            }
        }
        if out.isEmpty { return "series" }
        if ByteText.isDigit(out[0]) { out.insert(UInt8(ascii: "_"), at: 0) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A `--metric` value that does not parse: what, where and why.
public struct SeriesIdentityError: Error, CustomStringConvertible, Equatable, Sendable {
    public var text: String
    /// 1-based byte column.
    public var column: Int
    public var reason: String

    public var description: String { "invalid series \"\(text)\": column \(column): \(reason)" }
}
