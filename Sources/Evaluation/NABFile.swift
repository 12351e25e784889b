import AIOpsCore

/// One data file as the scorer sees it: the detector's anomaly score for every row, computed
/// causally, and the file's labeled windows.
public struct NABFile: Sendable, Equatable {
    /// The file's path relative to the data directory, as in windows.json.
    public var name: String
    /// Row timestamps, in time order (NAB's files are).
    public var timestamps: [Timestamp]
    /// One anomaly score in [0, 1] per row. Values outside are clamped into [0, 1]; a NaN row
    /// never counts as a detection.
    public var scores: [Double]
    /// The labeled windows, both ends inclusive.
    public var windows: [ClosedRange<Timestamp>]

    /// - Parameters: see the properties. When `timestamps` and `scores` differ in length, the
    ///   rows past the shorter one are not scored.
    public init(name: String, timestamps: [Timestamp], scores: [Double], windows: [ClosedRange<Timestamp>]) {
        self.name = name
        self.timestamps = timestamps
        self.scores = scores
        self.windows = windows
    }
}
