import AIOpsCore

/// Robust growth rate over a sliding window, for leaks (growth toward a limit) and for
/// values falling toward a floor.
///
/// The window is cut into 32 buckets by wall-clock time (bucket = window/32), so memory does
/// not depend on the scrape interval. Each bucket keeps its minimum and maximum; the fit runs on
/// the minima for `up` (a garbage-collected heap's troughs carry the leak, not its sawtooth),
/// the maxima for `down`, the mid-range for `both`. Once per closed bucket:
/// - Mann–Kendall S over the bucket points gives a monotonic-trend z (significant at |z| ≥ 3);
/// - Theil–Sen (median of pairwise slopes) gives the rate, and the median residual the line;
/// - a step is not a leak: the Theil–Sen slopes of both halves of the window must point the
///   same way and be at least 0.3 of the whole window's;
/// - growth per hour relative to the level (or to the headroom left to `limit` when known)
///   is compared with `minRelativeGrowthPerHour`.
/// score = min(s(growth / minRelativeGrowthPerHour), s(z / 3)), both calibrated so 1 → 0.5.
///
/// It needs 8 non-empty buckets spanning half the window. A restart (a drop 20 % below the
/// minimum of the last two buckets for `up`, a jump 20 % above their maximum for `down`)
/// clears the window instead of alarming, and so does `reset(.gap)`; shorter gaps just leave
/// empty buckets.
///
/// `secondsToLimit` extrapolates the line plus the envelope the fit ignores (the upper
/// decile of how far bucket maxima sit above the line for `up`, the lower decile of minima
/// for `down`), since a heap hits its limit at a sawtooth peak, not at a trough.
struct LeakDetector: Sendable {
    static let buckets = 32
    /// Mann–Kendall z at which the trend part of the score reaches 0.5.
    static let trendZ = 3.0
    static let minimumPoints = 8
    /// A restart: the value falls this fraction of the level below the recent minimum (`up`;
    /// above the recent maximum for `down`). A GC sawtooth drops to its troughs, not below them.
    static let restartFraction = 0.2

    var lows = InlineArray<32, Double>(repeating: .nan)
    var highs = InlineArray<32, Double>(repeating: .nan)
    /// Where in its bucket (fraction 0..<1) the bucket's point lies.
    var fractions = InlineArray<32, Float>(repeating: 0)
    /// The open bucket: its absolute index, extremes and their times.
    var head: Int64 = 0
    var open = false
    var openLow: Double = .nan
    var openHigh: Double = .nan
    var openLowAt: Timestamp = 0
    var openHighAt: Timestamp = 0
    /// Samples since the start or the last restart.
    var count: Int = 0
    /// The fit of the last closed window: value = intercept + slopePerSecond·(t − origin)/1000.
    var fitted = false
    var slopePerSecond: Double = 0
    var intercept: Double = 0
    var origin: Timestamp = 0
    var envelope: Double = 0
    var score: Double = 0

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @inline(__always)
    static func slot(_ index: Int64) -> Int { Int(((index % 32) + 32) % 32) }

    mutating func update(timestamp t: Timestamp, value x: Double, spec: DetectorSpec, direction: DetectorDirection, limit: Double) -> DetectorOutput {
        let bucketMs = max(spec.window.milliseconds / Int64(Self.buckets), 1)
        let index = Self.floorDiv(t, bucketMs)

        if open, isRestart(x, direction: direction) {
            clear()
        }
        count += 1
        if !open {
            open = true
            head = index
            start(x, t)
        } else if index > head {
            close(direction: direction, bucketMs: bucketMs)
            let skipped = index - head - 1
            if skipped >= Int64(Self.buckets) {
                for s in 0..<Self.buckets { lows[s] = .nan; highs[s] = .nan }
            } else if skipped > 0 {
                for b in (head + 1)..<index { lows[Self.slot(b)] = .nan; highs[Self.slot(b)] = .nan }
            }
            head = index
            start(x, t)
            refit(spec: spec, direction: direction, limit: limit, bucketMs: bucketMs)
        } else {
            if !(x >= openLow) { openLow = x; openLowAt = t }
            if !(x <= openHigh) { openHigh = x; openHighAt = t }
        }
        return output(at: t, direction: direction, limit: limit, warmup: spec.warmup)
    }

    /// A restart: the value left the recent range by far, the way a process restart or a
    /// cleanup does. `mutating` although it changes nothing, so it reads the buckets in place
    /// (a non-mutating method on a struct holding an `InlineArray` copies the struct per call).
    mutating func isRestart(_ x: Double, direction: DetectorDirection) -> Bool {
        let previous = Self.slot(head - 1)
        var recentLow = openLow, recentHigh = openHigh
        if lows[previous].isFinite { recentLow = min(recentLow, lows[previous]) }
        if highs[previous].isFinite { recentHigh = max(recentHigh, highs[previous]) }
        if direction != .down, recentLow.isFinite, recentLow != 0, x < recentLow - Self.restartFraction * abs(recentLow) { return true }
        if direction != .up, recentHigh.isFinite, recentHigh != 0, x > recentHigh + Self.restartFraction * abs(recentHigh) { return true }
        return false
    }

    mutating func start(_ x: Double, _ t: Timestamp) {
        openLow = x
        openHigh = x
        openLowAt = t
        openHighAt = t
    }

    mutating func close(direction: DetectorDirection, bucketMs: Int64) {
        let s = Self.slot(head)
        lows[s] = openLow
        highs[s] = openHigh
        let bucketStart = head * bucketMs
        let at: Timestamp
        switch direction {
        case .up: at = openLowAt
        case .down: at = openHighAt
        case .both: at = (openLowAt + openHighAt) / 2
        }
        fractions[s] = Float(Double(at - bucketStart) / Double(bucketMs))
    }

    /// Fits the closed buckets of the window and caches rate, line, envelope and score.
    mutating func refit(spec: DetectorSpec, direction: DetectorDirection, limit: Double, bucketMs: Int64) {
        let n0 = Self.buckets
        let bucketSeconds = Double(bucketMs) / 1000
        let windowSeconds = bucketSeconds * Double(n0)
        let first = head - Int64(n0)
        var result: (ok: Bool, slope: Double, intercept: Double, envelope: Double, score: Double) = (false, 0, 0, 0, 0)
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
                for b in first..<head {
                    let s = Self.slot(b)
                    let lo = lows[s], hi = highs[s]
                    guard lo.isFinite, hi.isFinite else { continue }
                    ts[n] = (Double(b - first) + Double(fractions[s])) * bucketSeconds
                    switch direction {
                    case .up: ys[n] = lo; es[n] = hi
                    case .down: ys[n] = hi; es[n] = lo
                    case .both: ys[n] = (lo + hi) / 2; es[n] = ys[n]
                    }
                    n += 1
                }
                guard n >= Self.minimumPoints, ts[n - 1] - ts[0] >= windowSeconds / 2 else { return }
                // The slopes run in single precision on values relative to the first point and
                // scaled by a power of two (exact), so a level of 8e9 keeps its small steps.
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
                let directionAgrees = slope != 0 && z * sign > 0 && direction.directed(sign) > 0
                // The halves' fits (a step is not a leak) only matter once the direction agrees.
                if directionAgrees && halvesAgree(ts: tf, ys: yf, count: n, slopes: slopes, slope: slope / scale, sign: sign) {
                    let levelNow = intercept + slope * windowSeconds
                    let reference = limit.isFinite ? abs(limit - (levelNow + envelope)) : abs(levelNow)
                    let growth = abs(slope) * 3600 / max(reference, 1e-12)
                    score = min(
                        Calibration.score(ratio: growth / spec.minRelativeGrowthPerHour),
                        Calibration.score(ratio: abs(z) / Self.trendZ))
                }
                result = (true, slope, intercept, envelope, score)
            }
        }
        fitted = result.ok
        slopePerSecond = result.slope
        intercept = result.intercept
        envelope = result.envelope
        score = result.score
        origin = first * bucketMs
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

    /// The cached fit's output at `t` (`mutating` only to avoid a copy, as `isRestart`).
    mutating func output(at t: Timestamp, direction: DetectorDirection, limit: Double, warmup: Int) -> DetectorOutput {
        guard fitted else { return .quiet(.leak) }
        let line = intercept + slopePerSecond * Double(t - origin) / 1000
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
            score: count > warmup ? score : 0, expected: line,
            leakRatePerHour: slopePerSecond * 3600, secondsToLimit: toLimit, detector: .leak)
    }

    /// The points the fit sees, oldest first: each bucket's trough for `up` (crest for `down`,
    /// mid-range for `both`) at the time it was seen, closed buckets of the window and then the
    /// open one. A leak report draws these: an hour of troughs shows the climb that twelve
    /// minutes of raw samples hide under a GC sawtooth.
    func windowPoints(spec: DetectorSpec) -> (timestamps: [Timestamp], values: [Double]) {
        guard open else { return ([], []) }
        let bucketMs = max(spec.window.milliseconds / Int64(Self.buckets), 1)
        var timestamps: [Timestamp] = [], values: [Double] = []
        timestamps.reserveCapacity(Self.buckets + 1)
        values.reserveCapacity(Self.buckets + 1)
        func point(_ low: Double, _ high: Double) -> Double {
            switch spec.direction {
            case .up: return low
            case .down: return high
            case .both: return (low + high) / 2
            }
        }
        for b in (head - Int64(Self.buckets))..<head {
            let s = Self.slot(b)
            guard lows[s].isFinite, highs[s].isFinite else { continue }
            timestamps.append(b * bucketMs + Int64((Double(fractions[s]) * Double(bucketMs)).rounded()))
            values.append(point(lows[s], highs[s]))
        }
        let at: Timestamp
        switch spec.direction {
        case .up: at = openLowAt
        case .down: at = openHighAt
        case .both: at = (openLowAt + openHighAt) / 2
        }
        if openLow.isFinite, openHigh.isFinite, at > (timestamps.last ?? .min) {
            timestamps.append(at)
            values.append(point(openLow, openHigh))
        }
        return (timestamps, values)
    }

    mutating func clear() {
        self = LeakDetector()
    }
}
