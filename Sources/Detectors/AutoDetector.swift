import AIOpsCore
import Foundation

/// The detector behind `auto`: five kinds of evidence, each measured against what is unusual
/// for this series, combined by their maximum. Suppression is the incident's business: every
/// sample after warm-up is scored.
///
/// Evidence (each a ratio that reaches 1, score 0.5, at its threshold):
/// - **New extreme** (`ValueEnvelope`): the value lies beyond the range of the remembered past
///   by more than 3 % of that range's width and more than one σ of the sample-to-sample noise,
///   and it is improbable at the false-alarm budget (below) either as a one-step move against
///   the level or as an excess past the range. A random walk, a heavy tail or the noise of a
///   level that just shifted set records by ordinary steps; those are not news. The excess's
///   own tail is trusted only once the range has seen a day of 5-minute samples (288), and
///   once three new extremes have alarmed lately they are the series' habit: the tail learns
///   them from then on (`rangeHabitAlarms`).
/// - **Level** (an EWMA of the value over 95 minutes, with a winsorised mean absolute
///   deviation as σ): the one-step z-score against 1.5 × the second-largest z of the last
///   weeks (`SurpriseRecord`), and never below 10. A spike as big as the bursts this series
///   always has is not news; one half again as big is.
/// - **Daily shape** (`PhaseProfile`), from the fourth day and once it explains the series:
///   the distance outside the half-hour band (from the ninth day narrowed to what each half
///   hour has shown itself), in σ of that distance, against 1.2 × its own
///   second-largest record and never below 5, and improbable at the budget under the
///   residual's fitted tail. A missing daily peak or a flat day is caught here, inside the
///   range. A weekend day is judged once a week has been seen (`weekendAfterMs`).
/// - **Weekly shape** (`WeekProfile`), once two weeks are known and only where the weekly
///   profile explains the series well and better than the daily band: an EW mean over 3 hours
///   (at least 6 steps) of the residual against the week's profile, winsorised at 4 σ, in σ of
///   that residual, against 1.3 × its largest value until two hours ago (`DelayedRecord`) and
///   never below 2. A holiday on a weekday (a Sunday's traffic on a Thursday) is caught here: it
///   is normal for the day and the hour, but not for the day of the week.
/// - **Volatility**: an EW mean over 6 hours (at least 12 steps) of the absolute step from the
///   previous value, against 1.5 × its largest value until two hours ago (`DelayedRecord`),
///   and never below `minRelativeDeviation` of the day's mean. Spikes that come more often
///   than they used to, or noise that grows, are caught here while each sample stays in range.
///   Steps, not the distance from the level: a random walk drifts far from its level for hours
///   with steps of one size. The record is delayed because the statistic rises smoothly: a
///   record that followed it sample by sample would never be broken.
///
/// Records judge against the second-largest value, and an alarm episode enters a record once,
/// as its peak, when it ends: one earlier event (a false alarm, or a real spike six hours ago)
/// never hides the next of its size, while an event that keeps coming back becomes the
/// series' pattern. The level's record holds back a rise the same way
/// (`SurpriseRecord.observeRises`), so a ramp is judged against the record from before it
/// began, not against its own last steps. A lasting shift is one episode: the level adapts
/// (its EWMA moves at most 3 σ·α a step) until the shift is the level.
///
/// The false-alarm budget: a calibrated kind alarms when the tail probability of its statistic
/// under the series' own law (`TailModel`: peaks over a 98 % threshold, generalised Pareto) is
/// below `step / 30 days / 5` per sample, so on a series behaving as it always has all kinds
/// together alarm about once per 30 days of event time at most (Bonferroni). The record and
/// the floors must agree too, so the rate is lower still; it is measured on the noise families
/// of `fixtures/scenarios` (README, "Detection quality").
///
/// Warm-up: nothing scores before `warmup` samples and one day of event time, so the range,
/// the scale and the records have seen a whole daily cycle before anything counts as unusual.
///
/// Forecasts: `ForecastTracker` (running medians and quantiles) learns from the first sample
/// of each minute after the first day; `forecastBasis()` hands out the level, the shape and the
/// interval.
///
/// Memory: inline, 1,287 bytes (the weekly profile 416 of them, three tails 144, the daily
/// band's seen ranges 96, the forecast tracker 56), the largest detector state, so the size of
/// `SeriesDetector`'s storage;
/// `update` is O(1) and allocates nothing.
struct AutoDetector: Sendable {
    static let warmupMs: Int64 = 86_400_000
    /// Level: the EWMA's time constant, 95 minutes of event time and at least 19 steps (0.05
    /// per sample at a 5-minute step or coarser). Time, not samples: a per-sample rate made the
    /// level of a series scraped every 15 s a 5-minute mean, so a cron job's step at night or
    /// the switch to a weekday's night level was 10 σ of the sample-to-sample noise there and
    /// an incident, while the same series at 5 minutes was quiet.
    static let levelSeconds = 5_700.0
    static let levelMinSamples = 19.0
    /// New extreme: the fraction of the envelope's width beyond it at which the score is 0.5.
    static let rangeFraction = 0.03
    /// New extreme: the excess in σ of the step noise at which the score is 0.5.
    static let rangeNoiseSigmas = 1.0
    /// New extreme: the samples the range must have seen before the tail of its excess may
    /// call one improbable (a day at a 5-minute step, so the warm-up alone at that step or
    /// finer). Its tail knows a record is rare only by the samples that set none: at an hourly
    /// step the first days hold a few dozen, and the first records of a random walk, of a daily
    /// peak or of log-normal noise look improbable to it when they are routine. Until then a
    /// new extreme must also be an improbable move against the level.
    static let rangeTailMinSamples = 288
    /// New extreme: once its count of alarm episodes, forgotten at the records' pace, reaches
    /// this, new extremes are this series' habit. Two alarms alone never reach it (the first has
    /// faded a little when the second comes); a third while both are remembered does. So the
    /// first three records past the bar are news, as the first two events are to a
    /// `SurpriseRecord`, and later ones are judged as the habit: the record-excess tail learns
    /// them, alarms included (before, SPOT kept every alarmed excess out, so a series whose
    /// records all alarmed never taught it anything), and its prior scale is at least
    /// `rangeHabitScale` of the bar instead of the mean of a statistic that is 0 on almost every
    /// sample. Student-t noise sets a record past the bar about once a week; a NAB file has one
    /// to three windows. (A count of 1.2 to 1.95, habit from the third record, loses NAB windows
    /// that follow two alarms: 64.0 to 65.1.)
    static let rangeHabitAlarms = 2.0
    static let rangeHabitScale = 0.5
    /// Level: margin over the record, and the smallest z that can score 0.5.
    static let levelMargin = 1.5
    static let levelFloorZ = 10.0
    /// Daily shape: its record and tail learn from the third day (the band is known from the
    /// second, and its scale has then seen a whole day of residuals), and it scores from the
    /// fourth, against a day of history. A record that learned while the scale had seen only
    /// hours (50 samples: the first night's, all near 0, at a 1-minute scrape) held hundreds of
    /// σ from the next night's ordinary residuals, and was deaf for weeks after.
    static let shapeLearnsAfterMs: Int64 = 2 * PhaseProfile.dayMs
    static let shapeScoresAfterMs: Int64 = 3 * PhaseProfile.dayMs
    /// ...and once its tail has learned from a day of samples (its count is forgotten at the
    /// tails' pace, so a whole day counts a little under its samples): at a 5-minute step or
    /// finer that is the fourth day anyway; at an hourly step the scale warms over 50 samples,
    /// two days, and the record must still see a day of 24 before it judges.
    static let shapeHistoryDays = 0.95
    /// Daily shape: a Saturday or Sunday (UTC) is judged only once the series has seen a week.
    /// The first weekend of a business series is unlike every day before it (at its afternoon
    /// peak a third of the weekdays', 15 σ of the band), and that is its week, not an incident:
    /// the weekly profile learns it and judges weekends from the third week. At a 5-minute step
    /// the band's scale used to widen within the hour and hide it; at an hourly step the first
    /// Saturday morning was an incident. The other kinds still judge those days.
    static let weekendAfterMs: Int64 = 7 * PhaseProfile.dayMs
    /// Daily shape: margin over the record, and the smallest z that can score 0.5.
    static let shapeMargin = 1.2
    static let shapeFloorZ = 5.0
    /// Weekly shape: margin over the record, and the smallest z that can score 0.5.
    static let weekMargin = 1.3
    static let weekFloorZ = 2.0
    static let weekSeconds = 3 * 3600.0
    static let weekMinSamples = 6.0
    /// Volatility: the averaging time (at least `volatilityMinSamples` steps), and the margin
    /// over the delayed record.
    static let volatilitySeconds = 6 * 3600.0
    static let volatilityMinSamples = 12.0
    static let volatilityMargin = 1.5
    /// Volatility record: blocks of 30 minutes that wait 2 hours (`DelayedRecord.slots` blocks),
    /// forgotten with a half-life of two weeks of event time.
    static let volatilityBlockMs: Int64 = 30 * 60_000
    /// `exp2(-0.5 / (14 * 24))` as a literal: a computed `static let` costs a `swift_once` per
    /// read (tests check the two are equal).
    static let volatilityDecay = 0.9989690627626235

    /// Kinds of evidence: the false-alarm budget (`Calibration.risk`) is split over them.
    static let evidenceKinds = 5

    var envelope = ValueEnvelope()
    var shape = PhaseProfile()
    var levelRecord = SurpriseRecord()
    var shapeRecord = SurpriseRecord()
    /// Daily shape: the tail of its residual z (peaks over threshold, `TailModel`).
    var shapeTail = TailModel()
    /// Level: the tail of the one-step z; new extreme: the tail of the excess past the range.
    var levelTail = TailModel()
    var rangeTail = TailModel()
    /// New extreme: the episodes in which its evidence reached the bar, forgotten at the
    /// records' pace (`rangeHabitAlarms`), and whether one is under way (`rangeAlarming`,
    /// beside `releveling`, where a Bool costs no padding).
    var rangeAlarms: Double = 0
    var week = WeekProfile()
    /// Weekly shape: an EW mean (over `weekSeconds`) of the weekly residual, and its delayed record.
    var weekDrift: Double = 0
    var weekRecord = DelayedRecord()
    var mean: Double = 0
    var deviation: Double = 0
    var count: Int = 0
    var first: Timestamp = 0
    /// Set by `reset(.gap)`: the next sample re-seeds the level.
    var releveling = false
    var rangeAlarming = false
    /// The previous sample's event time, and the typical step in seconds.
    var last: Timestamp = 0
    var step: Double = 0
    /// Volatility: an EW mean (over `volatilitySeconds`) of the absolute deviation from the
    /// level, and its delayed record.
    var volatility: Double = 0
    var volatilityRecord = DelayedRecord()
    /// Forecasts (`forecastBasis`): a running median of the value minus the profile a forecast
    /// would add, and quantiles around it.
    var forecast = ForecastTracker()

    mutating func update(timestamp t: Timestamp, value x: Double, spec: DetectorSpec) -> DetectorOutput {
        count += 1
        if count == 1 { first = t }
        if count == 1 || releveling {
            mean = x
            last = t
            releveling = false
            envelope.observe(x, dt: 0)
            let reading = shape.read(x, at: t, range: (envelope.low, envelope.high))
            shape.observe(x, at: t, reading: reading, sigma: 0, range: (envelope.low, envelope.high))
            if shape.centred {
                week.observe(x, level: shape.level, at: t, residual: 0, ready: false, sigma: 0, daily: 0, dailySigma: 0)
            }
            return .quiet(.auto)
        }
        let direction = spec.direction
        let warm = count > max(spec.warmup, 1)

        // Level: one-step z against the EWMA. The σ floor is relative to the day's mean, not
        // the EWMA's: between the bursts of a bursty series the EWMA sits near 0.
        let floor = Calibration.sigmaFloor(level: shape.level, minRelativeDeviation: spec.minRelativeDeviation, zThreshold: Self.levelFloorZ)
        let sigma = max(deviation * Calibration.madToSigma, floor)
        let d = x - mean
        let z = direction.directed(d / sigma)
        // A move the daily band expects (a square wave's edge, the morning ramp) is not news to
        // the level: it is scored by the part outside the band, once the band is known and
        // either explains the series (`strong`) or cannot be judged yet (the first two days,
        // when the level's record has not seen a whole day of the series' moves). The record
        // and tail still learn the whole move, so later moves are judged as before.
        let reading = shape.read(x, at: t, range: (envelope.low, envelope.high))
        let shapeStrong = shape.strong(at: t)
        var zScored = z
        if reading.ready && (t - first < 2 * PhaseProfile.dayMs || shapeStrong) {
            zScored = min(z, direction.directed(reading.residual / sigma))
        }
        let levelRatio = levelRecord.ratio(zScored, margin: Self.levelMargin, floor: Self.levelFloorZ)

        // New extreme: beyond the range by 3 % of its width and by one σ of the step noise.
        let rangeExcess = min(
            envelope.excess(x, direction: direction) / Self.rangeFraction,
            envelope.excessInSteps(x, direction: direction) / Self.rangeNoiseSigmas)
        // A new extreme must also be improbable at the budget, either as a one-step move
        // against the level or as an excess past the range: a random walk, or the noise of a
        // level that just shifted, sets records by ordinary steps and small excesses.
        let risk = Calibration.risk(stepSeconds: step)
        let kinds = Double(Self.evidenceKinds)
        let levelSurprise = Calibration.surprise(kinds * levelTail.tail(zScored), risk: risk)
        let rangeHabit = rangeAlarms >= Self.rangeHabitAlarms
        let rangeSurprise = Calibration.surprise(
            kinds * rangeTail.tail(max(rangeExcess, 0), priorScale: rangeHabit ? Self.rangeHabitScale : 0), risk: risk)
        let rangeRatio = min(rangeExcess, max(levelSurprise, rangeSurprise))
        // What may score: the excess's tail counts only once the range has seen
        // `rangeTailMinSamples`. The tail learns from `rangeRatio` either way.
        let rangeScored = envelope.count >= Self.rangeTailMinSamples
            ? rangeRatio : min(rangeExcess, levelSurprise)

        // Daily shape.
        let shapeSigma = shape.sigma(floor: floor)
        let zs = direction.directed(reading.residual / shapeSigma)
        let shapeKnown = reading.ready && t - first >= Self.shapeScoresAfterMs
            && shapeTail.count >= Self.shapeHistoryDays * Double(PhaseProfile.dayMs / 1000) / max(step, 1)
        var shapeRatio = 0.0
        // A weekend day is judged once the series has seen a week (`weekendAfterMs`); the
        // weekday is read only where the shape would score.
        if shapeKnown && shapeStrong && !(t - first < Self.weekendAfterMs && WeekProfile.isWeekend(t)) {
            // Both the record and the calibrated tail must call it unusual: the tail's risk is
            // the false-alarm budget, so a shape that is merely noisier at its peak than the
            // band's single σ assumes does not alarm day after day.
            let surprise = Calibration.surprise(kinds * shapeTail.tail(zs), risk: risk)
            shapeRatio = min(shapeRecord.ratio(zs, margin: Self.shapeMargin, floor: Self.shapeFloorZ), surprise)
        }

        var output = DetectorOutput.quiet(.auto)
        let limitZ = max(levelRecord.second * Self.levelMargin, Self.levelFloorZ)
        output.expected = mean
        output.lower = mean - limitZ * sigma
        output.upper = mean + limitZ * sigma
        // Volatility: how much the value moves from sample to sample over the last hours,
        // against the most it moved until two hours ago. Spikes that come more often, or noise
        // that grows, raise it while each sample stays inside the usual range.
        let dtRaw = Double(max(t - last, 0)) / 1000
        last = t
        if step == 0 { step = dtRaw }
        let dt = min(dtRaw, 4 * step)
        step += 0.05 * (dt - step)
        let wv = Calibration.timeRate(dt: dt, seconds: max(Self.volatilitySeconds, Self.volatilityMinSamples * step))
        // The step from the previous value, not the distance from the level: a random walk's
        // drift carries it far from its level for hours, but its steps stay the same size.
        let move = x - envelope.previous
        let dv: Double
        switch direction {
        case .both: dv = abs(move)
        case .up: dv = max(move, 0)
        case .down: dv = max(-move, 0)
        }
        volatility += wv * (dv - volatility)
        let volatilityFloor = max(spec.minRelativeDeviation * abs(shape.level), 1e-9)
        let volatilityRatio = volatilityRecord.ratio(volatility, margin: Self.volatilityMargin, floor: volatilityFloor)

        // Weekly shape, judged once two weeks are known and only where it explains the series
        // better than the daily band. The comparison, the scale and the record learn from the
        // second week, when the profile first predicts, so they have seen a weekend by then
        // whatever weekday the series started on. A holiday is a sustained shortfall over
        // hours, not one odd sample: the residual is averaged and judged against its delayed
        // record.
        let weekReading = week.residual(x, level: shape.level, at: t)
        let weekSigma = week.sigma(floor: floor)
        var weekRatio = 0.0
        var zw = 0.0
        if weekReading.ready && week.scored > WeekProfile.warmSamples {
            let ww = Calibration.timeRate(dt: dt, seconds: max(Self.weekSeconds, Self.weekMinSamples * step))
            let clip = 4 * weekSigma
            weekDrift += ww * (min(max(weekReading.value, -clip), clip) - weekDrift)
            zw = direction.directed(weekDrift / weekSigma)
            if weekReading.judged && week.explains {
                weekRatio = weekRecord.ratio(zw, margin: Self.weekMargin, floor: Self.weekFloorZ)
            }
        }

        if warm && t - first >= Self.warmupMs {
            var best = rangeScored
            output.detector = .auto
            if volatilityRatio > best {
                best = volatilityRatio
                output.detector = .ewma
            }
            if levelRatio > best {
                best = levelRatio
                output.detector = .ewma
            }
            if weekRatio > best {
                best = weekRatio
                output.detector = .seasonal
            }
            if shapeRatio > best {
                best = shapeRatio
                output.detector = .seasonal
                output.expected = (reading.low + reading.high) / 2
                output.lower = reading.low - Self.shapeFloorZ * shapeSigma
                output.upper = reading.high + Self.shapeFloorZ * shapeSigma
            }
            output.score = Calibration.score(ratio: best)
        }

        // Forecast state: the value against the expectation of the profile a forecast would use.
        if shape.centred && forecast.isDue(t) {
            let useWeek = weekReading.judged && week.scored > WeekProfile.warmSamples && week.explains
            forecast.observe(x, expected: useWeek ? x - weekReading.value : shape.level + shape.bucketValue(at: t), level: shape.level, at: t)
        }

        // Learn.
        let decay = 1 - dt * Calibration.tailForgetPerSecond
        let recordDecay = 1 - dt * Calibration.recordForgetPerSecond
        if warm {
            levelRecord.observeRises(z, alarming: levelRatio >= 1, decay: recordDecay)
            levelTail.observe(z, decay: decay, learnExcess: !(levelRatio >= 1 && levelSurprise >= 1))
            rangeTail.observe(max(rangeExcess, 0), decay: decay, learnExcess: rangeRatio < 1 || rangeHabit)
            rangeAlarms *= recordDecay
            if rangeRatio >= 1 && !rangeAlarming { rangeAlarms += 1 }
            rangeAlarming = rangeRatio >= 1
        }
        // The record and tail learn once the band's scale has seen a whole day of residuals, a
        // day before the shape may score, so the first scored day is measured against a day of
        // history (`shapeLearnsAfterMs`).
        if reading.ready && shape.scored > 50 && t - first >= Self.shapeLearnsAfterMs {
            shapeRecord.observe(zs, alarming: shapeRatio >= 1, decay: recordDecay)
            shapeTail.observe(zs, decay: decay, learnExcess: shapeRatio < 1)
        }
        weekRecord.observe(zw, at: t, blockMs: Self.volatilityBlockMs, decay: Self.volatilityDecay)
        // The weekly profile starts once the daily profile's first day is over: before, the
        // level is a running mean of the hours seen, and a series that starts at 13:37 set its
        // first afternoon's buckets near 0 (its level was that afternoon's value), still half
        // wrong three weeks later at 30 % a week. Its two weeks count from then.
        if shape.centred {
            week.observe(
                x, level: shape.level, at: t, residual: weekReading.value, ready: weekReading.ready, sigma: weekSigma,
                daily: reading.residual, dailySigma: shapeSigma, calm: abs(weekDrift) < Self.weekFloorZ * weekSigma)
        }
        volatilityRecord.observe(volatility, at: t, blockMs: Self.volatilityBlockMs, decay: Self.volatilityDecay)
        envelope.observe(x, dt: dt)
        shape.observe(x, at: t, reading: reading, sigma: shapeSigma, range: (envelope.low, envelope.high))
        let levelRate = Calibration.timeRate(dt: dt, seconds: max(Self.levelSeconds, Self.levelMinSamples * step))
        let alpha = warm ? levelRate : max(levelRate, 1 / Double(count))
        let clip = warm ? 3 * sigma : Double.infinity
        let dc = min(max(d, -clip), clip)
        mean += alpha * dc
        deviation += alpha * (abs(dc) - deviation)
        return output
    }

    mutating func reset(_ reason: DetectorReset) {
        switch reason {
        case .stale:
            self = AutoDetector()
        case .gap:
            releveling = true
        }
    }

    /// The state a forecast starts from, once the daily profile has seen two days; nil before.
    /// The shape, when the seasonal model beats the flat one (`ForecastTracker`), is the weekly
    /// profile where it explains the series better than the daily one, else the daily one,
    /// corrected for the level's wobble (`WobbleCorrection`).
    /// - Complexity: O(buckets²) for the correction (48 or 84 buckets); allocates the profile.
    func forecastBasis() -> ForecastBasis? {
        guard isForecastWarm else { return nil }
        var level = forecast.flatLevel
        var profiles: [ForecastBasis.Profile] = []
        if forecast.seasonal {
            let useWeek = usesWeek(at: last)
            let periodMs = useWeek ? WeekProfile.weekMs : PhaseProfile.dayMs
            let values = useWeek ? week.profileValues() : shape.profileValues()
            // The weekly profile learns against the level from its first visit, so the wobble
            // is in it from the start; the daily one starts as the first day's shape centred
            // on its mean (no wobble), and each day since moves a bucket 30 % of the way to
            // value − level (e^-0.3 of the old shape stays).
            let days = Double(last - shape.first) / Double(PhaseProfile.dayMs) - 1
            let absorbed = useWeek ? 1 : 1 - exp(-PhaseProfile.dailyRate * max(days, 0))
            let (trueShape, wobble) = WobbleCorrection.correct(
                values, periodSeconds: Double(periodMs) / 1000, levelSeconds: PhaseProfile.levelSeconds, absorbed: absorbed)
            // The level without its wobble now, plus the running median of the value's
            // difference from the detector's expectation.
            let wobbleNow = ForecastBasis.Profile(periodMs: periodMs, values: wobble).value(at: last)
            level = shape.level - wobbleNow + forecast.seasonalOffset
            profiles.append(ForecastBasis.Profile(periodMs: periodMs, values: trueShape))
        }
        return ForecastBasis(
            detector: .auto, origin: last, level: level, profiles: profiles, low: Double(forecast.low), high: Double(forecast.high),
            scale: forecast.scale, drift: Double(forecast.drift), lagSeconds: ForecastTracker.seconds, stepSeconds: step)
    }

    /// Two days seen, at least every other half hour visited, the tracker past 50 samples.
    var isForecastWarm: Bool {
        shape.centred && last - shape.first >= 2 * PhaseProfile.dayMs && forecast.samples > 50
            && shape.visited.nonzeroBitCount >= PhaseProfile.buckets / 2
    }

    /// Whether forecasts use the weekly profile: two weeks seen, every bucket visited, and it
    /// explains the series better than the daily band (`WeekProfile.explains`).
    func usesWeek(at t: Timestamp) -> Bool {
        week.complete && t - week.first >= 2 * WeekProfile.weekMs && week.scored > WeekProfile.warmSamples && week.explains
    }
}
