import AIOpsCore
import Store

/// Keeps, per series the advice needs, a compact summary of the last 8 days that the
/// pipeline's ring (64 samples) cannot: for usage series an hourly mean (CPU, CFS counters,
/// loads) or maximum (memory) for 192 hours, for CPU also one histogram per UTC day for 8
/// days (`UsageHistogram`), and for kube-state-metrics objects the latest value.
///
/// One recorder per pipeline (shard), fed the samples its pipeline appended, under the same
/// lock: `observe` costs one array read for a series of no role, and for a tracked one a
/// rate (counters, reset-aware as the pipeline's), a few additions and one histogram
/// increment. No allocation, lock or existential per sample; new series are classified once
/// (`SeriesRole.of`), when the recorder first sees a sample of their slot.
///
/// Summaries are keyed by the series' labels, not by store slot: a series the pipeline
/// evicts (a pod deleted by a rollout) keeps its summary until it is older than the window,
/// so a workload's 7 days span the pods it replaced. `prune(before:)` drops the rest.
///
/// Memory: about 1.7 KB per usage series (192 hours × 2 floats plus state) and another
/// 2.3 KB per CPU series (8 days × 145 buckets × 2 bytes); a kube-state-metrics series about
/// 120 bytes.
///
/// Not thread-safe: the pipeline's owner guards it with the pipeline's lock.
public final class UsageRecorder {
    /// Hours of hourly summaries kept: the window (7 full UTC days and today) at its longest.
    public static let hoursKept = 192
    /// Days of CPU histograms kept.
    public static let daysKept = 8
    static let millisecondsPerHour: Int64 = 3_600_000

    public let store: SeriesStore
    public private(set) var loads: [LoadRule]
    /// New tracked series beyond this many are not tracked (counted in `statistics`).
    public let maximumEntries: Int

    /// Per store slot: the entry it feeds, `untracked`, or `unknown` (not classified yet).
    @usableFromInline var slotEntries: [Int32] = []
    @usableFromInline static let unknown: Int32 = -2
    @usableFromInline static let untracked: Int32 = -1

    @usableFromInline let states = Slab<EntryState>()
    /// Per entry: the series' labels (shared with the store's copy), nil for a free entry.
    var identities: [Labels?] = []
    var freeEntries: [Int32] = []
    var byHash: [UInt64: Int32] = [:]

    /// Hourly rings, `hoursKept` floats each: the hour's mean (counters: mean rate) or, for
    /// memory, its maximum. NaN: no data that hour.
    @usableFromInline let hourly = Slab<Float>(capacity: 1024)
    var freeRings: [Int32] = []
    var ringCount = 0
    /// CPU histograms: `daysKept` days × `UsageHistogram.bucketCount` counts each, and the
    /// UTC day (days since the epoch) each day slot holds.
    @usableFromInline let counts = Slab<UInt16>(capacity: 1024)
    @usableFromInline let histogramDays = Slab<Int32>(capacity: 64)
    var freeHistograms: [Int32] = []
    var histogramCount = 0

    public private(set) var statistics = UsageStatistics()

    /// - Parameters:
    ///   - store: the pipeline's store, whose slots `observe` is given.
    ///   - loads: the workspace's load rules (which series are a Deployment's load).
    ///   - maximumEntries: tracked series at most (live and retired together).
    public init(store: SeriesStore, loads: [LoadRule] = [], maximumEntries: Int = 1_000_000) {
        self.store = store
        self.loads = loads
        self.maximumEntries = maximumEntries
    }

    /// Tracked series (entries), live or retired.
    public var entryCount: Int { identities.count - freeEntries.count }

    /// Bytes held by the summaries (labels are shared with the store and not counted).
    public var approximateBytes: Int {
        states.count * MemoryLayout<EntryState>.stride + identities.count * 8 + slotEntries.count * 4
            + hourly.count * 4 + counts.count * 2 + histogramDays.count * 4 + byHash.count * 16
    }

    /// Replaces the load rules (a config reload): every slot is classified again on its next
    /// sample, so series the new rules name become loads; summaries kept go on.
    public func setLoads(_ loads: [LoadRule]) {
        self.loads = loads
        forgetSlots()
    }

    /// Forgets which entry each store slot feeds (after the store's slots were restored from
    /// a snapshot, or the classification changed): each is found again by its labels.
    public func forgetSlots() {
        for index in slotEntries.indices { slotEntries[index] = Self.unknown }
    }

    // MARK: Samples

    /// Feeds one sample the pipeline appended to series `ref` (call only for `.appended`
    /// outcomes, in the order they were appended).
    /// - Complexity: O(1), no allocation once the series is classified; no division unless
    ///   the series' hour changed.
    public func observe(_ ref: SeriesRef, timestamp: Timestamp, value: Double) {
        let slot = Int(ref.index)
        var entry = slot < slotEntries.count ? slotEntries[slot] : Self.unknown
        // A slot's first appended sample is a new series in it (a fresh slot, or one the store
        // reused after an eviction): classify it again.
        if entry == Self.unknown || store.appendedCount(ref) == 1 { entry = classify(ref) }
        guard entry >= 0 else { return }
        update(states.pointer(at: Int(entry)), entry: Int(entry), timestamp: timestamp, value: value)
    }

    @inline(__always)
    func update(_ state: UnsafeMutablePointer<EntryState>, entry: Int, timestamp: Timestamp, value: Double) {
        state.pointee.lastSeen = timestamp
        state.pointee.lastValue = value
        guard state.pointee.role <= SeriesRole.load.rawValue else { return }  // inventory: the latest value only
        var sample = value
        if state.pointee.counter {
            let previous = state.pointee.previousValue
            let previousTimestamp = state.pointee.previousTimestamp
            let previousStep = state.pointee.previousStep
            state.pointee.previousValue = value
            state.pointee.previousTimestamp = timestamp
            guard previousTimestamp != .min, timestamp > previousTimestamp else { return }
            let step = timestamp - previousTimestamp
            state.pointee.previousStep = step
            // As the pipeline's rate: a reset (a restart) and the first step after a gap are
            // skipped rather than guessed.
            if value < previous { return }
            if previousStep > 0 && step > 4 * previousStep { return }
            sample = (value - previous) * 1000 / Double(step)
        }
        if timestamp >= state.pointee.hourEnd { rollHour(state, entry: entry, at: timestamp) }
        state.pointee.hourSum += sample
        state.pointee.hourCount &+= 1
        let single = Float(sample)
        if single > state.pointee.hourMax { state.pointee.hourMax = single }
        let base = state.pointee.histogramBase
        if base >= 0 {
            let count = counts.pointer(at: base + UsageHistogram.bucket(sample))
            if count.pointee != .max { count.pointee &+= 1 }
        }
    }

    /// Writes the finished hour into the ring, clears the hours skipped since (no data), and
    /// moves the histogram to the new hour's day.
    func rollHour(_ state: UnsafeMutablePointer<EntryState>, entry: Int, at timestamp: Timestamp) {
        let hour = timestamp >= 0 ? timestamp / Self.millisecondsPerHour : (timestamp - Self.millisecondsPerHour + 1) / Self.millisecondsPerHour
        let ring = Int(state.pointee.ring)
        let previous = state.pointee.hour
        if previous != .min, ring >= 0 {
            let count = state.pointee.hourCount
            let summary: Float = count == 0 ? .nan
                : (state.pointee.role == SeriesRole.memory.rawValue ? state.pointee.hourMax : Float(state.pointee.hourSum / Double(count)))
            let base = ring * Self.hoursKept
            hourly[base + Self.position(previous)] = summary
            // Hours with no sample in between: no data (the ring may hold an older week there).
            var skipped = previous + 1
            let end = min(hour, previous + Int64(Self.hoursKept))
            while skipped < end {
                hourly[base + Self.position(skipped)] = .nan
                skipped += 1
            }
        }
        state.pointee.hour = hour
        state.pointee.hourEnd = (hour + 1) * Self.millisecondsPerHour
        state.pointee.hourSum = 0
        state.pointee.hourCount = 0
        state.pointee.hourMax = -.infinity
        let histogram = Int(state.pointee.histogram)
        if histogram >= 0 {
            let day = Int32(truncatingIfNeeded: hour >= 0 ? hour / 24 : (hour - 23) / 24)
            let daySlot = Int(UInt32(bitPattern: day) % UInt32(Self.daysKept))
            let dayIndex = histogram * Self.daysKept + daySlot
            if histogramDays[dayIndex] != day { startDay(histogram: histogram, slot: daySlot, day: day) }
            state.pointee.histogramBase = dayIndex * UsageHistogram.bucketCount
        }
    }

    func startDay(histogram: Int, slot: Int, day: Int32) {
        histogramDays[histogram * Self.daysKept + slot] = day
        counts.pointer(at: (histogram * Self.daysKept + slot) * UsageHistogram.bucketCount).update(repeating: 0, count: UsageHistogram.bucketCount)
    }

    @inline(__always)
    static func position(_ hour: Int64) -> Int {
        Int(UInt64(bitPattern: hour) % UInt64(hoursKept))
    }

    // MARK: Series

    /// Classifies the series in `ref`'s slot and binds the slot to its entry (found by
    /// labels, so a series that comes back after an eviction continues its summary).
    func classify(_ ref: SeriesRef) -> Int32 {
        let slot = Int(ref.index)
        if slot >= slotEntries.count {
            slotEntries.append(contentsOf: repeatElement(Self.unknown, count: slot + 1 - slotEntries.count))
        }
        let labels = store.labels(of: ref)
        guard let (role, load) = SeriesRole.of(labels, loads: loads) else {
            slotEntries[slot] = Self.untracked
            return Self.untracked
        }
        if let existing = byHash[labels.stableHash], identities[Int(existing)] == labels {
            slotEntries[slot] = existing
            return existing
        }
        guard entryCount < maximumEntries else {
            statistics.refused += 1
            slotEntries[slot] = Self.untracked
            return Self.untracked
        }
        let entry = makeEntry(labels, role: role, load: load)
        byHash[labels.stableHash] = entry
        slotEntries[slot] = entry
        return entry
    }

    func makeEntry(_ labels: Labels, role: SeriesRole, load: Int) -> Int32 {
        var state = EntryState()
        state.role = role.rawValue
        state.load = Int16(clamping: load)
        state.counter = SeriesRole.isCounter(role, metricName: labels.metricName)
        if role.isUsage { state.ring = allocateRing() }
        if role == .cpu { state.histogram = allocateHistogram() }
        let entry: Int32
        if let free = freeEntries.popLast() {
            entry = free
            states[Int(free)] = state
            identities[Int(free)] = labels
        } else {
            entry = Int32(states.append(state))
            identities.append(labels)
        }
        statistics.created += 1
        return entry
    }

    func allocateRing() -> Int32 {
        let ring: Int32
        if let free = freeRings.popLast() {
            ring = free
        } else {
            ring = Int32(ringCount)
            ringCount += 1
            hourly.append(repeating: .nan, count: Self.hoursKept)
            return ring
        }
        hourly.pointer(at: Int(ring) * Self.hoursKept).update(repeating: .nan, count: Self.hoursKept)
        return ring
    }

    func allocateHistogram() -> Int32 {
        let histogram: Int32
        if let free = freeHistograms.popLast() {
            histogram = free
        } else {
            histogram = Int32(histogramCount)
            histogramCount += 1
            counts.append(repeating: 0, count: Self.daysKept * UsageHistogram.bucketCount)
            histogramDays.append(repeating: .min, count: Self.daysKept)
            return histogram
        }
        histogramDays.pointer(at: Int(histogram) * Self.daysKept).update(repeating: .min, count: Self.daysKept)
        return histogram
    }

    /// Drops the summaries of series last seen before `cutoff` (retired pods whose data has
    /// left the window), and forgets which slots fed them.
    /// - Returns: how many were dropped. - Complexity: O(entries + slots).
    @discardableResult
    public func prune(before cutoff: Timestamp) -> Int {
        var dropped = Set<Int32>()
        for entry in 0..<identities.count {
            guard let labels = identities[entry], states[entry].lastSeen < cutoff else { continue }
            let state = states[entry]
            if state.ring >= 0 { freeRings.append(state.ring) }
            if state.histogram >= 0 { freeHistograms.append(state.histogram) }
            if byHash[labels.stableHash] == Int32(entry) { byHash[labels.stableHash] = nil }
            identities[entry] = nil
            freeEntries.append(Int32(entry))
            dropped.insert(Int32(entry))
        }
        if !dropped.isEmpty {
            for slot in slotEntries.indices where dropped.contains(slotEntries[slot]) { slotEntries[slot] = Self.unknown }
        }
        statistics.pruned += dropped.count
        return dropped.count
    }

    // MARK: Reading

    /// The UTC day index (days since the epoch) of a time.
    static func day(of time: Timestamp) -> Int64 {
        time >= 0 ? time / 86_400_000 : (time - 86_399_999) / 86_400_000
    }

    /// The window advice looks at, ending at `now`: from the start of the UTC day 7 days
    /// before today, so 7 full days and today so far.
    public static func windowStart(at now: Timestamp) -> Timestamp {
        (day(of: now) - 7) * 86_400_000
    }

    /// Copies what the advice needs of every entry seen in the window ending at `now`, and
    /// prunes entries older than the window first.
    /// - Complexity: O(entries × hours in the window); allocates the copy (call it under the
    ///   lock, analyse outside it).
    public func extract(at now: Timestamp) -> UsageExtract {
        let windowStart = Self.windowStart(at: now)
        prune(before: windowStart)
        let firstHour = windowStart / Self.millisecondsPerHour
        let lastHour = max(firstHour, now / Self.millisecondsPerHour)
        let hourCount = Int(lastHour - firstHour + 1)
        let firstDay = Int32(Self.day(of: windowStart))
        var extract = UsageExtract(windowStart: windowStart, now: now, hourCount: hourCount)
        for entry in 0..<identities.count {
            guard let labels = identities[entry] else { continue }
            let state = states[entry]
            guard let role = SeriesRole(rawValue: state.role), state.lastSeen >= windowStart else { continue }
            guard role.isUsage else {
                extract.inventory.append(InventoryItem(role: role, labels: labels, value: state.lastValue, lastSeen: state.lastSeen))
                continue
            }
            var series = UsageSeries(role: role, labels: labels, load: Int(state.load), lastSeen: state.lastSeen, lastValue: state.lastValue)
            let offset = extract.hourly.count
            extract.hourly.append(contentsOf: repeatElement(Float.nan, count: hourCount))
            let base = Int(state.ring) * Self.hoursKept
            for hour in firstHour...lastHour {
                let value: Float
                if hour == state.hour {
                    value = state.hourCount == 0 ? .nan
                        : (role == .memory ? state.hourMax : Float(state.hourSum / Double(state.hourCount)))
                } else if hour < state.hour && hour > state.hour - Int64(Self.hoursKept) {
                    value = hourly[base + Self.position(hour)]
                } else {
                    value = .nan
                }
                extract.hourly[offset + Int(hour - firstHour)] = value
            }
            series.hourlyOffset = offset
            if state.histogram >= 0 {
                series.histogramOffset = extract.histograms.count
                extract.histograms.append(contentsOf: repeatElement(0, count: UsageHistogram.bucketCount))
                let histogram = Int(state.histogram)
                for slot in 0..<Self.daysKept {
                    let day = histogramDays[histogram * Self.daysKept + slot]
                    guard day != .min, day >= firstDay else { continue }
                    let base = (histogram * Self.daysKept + slot) * UsageHistogram.bucketCount
                    for bucket in 0..<UsageHistogram.bucketCount {
                        extract.histograms[series.histogramOffset + bucket] += UInt32(counts[base + bucket])
                    }
                }
            }
            extract.series.append(series)
        }
        return extract
    }
}

/// What `UsageRecorder` keeps per tracked series and touches per sample: plain data in one
/// slab, so a sample reads and writes one place.
@usableFromInline
struct EntryState: BitwiseCopyable, Sendable {
    @usableFromInline var role: UInt8 = 0
    /// Summarised as a per-second rate.
    @usableFromInline var counter = false
    /// The `LoadRule` of a `.load` series, else -1.
    @usableFromInline var load: Int16 = -1
    /// Hourly ring and histogram indexes, -1 when none.
    @usableFromInline var ring: Int32 = -1
    @usableFromInline var histogram: Int32 = -1
    /// The rate's previous raw sample and the step before it.
    @usableFromInline var previousValue: Double = .nan
    @usableFromInline var previousTimestamp: Int64 = .min
    @usableFromInline var previousStep: Int64 = 0
    /// The hour being summed (hours since the epoch), `.min` before the first, and where it
    /// ends (ms): a sample at or after `hourEnd` rolls the hour.
    @usableFromInline var hour: Int64 = .min
    @usableFromInline var hourEnd: Int64 = .min
    /// Where the current day's counts start in `counts`, -1 without a histogram.
    @usableFromInline var histogramBase: Int = -1
    @usableFromInline var hourSum: Double = 0
    @usableFromInline var hourCount: UInt32 = 0
    @usableFromInline var hourMax: Float = -.infinity
    @usableFromInline var lastSeen: Int64 = .min
    @usableFromInline var lastValue: Double = .nan

    @usableFromInline init() {}
}

/// Counters of a recorder.
public struct UsageStatistics: Sendable, Equatable {
    /// Series tracked since the start.
    public var created = 0
    /// Series not tracked because `maximumEntries` was reached.
    public var refused = 0
    /// Summaries dropped because their series left the window.
    public var pruned = 0
    public init() {}
}

/// A copy of what the recorders hold for the window ending at `now`, analysed outside the
/// pipelines' locks (`Advisor`).
public struct UsageExtract: Sendable {
    /// Start of the window: the UTC day 7 days before `now`'s.
    public var windowStart: Timestamp
    public var now: Timestamp
    /// Hours from `windowStart`'s to `now`'s, both included.
    public var hourCount: Int
    public var series: [UsageSeries] = []
    /// `hourCount` values per usage series (at `UsageSeries.hourlyOffset`): the hour's mean
    /// (rates for counters), the maximum for memory; NaN where there was no data.
    public var hourly: [Float] = []
    /// `UsageHistogram.bucketCount` counts per CPU series, the window's days summed.
    public var histograms: [UInt32] = []
    public var inventory: [InventoryItem] = []

    public init(windowStart: Timestamp, now: Timestamp, hourCount: Int) {
        self.windowStart = windowStart
        self.now = now
        self.hourCount = hourCount
    }

    /// The hourly values of a series.
    public func hours(of series: UsageSeries) -> ArraySlice<Float> {
        hourly[series.hourlyOffset..<(series.hourlyOffset + hourCount)]
    }

    /// The window's histogram of a CPU series (empty for others).
    public func histogram(of series: UsageSeries) -> ArraySlice<UInt32> {
        guard series.histogramOffset >= 0 else { return [] }
        return histograms[series.histogramOffset..<(series.histogramOffset + UsageHistogram.bucketCount)]
    }

    /// Several recorders' extracts (one per shard) as one; all must share `now`.
    public static func merge(_ parts: [UsageExtract]) -> UsageExtract? {
        guard var merged = parts.first else { return nil }
        for part in parts.dropFirst() {
            precondition(part.now == merged.now && part.hourCount == merged.hourCount, "extracts of one moment")
            let hourBase = merged.hourly.count
            let histogramBase = merged.histograms.count
            merged.hourly += part.hourly
            merged.histograms += part.histograms
            for var series in part.series {
                series.hourlyOffset += hourBase
                if series.histogramOffset >= 0 { series.histogramOffset += histogramBase }
                merged.series.append(series)
            }
            merged.inventory += part.inventory
        }
        return merged
    }
}

/// One usage series in an extract.
public struct UsageSeries: Sendable {
    public var role: SeriesRole
    public var labels: Labels
    /// The `LoadRule` index of a `.load` series, else -1.
    public var load: Int
    public var lastSeen: Timestamp
    public var lastValue: Double
    public var hourlyOffset = 0
    public var histogramOffset = -1

    public init(role: SeriesRole, labels: Labels, load: Int = -1, lastSeen: Timestamp, lastValue: Double) {
        self.role = role
        self.labels = labels
        self.load = load
        self.lastSeen = lastSeen
        self.lastValue = lastValue
    }
}

/// A kube-state-metrics object (or cAdvisor's memory limit): its labels and latest value.
public struct InventoryItem: Sendable {
    public var role: SeriesRole
    public var labels: Labels
    public var value: Double
    public var lastSeen: Timestamp

    public init(role: SeriesRole, labels: Labels, value: Double, lastSeen: Timestamp) {
        self.role = role
        self.labels = labels
        self.value = value
        self.lastSeen = lastSeen
    }
}
