import AIOpsCore
import Delivery
import Foundation
import Incidents
import Pipeline
import Rules
import Store
import Testing
@testable import Snapshots

/// Series with every detector kind, a limit series, a counter, and series only the auto rule
/// scores, with anomalies that fire (and resolve) along the way.
enum Workload {
    static let rulesJSON = """
    {"rules": [
      {"name": "memory-leak", "selector": "container_memory_working_set_bytes",
       "detector": {"kind": "leak", "window": "1h"}, "severity": "critical", "for": "10m", "resolveAfter": "10m",
       "limit": {"series": "container_spec_memory_limit_bytes", "matchOn": ["pod"]},
       "advice": {"summary": "{{labels.pod}} leaks {{rate}}"}},
      {"name": "latency", "selector": "latency_seconds", "detector": {"kind": "ewma", "direction": "up", "warmup": 20},
       "for": "0s", "resolveAfter": "2m", "advice": {"summary": "latency {{value}}"}},
      {"name": "daily", "selector": "latency_seconds", "detector": {"kind": "seasonal", "period": "1h"},
       "for": "0s", "resolveAfter": "2m", "advice": {"summary": "daily {{value}}"}},
      {"name": "errors", "selector": "http_requests_total", "detector": {"kind": "ewma", "direction": "up"},
       "for": "0s", "resolveAfter": "5m", "advice": {"summary": "errors {{value}}"}}
    ]}
    """

    static func rules() throws -> RuleSet { try RuleSet.parse(rulesJSON, file: "test.json") }

    struct Sample {
        var labels: Labels
        var timestamp: Timestamp
        var value: Double
    }

    /// `steps` scrapes every 30 s from `start`, deterministic.
    static func samples(steps: Range<Int>, start: Timestamp = 1_700_000_000_000) -> [Sample] {
        var random = SplitMix64(seed: 42)
        var all: [Sample] = []
        for step in 0..<steps.upperBound {
            let t = start + Int64(step) * 30_000
            let noise = { (scale: Double) -> Double in (Double(random.next() % 1000) / 1000 - 0.5) * scale }
            let phase = Double(step % 120) / 120 * 2 * .pi
            var batch: [Sample] = []
            batch.append(Sample(labels: Labels(metric: "container_memory_working_set_bytes", ["pod": "api"]), timestamp: t,
                                value: 1e8 + Double(step) * (step > 400 ? 2e5 : 1e3) + noise(1e5)))
            batch.append(Sample(labels: Labels(metric: "container_spec_memory_limit_bytes", ["pod": "api"]), timestamp: t, value: 4e8))
            let spike = (step % 300 >= 250 && step % 300 < 256) ? 5.0 : 0
            batch.append(Sample(labels: Labels(metric: "latency_seconds", ["job": "web"]), timestamp: t, value: 0.2 + 0.05 * sin(phase) + noise(0.01) + spike))
            batch.append(Sample(labels: Labels(metric: "http_requests_total", ["job": "web"]), timestamp: t,
                                value: Double(step) * 10 + (step % 333 > 320 ? Double(step % 333 - 320) * 500 : 0)))
            for k in 0..<4 {
                let jump = (step % 500 > 450 && k == 1) ? 50.0 : 0
                batch.append(Sample(labels: Labels(metric: "queue_depth", ["queue": "q\(k)"]), timestamp: t, value: 10 + Double(k) + noise(2) + jump))
            }
            if step >= steps.lowerBound { all += batch }
        }
        return all
    }

    /// Feeds `samples`, returning each sample's score.
    static func feed(_ pipeline: Pipeline, _ samples: [Sample]) -> [Double] {
        samples.map { sample in
            pipeline.ingest(sample.labels, timestamp: sample.timestamp, value: sample.value)
            return pipeline.lastScore
        }
    }
}

final class Events: IncidentSink, @unchecked Sendable {
    // Only touched from the test's thread.
    var all: [IncidentEvent] = []
    func handle(_ event: IncidentEvent) { all.append(event) }
}

/// Incidents compared as their JSON (an incident's `observed` may be NaN).
func same(_ a: [Incident], _ b: [Incident]) -> Bool {
    SnapshotCodec.json(a) == SnapshotCodec.json(b)
}

func state(of pipeline: Pipeline, workspace: String = "team-a", log: NotificationScheduler.Log? = nil) -> WorkspaceState {
    WorkspaceState(workspace: workspace, created: 1_700_000_000_000, rulesFingerprint: RulesFingerprint.of(pipeline.rules),
                   shards: [pipeline.capture()], notifications: log)
}

@Suite struct SnapshotTests {
    /// The key property: A, snapshot, restore into a fresh pipeline, B scores and opens and
    /// resolves exactly what one pipeline fed A then B does.
    @Test(arguments: [300, 420, 1000, 1270])
    func restoredPipelineContinuesExactlyAsAnUninterruptedOne(split: Int) throws {
        let rules = try Workload.rules()
        let a = Workload.samples(steps: 0..<split)
        let b = Workload.samples(steps: split..<1600)

        let straightEvents = Events()
        let straight = Pipeline(rules: rules, sink: straightEvents)
        _ = Workload.feed(straight, a)
        let eventsBefore = straightEvents.all.count
        let expectedScores = Workload.feed(straight, b)

        let first = Pipeline(rules: rules)
        _ = Workload.feed(first, a)
        let bytes = SnapshotCodec.encode(state(of: first))
        let decoded = try SnapshotCodec.decode(bytes)
        let restoredEvents = Events()
        let restored = Pipeline(rules: rules, sink: restoredEvents)
        #expect(restored.problem(restoring: decoded.shards[0]) == nil)
        restored.restore(decoded.shards[0])
        #expect(same(restored.openIncidents, first.openIncidents))
        let scores = Workload.feed(restored, b)

        #expect(scores.map(\.bitPattern) == expectedScores.map(\.bitPattern))
        #expect(scores.contains { $0 > 0.9 }, "the workload has anomalies after the split")
        let expectedEvents = Array(straightEvents.all[eventsBefore...])
        #expect(SnapshotCodec.json(restoredEvents.all.map(\.incident)) == SnapshotCodec.json(expectedEvents.map(\.incident)))
        #expect(restoredEvents.all.map { if case .firing = $0 { "f" } else { "r" } } == expectedEvents.map { if case .firing = $0 { "f" } else { "r" } })
        #expect(same(restored.openIncidents, straight.openIncidents))
        #expect(same(restored.recentlyResolved, straight.recentlyResolved))
        #expect(restored.statistics == straight.statistics)
        #expect(restored.store.statistics == straight.store.statistics)
        // All four detector kinds were in play.
        let kinds = Set(straight.rules.map(\.detector.kind))
        #expect(kinds.count == 4)
    }

    @Test func roundTripsEverySection() throws {
        let rules = try Workload.rules()
        let pipeline = Pipeline(rules: rules)
        _ = Workload.feed(pipeline, Workload.samples(steps: 0..<1280))
        // Evictions leave free slots, free detector states and free binding ranges behind.
        let ref = pipeline.store.lookup(Labels(metric: "queue_depth", ["queue": "q2"]))!
        pipeline.remove(ref, at: 1_700_100_000_000)
        #expect(!pipeline.openIncidents.isEmpty && !pipeline.recentlyResolved.isEmpty)

        var scheduler = NotificationScheduler(workspace: "team-a")
        for incident in pipeline.openIncidents { scheduler.handle(.firing(incident), now: 1_700_000_000_000) }
        _ = scheduler.tick(now: 1_700_000_100_000)
        let original = state(of: pipeline, log: scheduler.log)
        let decoded = try SnapshotCodec.decode(SnapshotCodec.encode(original))

        #expect(decoded.workspace == "team-a" && decoded.created == original.created && decoded.rulesFingerprint == original.rulesFingerprint)
        #expect(decoded.notifications == scheduler.log)
        let (x, y) = (original.shards[0], decoded.shards[0])
        #expect(x.store.timestamps == y.store.timestamps)
        #expect(x.store.values.map(\.bitPattern) == y.store.values.map(\.bitPattern))
        #expect(x.store.appended == y.store.appended && x.store.newest == y.store.newest && x.store.stale == y.store.stale)
        #expect(x.store.labels == y.store.labels && x.store.freeSlots == y.store.freeSlots && !y.store.freeSlots.isEmpty)
        #expect(x.store.statistics == y.store.statistics)
        #expect(x.bindingBytes == y.bindingBytes && x.bindingCount == y.bindingCount)
        #expect(x.bindingStart == y.bindingStart && x.bindingLength == y.bindingLength && x.publishKey == y.publishKey && x.lastArrival == y.lastArrival)
        #expect(x.freeBindingRanges.map(\.length) == y.freeBindingRanges.map(\.length) && x.freeBindingRanges.map(\.starts) == y.freeBindingRanges.map(\.starts))
        #expect(x.limitValues.map(\.key) == y.limitValues.map(\.key) && x.limitValues.map(\.value) == y.limitValues.map(\.value))
        #expect(x.detectors.slabs.map(\.count) == y.detectors.slabs.map(\.count) && x.detectors.slabs.map(\.bytes) == y.detectors.slabs.map(\.bytes))
        #expect(x.detectors.free == y.detectors.free && x.detectors.free.contains { !$0.isEmpty })
        #expect(x.open.map(\.binding) == y.open.map(\.binding) && same(x.open.map(\.incident), y.open.map(\.incident)))
        #expect(same(x.recentlyResolved, y.recentlyResolved))
        #expect(x.statistics == y.statistics)
        // Encoding is deterministic.
        #expect(SnapshotCodec.encode(decoded) == SnapshotCodec.encode(original))
    }

    @Test func refusesOtherLayoutsWithAClearMessage() throws {
        let pipeline = Pipeline(rules: try Workload.rules())
        _ = Workload.feed(pipeline, Workload.samples(steps: 0..<10))
        var layouts = Pipeline.stateLayouts
        layouts[0].version += 1
        let bytes = SnapshotCodec.encode(state(of: pipeline), layouts: layouts)
        #expect(throws: SnapshotError.layoutMismatch(type: "RuleBinding", file: layouts[0].description, build: Pipeline.stateLayouts[0].description)) {
            try SnapshotCodec.decode(bytes)
        }
        let error = SnapshotError.layoutMismatch(type: "RuleBinding", file: layouts[0].description, build: Pipeline.stateLayouts[0].description)
        #expect(error.description.contains("layout of RuleBinding differs"))
    }

    /// Every prefix ending at a section boundary (and inside the header), and a flipped byte
    /// in every section, is refused.
    @Test func refusesTruncatedAndCorruptedFiles() throws {
        let pipeline = Pipeline(rules: try Workload.rules())
        _ = Workload.feed(pipeline, Workload.samples(steps: 0..<300))
        let bytes = SnapshotCodec.encode(state(of: pipeline))
        var boundaries = [0, 4, 8, 12, 23, SnapshotFormat.headerBytes]
        var offset = SnapshotFormat.headerBytes
        var sectionStarts: [Int] = []
        while offset < bytes.count {
            sectionStarts.append(offset)
            let length = bytes[(offset + 8)..<(offset + 16)].reversed().reduce(0) { $0 << 8 | Int($1) }
            boundaries += [offset + 8, offset + 16, offset + 16 + length / 2]
            offset += 16 + length
            boundaries.append(offset)
        }
        #expect(offset == bytes.count)
        #expect(sectionStarts.count == 6)
        for cut in boundaries where cut < bytes.count {
            #expect(throws: SnapshotError.self, "cut at \(cut)") { try SnapshotCodec.decode(Array(bytes[..<cut])) }
        }
        for start in sectionStarts + [0, 10, 20] {
            for position in [start, start + 5, start + 17, start + 40] where position < bytes.count {
                var damaged = bytes
                damaged[position] ^= 0x20
                #expect(throws: SnapshotError.self, "flip at \(position)") { try SnapshotCodec.decode(damaged) }
            }
        }
        var trailing = bytes
        trailing.append(0)
        #expect(throws: SnapshotError.malformed(section: "file", reason: "1 bytes after the last section")) { try SnapshotCodec.decode(trailing) }
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(throws: SnapshotError.badMagic) { try SnapshotCodec.decode(magic) }
    }

    @Test func damagedFilesMoveAsideAndOthersLoad() throws {
        let data = NSTemporaryDirectory() + "aiops-snapshots-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let directory = SnapshotDirectory(dataDirectory: data)
        let pipeline = Pipeline(rules: try Workload.rules())
        _ = Workload.feed(pipeline, Workload.samples(steps: 0..<200))
        for name in ["good", "flipped", "short"] { try directory.write(state(of: pipeline, workspace: name)) }
        var bytes = try DurableFile.read(directory.path(workspace: "flipped"))
        bytes[bytes.count / 2] ^= 1
        try DurableFile.write(bytes, to: directory.path(workspace: "flipped"), temporary: data + "/t")
        let short = try DurableFile.read(directory.path(workspace: "short"))
        try DurableFile.write(Array(short[..<(short.count - 100)]), to: directory.path(workspace: "short"), temporary: data + "/t")

        guard case .loaded(let loaded, _) = directory.load(workspace: "good") else { Issue.record("good did not load"); return }
        #expect(loaded.seriesCount == 8)
        for name in ["flipped", "short"] {
            guard case .damaged(let reason, let movedTo) = directory.load(workspace: name) else { Issue.record("\(name) loaded"); continue }
            #expect(reason.contains(name == "flipped" ? "CRC-32C mismatch" : "truncated"), "\(reason)")
            let moved = try #require(movedTo)
            #expect(moved.hasPrefix(data + "/damaged/\(name)-"))
            #expect(FileManager.default.fileExists(atPath: moved))
            #expect(String(decoding: try DurableFile.read(moved + ".reason"), as: UTF8.self) == reason + "\n")
            #expect(!FileManager.default.fileExists(atPath: directory.path(workspace: name)))
            guard case .none = directory.load(workspace: name) else { Issue.record("\(name) still there"); continue }
        }
    }

    /// A crash while writing leaves at most the temporary file, never a half `state.snap`:
    /// the previous snapshot loads, the leftover is removed.
    @Test func aWriteInterruptedByACrashLeavesThePreviousSnapshot() throws {
        let data = NSTemporaryDirectory() + "aiops-interrupted-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let directory = SnapshotDirectory(dataDirectory: data)
        let pipeline = Pipeline(rules: try Workload.rules())
        _ = Workload.feed(pipeline, Workload.samples(steps: 0..<100))
        try directory.write(state(of: pipeline))
        _ = Workload.feed(pipeline, Workload.samples(steps: 100..<200))
        let newer = SnapshotCodec.encode(state(of: pipeline))
        let temporary = data + "/team-a/.state.snap.tmp"
        try DurableFile.write(Array(newer[..<(newer.count / 3)]), to: temporary, temporary: temporary + "2")
        guard case .loaded(let loaded, _) = directory.load(workspace: "team-a") else { Issue.record("did not load"); return }
        #expect(loaded.shards[0].store.appended.allSatisfy { $0 == 100 })
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }

    @Test func keepsOneBackupADayForSevenDays() throws {
        let data = NSTemporaryDirectory() + "aiops-backups-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let directory = SnapshotDirectory(dataDirectory: data)
        let pipeline = Pipeline(rules: try Workload.rules())
        try directory.write(state(of: pipeline))
        let day: Int64 = 86_400_000
        let start: Int64 = 1_700_000_000_000
        for n in 0..<10 {
            #expect(try directory.keepDailyBackup(workspace: "team-a", now: start + Int64(n) * day) != nil)
            #expect(try directory.keepDailyBackup(workspace: "team-a", now: start + Int64(n) * day + 60_000) == nil, "one a day")
        }
        let kept = directory.backups(workspace: "team-a")
        #expect(kept.count == 7)
        #expect(kept.first?.hasSuffix("state-\(SnapshotDirectory.day(start + 3 * day)).snap") == true)
        guard case .loaded = directory.load(workspace: "team-a") else { Issue.record("snapshot lost"); return }
    }
}
