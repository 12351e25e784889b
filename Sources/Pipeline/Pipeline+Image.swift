import AIOpsCore
import Detectors
import Incidents
import Rules
import Store

extension Pipeline {
    /// A copy of everything a pipeline has learned, for a snapshot: its store, its bindings'
    /// detector states and incident trackers (raw bytes of plain-data slabs), the open and
    /// recently resolved incidents and the bookkeeping around them.
    ///
    /// `capture()` runs under the owner's lock and only copies (a `memcpy` per slab, arrays
    /// shared copy-on-write); encoding happens outside the lock.
    public struct Image: Sendable {
        public var store: SeriesStore.Image
        public var detectors: DetectorPool.Image
        /// The `RuleBinding` slab: its count and bytes.
        public var bindingCount: Int
        public var bindingBytes: [UInt8]
        /// Per store slot.
        public var bindingStart: [Int32]
        public var bindingLength: [Int32]
        public var publishKey: [UInt64]
        public var lastArrival: [Timestamp]
        /// Freed binding ranges: (length, starts).
        public var freeBindingRanges: [(length: Int32, starts: [Int32])]
        public var limitValues: [(key: UInt64, value: Double)]
        /// Open incidents with the binding they belong to.
        public var open: [(binding: Int32, incident: Incident)]
        public var recentlyResolved: [Incident]
        public var statistics: PipelineStatistics

        /// An empty image with room for `sizes` plus `headroom` (a fraction) of growth, its
        /// memory already written, so that `capture(into:)` is only `memcpy`s.
        public static func reserved(for sizes: CaptureSizes, headroom: Double = 1.0 / 16) -> Image {
            func grown(_ n: Int) -> Int { n + Int((Double(n) * headroom).rounded(.up)) }
            return Image(
                store: .reserved(slots: grown(sizes.slots), ringCapacity: sizes.ringCapacity),
                detectors: .reserved(counts: sizes.detectorStates.map(grown)),
                bindingCount: 0, bindingBytes: .prefaulted(capacity: grown(sizes.bindings) * MemoryLayout<RuleBinding>.stride),
                bindingStart: [], bindingLength: [], publishKey: [], lastArrival: [], freeBindingRanges: [], limitValues: [],
                open: [], recentlyResolved: [], statistics: PipelineStatistics())
        }

        public init(
            store: SeriesStore.Image, detectors: DetectorPool.Image, bindingCount: Int, bindingBytes: [UInt8],
            bindingStart: [Int32], bindingLength: [Int32], publishKey: [UInt64], lastArrival: [Timestamp],
            freeBindingRanges: [(length: Int32, starts: [Int32])], limitValues: [(key: UInt64, value: Double)],
            open: [(binding: Int32, incident: Incident)], recentlyResolved: [Incident], statistics: PipelineStatistics
        ) {
            self.store = store
            self.detectors = detectors
            self.bindingCount = bindingCount
            self.bindingBytes = bindingBytes
            self.bindingStart = bindingStart
            self.bindingLength = bindingLength
            self.publishKey = publishKey
            self.lastArrival = lastArrival
            self.freeBindingRanges = freeBindingRanges
            self.limitValues = limitValues
            self.open = open
            self.recentlyResolved = recentlyResolved
            self.statistics = statistics
        }
    }

    /// Layouts of the plain-data types whose bytes an image holds.
    public static var stateLayouts: [StateLayout] {
        [
            StateLayout(RuleBinding.self, name: "RuleBinding", version: 1),
            StateLayout(IncidentTracker.self, name: "IncidentTracker", version: 1),
        ] + DetectorPool.stateLayouts + SeriesStore.stateLayouts
    }

    /// How big an image of this pipeline is now: what `Image.reserved(for:)` sizes by.
    public struct CaptureSizes: Sendable {
        public var slots: Int
        public var ringCapacity: Int
        public var bindings: Int
        public var detectorStates: [Int]
    }

    /// The sizes of an image of this pipeline now. - Complexity: O(1).
    public var captureSizes: CaptureSizes {
        CaptureSizes(slots: store.slotCount, ringCapacity: store.ringCapacity, bindings: bindings.count, detectorStates: detectors.slabCounts)
    }

    /// A copy of the pipeline's state.
    /// - Complexity: O(series x (ring + detector state)), memory copies only.
    public func capture() -> Image {
        var image = Image.reserved(for: CaptureSizes(slots: 0, ringCapacity: store.ringCapacity, bindings: 0, detectorStates: [0, 0, 0, 0]), headroom: 0)
        capture(into: &image)
        return image
    }

    /// `capture()` into `image`, reusing its buffers. An owner that wants its lock held for
    /// `memcpy`s only reads `captureSizes` (briefly locked), reserves an image outside the
    /// lock, and captures into it under the lock; if the pipeline grew past the headroom
    /// meanwhile, the buffers that are short grow (correct, only slower).
    public func capture(into image: inout Image) {
        store.capture(into: &image.store)
        detectors.capture(into: &image.detectors)
        image.bindingCount = bindings.count
        bindings.copyBytes(into: &image.bindingBytes)
        image.bindingStart = bindingStart
        image.bindingLength = bindingCount
        image.publishKey = publishKey
        image.lastArrival = lastArrival
        image.freeBindingRanges = freeBindingRanges.keys.sorted().map { ($0, freeBindingRanges[$0]!) }
        image.limitValues = limitValues.keys.sorted().map { ($0, limitValues[$0]!) }
        image.open = open.keys.sorted().map { ($0, open[$0]!) }
        image.recentlyResolved = recentlyResolved
        image.statistics = statistics
    }

    /// Why `image` cannot be restored into this pipeline, or nil. Checks every index the
    /// image holds against what it points into, so a restored pipeline never reads out of
    /// bounds (the snapshot's checksums guard the bytes; this guards the numbers).
    /// - Parameter ruleCount: rules (the `auto` rule included) of the pipeline the image was
    ///   taken from, which its bindings index; this pipeline's by default.
    public func problem(restoring image: Image, ruleCount: Int? = nil) -> String? {
        let ruleCount = ruleCount ?? rules.count
        if store.seriesCount != 0 || bindings.count != 0 { return "the pipeline is not fresh" }
        if let problem = image.store.problem(ringCapacity: store.ringCapacity) { return "store: \(problem)" }
        if let problem = image.detectors.problem { return "detectors: \(problem)" }
        let slots = image.store.slotCount
        guard image.bindingBytes.count == image.bindingCount * MemoryLayout<RuleBinding>.stride else { return "bindings do not match their count" }
        guard image.bindingStart.count <= slots, image.bindingLength.count == image.bindingStart.count,
              image.publishKey.count == image.bindingStart.count, image.lastArrival.count <= slots
        else { return "per-series arrays do not match \(slots) series" }
        if image.bindingStart.count < slots, image.store.labels[image.bindingStart.count...].contains(where: { $0 != nil }) {
            return "a series has no bindings"
        }
        var bad: String?
        image.bindingBytes.withUnsafeBytes { raw in
            for i in 0..<image.bindingCount {
                let binding = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<RuleBinding>.stride, as: RuleBinding.self)
                if binding.rule < 0 || Int(binding.rule) >= ruleCount { bad = "binding \(i) names rule \(binding.rule) of \(ruleCount)"; return }
                if !image.detectors.holds(binding.detector) { bad = "binding \(i) names a missing detector state"; return }
            }
        }
        if let bad { return bad }
        for (slot, start) in image.bindingStart.enumerated() where image.store.labels[slot] != nil {
            let length = image.bindingLength[slot]
            if start < 0 || length < 1 || Int(start) + Int(length) > image.bindingCount { return "series \(slot) has bindings out of range" }
        }
        for (_, starts) in image.freeBindingRanges where starts.contains(where: { $0 < 0 || Int($0) >= image.bindingCount }) {
            return "a free binding range is out of range"
        }
        if image.open.contains(where: { $0.binding < 0 || Int($0.binding) >= image.bindingCount }) { return "an open incident names a missing binding" }
        return nil
    }

    /// Replaces this fresh pipeline's state with `image` (taken from a pipeline with the same
    /// rules, in the same order: the bindings name rules by index).
    /// - Precondition: `problem(restoring: image) == nil`.
    public func restore(_ image: Image) {
        precondition(problem(restoring: image) == nil, "restore of an inconsistent pipeline image")
        store.restore(image.store)
        detectors.restore(image.detectors)
        image.bindingBytes.withUnsafeBytes { bindings.replaceAll(count: image.bindingCount, bytes: $0) }
        bindingStart = image.bindingStart
        bindingCount = image.bindingLength
        publishKey = image.publishKey
        lastArrival = image.lastArrival
        freeBindingRanges = Dictionary(uniqueKeysWithValues: image.freeBindingRanges.map { ($0.length, $0.starts) })
        limitValues = Dictionary(image.limitValues.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        open = Dictionary(image.open.map { ($0.binding, $0.incident) }, uniquingKeysWith: { $1 })
        recentlyResolved = image.recentlyResolved
        statistics = image.statistics
    }
}
