import AIOpsCore
/// A label viewed in place: byte ranges of its name and value in `WriteBatch.buffer`.
///
/// UInt32 is enough: a snappy body declares at most 2^32-1 bytes.
public struct LabelRef: Equatable, Sendable {
    public var nameOffset: UInt32
    public var nameLength: UInt32
    public var valueOffset: UInt32
    public var valueLength: UInt32

    @inlinable
    public init(nameOffset: UInt32, nameLength: UInt32, valueOffset: UInt32, valueLength: UInt32) {
        self.nameOffset = nameOffset
        self.nameLength = nameLength
        self.valueOffset = valueOffset
        self.valueLength = valueLength
    }

    @inlinable public var nameRange: Range<Int> { Int(nameOffset)..<Int(nameOffset) + Int(nameLength) }
    @inlinable public var valueRange: Range<Int> { Int(valueOffset)..<Int(valueOffset) + Int(valueLength) }
}

/// One sample: milliseconds since the epoch and a value (bits kept, stale markers included).
public struct SampleEntry: Equatable, Sendable {
    public var timestamp: Int64
    public var value: Double

    @inlinable
    public init(timestamp: Int64, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }

    /// Whether the value is Prometheus' stale marker (compared by bits, not `isNaN`).
    @inlinable public var isStaleMarker: Bool { StaleMarker.isStale(value) }

    /// Compares value bits, so NaNs (and stale markers) compare equal to themselves.
    public static func == (lhs: SampleEntry, rhs: SampleEntry) -> Bool {
        lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
    }
}

/// One 1.0 `MetricMetadata` entry: the family's type and its name, viewed in place.
public struct MetadataEntry: Equatable, Sendable {
    /// The wire value of `MetricType` (unknown values kept as sent).
    public var type: UInt8
    public var familyNameOffset: UInt32
    public var familyNameLength: UInt32

    @inlinable
    public init(type: UInt8, familyNameOffset: UInt32, familyNameLength: UInt32) {
        self.type = type
        self.familyNameOffset = familyNameOffset
        self.familyNameLength = familyNameLength
    }

    @inlinable public var familyNameRange: Range<Int> { Int(familyNameOffset)..<Int(familyNameOffset) + Int(familyNameLength) }
}

/// One series of a batch: ranges into the batch's flat `labels` and `samples` arrays.
public struct SeriesEntry: Equatable, Sendable {
    public var labelStart: UInt32
    public var labelCount: UInt32
    public var sampleStart: UInt32
    public var sampleCount: UInt32
    /// Native histograms of the series (counted, not decoded).
    public var histogramCount: UInt32
    /// Exemplars of the series (counted, not decoded).
    public var exemplarCount: UInt32
    /// 2.0 only: the metadata type, or nil when the series carries no metadata.
    public var metadataType: UInt8?

    @inlinable
    public init(labelStart: UInt32, labelCount: UInt32, sampleStart: UInt32, sampleCount: UInt32,
                histogramCount: UInt32 = 0, exemplarCount: UInt32 = 0, metadataType: UInt8? = nil) {
        self.labelStart = labelStart
        self.labelCount = labelCount
        self.sampleStart = sampleStart
        self.sampleCount = sampleCount
        self.histogramCount = histogramCount
        self.exemplarCount = exemplarCount
        self.metadataType = metadataType
    }

    @inlinable public var labelRange: Range<Int> { Int(labelStart)..<Int(labelStart) + Int(labelCount) }
    @inlinable public var sampleRange: Range<Int> { Int(sampleStart)..<Int(sampleStart) + Int(sampleCount) }
}

/// Where a series' key (`Labels.Key` layout) lies in `WriteBatch.buffer` when the request
/// carries it verbatim (a 1.0 series with sorted labels, each encoded as `Labels.Key` does:
/// what Prometheus sends), so it needs no copy; `.none` when it must be built.
public struct KeySpan: Equatable, Sendable {
    public var start: UInt32
    public var end: UInt32

    @inlinable
    public init(start: UInt32, end: UInt32) {
        self.start = start
        self.end = end
    }

    public static let none = KeySpan(start: .max, end: .max)

    @inlinable public var isNone: Bool { start == .max }
}

/// Every series, label and sample of one request in flat arrays, reused across requests so
/// that decoding allocates nothing once the arrays have grown to the working size.
///
/// Labels of 1.0 and 2.0 requests alike are byte ranges into `buffer` (for 2.0, the symbol
/// bytes), so the consumer does not care which version it got.
public struct WriteBatch: Sendable {
    /// The decompressed body; label ranges point into it.
    public var buffer: [UInt8] = []
    public var series: [SeriesEntry] = []
    public var labels: [LabelRef] = []
    public var samples: [SampleEntry] = []
    /// Per series (parallel to `series`): its key's span in `buffer`, or `.none`.
    public var keySpans: [KeySpan] = []
    /// 2.0 `start_timestamp` per sample, parallel to `samples`; empty while every one is 0
    /// (unset), which keeps the common case at 16 bytes per sample.
    public var startTimestamps: [Int64] = []
    /// The version the batch was decoded as.
    public var version: RemoteWriteVersion = .v1
    public var histogramCount = 0
    public var exemplarCount = 0
    /// 1.0: `MetricMetadata` entries of the request; 2.0: series that carry metadata.
    public var metadataCount = 0
    /// 1.0 only: the request's `MetricMetadata` entries (2.0 carries the type per series,
    /// in `SeriesEntry.metadataType`).
    public var metadata: [MetadataEntry] = []

    public init() {}

    /// Empties the batch, keeping every array's capacity (`buffer` keeps its bytes too: the
    /// next decompression resizes it without clearing).
    public mutating func removeAll() {
        series.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        samples.removeAll(keepingCapacity: true)
        keySpans.removeAll(keepingCapacity: true)
        startTimestamps.removeAll(keepingCapacity: true)
        histogramCount = 0
        exemplarCount = 0
        metadataCount = 0
        metadata.removeAll(keepingCapacity: true)
    }

    /// Samples in the batch (the 2.0 `Samples-Written` header on success).
    @inlinable public var sampleCount: Int { samples.count }

    /// The samples of series `index`, viewed in place.
    @inlinable
    public func samples(ofSeries index: Int) -> ArraySlice<SampleEntry> {
        samples[series[index].sampleRange]
    }

    /// The labels of series `index`, viewed in place.
    @inlinable
    public func labels(ofSeries index: Int) -> ArraySlice<LabelRef> {
        labels[series[index].labelRange]
    }

    /// The 2.0 start timestamp of sample `index` (0 when unset).
    @inlinable
    public func startTimestamp(ofSample index: Int) -> Int64 {
        startTimestamps.isEmpty ? 0 : startTimestamps[index]
    }

    /// The name bytes of a label, viewed in place.
    @inlinable
    public func nameBytes(_ label: LabelRef) -> ArraySlice<UInt8> { buffer[label.nameRange] }

    /// The value bytes of a label, viewed in place.
    @inlinable
    public func valueBytes(_ label: LabelRef) -> ArraySlice<UInt8> { buffer[label.valueRange] }

    /// The family name of a 1.0 metadata entry (allocates; metadata requests are rare).
    public func familyName(_ entry: MetadataEntry) -> String { String(decoding: buffer[entry.familyNameRange], as: UTF8.self) }

    /// The name of a label (allocates).
    public func name(_ label: LabelRef) -> String { String(decoding: nameBytes(label), as: UTF8.self) }

    /// The value of a label (allocates).
    public func value(_ label: LabelRef) -> String { String(decoding: valueBytes(label), as: UTF8.self) }
}
