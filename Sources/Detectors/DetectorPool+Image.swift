import AIOpsCore

extension DetectorPool {
    /// A copy of a pool's states for a snapshot: each kind's slab as raw bytes (the states are
    /// plain data), and the released indices.
    public struct Image: Sendable {
        /// In `DetectorKind.allCases` order: the slab's element count and bytes.
        public var slabs: [(count: Int, bytes: [UInt8])]
        /// Released indices per kind, in `DetectorKind.allCases` order.
        public var free: [[Int32]]

        public init(slabs: [(count: Int, bytes: [UInt8])], free: [[Int32]]) {
            self.slabs = slabs
            self.free = free
        }

        /// An empty image with room for `counts[k]` states of each kind, memory already written.
        public static func reserved(counts: [Int]) -> Image {
            Image(slabs: DetectorKind.allCases.enumerated().map { k, kind in
                (0, [UInt8].prefaulted(capacity: (k < counts.count ? counts[k] : 0) * DetectorPool.stateBytes(kind)))
            }, free: [[], [], [], []])
        }

        /// Why this image cannot be restored here, or nil.
        public var problem: String? {
            guard slabs.count == 4, free.count == 4 else { return "expected 4 detector kinds" }
            for (k, kind) in DetectorKind.allCases.enumerated() {
                if slabs[k].bytes.count != slabs[k].count * DetectorPool.stateBytes(kind) { return "\(kind) states do not match their count" }
                if free[k].contains(where: { $0 < 0 || Int($0) >= slabs[k].count }) { return "a released \(kind) state is out of range" }
            }
            return nil
        }

        /// Whether `handle` names a state of this image.
        public func holds(_ handle: Handle) -> Bool {
            handle.index >= 0 && Int(handle.index) < slabs[DetectorPool.slot(handle.kind)].count
        }
    }

    /// Layouts of the four state types, whose bytes a snapshot holds as they are in memory.
    /// Bump a version here when the type's stored fields change.
    public static var stateLayouts: [StateLayout] {
        [
            StateLayout(EWMADetector.self, name: "EWMADetector", version: 1),
            StateLayout(SeasonalDetector.self, name: "SeasonalDetector", version: 2),
            StateLayout(LeakDetector.self, name: "LeakDetector", version: 1),
            StateLayout(AutoDetector.self, name: "AutoDetector", version: 4),
            StateLayout(Handle.self, name: "DetectorPool.Handle", version: 1),
        ]
    }

    /// The bytes of the state `handle` names, for tests and diagnostics (two states with the
    /// same bytes score every next sample alike).
    public func stateBytes(of handle: Handle) -> [UInt8] {
        let i = Int(handle.index)
        switch handle.kind {
        case .ewma: return withUnsafeBytes(of: ewma[i]) { Array($0) }
        case .seasonal: return withUnsafeBytes(of: seasonal[i]) { Array($0) }
        case .leak: return withUnsafeBytes(of: leak[i]) { Array($0) }
        case .auto: return withUnsafeBytes(of: auto[i]) { Array($0) }
        }
    }

    /// Slab element counts per kind, in `DetectorKind.allCases` order.
    public var slabCounts: [Int] { [ewma.count, seasonal.count, leak.count, auto.count] }

    /// A copy of every state. - Complexity: O(states), a `memcpy` per kind.
    public func capture() -> Image {
        var image = Image.reserved(counts: [0, 0, 0, 0])
        capture(into: &image)
        return image
    }

    /// `capture()` into `image`, reusing its buffers' capacity.
    public func capture(into image: inout Image) {
        if image.slabs.count != 4 { image.slabs = Array(repeating: (0, []), count: 4) }
        image.slabs[0].count = ewma.count
        ewma.copyBytes(into: &image.slabs[0].bytes)
        image.slabs[1].count = seasonal.count
        seasonal.copyBytes(into: &image.slabs[1].bytes)
        image.slabs[2].count = leak.count
        leak.copyBytes(into: &image.slabs[2].bytes)
        image.slabs[3].count = auto.count
        auto.copyBytes(into: &image.slabs[3].bytes)
        image.free = free
    }

    /// Replaces every state with the image's. - Precondition: `image.problem == nil`.
    public func restore(_ image: Image) {
        precondition(image.problem == nil, "restore of an inconsistent detector image")
        image.slabs[0].bytes.withUnsafeBytes { ewma.replaceAll(count: image.slabs[0].count, bytes: $0) }
        image.slabs[1].bytes.withUnsafeBytes { seasonal.replaceAll(count: image.slabs[1].count, bytes: $0) }
        image.slabs[2].bytes.withUnsafeBytes { leak.replaceAll(count: image.slabs[2].count, bytes: $0) }
        image.slabs[3].bytes.withUnsafeBytes { auto.replaceAll(count: image.slabs[3].count, bytes: $0) }
        free = image.free
    }
}
