import AIOpsCore
import Foundation

/// The largest value a smooth statistic reached up to a few hours ago, forgotten slowly.
///
/// `SurpriseRecord` compares a sample with everything before it, which suits a statistic that
/// jumps (a spike's z). A smoothed statistic (a one-hour mean, a density of spikes) rises over
/// many samples instead, and a record that followed it step by step would never be broken:
/// each sample is barely above the one before. This record sees the statistic only after a
/// delay: block maxima (one per `blockMs` of event time) wait in a ring of `slots` before they
/// enter it. A new behaviour is thus judged against the series' history until a few hours ago,
/// and becomes part of that history once it has lasted that long.
///
/// Memory: 4 Floats and a few words, inline; `observe` is O(1) amortised (a long gap flushes at
/// most `slots` blocks).
struct DelayedRecord: Sendable {
    static let slots = 4

    var ring = InlineArray<4, Float>(repeating: 0)
    /// The record: the maximum of the blocks that left the ring, decayed per block.
    var value: Double = 0
    /// The maximum of the current block, and when it started.
    var current: Double = 0
    var blockStart: Timestamp = .min
    var next: Int = 0
    var filled: Int = 0

    @inline(__always)
    func ratio(_ statistic: Double, margin: Double, floor: Double) -> Double {
        statistic / max(value * margin, floor)
    }

    /// Adds a statistic at event time `t` (after scoring with it).
    /// - Parameters:
    ///   - blockMs: the length of a block in event time; the delay is `slots` blocks.
    ///   - decay: the factor the record is multiplied by per block.
    /// - Complexity: O(1) amortised.
    mutating func observe(_ statistic: Double, at t: Timestamp, blockMs: Int64, decay: Double) {
        if blockStart == .min { blockStart = t }
        var pushed = 0
        while t - blockStart >= blockMs {
            push(pushed == 0 ? current : 0, decay: decay)
            current = 0
            pushed += 1
            blockStart += blockMs
            if pushed > Self.slots {
                // A gap longer than the ring: everything pending has entered the record.
                blockStart = t
                break
            }
        }
        let s = statistic.isFinite ? statistic : 0
        current = max(current, s)
    }

    private mutating func push(_ block: Double, decay: Double) {
        value *= decay
        if filled == Self.slots {
            // The slot about to be overwritten holds the block pushed `slots` blocks ago.
            value = max(value, Double(ring[next]))
        } else {
            filled += 1
        }
        ring[next] = Float(block)
        next = (next + 1) % Self.slots
    }
}
