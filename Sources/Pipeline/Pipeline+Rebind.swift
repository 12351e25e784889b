import AIOpsCore
import Detectors
import Incidents
import Rules
import Store

extension Pipeline {
    /// What a change of rules did to a pipeline's bindings (`rebinding`, `restore(_:ruleFingerprints:...)`).
    public struct RebindSummary: Sendable, Equatable {
        /// Bindings whose rule did not change: detector state, incident and rate state kept.
        public var kept = 0
        /// Bindings of new or changed rules (or the `auto` rule where a series lost its last
        /// rule): fresh detector state.
        public var fresh = 0
        /// Bindings of rules that are gone or changed, released.
        public var dropped = 0
        /// Firing incidents of dropped bindings, resolved ("rule changed or removed"), for the
        /// caller to hand to the sink (after restoring a notification log, if it restores one).
        public var resolved: [Incident] = []
        /// Pending incidents of dropped bindings, forgotten.
        public var cancelled = 0

        public init() {}
    }

    /// Per-rule fingerprints of this pipeline's rules (`Rule.fingerprint`), the `auto` rule last.
    public var ruleFingerprints: [UInt64] { rules.map(\.fingerprint) }

    /// A pipeline running `rules` that takes over `old`'s series, rings and learned state:
    /// a binding whose rule is unchanged (same `Rule.fingerprint`) keeps its detector state,
    /// incident tracker, open incident and rate state, whatever the rule's position; a new or
    /// changed rule gets fresh bindings on the series it selects; bindings of rules that are
    /// gone are released and their firing incidents resolved (returned in the summary, not
    /// yet sent). `old` shares its store and detector states with the result and must not be
    /// used again.
    ///
    /// A rule that did not change selects exactly the series it had bindings on (labels never
    /// change), so only new or changed rules' selectors are evaluated.
    /// - Parameters:
    ///   - typeOf: the sender's metric type of a family, for the transform of fresh bindings
    ///     of rules that do not say `transform` on series with no such binding kept.
    ///   - timestamp: when incidents of dropped bindings resolve.
    /// - Complexity: O(series x rules bound), plus the new rules' selectors on every series.
    public static func rebinding(
        _ old: Pipeline, to rules: RuleSet, configuration: PipelineConfiguration? = nil,
        typeOf: (String) -> MetricType? = { _ in nil }, at timestamp: Timestamp
    ) -> (pipeline: Pipeline, summary: RebindSummary) {
        let pipeline = Pipeline(rules: rules, configuration: configuration ?? old.configuration, sink: old.sink, store: old.store, detectors: old.detectors)
        let previous = PreviousBindings(
            fingerprints: old.ruleFingerprints,
            bindings: (0..<old.bindings.count).map { old.bindings[$0] },
            bindingStart: old.bindingStart, bindingCount: old.bindingCount, publishKey: old.publishKey,
            limitValues: old.limitValues, open: old.open, freeBindingRanges: old.freeBindingRanges)
        pipeline.lastArrival = old.lastArrival
        // Series still waiting for their history (warm start) keep waiting: the store is shared.
        pipeline.warm = old.warm
        pipeline.recentlyResolved = old.recentlyResolved
        pipeline.statistics = old.statistics
        let summary = pipeline.rebind(from: previous, typeOf: typeOf, at: timestamp)
        return (pipeline, summary)
    }

    /// Restores `image`, taken from a pipeline whose rules had `ruleFingerprints` (in its
    /// order, `auto` last), into this fresh pipeline, rebinding it to this pipeline's rules as
    /// `rebinding` does: unchanged rules keep their state, new or changed ones start fresh.
    /// - Precondition: `problem(restoring: image, ruleCount: ruleFingerprints.count) == nil`.
    public func restore(_ image: Image, ruleFingerprints: [UInt64], typeOf: (String) -> MetricType? = { _ in nil }, at timestamp: Timestamp) -> RebindSummary {
        precondition(problem(restoring: image, ruleCount: ruleFingerprints.count) == nil, "restore of an inconsistent pipeline image")
        store.restore(image.store)
        detectors.restore(image.detectors)
        let stride = MemoryLayout<RuleBinding>.stride
        let old = image.bindingBytes.withUnsafeBytes { raw in
            (0..<image.bindingCount).map { raw.loadUnaligned(fromByteOffset: $0 * stride, as: RuleBinding.self) }
        }
        let previous = PreviousBindings(
            fingerprints: ruleFingerprints, bindings: old, bindingStart: image.bindingStart, bindingCount: image.bindingLength,
            publishKey: image.publishKey,
            limitValues: Dictionary(image.limitValues.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
            open: Dictionary(image.open.map { ($0.binding, $0.incident) }, uniquingKeysWith: { $1 }),
            freeBindingRanges: Dictionary(uniqueKeysWithValues: image.freeBindingRanges.map { ($0.length, $0.starts) }))
        lastArrival = image.lastArrival
        recentlyResolved = image.recentlyResolved
        statistics = image.statistics
        return rebind(from: previous, typeOf: typeOf, at: timestamp)
    }

    /// Another rule list's bindings over this pipeline's store and detector states.
    struct PreviousBindings {
        var fingerprints: [UInt64]
        var bindings: [RuleBinding]
        var bindingStart: [Int32]
        var bindingCount: [Int32]
        var publishKey: [UInt64]
        var limitValues: [UInt64: Double]
        var open: [Int32: Incident]
        var freeBindingRanges: [Int32: [Int32]]
    }

    /// Builds this pipeline's bindings (it has none yet) from `previous`, whose rule indices
    /// name rules by `previous.fingerprints`; the store and detector states are shared.
    func rebind(from previous: PreviousBindings, typeOf: (String) -> MetricType?, at timestamp: Timestamp) -> RebindSummary {
        precondition(bindings.count == 0, "rebind into a pipeline that has bindings")
        var summary = RebindSummary()
        let fingerprints = ruleFingerprints
        if previous.fingerprints == fingerprints {
            // The same rules in the same order: every binding stays as it is.
            for binding in previous.bindings { bindings.append(binding) }
            bindingStart = previous.bindingStart
            bindingCount = previous.bindingCount
            publishKey = previous.publishKey
            limitValues = previous.limitValues
            open = previous.open
            freeBindingRanges = previous.freeBindingRanges
            summary.kept = store.allSeries.reduce(0) { $0 + Int(bindingCount[Int($1.index)]) }
            return summary
        }
        var newIndex: [UInt64: Int] = [:]
        for (index, fingerprint) in fingerprints.enumerated() { newIndex[fingerprint] = index }
        let previousToNew = previous.fingerprints.map { newIndex[$0] ?? -1 }
        let known = Set(previous.fingerprints)
        let unknownRules = (0..<(rules.count - 1)).filter { !known.contains(fingerprints[$0]) }
        let autoIndex = rules.count - 1

        let slots = store.slotCount
        bindingStart = Array(repeating: 0, count: slots)
        bindingCount = Array(repeating: 0, count: slots)
        publishKey = Array(repeating: 0, count: slots)
        freeBindingRanges = [:]
        limitValues = [:]
        open = [:]

        var keptByRule: [Int: Int] = [:]
        for ref in store.allSeries {
            let slot = Int(ref.index)
            let oldStart = slot < previous.bindingStart.count ? Int(previous.bindingStart[slot]) : 0
            let oldCount = slot < previous.bindingCount.count ? Int(previous.bindingCount[slot]) : 0
            keptByRule.removeAll(keepingCapacity: true)
            var defaultTransform: SeriesTransformKind?
            for old in oldStart..<(oldStart + oldCount) {
                let rule = previousToNew[Int(previous.bindings[old].rule)]
                guard rule >= 0 else { continue }
                keptByRule[rule] = old
                if compiled[rule].transform == nil { defaultTransform = previous.bindings[old].transform }
            }
            let needsLabels = !unknownRules.isEmpty || !limitChannels.isEmpty
            let labels = needsLabels ? store.labels(of: ref) : nil
            var matched: [Int] = []
            for rule in 0..<autoIndex {
                if keptByRule[rule] != nil || (!known.contains(fingerprints[rule]) && rules[rule].selector.matches(labels!)) {
                    matched.append(rule)
                }
            }
            if matched.isEmpty { matched = [autoIndex] }

            // What is not kept is released first (a fresh binding below may reuse its memory);
            // a firing incident on it resolves.
            let keptOld = Set(matched.compactMap { keptByRule[$0] })
            for old in oldStart..<(oldStart + oldCount) where !keptOld.contains(old) {
                summary.dropped += 1
                detectors.release(previous.bindings[old].detector)
                var tracker = previous.bindings[old].tracker
                switch tracker.seriesWentAway() {
                case .resolved:
                    guard var incident = previous.open[Int32(old)] else { break }
                    incident.phase = .resolved
                    incident.end = timestamp
                    incident.lastSeen = max(incident.lastSeen, timestamp)
                    incident.resolution = "rule changed or removed"
                    recentlyResolved.append(incident)
                    statistics.incidentsResolved += 1
                    summary.resolved.append(incident)
                case .cancelled:
                    statistics.incidentsCancelled += 1
                    summary.cancelled += 1
                default:
                    break
                }
            }


            let start = Int32(bindings.count)
            for rule in matched {
                var binding: RuleBinding
                if let old = keptByRule[rule] {
                    binding = previous.bindings[old]
                    binding.rule = Int32(rule)
                    if let incident = previous.open[Int32(old)] { open[Int32(bindings.count)] = incident }
                    summary.kept += 1
                } else {
                    if defaultTransform == nil {
                        let name = labels?.metricName ?? store.labels(of: ref).metricName
                        defaultTransform = SeriesKind(metricName: name, type: typeOf(name)).defaultTransform
                    }
                    binding = RuleBinding(
                        rule: Int32(rule), transform: compiled[rule].transform ?? defaultTransform!, detector: detectors.make(rules[rule].detector.kind))
                    summary.fresh += 1
                }
                binding.limitKey = 0
                let channel = compiled[rule].limitChannel
                if channel >= 0 { binding.limitKey = limitChannels[Int(channel)].key(channel: channel, labels: labels!) }
                bindings.append(binding)
            }
            bindingStart[slot] = start
            bindingCount[slot] = Int32(matched.count)

            // The limit series this one publishes, under the new rules' channels.
            if let labels, !limitChannels.isEmpty {
                for (index, channel) in limitChannels.enumerated() where channel.metric == labels.metricName {
                    let key = channel.key(channel: Int32(index), labels: labels)
                    publishKey[slot] = key
                    if slot < previous.publishKey.count, let value = previous.limitValues[previous.publishKey[slot]] { limitValues[key] = value }
                    break
                }
            }
        }
        if recentlyResolved.count > configuration.recentIncidentLimit {
            recentlyResolved.removeFirst(recentlyResolved.count - configuration.recentIncidentLimit)
        }
        return summary
    }
}
