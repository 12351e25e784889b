import AIOpsCore
import Delivery
import Detectors
import Foundation
import Incidents
import Pipeline
import Store

/// Encodes a `WorkspaceState` into the snapshot format (`FORMAT.md`) and decodes it back,
/// refusing a file that is truncated, corrupted or written with other layouts.
public enum SnapshotCodec {
    /// The file's bytes for `state`.
    /// - Parameter layouts: the plain-data layouts to record (this build's by default).
    /// - Complexity: O(size of the state), plus a CRC pass over it.
    /// - Parameter version: the format version to write; 1 (no per-rule fingerprints) only for
    ///   tests of reading old files.
    public static func encode(_ state: WorkspaceState, layouts: [StateLayout] = Pipeline.stateLayouts, version: UInt32 = SnapshotFormat.version) -> [UInt8] {
        let sectionCount = 2 + 4 * state.shards.count
        var file = ByteWriter()
        // One buffer for the whole file, sized up front: the sections are written in place
        // (no per-section copy), their lengths and checksums patched in afterwards.
        file.bytes.reserveCapacity(SnapshotFormat.headerBytes + 4096 + state.shards.reduce(0) { $0 + estimatedBytes($1) })
        file.bytes.append(contentsOf: SnapshotFormat.magic)
        file.u32(version)
        file.u32(UInt32(sectionCount))
        file.u32(0)
        file.u32(CRC32C.checksum(file.bytes))
        section(.meta, &file) { meta(state, layouts: layouts, version: version, &$0) }
        for shard in state.shards {
            section(.store, &file) { store(shard.store, &$0) }
            section(.bindings, &file) { bindings(shard, &$0) }
            section(.detectors, &file) { detectors(shard.detectors, &$0) }
            section(.incidents, &file) { $0.bytes.append(contentsOf: incidents(shard)) }
        }
        section(.notifications, &file) { w in
            if let log = state.notifications {
                w.u8(1)
                w.bytes.append(contentsOf: json(log))
            } else {
                w.u8(0)
            }
        }
        return file.bytes
    }

    /// Writes a section header, then the payload `body` appends, then patches the header's
    /// length and CRC.
    static func section(_ tag: SnapshotFormat.Tag, _ file: inout ByteWriter, _ body: (inout ByteWriter) -> Void) {
        let head = file.bytes.count
        file.u32(tag.code)
        file.u32(0)
        file.u64(0)
        body(&file)
        let start = head + SnapshotFormat.sectionHeaderBytes
        let length = file.bytes.count - start
        file.bytes.withUnsafeMutableBytes { raw in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]))
            raw.storeBytes(of: crc.littleEndian, toByteOffset: head + 4, as: UInt32.self)
            raw.storeBytes(of: UInt64(length).littleEndian, toByteOffset: head + 8, as: UInt64.self)
        }
    }

    /// Bytes a shard's sections take, roughly (labels at 128 bytes a series, incidents at 4 KiB each).
    static func estimatedBytes(_ image: Pipeline.Image) -> Int {
        image.store.timestamps.count * 16 + image.store.labels.count * (17 + 128) + image.bindingBytes.count
            + image.bindingStart.count * 24 + image.detectors.slabs.reduce(0) { $0 + $1.bytes.count }
            + (image.open.count + image.recentlyResolved.count) * 4096 + 4 * SnapshotFormat.sectionHeaderBytes + 1024
    }

    /// The state `bytes` hold.
    /// - Throws: `SnapshotError` for anything but a whole, intact file of this format version
    ///   written with `layouts`; nothing is returned half.
    public static func decode(_ bytes: [UInt8], layouts: [StateLayout] = Pipeline.stateLayouts) throws(SnapshotError) -> WorkspaceState {
        var result: Result<WorkspaceState, SnapshotError> = .failure(.badMagic)
        bytes.withUnsafeBytes { raw in
            do throws(SnapshotError) { result = .success(try decode(raw, layouts: layouts)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// The state the bytes at `raw` hold (a mapped file: see `DurableFile.withMapped`); nothing
    /// of the result points into `raw`.
    public static func decode(_ raw: UnsafeRawBufferPointer, layouts: [StateLayout] = Pipeline.stateLayouts) throws(SnapshotError) -> WorkspaceState {
        guard raw.count >= SnapshotFormat.magic.count, Array(raw[0..<SnapshotFormat.magic.count]) == SnapshotFormat.magic else {
            throw raw.count < SnapshotFormat.magic.count ? .truncated(section: "header", offset: raw.count) : .badMagic
        }
        guard raw.count >= SnapshotFormat.headerBytes else { throw .truncated(section: "header", offset: raw.count) }
        var header = ByteReader(raw, range: 8..<SnapshotFormat.headerBytes, section: "header")
        let version = try header.u32()
        let sectionCount = Int(try header.u32())
        _ = try header.u32()
        let headerCRC = try header.u32()
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<20])) == headerCRC else { throw .badChecksum(section: "header", offset: 0) }
        guard SnapshotFormat.readableVersions.contains(version) else { throw .unsupportedVersion(version) }

        // Frame every section and check its checksum before interpreting any of them.
        var sections: [(tag: SnapshotFormat.Tag, range: Range<Int>)] = []
        var offset = SnapshotFormat.headerBytes
        for index in 0..<sectionCount {
            let name = "section \(index)"
            guard raw.count - offset >= SnapshotFormat.sectionHeaderBytes else { throw .truncated(section: name, offset: raw.count) }
            var head = ByteReader(raw, range: offset..<(offset + SnapshotFormat.sectionHeaderBytes), section: name)
            let code = try head.u32()
            let crc = try head.u32()
            let length = try head.u64()
            guard let tag = SnapshotFormat.Tag(code: code) else { throw .malformed(section: name, reason: "unknown tag") }
            let start = offset + SnapshotFormat.sectionHeaderBytes
            guard length <= UInt64(raw.count - start) else { throw .truncated(section: "\(name) (\(tag.rawValue))", offset: raw.count) }
            let range = start..<(start + Int(length))
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[range])) == crc else {
                throw .badChecksum(section: "\(name) (\(tag.rawValue))", offset: offset)
            }
            sections.append((tag, range))
            offset = range.upperBound
        }
        guard offset == raw.count else { throw .malformed(section: "file", reason: "\(raw.count - offset) bytes after the last section") }

        guard let first = sections.first, first.tag == .meta else { throw .malformed(section: "file", reason: "no META section first") }
        var meta = ByteReader(raw, range: first.range, section: "META")
        let created = try meta.i64()
        let workspace = try meta.string()
        let architecture = try meta.string()
        guard architecture == SnapshotFormat.architecture else {
            throw .layoutMismatch(type: "architecture", file: architecture, build: SnapshotFormat.architecture)
        }
        let fingerprint = try meta.u64()
        var rules: [RuleIdentity]?
        if version >= 2 {
            let count = Int(try meta.u32())
            guard count <= raw.count else { throw .malformed(section: "META", reason: "\(count) rules") }
            var identities: [RuleIdentity] = []
            for _ in 0..<count { identities.append(RuleIdentity(name: try meta.string(), fingerprint: try meta.u64())) }
            rules = identities
        }
        let shardCount = Int(try meta.u32())
        let layoutCount = Int(try meta.u32())
        var written: [StateLayout] = []
        for _ in 0..<layoutCount {
            written.append(StateLayout(name: try meta.string(), version: Int(try meta.u32()), size: try meta.int(), stride: try meta.int(), alignment: try meta.int()))
        }
        for layout in layouts {
            guard let found = written.first(where: { $0.name == layout.name }) else {
                throw .layoutMismatch(type: layout.name, file: "none", build: layout.description)
            }
            if found != layout { throw .layoutMismatch(type: layout.name, file: found.description, build: layout.description) }
        }
        if let extra = written.first(where: { w in !layouts.contains { $0.name == w.name } }) {
            throw .layoutMismatch(type: extra.name, file: extra.description, build: "none")
        }
        let expectedTags: [SnapshotFormat.Tag] = [.meta] + Array(repeating: [.store, .bindings, .detectors, .incidents], count: shardCount).flatMap { $0 } + [.notifications]
        guard sections.map(\.tag) == expectedTags else {
            throw .malformed(section: "file", reason: "sections \(sections.map(\.tag.rawValue)) for \(shardCount) shard(s)")
        }

        var shards: [Pipeline.Image] = []
        for shard in 0..<shardCount {
            let base = 1 + shard * 4
            var s = ByteReader(raw, range: sections[base].range, section: "STOR \(shard)")
            let storeImage = try store(&s)
            var b = ByteReader(raw, range: sections[base + 1].range, section: "BIND \(shard)")
            var d = ByteReader(raw, range: sections[base + 2].range, section: "DETE \(shard)")
            let detectorImage = try detectors(&d)
            let incidentRange = sections[base + 3].range
            let (open, resolved) = try incidents(UnsafeRawBufferPointer(rebasing: raw[incidentRange]), section: "INCI \(shard)")
            shards.append(try bindings(&b, store: storeImage, detectors: detectorImage, open: open, resolved: resolved))
        }
        var n = ByteReader(raw, range: sections[sections.count - 1].range, section: "NOTE")
        var log: NotificationScheduler.Log?
        if try n.u8() == 1 {
            let rest = UnsafeRawBufferPointer(rebasing: raw[n.offset..<n.end])
            do { log = try decoder.decode(NotificationScheduler.Log.self, from: Data(rest)) } catch {
                throw .malformed(section: "NOTE", reason: "\(error)")
            }
        }
        return WorkspaceState(workspace: workspace, created: created, rulesFingerprint: fingerprint, rules: rules, shards: shards, notifications: log)
    }

    // MARK: Sections

    static func meta(_ state: WorkspaceState, layouts: [StateLayout], version: UInt32, _ w: inout ByteWriter) {
        w.i64(state.created)
        w.string(state.workspace)
        w.string(SnapshotFormat.architecture)
        w.u64(state.rulesFingerprint)
        if version >= 2 {
            let rules = state.rules ?? []
            w.u32(UInt32(rules.count))
            for rule in rules {
                w.string(rule.name)
                w.u64(rule.fingerprint)
            }
        }
        w.u32(UInt32(state.shards.count))
        w.u32(UInt32(layouts.count))
        for layout in layouts {
            w.string(layout.name)
            w.u32(UInt32(layout.version))
            w.int(layout.size)
            w.int(layout.stride)
            w.int(layout.alignment)
        }
    }

    static func store(_ image: SeriesStore.Image, _ w: inout ByteWriter) {
        w.int(image.ringCapacity)
        w.array(image.timestamps)
        w.array(image.values)
        w.array(image.appended)
        w.array(image.newest)
        w.array(image.stale.map { $0 ? UInt8(1) : 0 })
        w.u64(UInt64(image.labels.count))
        for labels in image.labels {
            guard let labels else {
                w.u32(.max)
                continue
            }
            w.u32(UInt32(labels.count))
            for label in labels {
                w.string(label.name)
                w.string(label.value)
            }
        }
        w.array(image.freeSlots)
        for lane in 0..<8 { w.int(image.statistics.samples[lane]) }
        w.int(image.statistics.seriesCreated)
        w.int(image.statistics.seriesEvicted)
        w.int(image.statistics.gaps)
    }

    static func store(_ r: inout ByteReader) throws(SnapshotError) -> SeriesStore.Image {
        let ringCapacity = try r.int()
        let timestamps = try r.array(Int64.self)
        let values = try r.array(Double.self)
        let appended = try r.array(UInt64.self)
        let newest = try r.array(Int64.self)
        let stale = try r.array(UInt8.self).map { $0 != 0 }
        let slots = try r.count(stride: 4)
        var labels: [Labels?] = []
        labels.reserveCapacity(slots)
        for _ in 0..<slots {
            let count = try r.u32()
            if count == .max {
                labels.append(nil)
                continue
            }
            var pairs: [Label] = []
            for _ in 0..<count { pairs.append(Label(try r.string(), try r.string())) }
            labels.append(Labels(pairs))
        }
        let freeSlots = try r.array(Int32.self)
        var statistics = StoreStatistics()
        for lane in 0..<8 { statistics.samples[lane] = try r.int() }
        statistics.seriesCreated = try r.int()
        statistics.seriesEvicted = try r.int()
        statistics.gaps = try r.int()
        try finish(r)
        let image = SeriesStore.Image(
            ringCapacity: ringCapacity, timestamps: timestamps, values: values, appended: appended, newest: newest, stale: stale,
            labels: labels, freeSlots: freeSlots, statistics: statistics)
        if let problem = image.problem(ringCapacity: ringCapacity) { throw .malformed(section: r.section, reason: problem) }
        return image
    }

    static func bindings(_ image: Pipeline.Image, _ w: inout ByteWriter) {
        w.int(image.bindingCount)
        w.blob(image.bindingBytes)
        w.array(image.bindingStart)
        w.array(image.bindingLength)
        w.array(image.publishKey)
        w.array(image.lastArrival)
        w.u64(UInt64(image.freeBindingRanges.count))
        for (length, starts) in image.freeBindingRanges {
            w.u32(UInt32(bitPattern: length))
            w.array(starts)
        }
        w.array(image.limitValues.map(\.key))
        w.array(image.limitValues.map(\.value))
        let s = image.statistics
        for value in [s.scoredSamples, s.seriesRefused, s.incidentsFired, s.incidentsResolved, s.incidentsCancelled] { w.int(value) }
    }

    static func bindings(
        _ r: inout ByteReader, store: SeriesStore.Image, detectors: DetectorPool.Image,
        open: [(binding: Int32, incident: Incident)], resolved: [Incident]
    ) throws(SnapshotError) -> Pipeline.Image {
        let count = try r.int()
        let bytes = try r.blob()
        let start = try r.array(Int32.self)
        let length = try r.array(Int32.self)
        let publishKey = try r.array(UInt64.self)
        let lastArrival = try r.array(Int64.self)
        let rangeCount = try r.count(stride: 12)
        var free: [(length: Int32, starts: [Int32])] = []
        for _ in 0..<rangeCount { free.append((Int32(bitPattern: try r.u32()), try r.array(Int32.self))) }
        let keys = try r.array(UInt64.self)
        let values = try r.array(Double.self)
        guard keys.count == values.count else { throw .malformed(section: r.section, reason: "limit keys and values differ in count") }
        var statistics = PipelineStatistics()
        statistics.scoredSamples = try r.int()
        statistics.seriesRefused = try r.int()
        statistics.incidentsFired = try r.int()
        statistics.incidentsResolved = try r.int()
        statistics.incidentsCancelled = try r.int()
        try finish(r)
        return Pipeline.Image(
            store: store, detectors: detectors, bindingCount: count, bindingBytes: bytes, bindingStart: start, bindingLength: length,
            publishKey: publishKey, lastArrival: lastArrival, freeBindingRanges: free,
            limitValues: zip(keys, values).map { ($0, $1) }, open: open, recentlyResolved: resolved, statistics: statistics)
    }

    static func detectors(_ image: DetectorPool.Image, _ w: inout ByteWriter) {
        for slab in image.slabs {
            w.int(slab.count)
            w.blob(slab.bytes)
        }
        for free in image.free { w.array(free) }
    }

    static func detectors(_ r: inout ByteReader) throws(SnapshotError) -> DetectorPool.Image {
        var slabs: [(count: Int, bytes: [UInt8])] = []
        for _ in 0..<4 { slabs.append((try r.int(), try r.blob())) }
        var free: [[Int32]] = []
        for _ in 0..<4 { free.append(try r.array(Int32.self)) }
        try finish(r)
        let image = DetectorPool.Image(slabs: slabs, free: free)
        if let problem = image.problem { throw .malformed(section: r.section, reason: problem) }
        return image
    }

    /// The incidents as JSON (they hold strings, labels and arrays: not plain data).
    struct IncidentsPayload: Codable {
        struct Open: Codable {
            var binding: Int32
            var incident: Incident
        }
        var open: [Open]
        var resolved: [Incident]
    }

    static func incidents(_ image: Pipeline.Image) -> [UInt8] {
        json(IncidentsPayload(open: image.open.map { .init(binding: $0.binding, incident: $0.incident) }, resolved: image.recentlyResolved))
    }

    static func incidents(_ raw: UnsafeRawBufferPointer, section: String) throws(SnapshotError) -> ([(binding: Int32, incident: Incident)], [Incident]) {
        do {
            let payload = try decoder.decode(IncidentsPayload.self, from: Data(raw))
            return (payload.open.map { ($0.binding, $0.incident) }, payload.resolved)
        } catch {
            throw .malformed(section: section, reason: "\(error)")
        }
    }

    /// NaN and infinities (an incident's `observed` can be NaN) as strings, so they survive.
    static func json<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        // Encoding plain values of this module's own types does not fail.
        return [UInt8]((try? encoder.encode(value)) ?? Data())
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return decoder
    }

    static func finish(_ r: ByteReader) throws(SnapshotError) {
        if r.remaining != 0 { throw .malformed(section: r.section, reason: "\(r.remaining) unread bytes") }
    }
}
