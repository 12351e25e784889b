/// How one data file scored at the corpus threshold.
public struct NABFileResult: Sendable, Equatable, Codable {
    /// The file's path relative to the data directory.
    public var file: String
    /// Rows scored (probation included).
    public var rows: Int
    /// Windows that are scored: they have at least one row after probation.
    public var windows: Int
    /// Windows that are not scored, as in NAB: they match no row, or lie wholly in probation.
    public var ignoredWindows: Int
    /// Windows with at least one detection.
    public var truePositives: Int
    /// Detections outside every window (after probation).
    public var falsePositives: Int
    /// Windows without a detection.
    public var falseNegatives: Int
    /// The file's raw NAB score: weighted true positives, false positives and missed windows.
    public var rawScore: Double

    public init(file: String, rows: Int, windows: Int, ignoredWindows: Int, truePositives: Int,
                falsePositives: Int, falseNegatives: Int, rawScore: Double) {
        self.file = file
        self.rows = rows
        self.windows = windows
        self.ignoredWindows = ignoredWindows
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
        self.rawScore = rawScore
    }
}

/// A detector's NAB result on a corpus under one profile.
public struct NABResult: Sendable, Equatable, Codable {
    /// The profile whose weights were applied.
    public var profile: NABProfile
    /// Per-file results at `threshold`, in the order the files were given.
    public var files: [NABFileResult]
    /// The corpus threshold: a row is a detection when its score >= threshold. 1.1 (NAB's
    /// value) when firing nowhere scores best.
    public var threshold: Double
    /// 100 * (S - S_null) / (S_perfect - S_null); 0 when the corpus has no scored window.
    public var score: Double
    /// S: the summed raw score of every file at `threshold`.
    public var rawScore: Double
    /// S_null: the raw score of a detector that never fires (-A_FN per window).
    public var nullScore: Double
    /// S_perfect: the raw score of a detector firing at the first scored row of every window
    /// and nowhere else (A_TP per window that starts after probation).
    public var perfectScore: Double
    /// Windows detected, over the corpus.
    public var truePositives: Int
    /// Detections outside every window, over the corpus.
    public var falsePositives: Int
    /// Windows missed, over the corpus.
    public var falseNegatives: Int

    /// Detection-level precision TP / (TP + FP); 0 when nothing fires.
    public var precision: Double {
        truePositives + falsePositives == 0 ? 0 : Double(truePositives) / Double(truePositives + falsePositives)
    }

    /// Detection-level recall TP / (TP + FN); 0 when there is no window.
    public var recall: Double {
        truePositives + falseNegatives == 0 ? 0 : Double(truePositives) / Double(truePositives + falseNegatives)
    }

    public init(profile: NABProfile, files: [NABFileResult], threshold: Double, score: Double, rawScore: Double,
                nullScore: Double, perfectScore: Double, truePositives: Int, falsePositives: Int, falseNegatives: Int) {
        self.profile = profile
        self.files = files
        self.threshold = threshold
        self.score = score
        self.rawScore = rawScore
        self.nullScore = nullScore
        self.perfectScore = perfectScore
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
    }

    private enum CodingKeys: String, CodingKey {
        case profile, files, threshold, score, rawScore, nullScore, perfectScore
        case truePositives, falsePositives, falseNegatives, precision, recall
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            profile: try c.decode(NABProfile.self, forKey: .profile),
            files: try c.decode([NABFileResult].self, forKey: .files),
            threshold: try c.decode(Double.self, forKey: .threshold),
            score: try c.decode(Double.self, forKey: .score),
            rawScore: try c.decode(Double.self, forKey: .rawScore),
            nullScore: try c.decode(Double.self, forKey: .nullScore),
            perfectScore: try c.decode(Double.self, forKey: .perfectScore),
            truePositives: try c.decode(Int.self, forKey: .truePositives),
            falsePositives: try c.decode(Int.self, forKey: .falsePositives),
            falseNegatives: try c.decode(Int.self, forKey: .falseNegatives))
    }

    /// Encodes the stored fields plus precision and recall, so the JSON report carries them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(profile, forKey: .profile)
        try c.encode(files, forKey: .files)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(score, forKey: .score)
        try c.encode(rawScore, forKey: .rawScore)
        try c.encode(nullScore, forKey: .nullScore)
        try c.encode(perfectScore, forKey: .perfectScore)
        try c.encode(truePositives, forKey: .truePositives)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(falseNegatives, forKey: .falseNegatives)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
    }
}
