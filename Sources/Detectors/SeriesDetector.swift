import AIOpsCore

/// The streaming state of one detector on one series, held on its own (tests, benchmarks,
/// tools). The pipeline keeps its many bindings' states in a `DetectorPool` instead, where
/// each costs only its own kind's size.
///
/// A plain struct with fixed-size inline storage: `update` is O(1) amortised (a leak fit,
/// O(32²), runs once per closed bucket of each of the leak detector's windows), allocates nothing, and uses only samples up to and
/// including this one. It holds the state of its own kind's detector only, in inline storage
/// as large as the largest of them (`AutoDetector`), so the size is the same for each kind
/// (`MemoryLayout<SeriesDetector>.size`, under 1.3 KiB, no heap storage).
///
/// `ewma`, `seasonal` and `leak` run their detector, for rules that say what to look for and
/// hold a score up for as long as the condition lasts (the rule's `for` and `resolveAfter`
/// decide the incident). `auto`, for series no rule covers, runs `AutoDetector`: new extremes,
/// level and daily-shape surprises measured against the series' own history, one alarm per
/// episode (see there).
public struct SeriesDetector: Sendable {
    /// The kind whose state `storage` holds.
    public private(set) var kind: DetectorKind
    /// The state of `kind`'s detector, stored as raw words so the four kinds share the space
    /// (an enum with payloads would too, but Swift copies a payload out and back to mutate it,
    /// 960 bytes twice per sample). Sound because every `DetectorState` is `BitwiseCopyable`
    /// (checked by the compiler), at most 8-aligned and fits (`withState` checks both, folded
    /// to nothing at compile time): the bytes are the whole value, with nothing to retain or release.
    var storage: Storage
    /// Room for the largest state (`AutoDetector`), in words; named once so growing a state
    /// changes one number.
    typealias Storage = InlineArray<161, UInt64>

    public init(spec: DetectorSpec) {
        kind = spec.kind
        storage = InlineArray(repeating: 0)
        initializeState()
    }

    /// Feeds one sample (finite value, timestamps strictly increasing) and scores it.
    /// - Parameters:
    ///   - spec: the rule's parameters; passed in, not stored, to keep the state small. A spec
    ///     of another kind than the detector's starts that kind's detector afresh.
    ///   - limit: a known limit (upper for direction up, the floor for down), or NaN.
    /// - Complexity: O(1) amortised; no allocation.
    public mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        if spec.kind != kind {
            kind = spec.kind
            initializeState()
        }
        func run<State: DetectorState>(_ type: State.Type) -> DetectorOutput {
            withState(State.self) { $0.update(timestamp: timestamp, value: value, spec: spec, limit: limit) }
        }
        return run(Self.stateType(kind))
    }

    /// Forgets learned state the way `reason` requires (see `DetectorReset`).
    public mutating func reset(_ reason: DetectorReset) {
        func run<State: DetectorState>(_ type: State.Type) { withState(State.self) { $0.reset(reason) } }
        run(Self.stateType(kind))
    }

    /// The forecast basis of the state (see `ForecastBasis`): for a seasonal or auto detector
    /// whose seasonal profile is warm; nil otherwise.
    public func forecastBasis(spec: DetectorSpec) -> ForecastBasis? {
        switch kind {
        case .seasonal: return seasonal.forecastBasis(spec: spec)
        case .auto: return auto.forecastBasis()
        case .ewma, .leak: return nil
        }
    }

    /// Bytes one `SeriesDetector` takes: its inline size (it owns no heap storage).
    public static var bytesPerSeries: Int { MemoryLayout<SeriesDetector>.size }

    /// The state type of a kind (the one switch over kinds here; `DetectorPool` has the
    /// pipeline's, without an existential on its per-sample path).
    static func stateType(_ kind: DetectorKind) -> any DetectorState.Type {
        switch kind {
        case .ewma: return EWMADetector.self
        case .seasonal: return SeasonalDetector.self
        case .leak: return LeakDetector.self
        case .auto: return AutoDetector.self
        }
    }

    /// Writes a fresh state of `kind` into `storage`.
    mutating func initializeState() {
        func run<State: DetectorState>(_ type: State.Type) { withState(State.self) { $0 = State() } }
        run(Self.stateType(kind))
    }

    /// Calls `body` with the state in `storage`, viewed in place as `State` (the caller knows
    /// `kind` holds a `State`, or overwrites it whole).
    @inline(__always)
    mutating func withState<State: DetectorState, R>(_ type: State.Type, _ body: (inout State) -> R) -> R {
        precondition(
            MemoryLayout<State>.size <= MemoryLayout<Storage>.size
                && MemoryLayout<State>.alignment <= MemoryLayout<UInt64>.alignment,
            "SeriesDetector.storage is too small for \(State.self)")
        return withUnsafeMutableBytes(of: &storage) { raw in
            raw.baseAddress!.withMemoryRebound(to: State.self, capacity: 1) { body(&$0.pointee) }
        }
    }

    /// A copy of the state as `State` if `kind` holds one, else a fresh one (for tests and diagnostics).
    func state<State: DetectorState>(_ type: State.Type, of stateKind: DetectorKind) -> State {
        guard kind == stateKind else { return State() }
        return withUnsafeBytes(of: storage) { $0.load(as: State.self) }
    }

    var ewma: EWMADetector { state(EWMADetector.self, of: .ewma) }
    var seasonal: SeasonalDetector { state(SeasonalDetector.self, of: .seasonal) }
    var leak: LeakDetector { state(LeakDetector.self, of: .leak) }
    var auto: AutoDetector { state(AutoDetector.self, of: .auto) }
}
