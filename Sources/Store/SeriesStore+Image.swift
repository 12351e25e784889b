import AIOpsCore

extension SeriesStore {
    /// A copy of everything a store holds, for a snapshot: taken under the owner's lock (the
    /// rings are copied with `memcpy`, the label sets shared copy-on-write), encoded outside it.
    public struct Image: Sendable {
        /// The ring capacity the rings were written with.
        public var ringCapacity: Int
        /// Slots in use or free (`labels.count`); every per-slot array has this many entries.
        public var slotCount: Int { labels.count }
        /// `slotCount * ringCapacity` each: slot `s`'s ring is `s * ringCapacity ..< (s + 1) * ringCapacity`.
        public var timestamps: [Int64]
        public var values: [Double]
        /// Per slot: samples ever appended, newest timestamp, whether the last was a stale marker.
        public var appended: [UInt64]
        public var newest: [Int64]
        public var stale: [Bool]
        /// Per slot: the label set, nil for a free slot.
        public var labels: [Labels?]
        /// Free slots in the order they are reused (last first).
        public var freeSlots: [Int32]
        public var statistics: StoreStatistics

        public init(
            ringCapacity: Int, timestamps: [Int64], values: [Double], appended: [UInt64], newest: [Int64], stale: [Bool],
            labels: [Labels?], freeSlots: [Int32], statistics: StoreStatistics
        ) {
            self.ringCapacity = ringCapacity
            self.timestamps = timestamps
            self.values = values
            self.appended = appended
            self.newest = newest
            self.stale = stale
            self.labels = labels
            self.freeSlots = freeSlots
            self.statistics = statistics
        }

        /// An empty image whose arrays have room for `slots` slots, their memory already
        /// written (see `Array.prefaulted`).
        public static func reserved(slots: Int, ringCapacity: Int) -> Image {
            Image(
                ringCapacity: ringCapacity, timestamps: .prefaulted(capacity: slots * ringCapacity), values: .prefaulted(capacity: slots * ringCapacity),
                appended: .prefaulted(capacity: slots), newest: .prefaulted(capacity: slots), stale: .prefaulted(capacity: slots),
                labels: [], freeSlots: [], statistics: StoreStatistics())
        }

        /// Why this image cannot be restored into a store with ring capacity `ringCapacity`, or nil.
        public func problem(ringCapacity expected: Int) -> String? {
            let n = labels.count
            if ringCapacity != expected { return "ring capacity \(ringCapacity), the store's is \(expected)" }
            if timestamps.count != n * ringCapacity || values.count != n * ringCapacity { return "rings do not match \(n) slots" }
            if appended.count != n || newest.count != n || stale.count != n { return "slot states do not match \(n) slots" }
            if freeSlots.contains(where: { $0 < 0 || Int($0) >= n || labels[Int($0)] != nil }) { return "a free slot is out of range or in use" }
            if labels.count(where: { $0 == nil }) != freeSlots.count { return "free slots do not match the empty ones" }
            return nil
        }
    }

    /// A copy of the store's contents.
    /// - Complexity: O(slots x ring capacity), a `memcpy` of the rings.
    public func capture() -> Image {
        var image = Image.reserved(slots: 0, ringCapacity: ringCapacity)
        capture(into: &image)
        return image
    }

    /// `capture()` into `image`, reusing its arrays' capacity: with an image `reserved` for at
    /// least this many slots, only `memcpy`s run (what an owner does under its lock).
    public func capture(into image: inout Image) {
        let n = labelSets.count
        image.ringCapacity = ringCapacity
        image.timestamps.replaceContents(with: UnsafeBufferPointer(start: timestamps, count: n * ringCapacity))
        image.values.replaceContents(with: UnsafeBufferPointer(start: values, count: n * ringCapacity))
        image.appended.removeAll(keepingCapacity: true)
        image.newest.removeAll(keepingCapacity: true)
        image.stale.removeAll(keepingCapacity: true)
        for slot in 0..<n {
            image.appended.append(state[slot].appended)
            image.newest.append(state[slot].newest)
            image.stale.append(state[slot].stale)
        }
        image.labels = labelSets
        image.freeSlots = freeSlots
        image.statistics = statistics
    }

    /// Slots in use or free: what an image of this store holds per-slot entries for.
    public var slotCount: Int { labelSets.count }

    /// Replaces this store's contents with `image`, slot for slot (so handles an owner saved
    /// with the image stay valid); the index and key arena are rebuilt.
    /// - Precondition: `image.problem(ringCapacity: ringCapacity) == nil`.
    /// - Complexity: O(slots x ring capacity).
    public func restore(_ image: Image) {
        precondition(image.problem(ringCapacity: ringCapacity) == nil, "restore of an inconsistent store image")
        let n = image.slotCount
        if slotCapacity < n { grow(to: n) }
        image.timestamps.withUnsafeBufferPointer { timestamps.update(from: $0.baseAddress!, count: $0.count) }
        image.values.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: $0.count) }
        for slot in 0..<n {
            state[slot] = SlotState(appended: image.appended[slot], newest: image.newest[slot], stale: image.stale[slot])
        }
        labelSets = image.labels
        hashes = image.labels.map { $0?.stableHash ?? 0 }
        chainNext = Array(repeating: -1, count: n)
        keyOffset = Array(repeating: 0, count: n)
        keyLength = Array(repeating: 0, count: n)
        keyArenaUsed = 0
        keyArenaGarbage = 0
        index = HashIndex()
        for slot in 0..<n {
            guard let labels = image.labels[slot] else { continue }
            storeKey(labels, slot: slot)
            chainNext[slot] = index[hashes[slot]] ?? -1
            index.set(hashes[slot], Int32(slot))
        }
        freeSlots = image.freeSlots
        statistics = image.statistics
    }

    /// The layouts a snapshot of a store depends on (none: it is written field by field).
    public static var stateLayouts: [StateLayout] { [] }
}
