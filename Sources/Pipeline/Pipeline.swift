import AIOpsCore
import Detectors
import Incidents
import Rules
import Store

/// The one code path from "a sample of a series" to "incidents with advice", shared by
/// `aiops replay` (event time from the file) and `aiops serve` (event time from remote write).
///
/// Per sample: the store appends it (or classifies why not), then each rule bound to the series
/// transforms the value, runs its detector, and feeds the score to its incident tracker.
/// Rules are matched once, when a series is first seen; a series no rule selects gets the
/// built-in auto rule. The transform is decided then too: the rule's `transform` if it says
/// one, else from the series' kind (`SeriesKind`: a counter is scored as its per-second rate,
/// a `_created` series not at all, anything else as it is). A sample costs no allocation, no
/// lock and no existential call; only incident transitions (rare) build records and call the
/// sink.
///
/// Not thread-safe: one pipeline per workspace, guarded by its owner with one lock per request.
public final class Pipeline {
    /// Sizes and limits; `maxSeries` may change (`setMaxSeries`), the rest is fixed.
    public private(set) var configuration: PipelineConfiguration
    public let store: SeriesStore
    /// The rules in force, the built-in auto rule last.
    public let rules: [Rule]
    @usableFromInline let compiled: [CompiledRule]
    let limitChannels: [LimitChannel]

    // Per store slot (parallel to the store's slots).
    var bindingStart: [Int32] = []
    var bindingCount: [Int32] = []
    var publishKey: [UInt64] = []
    /// Wall-clock time samples last arrived for each slot (`noteArrival`), `.min` when
    /// never noted; what `evictIdle` judges staleness by, so a series whose timestamps lag
    /// (a sender catching up a backlog) is not evicted while it keeps arriving.
    var lastArrival: [Timestamp] = []

    /// Every series' rule bindings; a series' bindings are a contiguous run.
    let bindings = Slab<RuleBinding>()
    /// Each binding's latest detector output (same index as `bindings`; may be shorter:
    /// it grows when a binding first scores). Scores as series read it.
    let latestScores = Slab<LatestScore>()
    /// Per binding, the event time of the latest score remote write took (`.min` none);
    /// touched only when scores are collected, never per sample.
    var exportedScoreTimestamps: [Timestamp] = []
    /// The bindings' detector states, one slab per kind.
    let detectors: DetectorPool
    /// Freed binding ranges by length, reused by new series.
    var freeBindingRanges: [Int32: [Int32]] = [:]
    /// Latest value of every limit series, by limit key.
    var limitValues: [UInt64: Double] = [:]
    /// Series waiting for their history (serve's warm start; `Pipeline+Warming.swift`).
    var warm = WarmRegistry()

    /// Open incidents (pending or firing), by binding index.
    var open: [Int32: Incident] = [:]
    /// Resolved incidents, oldest first, at most `recentIncidentLimit`.
    public internal(set) var recentlyResolved: [Incident] = []
    /// Traces of open incidents, by binding index as `open` (`Pipeline+Traces.swift`).
    var openTraces: [Int32: IncidentTrace] = [:]
    /// Traces of the latest resolved incidents, by incident id, and their ids oldest first.
    var resolvedTraces: [String: IncidentTrace] = [:]
    var resolvedTraceOrder: [String] = []

    /// Receives firing and resolved events.
    public var sink: (any IncidentSink)?

    /// The highest score any rule gave the last ingested sample (0 when it was not scored).
    public private(set) var lastScore: Double = 0
    public internal(set) var statistics = PipelineStatistics()

    /// - Parameters:
    ///   - rules: the workspace's rules; series none of them selects get `RuleSet.autoRule`.
    ///   - sink: told about firing and resolved incidents.
    public convenience init(rules: RuleSet, configuration: PipelineConfiguration = .init(), sink: (any IncidentSink)? = nil) {
        self.init(rules: rules, configuration: configuration, sink: sink,
                  store: SeriesStore(configuration: configuration.store), detectors: DetectorPool())
    }

    /// A pipeline over `store` and `detectors`, which may hold another pipeline's series and
    /// states (`rebinding`), with no bindings yet.
    init(rules: RuleSet, configuration: PipelineConfiguration, sink: (any IncidentSink)?, store: SeriesStore, detectors: DetectorPool) {
        self.configuration = configuration
        self.store = store
        self.detectors = detectors
        var all = rules.rules
        all.append(RuleSet.autoRule)
        self.rules = all
        var channels: [LimitChannel] = []
        var compiled: [CompiledRule] = []
        for rule in all {
            var channel: Int32 = -1
            if let series = rule.limit?.series {
                let candidate = LimitChannel(metric: series, matchOn: rule.limit?.matchOn)
                if let existing = channels.firstIndex(of: candidate) {
                    channel = Int32(existing)
                } else {
                    channels.append(candidate)
                    channel = Int32(channels.count - 1)
                }
            }
            compiled.append(CompiledRule(rule: rule, limitChannel: channel))
        }
        self.compiled = compiled
        self.limitChannels = channels
        self.sink = sink
    }

    /// Changes the number of series beyond which new ones are refused (a reload changed the
    /// workspace's limit). Series held beyond a lowered limit stay until they go idle.
    public func setMaxSeries(_ maxSeries: Int) {
        configuration.maxSeries = maxSeries
    }

    // MARK: Series

    /// The series with these labels, created (and bound to its rules) if new.
    /// - Parameter type: the sender's metric type for the series, if it declared one; only
    ///   used when the series is new.
    /// - Returns: nil when the series is new and the pipeline holds `maxSeries` already.
    public func series(for labels: Labels, type: MetricType? = nil) -> SeriesRef? {
        if let ref = store.lookup(labels) { return ref }
        return create(labels, type: type)
    }

    /// Creates a series the caller knows is not held (the remote-write path checks by bytes).
    /// - Parameter type: the sender's metric type for the series (2.0 series metadata, or its
    ///   family's in the workspace's `MetricTypeTable`); nil to go by the name alone.
    /// - Returns: nil when the pipeline holds `maxSeries` already.
    public func create(_ labels: Labels, type: MetricType? = nil) -> SeriesRef? {
        guard store.seriesCount < configuration.maxSeries else {
            statistics.seriesRefused += 1
            return nil
        }
        let ref = store.insert(labels)
        let slot = Int(ref.index)
        while bindingStart.count <= slot {
            bindingStart.append(0)
            bindingCount.append(0)
            publishKey.append(0)
        }
        var matched = (0..<(rules.count - 1)).filter { rules[$0].selector.matches(labels) }
        if matched.isEmpty { matched = [rules.count - 1] }
        let kind = SeriesKind(metricName: labels.metricName, type: type)
        let fresh = matched.map { ruleIndex -> RuleBinding in
            let rule = compiled[ruleIndex]
            var binding = RuleBinding(
                rule: Int32(ruleIndex), transform: rule.transform ?? kind.defaultTransform, detector: detectors.make(rule.spec.kind))
            if rule.limitChannel >= 0 {
                binding.limitKey = limitChannels[Int(rule.limitChannel)].key(channel: rule.limitChannel, labels: labels)
            }
            return binding
        }
        let count = Int32(fresh.count)
        let start: Int32
        if var free = freeBindingRanges[count], let reused = free.popLast() {
            freeBindingRanges[count] = free
            start = reused
            for (offset, binding) in fresh.enumerated() { bindings[Int(start) + offset] = binding }
        } else {
            start = Int32(bindings.count)
            for binding in fresh { bindings.append(binding) }
        }
        clearLatestScores(start: Int(start), count: fresh.count)
        bindingStart[slot] = start
        bindingCount[slot] = count
        publishKey[slot] = 0
        for (index, channel) in limitChannels.enumerated() where channel.metric == labels.metricName {
            publishKey[slot] = channel.key(channel: Int32(index), labels: labels)
            break
        }
        if warm.enabled { beginWarming(ref) }
        return ref
    }

    /// Applies metric types that arrived after series of their families were created (remote
    /// write 1.0 sends metadata apart from the samples, about once a minute): every series
    /// whose family `table` knows is classified again, and a binding whose rule does not say
    /// `transform` and whose transform changes starts over (its detector state, its rate, and
    /// any open incident, which resolves as "metric type changed"), as if the series were new.
    /// Series whose family `table` does not know keep what they have.
    ///
    /// Called when a metadata request changed the table, which after the first minute is
    /// rare; it walks every series (O(series), allocating), never a sample.
    /// - Returns: how many series changed kind.
    @discardableResult
    public func reclassify(using table: MetricTypeTable, at timestamp: Timestamp) -> Int {
        var changed = 0
        for ref in store.allSeries {
            let labels = store.labels(of: ref)
            guard let type = table.type(ofSeries: labels.metricName) else { continue }
            let kind = SeriesKind(metricName: labels.metricName, type: type)
            let slot = Int(ref.index)
            let start = Int(bindingStart[slot])
            var touched = false
            for index in start..<(start + Int(bindingCount[slot])) {
                let rule = compiled[Int(bindings[index].rule)]
                guard rule.transform == nil, bindings[index].transform != kind.defaultTransform else { continue }
                touched = true
                bindings[index].transform = kind.defaultTransform
                bindings[index].resetTransform()
                detectors.reset(bindings[index].detector, .stale)
                if let transition = bindings[index].tracker.seriesWentAway() {
                    handle(transition, binding: Int32(index), ref: ref, timestamp: timestamp, output: .quiet(.auto), value: .nan,
                           resolution: "metric type changed")
                }
            }
            if touched { changed += 1 }
        }
        return changed
    }

    /// What each rule bound to a series scores, in binding order: `.rate`, `.none`, or nil
    /// when the rule does not score it (a `_created` series). For tests and diagnostics.
    public func transforms(of ref: SeriesRef) -> [SeriesTransform?] {
        let start = Int(bindingStart[Int(ref.index)])
        return (start..<(start + Int(bindingCount[Int(ref.index)]))).map { index in
            let transform = bindings[index].transform
            return transform == .skip ? nil : transform.incidentTransform
        }
    }

    /// Drops a series: open incidents on it resolve ("series went away") at `timestamp`.
    public func remove(_ ref: SeriesRef, at timestamp: Timestamp) {
        let slot = Int(ref.index)
        if warm.isWaiting(slot) { dropWarming(slot) }
        let start = bindingStart[slot]
        let count = bindingCount[slot]
        for index in start..<(start + count) {
            if let transition = bindings[Int(index)].tracker.seriesWentAway() {
                handle(transition, binding: index, ref: ref, timestamp: timestamp, output: .quiet(.auto), value: .nan, resolution: "series went away")
            }
            detectors.release(bindings[Int(index)].detector)
        }
        freeBindingRanges[count, default: []].append(start)
        if slot < lastArrival.count { lastArrival[slot] = .min }
        if publishKey[slot] != 0 { limitValues[publishKey[slot]] = nil }
        store.remove(ref)
    }

    /// Records that samples of `ref` arrived at wall-clock time `now` (serve calls it once
    /// per series per request). - Complexity: O(1).
    public func noteArrival(_ ref: SeriesRef, at now: Timestamp) {
        let slot = Int(ref.index)
        if slot >= lastArrival.count {
            lastArrival.append(contentsOf: repeatElement(Timestamp.min, count: slot + 1 - lastArrival.count))
        }
        lastArrival[slot] = now
    }

    /// Removes every series nothing arrived for since `cutoff`, so memory follows the active
    /// series, not every series ever seen. Arrival is wall-clock time (`noteArrival`): how
    /// far behind a series' timestamps are does not matter. A series never noted (replay)
    /// is judged by its newest sample's event time.
    /// - Returns: how many were removed.
    @discardableResult
    public func evictIdle(olderThan cutoff: Timestamp, now: Timestamp) -> Int {
        var removed = 0
        for ref in store.allSeries {
            let slot = Int(ref.index)
            let noted = slot < lastArrival.count ? lastArrival[slot] : .min
            let last = noted != .min ? noted : store.newestTimestamp(ref)
            guard last < cutoff else { continue }
            remove(ref, at: now)
            removed += 1
        }
        return removed
    }

    // MARK: Samples

    /// Feeds one sample of a held series through store, detectors and incident trackers.
    /// - Returns: what the store did with it; `lastScore` holds the sample's highest score.
    /// - Complexity: O(rules bound to the series), no allocation.
    @discardableResult
    public func ingest(_ ref: SeriesRef, timestamp: Timestamp, value: Double) -> SampleOutcome {
        var unused = ExpectedBand.unknown
        return ingest(ref, timestamp: timestamp, value: value, recording: false, expected: &unused)
    }

    /// `ingest`, also saying what the highest-scoring rule expected of the sample (the first
    /// rule's on a tie; unknown when nothing scored it): replay `--html` plots the band. A
    /// separate entry, so that serve's per-sample path carries none of it (`recording` is a
    /// constant there, folded away).
    public func ingestRecordingExpected(_ ref: SeriesRef, timestamp: Timestamp, value: Double) -> (outcome: SampleOutcome, expected: ExpectedBand) {
        var band = ExpectedBand.unknown
        let outcome = ingest(ref, timestamp: timestamp, value: value, recording: true, expected: &band)
        return (outcome, band)
    }

    @inline(__always)
    func ingest(_ ref: SeriesRef, timestamp: Timestamp, value: Double, recording: Bool, expected: inout ExpectedBand) -> SampleOutcome {
        lastScore = 0
        let outcome = store.append(ref, timestamp: timestamp, value: value)
        let slot = Int(ref.index)
        switch outcome {
        case .appended:
            break
        case .stale:
            if warm.isWaiting(slot) { endWarmingEarly(ref) }
            seriesWentStale(ref, slot: slot, timestamp: timestamp)
            return outcome
        default:
            return outcome
        }
        let key = publishKey[slot]
        if key != 0 { limitValues[key] = value }
        if warm.isWaiting(slot) {
            // Scored after its history (or now, all of them, if they would outrun the ring).
            lastScore = deferUntilWarm(ref)
            return outcome
        }
        let best = score(ref, slot: slot, timestamp: timestamp, value: value, recording: recording, expected: &expected)
        lastScore = Swift.max(best, 0)
        // The sample just appended is the newest: its score byte goes where `append` wrote it.
        store.setNewestScore(best < 0 ? SampleScore.unscored : SampleScore.byte(best))
        return outcome
    }

    /// Runs an appended sample through the series' bindings: transform, detector, incident
    /// tracker. The caller puts its score beside it in the ring.
    /// - Parameters:
    ///   - recording: whether `expected` is to receive what the highest-scoring rule expected
    ///     (the first rule's on a tie); a constant at each call site.
    /// - Returns: the highest score a rule gave it; -1 when no rule scored it.
    /// - Complexity: O(rules bound to the series), no allocation.
    @inline(__always)
    func score(
        _ ref: SeriesRef, slot: Int, timestamp: Timestamp, value: Double, recording: Bool, expected: inout ExpectedBand
    ) -> Double {
        let start = Int(bindingStart[slot])
        let end = start + Int(bindingCount[slot])
        var best = -1.0
        for index in start..<end {
            let rule = compiled[Int(bindings[index].rule)]
            guard let input = bindings[index].transformed(value, at: timestamp) else { continue }
            var limit = rule.limitConstant
            let limitKey = bindings[index].limitKey
            if limitKey != 0 { limit = limitValues[limitKey] ?? .nan }
            let output = detectors.update(bindings[index].detector, timestamp: timestamp, value: input, spec: rule.spec, limit: limit)
            statistics.scoredSamples += 1
            recordLatestScore(binding: index, timestamp: timestamp, output: output)
            if recording, output.score > best || best < 0 {
                expected = ExpectedBand(expected: output.expected, lower: output.lower, upper: output.upper)
            }
            if output.score > best { best = output.score }
            let anomalous = output.score >= rule.threshold
            let phaseBefore = bindings[index].tracker.phase
            let transition = bindings[index].tracker.observe(
                timestamp: timestamp, anomalous: anomalous, forDuration: rule.forMilliseconds, resolveAfter: rule.resolveAfterMilliseconds)
            if let transition {
                handle(transition, binding: Int32(index), ref: ref, timestamp: timestamp, output: output, value: input, limit: limit)
            } else if phaseBefore != .normal {
                // Every sample while open, anomalous or not: reminders and the incidents API
                // show the latest value, rate and time to the limit, not those of the firing.
                refresh(binding: Int32(index), timestamp: timestamp, output: output, value: input, limit: limit)
                appendTrace(binding: Int32(index), timestamp: timestamp, output: output, value: input)
            }
        }
        return best
    }

    /// Convenience for callers holding labels: finds or creates the series, then ingests.
    /// - Returns: nil when the series is new and refused by `maxSeries`.
    @discardableResult
    public func ingest(_ labels: Labels, timestamp: Timestamp, value: Double) -> SampleOutcome? {
        guard let ref = series(for: labels) else {
            lastScore = 0
            return nil
        }
        return ingest(ref, timestamp: timestamp, value: value)
    }

    func seriesWentStale(_ ref: SeriesRef, slot: Int, timestamp: Timestamp) {
        let start = bindingStart[slot]
        let end = start + bindingCount[slot]
        for index in start..<end {
            detectors.reset(bindings[Int(index)].detector, .stale)
            bindings[Int(index)].resetTransform()
            if let transition = bindings[Int(index)].tracker.seriesWentAway() {
                handle(transition, binding: index, ref: ref, timestamp: timestamp, output: .quiet(.auto), value: .nan, resolution: "series went away")
            }
        }
    }

    // MARK: Incidents

    /// Open incidents (pending and firing), oldest first.
    public var openIncidents: [Incident] {
        open.values.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    /// Firing incidents only.
    public var firingIncidents: [Incident] { openIncidents.filter { $0.phase == .firing } }

    /// Open incidents (all, or those whose id is in `ids`) with their latest facts: the
    /// numbers are kept current sample by sample (cheaply, in place), and here the advice is
    /// filled in again from them and the sparkline's points are taken now. What a reminder
    /// and the incidents API show.
    /// - Complexity: O(open incidents); renders advice for each one returned.
    public func currentIncidents(ids: Set<String>? = nil) -> [Incident] {
        var out: [Incident] = []
        for (index, incident) in open where ids?.contains(incident.id) ?? true {
            var current = incident
            if let ref = store.lookup(incident.labels) { attachRecentValues(&current, ref: ref, binding: index) }
            current.advice = renderAdvice(for: current, rule: Int(bindings[Int(index)].rule))
            out.append(current)
        }
        return out.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    func handle(
        _ transition: IncidentTracker.Transition, binding index: Int32, ref: SeriesRef, timestamp: Timestamp,
        output: DetectorOutput, value: Double, limit: Double = .nan, resolution: String = "normal again"
    ) {
        switch transition {
        case .started:
            open[index] = makeIncident(binding: index, ref: ref, timestamp: timestamp, output: output, value: value, limit: limit)
            startTrace(binding: index, ref: ref, start: bindings[Int(index)].tracker.start)
            appendTrace(binding: index, timestamp: timestamp, output: output, value: value)
        case .fired:
            if open[index] == nil {
                open[index] = makeIncident(binding: index, ref: ref, timestamp: timestamp, output: output, value: value, limit: limit)
                startTrace(binding: index, ref: ref, start: bindings[Int(index)].tracker.start)
            } else {
                refresh(binding: index, timestamp: timestamp, output: output, value: value, limit: limit)
            }
            appendTrace(binding: index, timestamp: timestamp, output: output, value: value)
            guard var incident = open[index] else { return }
            incident.phase = .firing
            incident.firedAt = timestamp
            attachRecentValues(&incident, ref: ref, binding: index)
            incident.advice = renderAdvice(for: incident, rule: Int(bindings[Int(index)].rule))
            open[index] = incident
            statistics.incidentsFired += 1
            sink?.handle(.firing(incident))
        case .resolved:
            appendTrace(binding: index, timestamp: timestamp, output: output, value: value)
            endTrace(binding: index, resolved: open[index]?.id)
            guard var incident = open.removeValue(forKey: index) else { return }
            incident.phase = .resolved
            incident.end = timestamp
            incident.lastSeen = max(incident.lastSeen, timestamp)
            incident.resolution = resolution
            attachRecentValues(&incident, ref: ref, binding: index)
            incident.advice = renderAdvice(for: incident, rule: Int(bindings[Int(index)].rule))
            recentlyResolved.append(incident)
            if recentlyResolved.count > configuration.recentIncidentLimit {
                recentlyResolved.removeFirst(recentlyResolved.count - configuration.recentIncidentLimit)
            }
            statistics.incidentsResolved += 1
            sink?.handle(.resolved(incident))
        case .cancelled:
            endTrace(binding: index, resolved: nil)
            open[index] = nil
            statistics.incidentsCancelled += 1
        }
    }

    func makeIncident(binding index: Int32, ref: SeriesRef, timestamp: Timestamp, output: DetectorOutput, value: Double, limit: Double) -> Incident {
        let ruleIndex = Int(bindings[Int(index)].rule)
        let rule = rules[ruleIndex]
        let labels = store.labels(of: ref)
        let start = bindings[Int(index)].tracker.start
        var incident = Incident(
            id: "\(rule.name)-\(String(labels.stableHash, radix: 16))-\(start)",
            rule: rule.name, severity: rule.severity, labels: labels, detector: output.detector,
            transform: bindings[Int(index)].transform.incidentTransform, phase: .pending, start: start, lastSeen: timestamp, peakScore: output.score, observed: value,
            advice: RenderedAdvice(summary: "", steps: [], runbookURL: rule.advice.runbookURL)
        )
        apply(output, value: value, limit: limit, to: &incident)
        incident.advice = renderAdvice(for: incident, rule: ruleIndex)
        return incident
    }

    /// In place: the incident is not copied out and back (it holds arrays and strings).
    func refresh(binding index: Int32, timestamp: Timestamp, output: DetectorOutput, value: Double, limit: Double) {
        guard open[index] != nil else { return }
        open[index]!.lastSeen = timestamp
        apply(output, value: value, limit: limit, to: &open[index]!)
    }

    func apply(_ output: DetectorOutput, value: Double, limit: Double, to incident: inout Incident) {
        incident.observed = value
        incident.peakScore = max(incident.peakScore, output.score)
        incident.detector = output.detector
        incident.expected = output.expected.finiteOrNil
        incident.lower = output.lower.finiteOrNil
        incident.upper = output.upper.finiteOrNil
        if let rate = output.leakRatePerHour.finiteOrNil { incident.leakRatePerHour = rate }
        incident.secondsToLimit = output.secondsToLimit.finiteOrNil
        incident.limit = limit.finiteOrNil
    }

    /// The sparkline's points: the leak fit's bucket troughs over its window for a leak rule
    /// (the climb, not the last minutes' sawtooth), else the series' latest raw samples.
    func attachRecentValues(_ incident: inout Incident, ref: SeriesRef, binding index: Int32) {
        let binding = bindings[Int(index)]
        if let window = detectors.leakWindow(binding.detector, spec: compiled[Int(binding.rule)].spec), window.values.count >= 2 {
            incident.recentTimestamps = window.timestamps
            incident.recentValues = window.values
            return
        }
        let recent = store.recent(ref, count: configuration.sparklinePoints)
        incident.recentTimestamps = recent.timestamps
        incident.recentValues = recent.values
    }

    func renderAdvice(for incident: Incident, rule index: Int) -> RenderedAdvice {
        AdviceRenderer.render(rules[index], incident: incident)
    }
}

extension Double {
    var finiteOrNil: Double? { isFinite ? self : nil }
}

/// Counters a pipeline keeps beside its store's.
public struct PipelineStatistics: Sendable, Equatable {
    public var scoredSamples = 0
    public var seriesRefused = 0
    public var incidentsFired = 0
    public var incidentsResolved = 0
    public var incidentsCancelled = 0
    public init() {}
}

/// A rule's numbers, flattened for the per-sample loop.
@usableFromInline
struct CompiledRule {
    let spec: DetectorSpec
    let threshold: Double
    let forMilliseconds: Int64
    let resolveAfterMilliseconds: Int64
    /// The rule's own transform; nil when it does not say (decided per series).
    let transform: SeriesTransformKind?
    let limitConstant: Double
    let limitChannel: Int32

    init(rule: Rule, limitChannel: Int32) {
        spec = rule.detector
        threshold = rule.threshold
        forMilliseconds = rule.forDuration.milliseconds
        resolveAfterMilliseconds = rule.resolveAfter.milliseconds
        transform = rule.transform.map(SeriesTransformKind.init)
        limitConstant = rule.limit?.value ?? .nan
        self.limitChannel = limitChannel
    }
}

/// A series whose value is another series' limit (e.g. `container_spec_memory_limit_bytes`),
/// joined on `matchOn` labels (all but `__name__` when nil).
struct LimitChannel: Equatable {
    let metric: String
    let matchOn: [String]?

    func key(channel: Int32, labels: Labels) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(metric.utf8)
        hasher.combineSeparator()
        if let matchOn {
            for name in matchOn {
                hasher.combine(name.utf8)
                hasher.combineSeparator()
                hasher.combine((labels[name] ?? "").utf8)
                hasher.combineSeparator()
            }
        } else {
            for label in labels where label.name != Labels.metricNameLabel {
                hasher.combine(label.name.utf8)
                hasher.combineSeparator()
                hasher.combine(label.value.utf8)
                hasher.combineSeparator()
            }
        }
        return hasher.value | 1  // never 0, which means "no limit"
    }
}
