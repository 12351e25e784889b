import AIOpsCore

/// The daily shape of a series as a band: 48 half-hour buckets of the value minus a slow
/// (one day) level, and a residual that counts only what falls outside the band spanned by
/// the bucket and its two neighbours.
///
/// The band, rather than one interpolated expectation, is what makes square daily shapes
/// (a batch that starts at 08:00 give or take ten minutes) normal at their edges: a value
/// that matches the level of the previous or next half hour is not a deviation. Each bucket
/// moves 30 % toward what it sees per day (the first visit sets it), so the shape follows
/// slow changes while an odd day only dents it.
///
/// Once a week of each half hour's own values has been seen, the band is narrowed to what that
/// half hour has shown itself (`seenLow`, `seenHigh`). The neighbours stand in for an edge that
/// may come half an hour early or late; after a week, the half hour's own history says which
/// shifts happen. A 45-minute job at 02:00 lies inside its neighbour band (the half hour before
/// it is quiet), so a night it does not run was inside the band too; its own half hours have
/// only ever been busy. An edge that does wander (replicas scaled up between 07:30 and 08:30)
/// has shown both levels in the half hours it wanders over, which keep their whole band.
///
/// The profile is in use (`strong`) once it has seen two days and explains most of the
/// variance: its winsorised mean square residual is below 30 % of that around the level.
///
/// Memory: 48 Floats, 96 bytes of seen ranges and a few words, inline.
struct PhaseProfile: Sendable {
    static let buckets = 48
    static let dayMs: Int64 = 86_400_000
    /// Per-day learning rate of a bucket.
    static let dailyRate = 0.3
    /// The residual's scale and the model comparison: time constants once warm, in seconds of
    /// event time (`Calibration.timeRate`). Time, not samples: a series scraped every
    /// 15 s must widen its band no faster in hours than one scraped every 5 minutes, or a
    /// deviation that builds over an hour teaches the band to accept it 20 times sooner. At a
    /// 5-minute step they are 0.01 and 0.005 per sample.
    static let spreadSeconds = 30_000.0
    static let fitSeconds = 60_000.0
    /// ...and at least this many samples for the mean squares: the band residual is 0 most of
    /// the day and large near the peaks, and over 17 samples (60,000 s at an hourly step) its
    /// mean square is a daily wave, not a scale.
    static let fitMinSamples = 100.0
    /// The profile is in use when its mean square residual is below this fraction of the level's.
    static let strongFraction = 0.3
    /// The level's time constant: it moves dt / (86,400 + dt) toward each sample (`observe`).
    static let levelSeconds = 86_400.0
    /// The seen ranges narrow the band from the ninth day: the first day builds the profile,
    /// and then each half hour has been seen on seven days, every weekday once.
    static let seenTrustedAfterMs: Int64 = 8 * dayMs
    /// Each visit draws a bucket's seen range this fraction of the way back toward its mean:
    /// `ln 2 / 35` (half-life 35 visits, a day apiece: the range's own, `ValueEnvelope`), so a
    /// schedule that moved is forgotten in weeks while a shift seen once a week is still known.
    static let seenDrawPerVisit = 0.019804205

    var profile = InlineArray<48, Float>(repeating: 0)
    /// The lowest and highest values each bucket has shown since the first day, as positions
    /// in the series' range (`ValueEnvelope`: 0 its low, 255 its high). Bytes, not values: the
    /// narrowing only matters on the scale of the day's swing, and 96 bytes keep a series
    /// within its 3 KiB. `seenLow > seenHigh`: nothing seen yet. When the range moves (a new
    /// extreme, or its slow draw back), a position reads as another value: a side that became
    /// too narrow is widened by the bucket's next sample, and is never read narrower than the
    /// bucket's mean meanwhile; a side that became too wide only narrows less, until it is
    /// drawn back in.
    var seenLow = InlineArray<48, UInt8>(repeating: 255)
    var seenHigh = InlineArray<48, UInt8>(repeating: 0)
    /// Bit k: bucket k has been visited.
    var visited: UInt64 = 0
    /// The slow level the shape is measured against.
    var level: Double = 0
    /// EW mean absolute band residual (the scale while warming up), and EW mean squares of the
    /// band residual (the scale after) and of value minus level (for `strong`).
    var spread: Double = 0
    var bandSquare: Double = 0
    var levelSquare: Double = 0
    var samples: Int = 0
    var scored: Int = 0
    var first: Timestamp = 0
    var last: Timestamp = 0
    /// During the first day the buckets hold raw values; at its end they are centred on
    /// their mean, which becomes the level. Learning the shape against a level that is still
    /// settling would bake the first day's drift into the buckets first visited (a false alarm
    /// every night at the hour the series started, until the 30 %-a-day learning wore it off).
    var centred = false

    /// The signed distance of the value outside the band at its phase (0 inside), the band
    /// itself, and whether the band is known (all three buckets visited, a day seen).
    struct Reading {
        var residual: Double
        var low: Double
        var high: Double
        var ready: Bool
    }

    @inline(__always)
    static func bucket(_ t: Timestamp) -> Int {
        let phase = ((t % dayMs) + dayMs) % dayMs
        return Int(phase * Int64(buckets) / dayMs)
    }

    /// The band reading of `x` at `t`. `range` is the series' range of values
    /// (`ValueEnvelope`), the frame of the seen ranges; without one (its default) the band is
    /// the neighbours' alone.
    ///
    /// `mutating` although it changes nothing: a non-mutating method on a struct holding an
    /// `InlineArray` gets a copy of the whole struct (360 bytes here) at every call, and each
    /// subscript read inside it another copy of the array (Swift 6.3); in place it reads three floats.
    mutating func read(_ x: Double, at t: Timestamp, range: (low: Double, high: Double) = (0, 0)) -> Reading {
        guard samples > 0 else { return Reading(residual: 0, low: 0, high: 0, ready: false) }
        let k = Self.bucket(t)
        guard var (lo, hi) = neighbourBand(k) else { return Reading(residual: 0, low: 0, high: 0, ready: false) }
        if t - first >= Self.seenTrustedAfterMs && seenLow[k] <= seenHigh[k], let width = Self.frameWidth(range) {
            // What this half hour has shown itself, never narrower than its own mean. Where
            // the two disagree (the series moved since), its own range alone.
            let b = Double(profile[k]), w = width / 255
            let low = min(range.low + w * Double(seenLow[k]) - level, b)
            let high = max(range.low + w * Double(seenHigh[k]) - level, b)
            if max(lo, low) <= min(hi, high) {
                lo = max(lo, low)
                hi = min(hi, high)
            } else {
                lo = low
                hi = high
            }
        }
        let y = x - level
        let residual = y > hi ? y - hi : (y < lo ? y - lo : 0)
        let ready = t - first >= Self.dayMs
        return Reading(residual: residual, low: level + lo, high: level + hi, ready: ready)
    }

    /// The band of bucket `k` from its neighbours, relative to the level: the bucket's value
    /// and the values half an hour either side. The neighbours are the nearest visited buckets
    /// on each side: a series scraped every hour visits every other half hour (the band once
    /// waited for all three buckets, so an hourly series never had one). An unvisited bucket's
    /// band spans its visited neighbours. Nil while no other bucket is visited.
    /// `mutating` so the profile is read in place (see `read`).
    @inline(__always)
    mutating func neighbourBand(_ k: Int) -> (low: Double, high: Double)? {
        guard let km = Self.visitedNeighbour(of: k, below: true, in: visited),
              let kp = Self.visitedNeighbour(of: k, below: false, in: visited)
        else { return nil }
        let a = Double(profile[km]), c = Double(profile[kp])
        guard visited & (1 << UInt64(k)) != 0 else { return (min(a, c), max(a, c)) }
        // The neighbour half an hour away, interpolated when it is not visited: the band
        // spans the same half hour each side at every scrape interval.
        let b = Double(profile[k])
        let n = Self.buckets
        let dm = (k - km + n) % n, dp = (kp - k + n) % n
        let a1 = b + (a - b) / Double(dm), c1 = b + (c - b) / Double(dp)
        return (min(a1, b, c1), max(a1, b, c1))
    }

    /// Widens bucket `k`'s seen range to `x`, a position in the series' `range`; on a new visit
    /// (`visit`) it is first drawn toward the bucket's mean.
    @inline(__always)
    mutating func see(_ x: Double, bucket k: Int, range: (low: Double, high: Double), visit: Bool) {
        guard let w = Self.frameWidth(range) else { return }
        let position = (x - range.low) / w
        guard position.isFinite else { return }
        let f = min(max(position, 0), 1) * 255
        let low = UInt8(f.rounded(.down)), high = UInt8(f.rounded(.up))
        if seenLow[k] > seenHigh[k] {
            seenLow[k] = low
            seenHigh[k] = high
            return
        }
        if visit {
            // At least one step a visit, so a range a few steps wide still closes.
            let mean = min(max((level + Double(profile[k]) - range.low) / w, 0), 1) * 255
            let up = Double(seenHigh[k]) - max(mean, f)
            let down = min(mean, f) - Double(seenLow[k])
            if up > 0 { seenHigh[k] -= UInt8(max((up * Self.seenDrawPerVisit).rounded(.down), 1)) }
            if down > 0 { seenLow[k] += UInt8(max((down * Self.seenDrawPerVisit).rounded(.down), 1)) }
        }
        seenLow[k] = min(seenLow[k], low)
        seenHigh[k] = max(seenHigh[k], high)
    }

    /// The width of the seen ranges' frame, the series' `range`; nil when it cannot hold
    /// positions (empty, not finite, or too narrow for the size of its values). One rule for
    /// `see`, which writes positions, and `read`, which reads them back.
    @inline(__always)
    static func frameWidth(_ range: (low: Double, high: Double)) -> Double? {
        let w = range.high - range.low
        guard w.isFinite, w > 1e-12 * max(1, abs(range.low), abs(range.high)) else { return nil }
        return w
    }

    /// The nearest visited bucket before (`below`) or after `k`, cyclically, other than `k`;
    /// nil when no other bucket is visited. O(1): a bit scan of `visited`.
    @inline(__always)
    static func visitedNeighbour(of k: Int, below: Bool, in visited: UInt64) -> Int? {
        let others = visited & ~(1 << UInt64(k))
        guard others != 0 else { return nil }
        let lower = others & ((1 << UInt64(k)) - 1)
        let upper = others & ~((1 << UInt64(k)) - 1)
        if below {
            let side = lower != 0 ? lower : upper
            return 63 - side.leadingZeroBitCount
        }
        let side = upper != 0 ? upper : lower
        return side.trailingZeroBitCount
    }

    /// The bucket's own value at `t` (without the level): what a forecast's tracker compares
    /// the value with. (The forecast reads between bucket centres; over a bucket that averages
    /// to about the bucket's value, so the tracker's median offset does not mind.) Apart from
    /// `read`, whose `Reading` stays small enough to come back in registers.
    /// `mutating` so the profile is read in place (see `read`).
    @inline(__always)
    mutating func bucketValue(at t: Timestamp) -> Double {
        Double(profile[Self.bucket(t)])
    }

    /// The residual's σ: its winsorised root mean square once 50 samples are scored (the
    /// residual is 0 inside the band most of the time, so a mean absolute value would make
    /// every excursion look huge), the mean absolute residual as σ before; floored like the
    /// other detectors.
    func sigma(floor: Double) -> Double {
        max(scored > 50 ? bandSquare.squareRoot() : spread * Calibration.madToSigma, floor)
    }

    /// Whether the profile explains the series well enough to be scored.
    func strong(at t: Timestamp) -> Bool {
        t - first >= 2 * Self.dayMs && bandSquare < Self.strongFraction * levelSquare
    }

    /// Ends the first day: the mean of the visited buckets becomes the level, and the buckets
    /// hold deviations from it.
    mutating func centre() {
        centred = true
        var sum = 0.0, n = 0.0
        for k in 0..<Self.buckets where visited & (1 << UInt64(k)) != 0 {
            sum += Double(profile[k])
            n += 1
        }
        guard n > 0 else { return }
        level = sum / n
        for k in 0..<Self.buckets where visited & (1 << UInt64(k)) != 0 {
            profile[k] -= Float(level)
        }
    }

    /// Learns from a sample, given the reading taken before it (`reading` and `sigma`) and the
    /// series' range of values (`read`).
    mutating func observe(_ x: Double, at t: Timestamp, reading: Reading, sigma: Double, range: (low: Double, high: Double) = (0, 0)) {
        samples += 1
        if samples == 1 {
            first = t
            last = t
            level = x
        }
        let dt = Double(t - last) / 1000
        let previous = last
        last = t
        if reading.ready {
            scored += 1
            let r = reading.residual
            let clipped = scored > 50 ? min(abs(r), 3 * sigma) : abs(r)
            spread += max(Calibration.timeRate(dt: dt, seconds: Self.spreadSeconds), 1 / Double(scored)) * (clipped - spread)
            let cap = 16 * sigma * sigma
            let y = x - level
            let fit = Calibration.timeRate(dt: dt, seconds: max(Self.fitSeconds, Self.fitMinSamples * dt))
            bandSquare += fit * (min(r * r, cap) - bandSquare)
            levelSquare += fit * (min(y * y, cap) - levelSquare)
        }
        let k = Self.bucket(t)
        let bit: UInt64 = 1 << UInt64(k)
        if !centred {
            if t - first < Self.dayMs {
                if visited & bit == 0 {
                    profile[k] = Float(x)
                    visited |= bit
                } else {
                    profile[k] += Float(0.2 * (x - Double(profile[k])))
                }
                level += 1 / Double(samples) * (x - level)
                return
            }
            centre()
        }
        let e = x - level - Double(profile[k])
        if visited & bit == 0 {
            profile[k] += Float(e)
            visited |= bit
        } else {
            // A new visit: the bucket was not the previous sample's, or half an hour has passed.
            see(x, bucket: k, range: range, visit: Self.bucket(previous) != k || dt >= 86_400 / Double(Self.buckets))
            // A bucket spans 1/48 day: this sample's share of its daily update.
            let share = min(1, dt * Double(Self.buckets) / 86_400)
            profile[k] += Float(Self.dailyRate * share * e)
        }
        let dayRate = dt / (86_400 + dt)
        level += max(dayRate, 1 / Double(samples)) * (x - level)
    }

    /// The buckets as Doubles, an unvisited one as the mean of its nearest visited neighbours
    /// (a series sampled hourly visits every other half hour).
    func profileValues() -> [Double] {
        let array = profile
        let values = (0..<Self.buckets).map { Double(array[$0]) }
        return Self.filled(values, visited: { self.visited & (1 << UInt64($0)) != 0 })
    }

    /// `values` with every unvisited entry replaced by the mean of the nearest visited one on
    /// each side (cyclically); unchanged when none is visited.
    static func filled(_ values: [Double], visited: (Int) -> Bool) -> [Double] {
        let n = values.count
        guard (0..<n).contains(where: visited) else { return values }
        var out = values
        for k in 0..<n where !visited(k) {
            var before = k, after = k
            repeat { before = before == 0 ? n - 1 : before - 1 } while !visited(before)
            repeat { after = after + 1 == n ? 0 : after + 1 } while !visited(after)
            out[k] = (values[before] + values[after]) / 2
        }
        return out
    }
}
