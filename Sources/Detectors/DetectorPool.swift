import AIOpsCore

/// The detector states of many (rule, series) bindings, one slab per kind, so a binding costs
/// its own kind's state (EWMA 56 bytes, seasonal 808, leak 960, auto 1,287) rather than the
/// largest one's. A series watched by an EWMA, a seasonal and a leak rule holds about 1.8 KB
/// of detector state this way, against 3.6 KB in a slot sized for any kind.
///
/// A `Handle` names a state; the pipeline keeps it in its binding and passes it back with
/// every sample. States are updated in place in their `Slab` (no copy, no uniqueness check per
/// sample) and released handles are reused by the next binding of the same kind.
/// `SeriesDetector` is the same dispatch for a single series held on its own (tests,
/// benchmarks). A class: the slabs have one owner; not `Sendable`, like the pipeline that owns
/// it.
public final class DetectorPool {
    /// One binding's detector state: its kind and its index in that kind's slab.
    public struct Handle: Sendable, Hashable, BitwiseCopyable {
        public let kind: DetectorKind
        let index: Int32
    }

    let ewma = Slab<EWMADetector>()
    let seasonal = Slab<SeasonalDetector>()
    let leak = Slab<LeakDetector>()
    let auto = Slab<AutoDetector>()
    /// Released indices per kind, in `DetectorKind.allCases` order.
    var free: [[Int32]] = [[], [], [], []]

    public init() {}

    /// Bytes of one state of `kind` in its slab.
    public static func stateBytes(_ kind: DetectorKind) -> Int {
        switch kind {
        case .ewma: return MemoryLayout<EWMADetector>.stride
        case .seasonal: return MemoryLayout<SeasonalDetector>.stride
        case .leak: return MemoryLayout<LeakDetector>.stride
        case .auto: return MemoryLayout<AutoDetector>.stride
        }
    }

    /// Live states, all kinds.
    public var count: Int { ewma.count + seasonal.count + leak.count + auto.count - free.reduce(0) { $0 + $1.count } }

    /// A fresh state of `kind`.
    public func make(_ kind: DetectorKind) -> Handle {
        let k = Self.slot(kind)
        if let index = free[k].popLast() {
            reset(Handle(kind: kind, index: index), .stale)
            return Handle(kind: kind, index: index)
        }
        let index: Int
        switch kind {
        case .ewma: index = ewma.append(EWMADetector())
        case .seasonal: index = seasonal.append(SeasonalDetector())
        case .leak: index = leak.append(LeakDetector())
        case .auto: index = auto.append(AutoDetector())
        }
        return Handle(kind: kind, index: Int32(index))
    }

    /// Gives a state back; its handle must not be used again.
    public func release(_ handle: Handle) {
        free[Self.slot(handle.kind)].append(handle.index)
    }

    /// `SeriesDetector.update` for the state `handle` names (the spec's kind is the handle's).
    /// - Complexity: O(1) amortised; no allocation.
    @inline(__always)
    public func update(_ handle: Handle, timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        let i = Int(handle.index)
        switch handle.kind {
        case .ewma: return ewma[i].update(timestamp: timestamp, value: value, spec: spec, limit: limit)
        case .seasonal: return seasonal[i].update(timestamp: timestamp, value: value, spec: spec, limit: limit)
        case .leak: return updateLeak(i, timestamp: timestamp, value: value, spec: spec, limit: limit)
        case .auto: return auto[i].update(timestamp: timestamp, value: value, spec: spec, limit: limit)
        }
    }

    /// The leak case out of line: inlined, its bulk makes every kind save and restore registers.
    @inline(never)
    func updateLeak(_ i: Int, timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        leak[i].update(timestamp: timestamp, value: value, spec: spec, limit: limit)
    }

    /// `SeriesDetector.reset` for the state `handle` names.
    public func reset(_ handle: Handle, _ reason: DetectorReset) {
        let i = Int(handle.index)
        switch handle.kind {
        case .ewma: ewma[i].reset(reason)
        case .seasonal: seasonal[i].reset(reason)
        case .leak: leak[i].reset(reason)
        case .auto: auto[i].reset(reason)
        }
    }

    /// For a leak state, the points its fit sees (see `LeakDetector.windowPoints`); nil for
    /// the other kinds.
    public func leakWindow(_ handle: Handle, spec: DetectorSpec) -> (timestamps: [Timestamp], values: [Double])? {
        guard handle.kind == .leak else { return nil }
        return leak[Int(handle.index)].windowPoints(spec: spec)
    }

    /// The forecast basis of the state `handle` names (see `ForecastBasis`): for a seasonal or
    /// auto state whose seasonal profile is warm; nil for the other kinds and before.
    /// - Complexity: O(profile buckets); allocates the profiles' arrays.
    public func forecastBasis(_ handle: Handle, spec: DetectorSpec) -> ForecastBasis? {
        switch handle.kind {
        case .seasonal: return seasonal[Int(handle.index)].forecastBasis(spec: spec)
        case .auto: return auto[Int(handle.index)].forecastBasis()
        case .ewma, .leak: return nil
        }
    }

    /// Whether `forecastBasis` would return a basis, without building it.
    /// - Complexity: O(1).
    public func isForecastWarm(_ handle: Handle, spec: DetectorSpec) -> Bool {
        switch handle.kind {
        case .seasonal: return seasonal[Int(handle.index)].isForecastWarm(spec: spec)
        case .auto: return auto[Int(handle.index)].isForecastWarm
        case .ewma, .leak: return false
        }
    }

    static func slot(_ kind: DetectorKind) -> Int {
        switch kind {
        case .ewma: return 0
        case .seasonal: return 1
        case .leak: return 2
        case .auto: return 3
        }
    }
}
