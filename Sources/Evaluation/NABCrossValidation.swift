import Foundation

/// Leave-one-category-out scores: how the detector does on a kind of series whose scores played
/// no part in choosing anything.
///
/// The detector's constants are fixed in code, so the one thing fitted to a corpus is NAB's own
/// corpus threshold. For each category (the first path component of a file, e.g.
/// `realKnownCause`), the threshold is chosen on the other categories and applied to this one.
/// The held-out raw scores, added up and normalised with the held-out null and perfect scores,
/// give the cross-validated score, to compare with the full-subset score.
public struct NABCrossValidation: Sendable, Equatable {
    public struct Fold: Sendable, Equatable {
        public var category: String
        public var files: Int
        /// The threshold chosen without this category.
        public var threshold: Double
        /// This category's normalised score at that threshold.
        public var heldOut: Double
        /// This category's normalised score at the full subset's threshold (for comparison).
        public var inSample: Double
        var raw: Double
        var null: Double
        var perfect: Double
    }

    public var profile: NABProfile
    public var folds: [Fold]
    /// The full subset at its own best threshold.
    public var fullScore: Double
    /// The held-out categories' raw scores, normalised together.
    public var crossValidatedScore: Double

    /// The category of a file: its first path component ("" for a file at the top).
    public static func category(of file: String) -> String {
        let parts = file.split(separator: "/", maxSplits: 1)
        return parts.count > 1 ? String(parts[0]) : ""
    }

    public static func run(_ files: [NABFile], profile: NABProfile) -> NABCrossValidation {
        let full = NABScorer.evaluate(files, profile: profile)
        let categories = Array(Set(files.map { category(of: $0.name) })).sorted()
        var folds: [Fold] = []
        var raw = 0.0, null = 0.0, perfect = 0.0
        for name in categories {
            let inside = files.filter { category(of: $0.name) == name }
            let outside = files.filter { category(of: $0.name) != name }
            let threshold = outside.isEmpty ? full.threshold : NABScorer.evaluate(outside, profile: profile).threshold
            let held = NABScorer.score(inside, profile: profile, threshold: threshold)
            let same = NABScorer.score(inside, profile: profile, threshold: full.threshold)
            folds.append(Fold(category: name, files: inside.count, threshold: threshold, heldOut: held.score,
                              inSample: same.score, raw: held.rawScore, null: held.nullScore, perfect: held.perfectScore))
            raw += held.rawScore
            null += held.nullScore
            perfect += held.perfectScore
        }
        let cv = perfect > null ? 100 * (raw - null) / (perfect - null) : 0
        return NABCrossValidation(profile: profile, folds: folds, fullScore: full.score, crossValidatedScore: cv)
    }

    /// An aligned table: one row per held-out category, then the totals.
    public func text() -> String {
        var out = "cross-validation (\(profile.name)): each category scored at the threshold chosen on the others\n"
        var table = NABReport.Table(headers: ["category", "files", "threshold", "held-out", "in-sample"], leftAligned: 1)
        for fold in folds {
            table.rows.append([fold.category, String(fold.files), NABReport.fixed(fold.threshold, 6),
                               NABReport.fixed(fold.heldOut, 2), NABReport.fixed(fold.inSample, 2)])
        }
        out += table.render()
        out += "\nfull subset \(NABReport.fixed(fullScore, 2)), cross-validated \(NABReport.fixed(crossValidatedScore, 2))\n"
        return out
    }
}
