/// Why a series of a decoded batch is not acceptable, with the series index and the label
/// concerned; the server decides what to do (Prometheus answers 400 and may keep the rest).
public enum SeriesIssue: Error, Equatable, Sendable, CustomStringConvertible {
    case missingMetricName(series: Int)
    case emptyMetricName(series: Int)
    case invalidMetricName(series: Int, name: String)
    case emptyLabelName(series: Int)
    case invalidLabelName(series: Int, name: String)
    case emptyLabelValue(series: Int, name: String)
    case duplicateLabelName(series: Int, name: String)
    /// A name or value is not valid UTF-8 (it would not survive `String(decoding:)`).
    case invalidUTF8(series: Int, name: String)
    case tooManyLabels(series: Int, count: Int, limit: Int)
    case labelNameTooLong(series: Int, name: String, length: Int, limit: Int)
    case labelValueTooLong(series: Int, name: String, length: Int, limit: Int)
    /// The series carries neither samples nor histograms.
    case noSamples(series: Int)
    /// 2.0: a series carries samples or histograms, not both.
    case samplesAndHistograms(series: Int)

    public var description: String {
        switch self {
        case let .missingMetricName(series):
            return "series \(series): missing __name__ label"
        case let .emptyMetricName(series):
            return "series \(series): empty __name__ label"
        case let .invalidMetricName(series, name):
            return "series \(series): invalid metric name \"\(name.prefix(200))\""
        case let .emptyLabelName(series):
            return "series \(series): empty label name"
        case let .invalidLabelName(series, name):
            return "series \(series): invalid label name \"\(name.prefix(200))\""
        case let .emptyLabelValue(series, name):
            return "series \(series): empty value for label \"\(name.prefix(200))\""
        case let .duplicateLabelName(series, name):
            return "series \(series): duplicate label name \"\(name.prefix(200))\""
        case let .invalidUTF8(series, name):
            return "series \(series): label \"\(name.prefix(200))\" is not valid UTF-8"
        case let .tooManyLabels(series, count, limit):
            return "series \(series): \(count) labels exceed the limit of \(limit)"
        case let .labelNameTooLong(series, name, length, limit):
            return "series \(series): label name \"\(name.prefix(64))...\" of \(length) bytes exceeds \(limit)"
        case let .labelValueTooLong(series, name, length, limit):
            return "series \(series): value of label \"\(name.prefix(200))\" of \(length) bytes exceeds \(limit)"
        case let .noSamples(series):
            return "series \(series): no samples or histograms"
        case let .samplesAndHistograms(series):
            return "series \(series): both samples and histograms"
        }
    }
}

/// What `WriteBatch.validate(series:options:)` checks beyond names and duplicates.
public struct SeriesValidationOptions: Sendable {
    /// Report labels whose value is empty (the spec forbids them; Prometheus treats them as absent).
    public var rejectEmptyLabelValues: Bool
    /// Report series with neither samples nor histograms.
    public var requireSamples: Bool
    public var maxLabelCount: Int?
    public var maxLabelNameLength: Int?
    public var maxLabelValueLength: Int?

    public init(rejectEmptyLabelValues: Bool = true, requireSamples: Bool = true,
                maxLabelCount: Int? = nil, maxLabelNameLength: Int? = nil, maxLabelValueLength: Int? = nil) {
        self.rejectEmptyLabelValues = rejectEmptyLabelValues
        self.requireSamples = requireSamples
        self.maxLabelCount = maxLabelCount
        self.maxLabelNameLength = maxLabelNameLength
        self.maxLabelValueLength = maxLabelValueLength
    }
}
