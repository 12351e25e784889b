import AIOpsCore
import Store

/// One series' place in the warm-start queue: its slot and the token it got when it started
/// waiting, so history for a series that went away is never applied to a slot's next tenant.
public struct WarmTicket: Hashable, Sendable {
    public let series: SeriesRef
    public let token: UInt64

    public init(series: SeriesRef, token: UInt64) {
        self.series = series
        self.token = token
    }
}

/// A series ready to have its history read, as `Pipeline.takeWarmCandidates` hands it out.
public struct WarmCandidate: Sendable {
    public let ticket: WarmTicket
    public let labels: Labels
    /// The first live sample's timestamp: history applied to the series is older than it.
    public let firstTimestamp: Timestamp
    /// The second live sample's timestamp, when it came before the series was handed out
    /// (its difference to the first is the series' scrape step).
    public let secondTimestamp: Timestamp?

    public init(ticket: WarmTicket, labels: Labels, firstTimestamp: Timestamp, secondTimestamp: Timestamp?) {
        self.ticket = ticket
        self.labels = labels
        self.firstTimestamp = firstTimestamp
        self.secondTimestamp = secondTimestamp
    }
}

/// What the pipeline keeps for warm start: which series wait for their history, and since when.
///
/// A waiting series' live samples are appended to its ring as usual (the store still judges
/// order and duplicates) but not scored; when its history has been replayed through its
/// detectors they are scored, oldest first. The ring is the buffer: nothing else is held per
/// sample, and when a series' unscored samples would fill its ring the series stops waiting
/// and they are scored at once, unwarmed.
struct WarmRegistry {
    /// Whether new series wait for their history (`Pipeline.warmsNewSeries`).
    var enabled = false
    /// Per store slot: whether the series waits. Read for every sample while any series waits.
    var waiting: [Bool] = []
    /// How many slots of `waiting` are set: 0 keeps the per-sample check to one load.
    var waitingCount = 0
    var entries: [Int32: Entry] = [:]
    var nextToken: UInt64 = 1
    /// Series that stopped waiting before their history was applied (ring full, stale marker,
    /// evicted), since `takeWarmEndedEarly()` last read it.
    var endedEarly = 0

    struct Entry {
        var token: UInt64
        /// `store.appendedCount` when the series started waiting: samples after it are unscored.
        var scoredThrough: UInt64
        /// Handed out by `takeWarmCandidates`.
        var claimed = false
        /// Wall-clock time `takeWarmCandidates` first saw the series (`.min` before then).
        var firstPolled: Timestamp = .min
        /// The first unscored sample's timestamp, fixed when claimed: history must be older.
        var firstLive: Timestamp = .max
        /// The newest history sample applied (`.min` before any).
        var historyThrough: Timestamp = .min
        var historyApplied = 0
    }

    @inline(__always)
    func isWaiting(_ slot: Int) -> Bool {
        waitingCount > 0 && slot < waiting.count && waiting[slot]
    }
}

extension Pipeline {
    /// Whether series created from now on wait for their history before they are scored
    /// (`aiops serve --warm-from`). Off by default, and always off in replay.
    public var warmsNewSeries: Bool {
        get { warm.enabled }
        set { warm.enabled = newValue }
    }

    /// Series waiting for their history now.
    public var warmingSeriesCount: Int { warm.entries.count }

    /// Whether `ref` waits for its history.
    public func isWarming(_ ref: SeriesRef) -> Bool { warm.isWaiting(Int(ref.index)) }

    /// Hands out the waiting series whose step can be told: those with two samples, and those
    /// with one that have been seen here for `patience` (the caller then uses its default
    /// step). Each series is handed out once.
    /// - Parameters:
    ///   - now: wall-clock time; the patience of a series counts from the first call that saw it.
    /// - Complexity: O(waiting series); allocates for the candidates only.
    public func takeWarmCandidates(now: Timestamp, patience: Int64) -> [WarmCandidate] {
        var taken: [WarmCandidate] = []
        for (slot, var entry) in warm.entries where !entry.claimed {
            let ref = SeriesRef(slot)
            let unscored = store.appendedCount(ref) &- entry.scoredThrough
            if entry.firstPolled == .min { entry.firstPolled = now }
            guard unscored >= 2 || (unscored == 1 && now - entry.firstPolled >= patience) else {
                warm.entries[slot] = entry
                continue
            }
            let recent = store.recent(ref, count: Int(min(unscored, UInt64(store.ringCapacity))))
            entry.claimed = true
            entry.firstLive = recent.timestamps[0]
            warm.entries[slot] = entry
            taken.append(WarmCandidate(
                ticket: WarmTicket(series: ref, token: entry.token), labels: store.labels(of: ref),
                firstTimestamp: recent.timestamps[0], secondTimestamp: recent.timestamps.count > 1 ? recent.timestamps[1] : nil))
        }
        return taken
    }

    /// How many series stopped waiting on their own (their unscored samples would have
    /// outrun the ring, a stale marker, eviction) since the last call; resets the count.
    public func takeWarmEndedEarly() -> Int {
        defer { warm.endedEarly = 0 }
        return warm.endedEarly
    }

    /// Replays history through a waiting series' detectors: every rule's transform (a
    /// counter's rate included) and detector, not its incident tracker (history raises no
    /// incident) nor the store. Only samples older than the series' first live sample and
    /// newer than the history applied before are taken, so chunks may overlap and nothing is
    /// applied twice or out of order. Call it with chunks oldest first, then `finishWarming`.
    /// - Parameters:
    ///   - timestamps: ascending; `values` has one value per timestamp (non-finite ones skipped).
    /// - Returns: how many samples were applied; nil when the ticket's series no longer waits.
    /// - Complexity: O(samples x rules bound to the series), no allocation.
    public func applyHistory(_ ticket: WarmTicket, timestamps: [Timestamp], values: [Double]) -> Int? {
        let slot = Int(ticket.series.index)
        guard warm.isWaiting(slot), var entry = warm.entries[ticket.series.index], entry.token == ticket.token else { return nil }
        let start = Int(bindingStart[slot])
        let end = start + Int(bindingCount[slot])
        var applied = 0
        for (timestamp, value) in zip(timestamps, values) {
            guard timestamp > entry.historyThrough, timestamp < entry.firstLive, value.isFinite else { continue }
            entry.historyThrough = timestamp
            applied += 1
            for index in start..<end {
                let rule = compiled[Int(bindings[index].rule)]
                guard let input = bindings[index].transformed(value, at: timestamp) else { continue }
                var limit = rule.limitConstant
                let limitKey = bindings[index].limitKey
                if limitKey != 0 { limit = limitValues[limitKey] ?? .nan }
                _ = detectors.update(bindings[index].detector, timestamp: timestamp, value: input, spec: rule.spec, limit: limit)
            }
        }
        entry.historyApplied += applied
        warm.entries[ticket.series.index] = entry
        return applied
    }

    /// Ends a series' wait: its unscored live samples are scored now, oldest first, after the
    /// history applied. With `keepHistory` false (the history could not all be read) the
    /// detectors and transforms start over first, as if no history had come.
    /// - Returns: false when the ticket's series no longer waits (nothing done).
    @discardableResult
    public func finishWarming(_ ticket: WarmTicket, keepHistory: Bool) -> Bool {
        let slot = Int(ticket.series.index)
        guard warm.isWaiting(slot), let entry = warm.entries[ticket.series.index], entry.token == ticket.token else { return false }
        if !keepHistory && entry.historyApplied > 0 {
            let start = Int(bindingStart[slot])
            for index in start..<(start + Int(bindingCount[slot])) {
                detectors.reset(bindings[index].detector, .stale)
                bindings[index].resetTransform()
            }
        }
        _ = endWarming(ticket.series, keepingHistoryThrough: keepHistory ? entry.historyThrough : .min)
        return true
    }

    // MARK: Internals

    /// Marks a series just created as waiting for its history.
    func beginWarming(_ ref: SeriesRef) {
        let slot = Int(ref.index)
        if slot >= warm.waiting.count {
            warm.waiting.append(contentsOf: repeatElement(false, count: slot + 1 - warm.waiting.count))
        }
        if !warm.waiting[slot] { warm.waitingCount += 1 }
        warm.waiting[slot] = true
        warm.entries[ref.index] = WarmRegistry.Entry(token: warm.nextToken, scoredThrough: store.appendedCount(ref))
        warm.nextToken &+= 1
    }

    /// A waiting series' sample was appended and not scored. If the unscored samples now fill
    /// the ring (the next one would overwrite the oldest), the series stops waiting and they
    /// are all scored now. - Returns: the score of the newest sample (0 when deferred).
    @inline(__always)
    func deferUntilWarm(_ ref: SeriesRef) -> Double {
        guard let entry = warm.entries[ref.index] else { return 0 }
        let unscored = store.appendedCount(ref) &- entry.scoredThrough
        guard unscored >= UInt64(store.ringCapacity) else { return 0 }
        return endWarmingEarly(ref)
    }

    /// The series stops waiting before its history came; what it has is scored unwarmed.
    @discardableResult
    func endWarmingEarly(_ ref: SeriesRef) -> Double {
        guard let entry = warm.entries[ref.index] else { return 0 }
        warm.endedEarly += 1
        if entry.historyApplied > 0 {
            let start = Int(bindingStart[Int(ref.index)])
            for index in start..<(start + Int(bindingCount[Int(ref.index)])) {
                detectors.reset(bindings[index].detector, .stale)
                bindings[index].resetTransform()
            }
        }
        return endWarming(ref, keepingHistoryThrough: .min)
    }

    /// The series is being removed: it stops waiting, nothing is scored.
    func dropWarming(_ slot: Int) {
        guard warm.entries.removeValue(forKey: Int32(slot)) != nil else { return }
        warm.endedEarly += 1
        warm.waiting[slot] = false
        warm.waitingCount -= 1
    }

    /// Clears the wait and scores the unscored samples still in the ring, oldest first,
    /// skipping any not newer than `historyThrough` (never fed out of order).
    /// - Returns: the newest sample's highest score.
    private func endWarming(_ ref: SeriesRef, keepingHistoryThrough historyThrough: Timestamp) -> Double {
        let slot = Int(ref.index)
        guard let entry = warm.entries.removeValue(forKey: ref.index) else { return 0 }
        warm.waiting[slot] = false
        warm.waitingCount -= 1
        let unscored = store.appendedCount(ref) &- entry.scoredThrough
        let recent = store.recent(ref, count: Int(min(unscored, UInt64(store.ringCapacity))))
        var best = 0.0
        for (timestamp, value) in zip(recent.timestamps, recent.values) where timestamp > historyThrough {
            best = score(ref, slot: slot, timestamp: timestamp, value: value)
        }
        return best
    }
}
