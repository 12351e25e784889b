import AIOpsCore

/// Robust growth rate over three sliding windows at once, for leaks (growth toward a limit)
/// and for values falling toward a floor, so a leak is found in time proportional to how
/// small it is.
///
/// The windows are 1, 6 and 24 times the spec's `window` (1 h, 6 h and 24 h for the default
/// 1 h), each cut into 32 buckets by wall-clock time, so memory does not depend on the scrape
/// interval. Each bucket keeps its minimum and maximum; a fit runs on the minima for `up` (a
/// garbage-collected heap's troughs carry the leak, not its sawtooth), the maxima for `down`
/// (the level of a disk's free bytes), the mid-range for `both`. The samples feed the shortest
/// window's buckets; each of its closed buckets is merged into the open buckets of the two
/// longer windows, so the longer windows cost nothing per sample. Once per closed bucket of a
/// window, that window is refitted:
/// - Mann–Kendall S over the bucket points gives a monotonic-trend z (significant at |z| ≥ 3);
/// - Theil–Sen (median of pairwise slopes) gives the rate, and the median residual the line;
/// - a step is not a leak: the Theil–Sen slopes of both halves of the window must point the
///   same way and be at least 0.3 of the whole window's;
/// - growth per hour relative to the level (or to the headroom left to `limit` when known)
///   is compared with `minRelativeGrowthPerHour`, the same for every window: the windows
///   differ in how small a trend they can tell from the sawtooth, not in what is relevant.
/// score = min(s(growth / minRelativeGrowthPerHour), s(z / 3)), both calibrated so 1 → 0.5.
///
/// The two shorter windows need 8 non-empty buckets spanning half the window; the longest
/// needs them spanning 7/8 of it, so that with a 1 h `window` it has seen (almost) a whole day
/// before it judges. A trend of a shorter window counts only if it holds across windows:
/// - the longest window, once fitted, slopes the same way at no less than 0.3 of its rate (the
///   rising half of a daily curve fails this: a day-long fit that ends in the rising half
///   slopes down, since most of the day's high values lie in its first half, and one that ends
///   at the peak is flat), or
/// - its line has left the range of the longest window's points older than it, by a quarter
///   of that range (a cycle returns to the range it came from; a leak leaves it). With no
///   older points (a series younger than the window) there is nothing to contradict it.
/// So a fast leak that starts in the rising half of a daily curve is reported once it climbs
/// out of the previous hours' range, and a leak from a steady level as soon as it shows. The
/// longest window is not guarded: its halves test rejects a daily curve, since the two halves
/// of a full cycle slope opposite ways. Before a day has been seen, a daily rise from the
/// series' lowest point so far is indistinguishable from a leak that started with the series,
/// and is reported if it would reach the limit within about 1/`minRelativeGrowthPerHour`
/// hours.
///
/// The output is the fit of the window that found the current finding (the shortest scoring
/// 0.5 when it began) while it keeps scoring 0.5, else the best-scoring window (the shortest
/// fitted one when none scores): its rate, line and time to the limit, and `windowPoints`
/// draws its buckets.
///
/// A window shorter than a few sawtooth periods can alias: when it holds a whole number of
/// periods and ends on a ramp, its troughs seem to climb by about the sawtooth's height per
/// window. That shows as a flicker of one bucket per period, which an incident's `for` does
/// not turn into an alarm.
///
/// A restart (for `up` a drop 20 % below the recent troughs, those of the previous and the open
/// shortest-window bucket or of the two previous ones; for `down` a jump 20 % above the recent
/// crests) clears the shorter windows instead of alarming
/// (`reset(.gap)` clears all three; shorter gaps just leave empty buckets). After a restart
/// nothing scores until the shortest window is full again: a warm-up (caches refilling) is not
/// a leak, and a whole window of it shows the climb flattening, which the halves test rejects.
/// The longest window keeps its day, so a refill that takes hours (a cache evicted every night)
/// counts only once it climbs past where the series was before, by its sawtooth's height;
/// unless that was near the limit, where an OOM kill's loop climbs again.
///
/// `secondsToLimit` extrapolates the line plus the envelope the fit ignores (the upper
/// decile of how far bucket maxima sit above the line for `up`, the lower decile of minima
/// for `down`), since a heap hits its limit at a sawtooth peak, not at a trough.
///
/// Values are kept as single-precision offsets from the first value since the last clear
/// (`base`), so three windows fit in 952 bytes; a level of 8e9 keeps its small steps.
struct LeakDetector: Sendable {
    static let buckets = 32
    /// Windows, shortest first.
    static let windows = 3
    /// Mann–Kendall z at which the trend part of the score reaches 0.5.
    static let trendZ = 3.0
    static let minimumPoints = 8
    /// A restart: the value falls this fraction of the level below the recent minimum (`up`;
    /// above the recent maximum for `down`). A GC sawtooth drops to its troughs, not below them.
    static let restartFraction = 0.2
    /// How far (as a fraction of that range) a shorter window's trend must leave the range of
    /// the longest window's older points to count without the longest window's agreement.
    static let rangeMargin = 0.25
    /// Older buckets whose extreme came within this fraction of the limit were near it: after a
    /// restart there, a climb back is an OOM kill's loop, not a refill (`leftOlderRange`).
    static let limitNearness = 0.1
    /// A shorter window's trend holds across windows when the longest window's slope points
    /// the same way and is at least this fraction of it (as for the halves of a window).
    static let holdFraction: Float = 0.3

    /// Each window's span (and bucket) in units of the spec's window (and the shortest bucket).
    @inline(__always)
    static func multiple(_ level: Int) -> Int64 { level == 0 ? 1 : (level == 1 ? 6 : 24) }

    /// Bucket minima and maxima, offsets from `base`: window k's bucket b at 32k + b mod 32.
    var lows = InlineArray<96, Float>(repeating: .nan)
    var highs = InlineArray<96, Float>(repeating: .nan)
    /// Where in its bucket (in 1/256) the shortest window's bucket point lies; the longer
    /// windows place theirs at the bucket's middle.
    var fractions = InlineArray<32, UInt8>(repeating: 0)
    /// The value the offsets are taken from: the first since the last clear.
    var base: Double = .nan
    /// The shortest window's open bucket: its absolute index, extremes and where they lie.
    var head: Int64 = 0
    var openLow: Float = .nan
    var openHigh: Float = .nan
    var openLowFraction: UInt8 = 0
    var openHighFraction: UInt8 = 0
    var open = false
    /// The longer windows' open buckets (windows 1 and 2), merged from closed shortest buckets.
    var upperLows = InlineArray<2, Float>(repeating: .nan)
    var upperHighs = InlineArray<2, Float>(repeating: .nan)
    /// The last shortest bucket merged into the longer windows (`.min`: none yet).
    var merged: Int64 = .min
    /// Samples since the start or the last restart.
    var count: Int = 0
    /// Each window's last fit: value = base + intercept + slopePerSecond·(t − origin)/1000.
    var fitted = InlineArray<3, Bool>(repeating: false)
    /// Whether the window's line had left the range of the longest window's older points.
    var beyond = InlineArray<3, Bool>(repeating: false)
    var slopes = InlineArray<3, Float>(repeating: 0)
    var intercepts = InlineArray<3, Float>(repeating: 0)
    var envelopes = InlineArray<3, Float>(repeating: 0)
    var scores = InlineArray<3, Float>(repeating: 0)
    var origins = InlineArray<3, Int64>(repeating: 0)
    /// The window whose finding is being reported (−1: none); see `reportedWindow`.
    var reported: Int8 = -1
    /// After a restart, no score before this event time (see `update`).
    var settleUntil: Timestamp = .min

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Window `level`'s slot for absolute bucket `index`.
    @inline(__always)
    static func slot(_ level: Int, _ index: Int64) -> Int { level &* 32 &+ Int(((index % 32) + 32) % 32) }

    @inline(__always)
    static func bucketMilliseconds(_ spec: DetectorSpec) -> Int64 { max(spec.window.milliseconds / Int64(Self.buckets), 1) }

    @inline(__always)
    static func fraction(_ t: Timestamp, of index: Int64, bucketMs: Int64) -> UInt8 {
        UInt8(clamping: (t - index * bucketMs) * 256 / bucketMs)
    }

    mutating func update(timestamp t: Timestamp, value x: Double, spec: DetectorSpec, direction: DetectorDirection, limit: Double) -> DetectorOutput {
        let bucketMs = Self.bucketMilliseconds(spec)
        let index = Self.floorDiv(t, bucketMs)

        if open, isRestart(x, direction: direction) {
            restart()
            // A process warming up after a restart (caches refilling for half an hour) climbs
            // like a leak: nothing is judged until the shortest window has seen it whole.
            settleUntil = t + spec.window.milliseconds
        }
        count += 1
        if !open {
            open = true
            if !base.isFinite { base = x }
            head = index
            start(x, t, bucketMs: bucketMs)
        } else if index > head {
            close(direction: direction)
            merge(spec: spec, direction: direction, limit: limit, bucketMs: bucketMs)
            let skipped = index - head - 1
            if skipped >= Int64(Self.buckets) {
                for s in 0..<Self.buckets { lows[s] = .nan; highs[s] = .nan }
            } else if skipped > 0 {
                for b in (head + 1)..<index { lows[Self.slot(0, b)] = .nan; highs[Self.slot(0, b)] = .nan }
            }
            head = index
            start(x, t, bucketMs: bucketMs)
            refit(0, spec: spec, direction: direction, limit: limit, bucketMs: bucketMs)
        } else {
            let y = Float(x - base)
            if !(y >= openLow) { openLow = y; openLowFraction = Self.fraction(t, of: head, bucketMs: bucketMs) }
            if !(y <= openHigh) { openHigh = y; openHighFraction = Self.fraction(t, of: head, bucketMs: bucketMs) }
        }
        return output(at: t, direction: direction, limit: limit, warmup: spec.warmup)
    }

    /// A restart: the value left the recent range by far, the way a process restart or a
    /// cleanup does. The recent range is the previous shortest-window bucket's with the open
    /// one's, or the two previous buckets' (whichever is narrower on the side that matters): a
    /// restart's first sample can land part way back up (a refill that starts at once, under a
    /// sawtooth), and once that sample is the open bucket's extreme the deeper sample after it
    /// is measured against it, not against where the series was.
    /// `mutating` although it changes nothing, so it reads the buckets in place (a
    /// non-mutating method on a struct holding an `InlineArray` copies the struct per call).
    mutating func isRestart(_ x: Double, direction: DetectorDirection) -> Bool {
        let previous = Self.slot(0, head - 1), before = Self.slot(0, head - 2)
        // NaN (an empty bucket) drops out of min and max here: `Float.minimum` and `maximum`
        // return the other operand.
        let withOpen = (low: Double(Float.minimum(openLow, lows[previous])), high: Double(Float.maximum(openHigh, highs[previous])))
        let closed = (low: Double(Float.minimum(lows[previous], lows[before])), high: Double(Float.maximum(highs[previous], highs[before])))
        let recentLow = base + (closed.low.isFinite ? max(withOpen.low, closed.low) : withOpen.low)
        let recentHigh = base + (closed.high.isFinite ? min(withOpen.high, closed.high) : withOpen.high)
        if direction != .down, recentLow.isFinite, recentLow != 0, x < recentLow - Self.restartFraction * abs(recentLow) { return true }
        if direction != .up, recentHigh.isFinite, recentHigh != 0, x > recentHigh + Self.restartFraction * abs(recentHigh) { return true }
        return false
    }

    mutating func start(_ x: Double, _ t: Timestamp, bucketMs: Int64) {
        openLow = Float(x - base)
        openHigh = openLow
        openLowFraction = Self.fraction(t, of: head, bucketMs: bucketMs)
        openHighFraction = openLowFraction
    }

    /// Stores the shortest window's open bucket.
    mutating func close(direction: DetectorDirection) {
        let s = Self.slot(0, head)
        lows[s] = openLow
        highs[s] = openHigh
        switch direction {
        case .up: fractions[s] = openLowFraction
        case .down: fractions[s] = openHighFraction
        case .both: fractions[s] = UInt8((Int(openLowFraction) + Int(openHighFraction)) / 2)
        }
    }

    /// Merges the shortest window's just-closed bucket `head` into the longer windows' open
    /// buckets, first closing (and refitting) a longer window whose open bucket it has left.
    /// - Complexity: O(1) unless a longer window's bucket closes (then its refit, O(32²)).
    mutating func merge(spec: DetectorSpec, direction: DetectorDirection, limit: Double, bucketMs: Int64) {
        let s = Self.slot(0, head)
        let low = lows[s], high = highs[s]
        for level in 1..<Self.windows {
            let m = Self.multiple(level)
            let index = Self.floorDiv(head, m)
            if merged != .min {
                let current = Self.floorDiv(merged, m)
                if index > current {
                    let closed = Self.slot(level, current)
                    lows[closed] = upperLows[level - 1]
                    highs[closed] = upperHighs[level - 1]
                    let skipped = index - current - 1
                    if skipped >= Int64(Self.buckets) {
                        for b in 0..<Self.buckets { lows[level * 32 + b] = .nan; highs[level * 32 + b] = .nan }
                    } else if skipped > 0 {
                        for b in (current + 1)..<index { lows[Self.slot(level, b)] = .nan; highs[Self.slot(level, b)] = .nan }
                    }
                    upperLows[level - 1] = .nan
                    upperHighs[level - 1] = .nan
                    refit(level, spec: spec, direction: direction, limit: limit, bucketMs: bucketMs, openIndex: index)
                }
            }
            if !(low >= upperLows[level - 1]) { upperLows[level - 1] = low }
            if !(high <= upperHighs[level - 1]) { upperHighs[level - 1] = high }
        }
        merged = head
    }

    /// The fitted point of a bucket: its trough for `up`, crest for `down`, mid-range for `both`.
    @inline(__always)
    static func point(_ low: Float, _ high: Float, _ direction: DetectorDirection) -> Float {
        switch direction {
        case .up: return low
        case .down: return high
        case .both: return (low + high) / 2
        }
    }

    /// Fits window `level`'s closed buckets (those before `openIndex`, default the shortest
    /// window's `head`) and caches its rate, line, envelope and score.
    mutating func refit(_ level: Int, spec: DetectorSpec, direction: DetectorDirection, limit: Double, bucketMs shortestMs: Int64, openIndex: Int64? = nil) {
        let n0 = Self.buckets
        let last = Self.windows - 1
        let bucketMs = shortestMs * Self.multiple(level)
        let bucketSeconds = Double(bucketMs) / 1000
        let windowSeconds = bucketSeconds * Double(n0)
        let headIndex = openIndex ?? head
        let first = headIndex - Int64(n0)
        // The longest window judges only once it has seen (almost) all of its span: a day's
        // rise and fall, with the default window.
        let minimumSpan = level == last ? windowSeconds * 7 / 8 : windowSeconds / 2
        var result: (ok: Bool, slope: Double, intercept: Double, envelope: Double, score: Double, beyond: Bool) = (false, 0, 0, 0, 0, false)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * n0) { buffer in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * n0 + DetectorKernels.pairCount(n0)) { floats in
                let base = buffer.baseAddress!
                let ts = UnsafeMutableBufferPointer(start: base, count: n0)
                let ys = UnsafeMutableBufferPointer(start: base + n0, count: n0)
                let es = UnsafeMutableBufferPointer(start: base + 2 * n0, count: n0)
                let scratch = UnsafeMutableBufferPointer(start: base + 3 * n0, count: n0)
                let tf = UnsafeMutableBufferPointer(start: floats.baseAddress!, count: n0)
                let yf = UnsafeMutableBufferPointer(start: floats.baseAddress! + n0, count: n0)
                let slopes = UnsafeMutableBufferPointer(start: floats.baseAddress! + 2 * n0, count: DetectorKernels.pairCount(n0))
                var n = 0
                for b in first..<headIndex {
                    let s = Self.slot(level, b)
                    let lo = lows[s], hi = highs[s]
                    guard lo.isFinite, hi.isFinite else { continue }
                    let fraction = level == 0 ? (Double(fractions[s]) + 0.5) / 256 : 0.5
                    ts[n] = (Double(b - first) + fraction) * bucketSeconds
                    ys[n] = Double(Self.point(lo, hi, direction))
                    switch direction {
                    case .up: es[n] = Double(hi)
                    case .down: es[n] = Double(lo)
                    case .both: es[n] = ys[n]
                    }
                    n += 1
                }
                guard n >= Self.minimumPoints, ts[n - 1] - ts[0] >= minimumSpan else { return }
                // The slopes run in single precision on values relative to the first point and
                // scaled by a power of two (exact), so small steps keep their digits.
                var spread = 0.0
                for i in 0..<n { spread = max(spread, abs(ys[i] - ys[0])) }
                let scale = spread.isFinite && spread > 0 ? Double(sign: .plus, exponent: spread.exponent, significand: 1) : 1
                for i in 0..<n {
                    tf[i] = Float(ts[i])
                    yf[i] = Float((ys[i] - ys[0]) / scale)
                }

                // One O(n²) pass: the slopes, and Mann–Kendall S from their signs.
                let m = DetectorKernels.pairCount(n)
                let s = Double(DetectorKernels.simdPairwiseSlopes(
                    t: UnsafeBufferPointer(rebasing: tf[0..<n]), y: UnsafeBufferPointer(rebasing: yf[0..<n]), into: slopes))
                let nd = Double(n)
                let varS = nd * (nd - 1) * (2 * nd + 5) / 18
                let z = s == 0 ? 0 : (s - (s > 0 ? 1 : -1)) / varS.squareRoot()
                let slope = Double(Selection.median(UnsafeMutableBufferPointer(rebasing: slopes[0..<m]))) * scale

                for i in 0..<n { scratch[i] = ys[i] - slope * ts[i] }
                let intercept = Selection.median(UnsafeMutableBufferPointer(rebasing: scratch[0..<n]))
                var envelope = 0.0
                if direction != .both {
                    for i in 0..<n { scratch[i] = es[i] - (intercept + slope * ts[i]) }
                    envelope = Selection.quantile(UnsafeMutableBufferPointer(rebasing: scratch[0..<n]), direction == .up ? 0.9 : 0.1)
                }

                var score = 0.0
                let sign: Double = slope > 0 ? 1 : -1
                let levelNow = intercept + slope * windowSeconds
                let directionAgrees = slope != 0 && z * sign > 0 && direction.directed(sign) > 0
                // The halves' fits (a step is not a leak) only matter once the direction agrees.
                if directionAgrees && halvesAgree(ts: tf, ys: yf, count: n, slopes: slopes, slope: slope / scale, sign: sign) {
                    let reference = limit.isFinite ? abs(limit - (self.base + levelNow + envelope)) : abs(self.base + levelNow)
                    let growth = abs(slope) * 3600 / max(reference, 1e-12)
                    score = min(
                        Calibration.score(ratio: growth / spec.minRelativeGrowthPerHour),
                        Calibration.score(ratio: abs(z) / Self.trendZ))
                }
                var beyond = false
                if level < last, score > 0 {
                    beyond = leftOlderRange(
                        level: level, first: first, bucketMs: bucketMs, shortestMs: shortestMs, line: levelNow, sign: sign, direction: direction,
                        limit: limit, latest: ys[n - 1])
                }
                result = (true, slope, intercept, envelope, score, beyond)
            }
        }
        fitted[level] = result.ok
        slopes[level] = Float(result.slope)
        intercepts[level] = Float(result.intercept)
        envelopes[level] = Float(result.envelope)
        scores[level] = Float(result.score)
        beyond[level] = result.beyond
        origins[level] = first * bucketMs
    }

    /// Whether window `level`'s level now (`line`) has left the range of the longest window's
    /// points older than window `level`, by a quarter of that range (above it for a rising
    /// `sign`): growth a daily cycle cannot explain, since a cycle returns to the range it came
    /// from. True when there are no older points (a young series: nothing to compare with).
    /// After a restart, see below; `latest` is the window's most recent point.
    mutating func leftOlderRange(
        level: Int, first: Int64, bucketMs: Int64, shortestMs: Int64, line: Double, sign: Double, direction: DetectorDirection, limit: Double,
        latest: Double
    ) -> Bool {
        let last = Self.windows - 1
        let longMs = shortestMs * Self.multiple(last)
        // Longest-window buckets that end before window `level` starts.
        // Only buckets still in the longest window's ring: those before its open bucket.
        guard merged != .min else { return true }
        let open = Self.floorDiv(merged, Self.multiple(last))
        let end = min(Self.floorDiv(first * bucketMs, longMs), open)
        let restarted = settleUntil != .min
        var highest = -Double.infinity, lowest = Double.infinity, edge = -Double.infinity
        var spread = 0.0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.buckets) { spreads in
            var n = 0
            for b in (open - Int64(Self.buckets))..<max(end, open - Int64(Self.buckets)) {
                let s = Self.slot(last, b)
                let lo = lows[s], hi = highs[s]
                guard lo.isFinite, hi.isFinite else { continue }
                let y = sign * Double(Self.point(lo, hi, direction))
                highest = max(highest, y)
                lowest = min(lowest, y)
                edge = max(edge, sign * Double(hi), sign * Double(lo))
                spreads[n] = hi - lo
                n += 1
            }
            // The typical bucket's spread, a sawtooth's height (a bucket holding the restart's
            // drop is as wide as the drop); only a restart's test uses it.
            if restarted && n > 0 { spread = Double(Selection.median(UnsafeMutableBufferPointer(rebasing: spreads[0..<n]))) }
        }
        guard highest >= lowest else { return true }
        // After a restart, the climb must pass the older points by their typical bucket's
        // spread (a sawtooth's height), not by a quarter of their range, which the restart's
        // own drop widened; and the latest point must have passed too, not only the line,
        // which overshoots where a refill levels off. A refill back to where the series was
        // is not a leak, a leak climbs past it. Unless the older points were near the limit:
        // an OOM kill's loop is judged afresh, as every climb after a restart once was.
        if restarted, limit.isFinite, abs(limit - (base + sign * edge)) < Self.limitNearness * abs(limit) { return true }
        guard restarted else { return sign * line > highest + Self.rangeMargin * (highest - lowest) }
        return min(sign * line, sign * latest) > highest + spread
    }

    /// Whether the Theil–Sen slopes of both halves of the points point the way of `slope` and
    /// reach 0.3 of it (all in the scaled units of `ys`).
    func halvesAgree(
        ts: UnsafeMutableBufferPointer<Float>, ys: UnsafeMutableBufferPointer<Float>, count n: Int,
        slopes: UnsafeMutableBufferPointer<Float>, slope: Double, sign: Double
    ) -> Bool {
        func halfSlope(_ range: Range<Int>) -> Double {
            _ = DetectorKernels.simdPairwiseSlopes(
                t: UnsafeBufferPointer(rebasing: ts[range]), y: UnsafeBufferPointer(rebasing: ys[range]), into: slopes)
            return Double(Selection.median(UnsafeMutableBufferPointer(rebasing: slopes[0..<DetectorKernels.pairCount(range.count)])))
        }
        let h = n / 2
        return halfSlope(0..<h) * sign >= 0.3 * abs(slope) && halfSlope(h..<n) * sign >= 0.3 * abs(slope)
    }

    /// Window `level`'s score as it counts: a shorter window's trend only if it has left the
    /// range of the longest window's older points, or the longest window, once fitted (a day
    /// seen), slopes the same way.
    @inline(__always)
    mutating func effectiveScore(_ level: Int) -> Float {
        guard fitted[level] else { return 0 }
        let last = Self.windows - 1
        if level < last, !beyond[level],
           !(fitted[last] && slopes[last] * (slopes[level] > 0 ? 1 : -1) >= Self.holdFraction * abs(slopes[level])) {
            return 0
        }
        return scores[level]
    }

    /// The window whose fit the output reports: the one that found the current finding (the
    /// shortest scoring 0.5 when it began) for as long as it keeps scoring 0.5; otherwise the
    /// shortest window scoring 0.5, else the highest score (the shortest on a tie, the
    /// shortest fitted window when none scores); nil when none is fitted.
    mutating func reportedWindow() -> Int? {
        if reported >= 0, effectiveScore(Int(reported)) >= 0.5 { return Int(reported) }
        var best: Int? = nil
        var bestScore: Float = -1
        for level in 0..<Self.windows where fitted[level] {
            let score = effectiveScore(level)
            if score >= 0.5 { best = level; break }
            if score > bestScore { best = level; bestScore = score }
        }
        reported = best.map { effectiveScore($0) >= 0.5 ? Int8($0) : -1 } ?? -1
        return best
    }

    /// The reported fit's output at `t` (`mutating` only to avoid a copy, as `isRestart`).
    mutating func output(at t: Timestamp, direction: DetectorDirection, limit: Double, warmup: Int) -> DetectorOutput {
        guard let level = reportedWindow() else { return .quiet(.leak) }
        let slopePerSecond = Double(slopes[level])
        let line = base + Double(intercepts[level]) + slopePerSecond * Double(t - origins[level]) / 1000
        let envelope = Double(envelopes[level])
        var toLimit = Double.nan
        if limit.isFinite {
            let remaining = limit - (line + envelope)
            if remaining == 0 || (direction == .up && remaining < 0) || (direction == .down && remaining > 0) {
                toLimit = 0
            } else if remaining * slopePerSecond > 0 {
                toLimit = remaining / slopePerSecond
            }
        }
        return DetectorOutput(
            score: count > warmup && t >= settleUntil ? Double(effectiveScore(level)) : 0, expected: line,
            leakRatePerHour: slopePerSecond * 3600, secondsToLimit: toLimit, detector: .leak)
    }

    /// The points the reported fit sees, oldest first: each bucket's trough for `up` (crest
    /// for `down`, mid-range for `both`) at the time it was seen (the bucket's middle in the
    /// longer windows), closed buckets of the window, then the open one. A leak report draws
    /// these: an hour (or a day) of troughs shows the climb that twelve minutes of raw samples
    /// hide under a GC sawtooth.
    func windowPoints(spec: DetectorSpec) -> (timestamps: [Timestamp], values: [Double]) {
        guard open else { return ([], []) }
        var copy = self
        let level = copy.reportedWindow() ?? 0
        let shortestMs = Self.bucketMilliseconds(spec)
        let bucketMs = shortestMs * Self.multiple(level)
        // A longer window's closed buckets are those before the one the last merge went into.
        let headIndex = level == 0 || merged == .min ? head : Self.floorDiv(merged, Self.multiple(level))
        var timestamps: [Timestamp] = [], values: [Double] = []
        timestamps.reserveCapacity(Self.buckets + 2)
        values.reserveCapacity(Self.buckets + 2)
        for b in (headIndex - Int64(Self.buckets))..<headIndex {
            let s = Self.slot(level, b)
            guard lows[s].isFinite, highs[s].isFinite else { continue }
            let offset = level == 0 ? (Double(fractions[s]) + 0.5) / 256 : 0.5
            timestamps.append(b * bucketMs + Int64((offset * Double(bucketMs)).rounded()))
            values.append(base + Double(Self.point(lows[s], highs[s], spec.direction)))
        }
        // A longer window's open bucket (the closed shortest buckets merged so far), placed at
        // the end of the last shortest bucket merged into it.
        if level > 0, merged != .min, upperLows[level - 1].isFinite, upperHighs[level - 1].isFinite {
            let at = min(headIndex * bucketMs + bucketMs / 2, (merged + 1) * shortestMs)
            if at > (timestamps.last ?? .min) {
                timestamps.append(at)
                values.append(base + Double(Self.point(upperLows[level - 1], upperHighs[level - 1], spec.direction)))
            }
        }
        let fraction: UInt8
        switch spec.direction {
        case .up: fraction = openLowFraction
        case .down: fraction = openHighFraction
        case .both: fraction = UInt8((Int(openLowFraction) + Int(openHighFraction)) / 2)
        }
        let at = head * shortestMs + Int64(((Double(fraction) + 0.5) / 256 * Double(shortestMs)).rounded())
        if openLow.isFinite, openHigh.isFinite, at > (timestamps.last ?? .min) {
            timestamps.append(at)
            values.append(base + Double(Self.point(openLow, openHigh, spec.direction)))
        }
        return (timestamps, values)
    }

    mutating func clear() {
        self = LeakDetector()
    }

    /// A restart: the shorter windows start afresh, the longest keeps its buckets (offsets from
    /// the same `base`). A climb back to where the series was before (a cache evicted every
    /// night and refilled over hours) stays inside the range of the longest window's older
    /// points, so a shorter window's trend does not count (`leftOlderRange`); a climb past it does.
    mutating func restart() {
        var fresh = LeakDetector()
        let last = Self.windows - 1
        for s in (last * Self.buckets)..<((last + 1) * Self.buckets) {
            fresh.lows[s] = lows[s]
            fresh.highs[s] = highs[s]
        }
        fresh.upperLows[last - 1] = upperLows[last - 1]
        fresh.upperHighs[last - 1] = upperHighs[last - 1]
        fresh.base = base
        fresh.merged = merged
        self = fresh
    }
}
