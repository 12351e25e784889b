import RemoteWrite
import Store

/// The tally of one remote-write request: what was written, what was refused and why.
struct IngestResult {
    /// Samples stored (appended), resent duplicates, and stale markers recorded.
    var written = 0
    var histograms = 0
    var exemplars = 0
    /// Samples by reason, for the counters.
    var byReason: [String: Int] = [:]
    /// Samples refused in a way the sender should hear about (400).
    var rejected = 0
    /// The first refusal, for the response body.
    var firstError: String?
    /// Samples by store outcome (`SampleOutcome.rawValue`, 6 cases in 8 lanes): counted per
    /// sample without hashing a string or touching a heap array, folded into `byReason` once
    /// per request.
    var outcomes = SIMD8<Int>()

    mutating func count(_ reason: String, _ n: Int = 1) {
        byReason[reason, default: 0] += n
    }

    mutating func reject(_ reason: String, _ n: Int, because description: @autoclosure () -> String) {
        guard n > 0 else { return }
        rejected += n
        count(reason, n)
        if firstError == nil { firstError = description() }
    }

    /// A refusal already counted in `outcomes` (out of order, conflicting duplicate).
    mutating func rejectCounted(because description: @autoclosure () -> String) {
        rejected += 1
        if firstError == nil { firstError = description() }
    }

    /// Adds the per-outcome tallies to `byReason`.
    mutating func foldOutcomes() {
        for outcome in SampleOutcome.allCases where outcomes[Int(outcome.rawValue)] > 0 {
            count(outcome.description, outcomes[Int(outcome.rawValue)])
        }
    }

    /// One line for a 400 body: `accepted 998 of 1000 samples; rejected 2 (out_of_order 2); first: ...`.
    func summary(total: Int) -> String {
        let reasons = byReason.filter { Self.rejectionReasons.contains($0.key) && $0.value > 0 }
            .sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var out = "accepted \(written) of \(total) samples; rejected \(rejected) (\(reasons))"
        if let firstError { out += "; first: \(firstError)" }
        return out
    }

    static let rejectionReasons: Set<String> = [
        "invalid_series", "series_limit", "out_of_order", "duplicate_timestamp_conflict", "too_old", "too_far_in_future",
    ]
}
