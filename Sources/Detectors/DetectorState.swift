import AIOpsCore

/// What `DetectorPool` and `SeriesDetector` need of a detector's state: a fresh one, one call
/// per sample and one per reset, with the same arguments for every kind. The kind-specific
/// parts (the leak detector's direction and limit, what each reset keeps) live here, once,
/// instead of in every dispatcher. `BitwiseCopyable`: the states are plain data, kept in slabs
/// and raw storage.
protocol DetectorState: BitwiseCopyable {
    init()
    mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput
    /// Forgets what `reason` requires (see `DetectorReset`).
    mutating func reset(_ reason: DetectorReset)
}

extension EWMADetector: DetectorState {
    @inline(__always)
    mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        update(timestamp: timestamp, value: value, spec: spec)
    }

    /// A gap restarts the warm-up as a stale marker does: the old baseline is old news.
    mutating func reset(_ reason: DetectorReset) { reset() }
}

extension SeasonalDetector: DetectorState {
    @inline(__always)
    mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        update(timestamp: timestamp, value: value, spec: spec)
    }
}

extension LeakDetector: DetectorState {
    @inline(__always)
    mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        update(timestamp: timestamp, value: value, spec: spec, direction: spec.direction, limit: limit)
    }

    /// A rate across a long gap is not a rate: either reason clears the window.
    mutating func reset(_ reason: DetectorReset) { clear() }
}

extension AutoDetector: DetectorState {
    @inline(__always)
    mutating func update(timestamp: Timestamp, value: Double, spec: DetectorSpec, limit: Double) -> DetectorOutput {
        update(timestamp: timestamp, value: value, spec: spec)
    }
}
