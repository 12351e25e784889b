import AIOpsCore
import Detectors
import Incidents
import Store

/// Incident traces (`IncidentTrace`): what each open incident's detector saw and expected,
/// sample by sample, for the web view's plots. Only bindings with an open incident record,
/// so a sample of a normal series costs nothing more.
extension Pipeline {
    /// Open incidents whose traces are kept at once; later ones get none (a mass outage
    /// must not cost unbounded memory: a full trace is about 16 KiB).
    public static let openTraceLimit = 1000
    /// Traces of resolved incidents kept, the latest ones.
    public static let resolvedTraceLimit = 100

    /// The trace of an open or recently resolved incident, nil when none is kept (older,
    /// started before a restart, or beyond `openTraceLimit`).
    /// - Complexity: O(open incidents).
    public func trace(ofIncident id: String) -> IncidentTrace? {
        if let trace = resolvedTraces[id] { return trace }
        for (index, incident) in open where incident.id == id { return openTraces[index] }
        return nil
    }

    /// What a detector expected of a sample: its expected value and band (NaN where unknown);
    /// `ingestRecordingExpected` returns the highest-scoring rule's.
    public struct ExpectedBand: Sendable, Equatable {
        public var expected: Double
        public var lower: Double
        public var upper: Double

        public static let unknown = ExpectedBand(expected: .nan, lower: .nan, upper: .nan)
    }

    /// Starts the trace of an incident just opened on `index`: seeded with the ring's
    /// samples before `start` (as the rule's transform sees them: a counter's rate), with
    /// the series' scores.
    func startTrace(binding index: Int32, ref: SeriesRef, start: Timestamp) {
        guard openTraces.count < Self.openTraceLimit else { return }
        let recent = store.recentSamples(ref)
        var seed: [IncidentTrace.Point] = []
        seed.reserveCapacity(recent.timestamps.count)
        let rate = bindings[Int(index)].transform == .rate
        for i in recent.timestamps.indices where recent.timestamps[i] < start {
            var value = recent.values[i]
            if rate {
                // As `RuleBinding.transformed`: no rate without a previous sample or across a reset.
                guard i > 0, value >= recent.values[i - 1], recent.timestamps[i] > recent.timestamps[i - 1] else { continue }
                value = (value - recent.values[i - 1]) * 1000 / Double(recent.timestamps[i] - recent.timestamps[i - 1])
            }
            seed.append(IncidentTrace.Point(timestamp: recent.timestamps[i], value: value, score: recent.scores[i] ?? .nan))
        }
        openTraces[index] = IncidentTrace(seed: seed)
    }

    /// Appends a scored sample to the open incident's trace on `index`, if it has one.
    /// Not inlined: only samples of open incidents come here, and the per-sample loop stays small.
    /// - Complexity: amortised O(1).
    @inline(never)
    func appendTrace(binding index: Int32, timestamp: Timestamp, output: DetectorOutput, value: Double) {
        guard value.isFinite else { return }
        openTraces[index]?.append(IncidentTrace.Point(
            timestamp: timestamp, value: value, expected: output.expected, lower: output.lower, upper: output.upper, score: output.score))
    }

    /// Ends the trace of the incident on `index`: kept by id when it resolved, dropped when
    /// it was cancelled (never notified, never shown).
    func endTrace(binding index: Int32, resolved id: String?) {
        guard let trace = openTraces.removeValue(forKey: index), let id else { return }
        keepResolvedTrace(trace, id: id)
    }

    /// Keeps a resolved incident's trace, dropping the oldest beyond `resolvedTraceLimit`.
    func keepResolvedTrace(_ trace: IncidentTrace, id: String) {
        if resolvedTraces.updateValue(trace, forKey: id) == nil { resolvedTraceOrder.append(id) }
        if resolvedTraceOrder.count > Self.resolvedTraceLimit {
            let dropped = resolvedTraceOrder.count - Self.resolvedTraceLimit
            for old in resolvedTraceOrder.prefix(dropped) { resolvedTraces[old] = nil }
            resolvedTraceOrder.removeFirst(dropped)
        }
    }
}

extension Pipeline {
    /// The names of the rules bound to a series, in binding order (`auto` when no rule
    /// selects it), and whether any scores it as a counter's rate. For pages.
    public func boundRules(of ref: SeriesRef) -> (names: [String], rate: Bool) {
        let slot = Int(ref.index)
        guard slot < bindingStart.count else { return ([], false) }
        let start = Int(bindingStart[slot])
        var names: [String] = []
        var rate = false
        for index in start..<(start + Int(bindingCount[slot])) {
            names.append(rules[Int(bindings[index].rule)].name)
            if bindings[index].transform == .rate { rate = true }
        }
        return (names, rate)
    }
}

