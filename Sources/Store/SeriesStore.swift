import AIOpsCore
#if canImport(Glibc)
import Glibc
#endif

/// The in-memory store: per series a fixed-capacity ring of timestamps and values.
///
/// Layout: two slabs (`timestamps`, `values`) of `slotCapacity x ringCapacity` elements, so
/// the ring of slot `s` is the contiguous range `s * ringCapacity ..< (s + 1) * ringCapacity`
/// and a SIMD kernel can read it as at most two contiguous segments (as swift-collections'
/// `Deque` does). The ring capacity is a power of two: the write position is `count & mask`.
///
/// Series identity is the sorted label set, hashed once (`Labels.stableHash`). The index (a
/// `HashIndex`, open addressing) maps a hash to the first slot with it; slots whose full
/// hashes collide are chained through `chainNext`. Each slot also keeps its series key
/// (`Labels.Key` layout) in one byte arena, so a caller holding only label bytes (the
/// remote-write path) finds a known series with `find(hash:key:)`: one probe and one `memcmp`,
/// no `String`.
///
/// Beside each sample the ring keeps one byte: the score its owner gave it (`setScore`),
/// quantised to 1/254, or `SampleScore.unscored`. A byte rather than a `Double` so that a
/// plot of what the ring holds shows the scores at 64 bytes per series; it is not part of a
/// snapshot (restored rings read as unscored).
///
/// Not thread-safe: a store belongs to one pipeline, which its owner guards with one lock per
/// request (never per sample).
public final class SeriesStore {
    public struct Configuration: Sendable, Equatable {
        /// Samples kept per series; rounded up to a power of two.
        public var ringCapacity: Int
        /// A gap is a step longer than this many times the previous step (and at least
        /// `minimumGap`): counted, never an anomaly by itself.
        public var gapFactor: Int64
        public var minimumGap: Int64

        public init(ringCapacity: Int = 64, gapFactor: Int64 = 5, minimumGap: Int64 = 300_000) {
            self.ringCapacity = ringCapacity
            self.gapFactor = gapFactor
            self.minimumGap = minimumGap
        }
    }

    public let configuration: Configuration
    public let ringCapacity: Int
    @usableFromInline let mask: Int

    // Slabs of slotCapacity * ringCapacity elements.
    @usableFromInline var timestamps: UnsafeMutablePointer<Int64>
    @usableFromInline var values: UnsafeMutablePointer<Double>
    /// Each sample's score byte (`SampleScore`), same layout as `values`.
    @usableFromInline var scores: UnsafeMutablePointer<UInt8>
    /// Where the last sample `append` stored went, for `setNewestScore`.
    @usableFromInline var lastAppended = 0
    @usableFromInline var slotCapacity: Int

    // Per slot.
    /// Per slot, what `append` reads and writes for every sample, in one slab of
    /// `slotCapacity` entries (a pointer, not arrays: no uniqueness check per write).
    @usableFromInline var state: UnsafeMutablePointer<SlotState>
    @usableFromInline var hashes: [UInt64] = []
    @usableFromInline var chainNext: [Int32] = []
    @usableFromInline var labelSets: [Labels?] = []

    /// Per slot: where its key starts in `keyArena`, and its length.
    @usableFromInline var keyOffset: [Int] = []
    @usableFromInline var keyLength: [Int32] = []

    /// Keys of all slots, appended in insertion order; a removed slot's bytes become garbage,
    /// reclaimed by compaction when they are over half the arena.
    @usableFromInline var keyArena: UnsafeMutableRawPointer
    var keyArenaCapacity: Int
    var keyArenaUsed = 0
    var keyArenaGarbage = 0

    @usableFromInline var index = HashIndex()
    @usableFromInline var freeSlots: [Int32] = []

    /// Counters by outcome; the owner exports them.
    public var statistics = StoreStatistics()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var capacity = 1
        while capacity < max(2, configuration.ringCapacity) { capacity <<= 1 }
        self.ringCapacity = capacity
        self.mask = capacity - 1
        self.slotCapacity = 16
        self.timestamps = .allocate(capacity: 16 * capacity)
        self.values = .allocate(capacity: 16 * capacity)
        self.scores = .allocate(capacity: 16 * capacity)
        self.scores.initialize(repeating: SampleScore.unscored, count: 16 * capacity)
        self.state = .allocate(capacity: 16)
        self.keyArenaCapacity = 1024
        self.keyArena = .allocate(byteCount: 1024, alignment: 8)
    }

    deinit {
        timestamps.deallocate()
        values.deallocate()
        scores.deallocate()
        state.deallocate()
        keyArena.deallocate()
    }

    /// Series currently held.
    public var seriesCount: Int { labelSets.count - freeSlots.count }

    /// Bytes held by the slabs, per-slot arrays, key arena and index (labels' own strings not included).
    public var approximateBytes: Int {
        slotCapacity * (ringCapacity * 17 + MemoryLayout<SlotState>.stride) + labelSets.count * (8 + 4 + 8 + 4 + MemoryLayout<Labels?>.stride)
            + keyArenaCapacity + index.approximateBytes
    }

    // MARK: Identity

    /// The series with exactly these labels, if held.
    /// - Complexity: O(1) expected.
    public func lookup(_ labels: Labels) -> SeriesRef? {
        var candidate = firstCandidate(hash: labels.stableHash)
        while let ref = candidate {
            if labelSets[Int(ref.index)] == labels { return ref }
            candidate = nextCandidate(after: ref)
        }
        return nil
    }

    /// The series whose key (`Labels.Key` layout, e.g. `Labels.keyBytes`) is exactly `key`,
    /// if held; `hash` must be `Labels.Key.hash(key)`.
    /// - Complexity: O(1) expected: one probe of the index and one `memcmp` of the key.
    @inlinable
    public func find(hash: UInt64, key: UnsafeRawBufferPointer) -> SeriesRef? {
        guard var slot = index[hash] else { return nil }
        while true {
            if keyMatches(Int(slot), key) { return SeriesRef(slot) }
            slot = chainNext[Int(slot)]
            if slot < 0 { return nil }
        }
    }

    @inlinable
    func keyMatches(_ slot: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        guard Int(keyLength[slot]) == key.count else { return false }
        guard let base = key.baseAddress, key.count > 0 else { return true }
        return memcmp(keyArena + keyOffset[slot], base, key.count) == 0
    }

    /// The key a held series was stored with (a view valid until the next insert or remove).
    public func key(of ref: SeriesRef) -> UnsafeRawBufferPointer {
        let slot = Int(ref.index)
        return UnsafeRawBufferPointer(start: keyArena + keyOffset[slot], count: Int(keyLength[slot]))
    }

    /// The first slot whose label hash is `hash`, for callers that compare labels themselves.
    @inlinable
    public func firstCandidate(hash: UInt64) -> SeriesRef? {
        guard let slot = index[hash] else { return nil }
        return SeriesRef(slot)
    }

    /// The next slot with the same hash as `ref`.
    @inlinable
    public func nextCandidate(after ref: SeriesRef) -> SeriesRef? {
        let next = chainNext[Int(ref.index)]
        return next < 0 ? nil : SeriesRef(next)
    }

    /// The label set of a held series.
    @inlinable
    public func labels(of ref: SeriesRef) -> Labels {
        labelSets[Int(ref.index)]!
    }

    /// Adds a series (the caller has checked it is not held) and returns its handle.
    /// - Complexity: O(1) amortised; allocates only when the slabs grow.
    public func insert(_ labels: Labels) -> SeriesRef {
        insert(labels, hash: labels.stableHash)
    }

    /// `insert(_:)` with the index keyed by `hash` (tests force collisions with it).
    func insert(_ labels: Labels, hash: UInt64) -> SeriesRef {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            labelSets[slot] = labels
            hashes[slot] = hash
            state[slot] = SlotState()
        } else {
            slot = labelSets.count
            if slot == slotCapacity { grow() }
            labelSets.append(labels)
            hashes.append(hash)
            state[slot] = SlotState()
            chainNext.append(-1)
            keyOffset.append(0)
            keyLength.append(0)
        }
        storeKey(labels, slot: slot)
        // Push onto the front of the hash chain.
        chainNext[slot] = index[hash] ?? -1
        index.set(hash, Int32(slot))
        statistics.seriesCreated += 1
        return SeriesRef(slot)
    }

    func storeKey(_ labels: Labels, slot: Int) {
        let key = labels.keyBytes
        if keyArenaUsed + key.count > keyArenaCapacity { makeRoom(for: key.count) }
        key.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                (keyArena + keyArenaUsed).copyMemory(from: base, byteCount: bytes.count)
            }
        }
        keyOffset[slot] = keyArenaUsed
        keyLength[slot] = Int32(truncatingIfNeeded: key.count)
        keyArenaUsed += key.count
    }

    /// Compacts the arena when over half of it is garbage, otherwise doubles it (live keys are
    /// copied in slot order either way). Amortised O(1) per insert.
    private func makeRoom(for count: Int) {
        let live = keyArenaUsed - keyArenaGarbage
        var capacity = keyArenaCapacity
        if keyArenaGarbage * 2 < keyArenaUsed || live + count > capacity { capacity = max(capacity * 2, (live + count) * 2) }
        let arena = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        var used = 0
        for slot in labelSets.indices where labelSets[slot] != nil {
            let length = Int(keyLength[slot])
            (arena + used).copyMemory(from: keyArena + keyOffset[slot], byteCount: length)
            keyOffset[slot] = used
            used += length
        }
        keyArena.deallocate()
        keyArena = arena
        keyArenaCapacity = capacity
        keyArenaUsed = used
        keyArenaGarbage = 0
    }

    /// Bytes of the key arena in use, and how many of them belong to removed series (for tests).
    var keyArenaUsage: (used: Int, garbage: Int, capacity: Int) { (keyArenaUsed, keyArenaGarbage, keyArenaCapacity) }

    /// Removes a series; its handle becomes invalid and its slot is reused.
    public func remove(_ ref: SeriesRef) {
        let slot = Int(ref.index)
        guard labelSets[slot] != nil else { return }
        let hash = hashes[slot]
        // Unlink from the chain.
        if index[hash] == ref.index {
            let next = chainNext[slot]
            if next < 0 { index.remove(hash) } else { index.set(hash, next) }
        } else if var previous = index[hash] {
            while chainNext[Int(previous)] >= 0 && chainNext[Int(previous)] != ref.index {
                previous = chainNext[Int(previous)]
            }
            chainNext[Int(previous)] = chainNext[slot]
        }
        chainNext[slot] = -1
        labelSets[slot] = nil
        keyArenaGarbage += Int(keyLength[slot])
        keyLength[slot] = 0
        freeSlots.append(ref.index)
        statistics.seriesEvicted += 1
    }

    /// Every held series.
    public var allSeries: [SeriesRef] {
        labelSets.indices.compactMap { labelSets[$0] == nil ? nil : SeriesRef($0) }
    }

    func grow() { grow(to: slotCapacity * 2) }

    /// Reallocates the rings and slot states for `newCapacity` slots at once (a restore of a
    /// million series must not double its way there, copying gigabytes each time).
    func grow(to newCapacity: Int) {
        precondition(newCapacity >= slotCapacity)
        let newTimestamps = UnsafeMutablePointer<Int64>.allocate(capacity: newCapacity * ringCapacity)
        let newValues = UnsafeMutablePointer<Double>.allocate(capacity: newCapacity * ringCapacity)
        newTimestamps.update(from: timestamps, count: slotCapacity * ringCapacity)
        newValues.update(from: values, count: slotCapacity * ringCapacity)
        let newScores = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity * ringCapacity)
        newScores.update(from: scores, count: slotCapacity * ringCapacity)
        (newScores + slotCapacity * ringCapacity).initialize(repeating: SampleScore.unscored, count: (newCapacity - slotCapacity) * ringCapacity)
        let newState = UnsafeMutablePointer<SlotState>.allocate(capacity: newCapacity)
        newState.update(from: state, count: slotCapacity)
        timestamps.deallocate()
        values.deallocate()
        scores.deallocate()
        state.deallocate()
        timestamps = newTimestamps
        values = newValues
        scores = newScores
        state = newState
        slotCapacity = newCapacity
    }

    // MARK: Samples

    /// Appends one sample, or says why not.
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func append(_ ref: SeriesRef, timestamp: Timestamp, value: Double) -> SampleOutcome {
        let slot = Int(ref.index)
        let outcome = classify(slot: slot, timestamp: timestamp, value: value)
        statistics.samples[Int(outcome.rawValue)] += 1
        guard outcome == .appended else {
            if outcome == .stale { state[slot].stale = true }
            return outcome
        }
        let count = state[slot].appended
        if count >= 2 {
            let previous = state[slot].newest
            let before = timestamps[slot * ringCapacity + Int(truncatingIfNeeded: count &- 2) & mask]
            let gap = timestamp - previous
            if gap > configuration.minimumGap && gap > configuration.gapFactor * (previous - before) {
                statistics.gaps += 1
            }
        }
        let position = slot * ringCapacity + Int(truncatingIfNeeded: count) & mask
        timestamps[position] = timestamp
        values[position] = value
        scores[position] = SampleScore.unscored
        lastAppended = position
        state[slot] = SlotState(appended: count &+ 1, newest: timestamp, stale: false)
        return .appended
    }

    @inlinable
    func classify(slot: Int, timestamp: Timestamp, value: Double) -> SampleOutcome {
        if !value.isFinite {
            return StaleMarker.isStale(value) ? .stale : .nonFinite
        }
        let last = state[slot].newest
        if timestamp > last { return .appended }
        if timestamp < last { return .outOfOrder }
        let lastValue = values[slot * ringCapacity + Int(truncatingIfNeeded: state[slot].appended &- 1) & mask]
        return lastValue.bitPattern == value.bitPattern ? .duplicate : .duplicateConflict
    }

    /// The newest timestamp of a series, or `Int64.min` before its first sample.
    @inlinable
    public func newestTimestamp(_ ref: SeriesRef) -> Timestamp { state[Int(ref.index)].newest }

    /// Whether the last thing the series sent was a stale marker.
    public func isStale(_ ref: SeriesRef) -> Bool { state[Int(ref.index)].stale }

    /// How many samples the ring holds now (at most `ringCapacity`).
    public func sampleCount(_ ref: SeriesRef) -> Int {
        Int(min(state[Int(ref.index)].appended, UInt64(ringCapacity)))
    }

    /// Total samples ever appended to the series.
    @inlinable
    public func appendedCount(_ ref: SeriesRef) -> UInt64 { state[Int(ref.index)].appended }

    /// Calls `body` with the ring's values oldest first, as at most two contiguous segments
    /// (the second is empty until the ring has wrapped), ready for a SIMD kernel.
    public func withValueSegments<R>(_ ref: SeriesRef, _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        let (base, head, held) = ringGeometry(ref)
        let start = (head - held) & mask
        let first = min(held, ringCapacity - start)
        return try body(
            UnsafeBufferPointer(start: values + base + start, count: first),
            UnsafeBufferPointer(start: values + base, count: held - first)
        )
    }

    /// The last `count` samples (fewer if the ring holds fewer), oldest first. Allocates:
    /// for reports, not for the hot path.
    public func recent(_ ref: SeriesRef, count: Int = .max) -> (timestamps: [Timestamp], values: [Double]) {
        let (base, head, held) = ringGeometry(ref)
        let n = min(count, held)
        var ts: [Timestamp] = []
        var vs: [Double] = []
        ts.reserveCapacity(n)
        vs.reserveCapacity(n)
        for offset in stride(from: n, to: 0, by: -1) {
            let position = base + ((head - offset) & mask)
            ts.append(timestamps[position])
            vs.append(values[position])
        }
        return (ts, vs)
    }

    /// Records the score byte (`SampleScore.byte`) of the sample the last `append` stored (of
    /// whichever series): what the pipeline does right after appending and scoring it.
    /// - Complexity: a byte store.
    @inlinable @inline(__always)
    public func setNewestScore(_ byte: UInt8) {
        scores[lastAppended] = byte
    }

    /// Records the score byte (`SampleScore.byte`) of one of the newest samples: `back` 0 is
    /// the newest (the sample just appended), 1 the one before it. A sample no longer in the
    /// ring is ignored.
    /// - Complexity: O(1), no allocation: a load of the slot's count and a byte store.
    @inlinable @inline(__always)
    public func setScore(_ ref: SeriesRef, back: Int = 0, _ byte: UInt8) {
        let slot = Int(ref.index)
        let count = state[slot].appended
        guard back == 0 ? count > 0 : back > 0 && UInt64(back) < min(count, UInt64(ringCapacity)) else { return }
        scores[slot * ringCapacity + Int(truncatingIfNeeded: count &- 1 &- UInt64(back)) & mask] = byte
    }

    /// The last `count` samples with their scores (nil: unscored), oldest first. Allocates:
    /// for pages and reports, not for the hot path.
    public func recentSamples(_ ref: SeriesRef, count: Int = .max) -> (timestamps: [Timestamp], values: [Double], scores: [Double?]) {
        let (base, head, held) = ringGeometry(ref)
        let n = min(count, held)
        var ts: [Timestamp] = []
        var vs: [Double] = []
        var ss: [Double?] = []
        ts.reserveCapacity(n)
        vs.reserveCapacity(n)
        ss.reserveCapacity(n)
        for offset in stride(from: n, to: 0, by: -1) {
            let position = base + ((head - offset) & mask)
            ts.append(timestamps[position])
            vs.append(values[position])
            ss.append(SampleScore.value(scores[position]))
        }
        return (ts, vs, ss)
    }

    private func ringGeometry(_ ref: SeriesRef) -> (base: Int, head: Int, held: Int) {
        let slot = Int(ref.index)
        let count = state[slot].appended
        return (slot * ringCapacity, Int(truncatingIfNeeded: count) & mask, Int(min(count, UInt64(ringCapacity))))
    }
}

/// What the store keeps per slot besides its ring: 24 bytes, read and written together.
@usableFromInline
struct SlotState {
    /// Samples ever appended (the ring's write position is `appended & mask`).
    @usableFromInline var appended: UInt64 = 0
    /// The newest timestamp, `Int64.min` before the first sample.
    @usableFromInline var newest: Int64 = .min
    /// Whether the last thing the series sent was a stale marker.
    @usableFromInline var stale = false

    @inlinable init() {}

    @inlinable
    init(appended: UInt64, newest: Int64, stale: Bool) {
        self.appended = appended
        self.newest = newest
        self.stale = stale
    }
}


/// The byte a ring keeps beside each sample for its score: 0...254 for scores 0...1 (in
/// steps of 1/254), 255 for a sample nobody scored.
public enum SampleScore {
    public static let unscored: UInt8 = 255

    /// The byte of a score in [0, 1] (clamped; NaN is unscored).
    /// - Complexity: a few instructions: it runs for every scored sample.
    @inlinable @inline(__always)
    public static func byte(_ score: Double) -> UInt8 {
        if score.isNaN { return unscored }
        // Rounded without a checked conversion: adding 1.5 x 2^52 leaves the nearest integer
        // of a value in [0, 254] in the low bits of the sum.
        let scaled = Swift.min(Swift.max(score, 0), 1) * 254 + 6_755_399_441_055_744.0
        return UInt8(truncatingIfNeeded: scaled.bitPattern)
    }

    /// The byte of a score, or of none (unscored).
    @inlinable
    public static func byte(_ score: Double?) -> UInt8 {
        score.map { byte($0) } ?? unscored
    }

    /// The score a byte stands for, nil when unscored.
    @inlinable
    public static func value(_ byte: UInt8) -> Double? {
        byte == unscored ? nil : Double(byte) / 254
    }
}
