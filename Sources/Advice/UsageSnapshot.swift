import AIOpsCore

/// The usage summaries of a workspace on disk (`<data>/<workspace>/usage.snap`), so 7 days of
/// history survive a restart: the pipeline's own snapshot keeps 64 samples per series, not the
/// hourly rings and histograms advice needs.
///
/// Layout (little-endian): the magic `AIOPSUSE`; version (u32); `EntryState`'s layout (size,
/// stride, alignment, layout version: u32 each) and the ring shape (hours kept, days kept,
/// buckets: u32 each); the time it was taken (i64 ms); the entry count (u64); per entry its
/// labels (u16 count, then u32 length and bytes of each name and value), its state's raw
/// bytes, a flags byte (1: an hourly ring follows, 2: a histogram follows), the ring
/// (`hoursKept` f32), the histogram (`daysKept` i32 days, then `daysKept × bucketCount` u16
/// counts); last, the XXH64 (`Labels.Key.hash`) of everything before it (u64).
///
/// A file of another layout or shape, or whose checksum does not match, is refused as a
/// whole: advice then starts from what arrives.
public enum UsageSnapshot {
    static let magic = Array("AIOPSUSE".utf8)
    static let version: UInt32 = 1
    /// Bumped by hand whenever `EntryState`'s stored fields change.
    static let stateLayout = StateLayout(EntryState.self, name: "UsageRecorder.EntryState", version: 1)

    /// One summarised series, as `UsageRecorder.capture()` copies it.
    public struct Entry: Sendable {
        public var labels: Labels
        var state: EntryState
        var ring: [Float]
        var histogramDays: [Int32]
        var counts: [UInt16]
    }

    /// Why a file was refused.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notAUsageSnapshot
        case otherLayout(String)
        case truncated
        case checksumMismatch

        public var description: String {
            switch self {
            case .notAUsageSnapshot: return "not a usage snapshot (bad magic or version)"
            case .otherLayout(let what): return "written by a build with another layout (\(what))"
            case .truncated: return "truncated"
            case .checksumMismatch: return "checksum mismatch (damaged)"
            }
        }
    }

    public static func encode(_ entries: [Entry], created: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + entries.count * (MemoryLayout<EntryState>.stride + 128 + UsageRecorder.hoursKept * 4))
        out += magic
        put(&out, version)
        for value in [stateLayout.size, stateLayout.stride, stateLayout.alignment, stateLayout.version,
                      UsageRecorder.hoursKept, UsageRecorder.daysKept, UsageHistogram.bucketCount] {
            put(&out, UInt32(value))
        }
        put(&out, UInt64(bitPattern: created))
        put(&out, UInt64(entries.count))
        for entry in entries {
            put(&out, UInt16(entry.labels.count))
            for label in entry.labels {
                put(&out, UInt32(label.name.utf8.count))
                out += label.name.utf8
                put(&out, UInt32(label.value.utf8.count))
                out += label.value.utf8
            }
            withUnsafeBytes(of: entry.state) { out += $0 }
            out.append((entry.ring.isEmpty ? 0 : 1) | (entry.counts.isEmpty ? 0 : 2))
            for value in entry.ring { put(&out, value.bitPattern) }
            for day in entry.histogramDays { put(&out, UInt32(bitPattern: day)) }
            for count in entry.counts { put(&out, count) }
        }
        let checksum = out.withUnsafeBytes { Labels.Key.hash($0) }
        put(&out, checksum)
        return out
    }

    /// - Returns: the entries and when they were taken.
    /// - Throws: `Failure` for a file that cannot be used.
    public static func decode(_ bytes: [UInt8]) throws(Failure) -> (entries: [Entry], created: Timestamp) {
        guard bytes.count >= magic.count + 4 + 8, Array(bytes.prefix(magic.count)) == magic else { throw .notAUsageSnapshot }
        let body = bytes.count - 8
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: body, as: UInt64.self) }
        let computed = bytes.withUnsafeBytes { Labels.Key.hash(UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        guard UInt64(littleEndian: stored) == computed else { throw .checksumMismatch }
        var reader = Reader(bytes: bytes, end: body, offset: magic.count)
        guard try reader.u32() == version else { throw .notAUsageSnapshot }
        let expected = [stateLayout.size, stateLayout.stride, stateLayout.alignment, stateLayout.version,
                        UsageRecorder.hoursKept, UsageRecorder.daysKept, UsageHistogram.bucketCount]
        var found: [Int] = []
        for _ in expected { found.append(Int(try reader.u32())) }
        guard found == expected else { throw .otherLayout("layout and shape \(found), this build \(expected)") }
        let created = Int64(bitPattern: try reader.u64())
        let count = try reader.u64()
        var entries: [Entry] = []
        entries.reserveCapacity(Int(min(count, 10_000_000)))
        for _ in 0..<count {
            var labels: [Label] = []
            for _ in 0..<(try reader.u16()) {
                let name = try reader.string()
                labels.append(Label(name: name, value: try reader.string()))
            }
            let state = try reader.state()
            let flags = try reader.u8()
            var ring: [Float] = []
            if flags & 1 != 0 {
                for _ in 0..<UsageRecorder.hoursKept { ring.append(Float(bitPattern: try reader.u32())) }
            }
            var days: [Int32] = []
            var counts: [UInt16] = []
            if flags & 2 != 0 {
                for _ in 0..<UsageRecorder.daysKept { days.append(Int32(bitPattern: try reader.u32())) }
                for _ in 0..<(UsageRecorder.daysKept * UsageHistogram.bucketCount) { counts.append(try reader.u16()) }
            }
            entries.append(Entry(labels: Labels(labels), state: state, ring: ring, histogramDays: days, counts: counts))
        }
        guard reader.offset == body else { throw .truncated }
        return (entries, created)
    }

    static func put<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    struct Reader {
        let bytes: [UInt8]
        let end: Int
        var offset: Int

        mutating func take(_ count: Int) throws(Failure) -> Range<Int> {
            guard count >= 0, offset + count <= end else { throw .truncated }
            defer { offset += count }
            return offset..<(offset + count)
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(Failure) -> T {
            let range = try take(MemoryLayout<T>.size)
            return T(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self) })
        }

        mutating func u8() throws(Failure) -> UInt8 { try integer(UInt8.self) }
        mutating func u16() throws(Failure) -> UInt16 { try integer(UInt16.self) }
        mutating func u32() throws(Failure) -> UInt32 { try integer(UInt32.self) }
        mutating func u64() throws(Failure) -> UInt64 { try integer(UInt64.self) }

        mutating func string() throws(Failure) -> String {
            let length = Int(try u32())
            let range = try take(length)
            return String(decoding: bytes[range], as: UTF8.self)
        }

        mutating func state() throws(Failure) -> EntryState {
            let range = try take(MemoryLayout<EntryState>.stride)
            return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: range.lowerBound, as: EntryState.self) }
        }
    }
}

extension UsageRecorder {
    /// Copies every summary for `UsageSnapshot.encode` (under the pipeline's lock: memory
    /// copies only).
    public func capture() -> [UsageSnapshot.Entry] {
        var entries: [UsageSnapshot.Entry] = []
        entries.reserveCapacity(entryCount)
        for index in 0..<identities.count {
            guard let labels = identities[index] else { continue }
            let state = states[index]
            var ring: [Float] = []
            if state.ring >= 0 {
                let base = hourly.pointer(at: Int(state.ring) * Self.hoursKept)
                ring = Array(UnsafeBufferPointer(start: base, count: Self.hoursKept))
            }
            var days: [Int32] = []
            var histogram: [UInt16] = []
            if state.histogram >= 0 {
                days = Array(UnsafeBufferPointer(start: histogramDays.pointer(at: Int(state.histogram) * Self.daysKept), count: Self.daysKept))
                let size = Self.daysKept * UsageHistogram.bucketCount
                histogram = Array(UnsafeBufferPointer(start: counts.pointer(at: Int(state.histogram) * size), count: size))
            }
            entries.append(UsageSnapshot.Entry(labels: labels, state: state, ring: ring, histogramDays: days, counts: histogram))
        }
        return entries
    }

    /// Adds summaries from a snapshot; a series already summarised (or of a role this build
    /// does not know) keeps what it has.
    /// - Returns: how many were added.
    @discardableResult
    public func restore(_ entries: [UsageSnapshot.Entry]) -> Int {
        var added = 0
        for entry in entries {
            guard byHash[entry.labels.stableHash] == nil, entryCount < maximumEntries, let role = SeriesRole(rawValue: entry.state.role) else { continue }
            let index = Int(makeEntry(entry.labels, role: role, load: Int(entry.state.load)))
            byHash[entry.labels.stableHash] = Int32(index)
            var state = entry.state
            state.ring = states[index].ring
            state.histogram = states[index].histogram
            state.load = role == .load ? state.load : -1
            if state.ring >= 0, entry.ring.count == Self.hoursKept {
                hourly.pointer(at: Int(state.ring) * Self.hoursKept).update(from: entry.ring, count: Self.hoursKept)
            }
            state.histogramBase = -1
            if state.histogram >= 0, entry.counts.count == Self.daysKept * UsageHistogram.bucketCount, entry.histogramDays.count == Self.daysKept {
                let histogram = Int(state.histogram)
                histogramDays.pointer(at: histogram * Self.daysKept).update(from: entry.histogramDays, count: Self.daysKept)
                counts.pointer(at: histogram * Self.daysKept * UsageHistogram.bucketCount).update(from: entry.counts, count: entry.counts.count)
                // The current day's counts moved with the histogram.
                if state.hour != .min {
                    let day = Int32(truncatingIfNeeded: state.hour >= 0 ? state.hour / 24 : (state.hour - 23) / 24)
                    let slot = Int(UInt32(bitPattern: day) % UInt32(Self.daysKept))
                    if histogramDays[histogram * Self.daysKept + slot] == day {
                        state.histogramBase = (histogram * Self.daysKept + slot) * UsageHistogram.bucketCount
                    } else {
                        state.hourEnd = .min  // the next sample starts its day afresh
                    }
                }
            }
            states[index] = state
            added += 1
        }
        return added
    }
}
