import AIOpsCore
import Foundation
import Store
import Testing
@testable import Advice

@Suite struct UsageRecorderTests {
    static let t0: Timestamp = 1_772_409_600_000  // Monday 2026-03-02 00:00 UTC
    static let minute: Timestamp = 60_000
    static let hour: Timestamp = 3_600_000

    static func cpu(_ pod: String, container: String = "app") -> Labels {
        Labels(metric: "container_cpu_usage_seconds_total", ["namespace": "shop", "pod": pod, "container": container])
    }

    /// Appends to the store and observes, as the pipeline's callers do.
    static func feed(_ store: SeriesStore, _ recorder: UsageRecorder, _ ref: SeriesRef, _ t: Timestamp, _ v: Double) {
        if store.append(ref, timestamp: t, value: v) == .appended { recorder.observe(ref, timestamp: t, value: v) }
    }

    @Test func aCounterIsSummarisedAsItsRateHourByHour() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let ref = store.insert(Self.cpu("web-1"))
        // 0.5 cores for the first hour, 1.5 for the second, 5-minute steps.
        var seconds = 1000.0
        for step in 0...24 {
            let t = Self.t0 + Timestamp(step) * 5 * Self.minute
            if step > 0 { seconds += (step <= 12 ? 0.5 : 1.5) * 300 }
            Self.feed(store, recorder, ref, t, seconds)
        }
        let extract = recorder.extract(at: Self.t0 + 2 * Self.hour)
        let series = extract.series.first { $0.role == .cpu }!
        let hours = Array(extract.hours(of: series).suffix(3))
        // Hour 0 holds steps 1...11 (0.5), hour 1 steps 12...23 (one 0.5 then 1.5s), hour 2 the last one.
        #expect(abs(Double(hours[0]) - 0.5) < 1e-6)
        #expect(abs(Double(hours[1]) - (0.5 + 11 * 1.5) / 12) < 1e-6)
        #expect(abs(Double(hours[2]) - 1.5) < 1e-6)
        let p95 = UsageHistogram.quantile(extract.histogram(of: series), 0.95)!
        #expect(p95 >= 1.5 && p95 < 1.5 * 1.125, "within the bucket of 1.5")
    }

    @Test func aCounterResetAndAGapAreSkippedNotGuessed() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let ref = store.insert(Self.cpu("web-1"))
        Self.feed(store, recorder, ref, Self.t0, 500)
        Self.feed(store, recorder, ref, Self.t0 + Self.minute, 530)          // 0.5 cores
        Self.feed(store, recorder, ref, Self.t0 + 2 * Self.minute, 10)       // restart: skipped
        Self.feed(store, recorder, ref, Self.t0 + 3 * Self.minute, 40)       // 0.5 cores
        Self.feed(store, recorder, ref, Self.t0 + 30 * Self.minute, 9_000)   // after a gap: skipped
        Self.feed(store, recorder, ref, Self.t0 + 31 * Self.minute, 9_030)   // 0.5 cores
        let extract = recorder.extract(at: Self.t0 + 40 * Self.minute)
        let series = extract.series[0]
        #expect(extract.hours(of: series).last == 0.5)
        #expect(extract.histogram(of: series).reduce(0, +) == 3)
    }

    @Test func memoryKeepsTheHourlyMaximum() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let ref = store.insert(Labels(metric: "container_memory_working_set_bytes", ["namespace": "shop", "pod": "web-1", "container": "app"]))
        for (minute, value) in [(0, 100.0), (10, 300.0), (20, 200.0), (70, 50.0)] {
            Self.feed(store, recorder, ref, Self.t0 + Timestamp(minute) * Self.minute, value)
        }
        let extract = recorder.extract(at: Self.t0 + 2 * Self.hour)
        let hours = Array(extract.hours(of: extract.series[0]).suffix(3))
        #expect(hours[0] == 300)
        #expect(hours[1] == 50)
        #expect(hours[2].isNaN)
    }

    @Test func seriesWithoutARoleAreNotTracked() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let names = [
            Labels(metric: "node_load1", ["instance": "a"]),
            Labels(metric: "container_cpu_usage_seconds_total", ["namespace": "shop", "pod": "web-1", "container": ""]),  // pod total
            Labels(metric: "container_cpu_usage_seconds_total", ["namespace": "shop", "pod": "web-1", "container": "POD"]),  // pause
            Labels(metric: "container_cpu_usage_seconds_total", ["pod": "web-1", "container": "app"]),  // no namespace
        ]
        for labels in names {
            let ref = store.insert(labels)
            Self.feed(store, recorder, ref, Self.t0, 1)
            Self.feed(store, recorder, ref, Self.t0 + Self.minute, 2)
        }
        #expect(recorder.entryCount == 0)
    }

    @Test func aReusedSlotIsClassifiedAgain() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let first = store.insert(Labels(metric: "node_load1", ["instance": "a"]))
        Self.feed(store, recorder, first, Self.t0, 1)
        store.remove(first)
        let second = store.insert(Self.cpu("web-1"))
        #expect(second == first, "the store reuses the freed slot")
        Self.feed(store, recorder, second, Self.t0 + Self.minute, 100)
        Self.feed(store, recorder, second, Self.t0 + 2 * Self.minute, 130)
        #expect(recorder.entryCount == 1)
        let extract = recorder.extract(at: Self.t0 + 3 * Self.minute)
        #expect(extract.series.map(\.role) == [.cpu])
    }

    @Test func aSeriesThatComesBackContinuesItsSummary() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        var ref = store.insert(Self.cpu("web-1"))
        Self.feed(store, recorder, ref, Self.t0, 0)
        Self.feed(store, recorder, ref, Self.t0 + 5 * Self.minute, 300)  // 1 core
        store.remove(ref)  // evicted, e.g. idle for a while
        ref = store.insert(Self.cpu("web-1"))
        Self.feed(store, recorder, ref, Self.t0 + 35 * Self.minute, 1000)  // after a gap: skipped
        Self.feed(store, recorder, ref, Self.t0 + 40 * Self.minute, 1300)  // 1 core
        #expect(recorder.entryCount == 1)
        let extract = recorder.extract(at: Self.t0 + 40 * Self.minute)
        #expect(extract.histogram(of: extract.series[0]).reduce(0, +) == 2)
    }

    @Test func summariesOlderThanTheWindowArePruned() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let old = store.insert(Self.cpu("web-old"))
        Self.feed(store, recorder, old, Self.t0, 0)
        Self.feed(store, recorder, old, Self.t0 + Self.minute, 60)
        let young = store.insert(Self.cpu("web-new"))
        let later = Self.t0 + 9 * 24 * Self.hour
        Self.feed(store, recorder, young, later, 0)
        Self.feed(store, recorder, young, later + Self.minute, 60)
        let extract = recorder.extract(at: later + Self.hour)
        #expect(extract.series.map { $0.labels["pod"] } == ["web-new"])
        #expect(recorder.entryCount == 1)
        #expect(recorder.statistics.pruned == 1)
        // The pruned entry's storage is reused by the next series.
        let next = store.insert(Self.cpu("web-next"))
        Self.feed(store, recorder, next, later + 2 * Self.hour, 0)
        #expect(recorder.entryCount == 2)
    }

    @Test func theHourlyRingForgetsHoursWithoutData() {
        let store = SeriesStore()
        let recorder = UsageRecorder(store: store)
        let ref = store.insert(Labels(metric: "container_memory_working_set_bytes", ["namespace": "shop", "pod": "web-1", "container": "app"]))
        // One value per hour for 8 days, then a silence of 3 days, then one value.
        for hour in 0..<(8 * 24) { Self.feed(store, recorder, ref, Self.t0 + Timestamp(hour) * Self.hour, Double(hour)) }
        let back = Self.t0 + 11 * 24 * Self.hour
        Self.feed(store, recorder, ref, back, 7)
        let extract = recorder.extract(at: back + Self.minute)
        let values = extract.hours(of: extract.series[0]).filter { !$0.isNaN }
        // The window starts 7 days before today: the silence and the last hours of the 8 days.
        #expect(values.last == 7)
        #expect(values.dropLast().allSatisfy { $0 >= Float(4 * 24) }, "nothing older than the window leaks in from the ring")
    }

    @Test func extractsOfShardsMerge() {
        var parts: [UsageExtract] = []
        for pod in ["a", "b"] {
            let store = SeriesStore()
            let recorder = UsageRecorder(store: store)
            let ref = store.insert(Self.cpu(pod))
            Self.feed(store, recorder, ref, Self.t0, 0)
            Self.feed(store, recorder, ref, Self.t0 + Self.minute, pod == "a" ? 6 : 60)
            parts.append(recorder.extract(at: Self.t0 + 2 * Self.minute))
        }
        let merged = UsageExtract.merge(parts)!
        #expect(merged.series.count == 2)
        #expect(merged.series.map { (Double(merged.hours(of: $0).last!) * 1000).rounded() } == [100, 1000])
        #expect(merged.series.map { merged.histogram(of: $0).reduce(0, +) } == [1, 1])
    }
}

@Suite struct UsageHistogramTests {
    @Test func bucketsAreContiguousAndOrdered() {
        for index in 1..<(UsageHistogram.bucketCount - 1) {
            let (lower, upper) = UsageHistogram.bounds(index)
            #expect(UsageHistogram.bucket(lower) == index)
            #expect(UsageHistogram.bucket(upper.nextDown) == index)
            #expect(UsageHistogram.bounds(index + 1).lower == upper)
        }
        #expect(UsageHistogram.bucket(0) == 0)
        #expect(UsageHistogram.bucket(-1) == 0)
        #expect(UsageHistogram.bucket(.nan) == 0)
        #expect(UsageHistogram.bucket(0.0005) == 0)
        #expect(UsageHistogram.bucket(10_000) == UsageHistogram.bucketCount - 1)
    }

    @Test(arguments: [0.5, 0.9, 0.95, 0.99])
    func quantilesAreWithinTheBucketError(q: Double) {
        var random = SplitMix64(seed: 7)
        var values: [Double] = []
        var counts = [UInt32](repeating: 0, count: UsageHistogram.bucketCount)
        for _ in 0..<20_000 {
            // Log-normal-ish CPU: 0.05 to a few cores.
            let u = Double(random.next() >> 11) / Double(1 << 53)
            let value = 0.2 * exp(2.5 * (u - 0.5))
            values.append(value)
            counts[UsageHistogram.bucket(value)] += 1
        }
        values.sort()
        let exact = values[Int(q * Double(values.count - 1))]
        let estimate = UsageHistogram.quantile(counts[...], q)!
        #expect(abs(estimate - exact) / exact < 0.03, "estimate \(estimate), exact \(exact)")
    }

    @Test func anEmptyHistogramHasNoQuantile() {
        #expect(UsageHistogram.quantile([UInt32](repeating: 0, count: UsageHistogram.bucketCount)[...], 0.95) == nil)
    }
}

@Suite struct UsageSnapshotTests {
    typealias NS = SimulatedNamespace

    static func namespace() -> SimulatedNamespace {
        let ns = NS()
        ns.deployment("api", replicas: 2, cpuRequest: 1, memoryRequest: 2 * NS.GiB, cpu: { 0.2 + 0.02 * NS.noise($0) }, memory: { _ in 400 * NS.MiB })
        ns.run(days: 3.3)
        return ns
    }

    @Test func summariesSurviveEncodingAndContinue() throws {
        let original = Self.namespace()
        let bytes = UsageSnapshot.encode(original.recorder.capture(), created: 42)
        let (entries, created) = try UsageSnapshot.decode(bytes)
        #expect(created == 42)
        #expect(entries.count == original.recorder.entryCount)
        // A fresh recorder (a restarted server) gets them back.
        let store = SeriesStore()
        let restored = UsageRecorder(store: store)
        #expect(restored.restore(entries) == entries.count)
        #expect(restored.restore(entries) == 0, "a series already summarised keeps what it has")
        let at = NS.t0 + Timestamp(3.3 * 86_400_000)
        let before = Advisor.analyze(original.recorder.extract(at: at), context: AdvisorContext())
        let after = Advisor.analyze(restored.extract(at: at), context: AdvisorContext())
        #expect(before.workloads.map(\.workload) == after.workloads.map(\.workload))
        #expect(before.workloads[0].containers[0].cpuP95 == after.workloads[0].containers[0].cpuP95)
        #expect(before.workloads[0].containers[0].memoryPeak == after.workloads[0].containers[0].memoryPeak)
        #expect(before.findings.map(\.monthlySaving) == after.findings.map(\.monthlySaving))
        // A sample after the restart continues the series' rate: counted, not a first sample.
        let labels = Labels(metric: "container_cpu_usage_seconds_total", ["namespace": "shop", "pod": "api-5d8f7c9b4-p0", "container": "app"])
        let last = try #require(entries.first { $0.labels == labels })
        func counted(_ time: Timestamp) -> UInt32 {
            let extract = restored.extract(at: time)
            return extract.series.filter { $0.labels == labels }.map { extract.histogram(of: $0).reduce(0, +) }.reduce(0, +)
        }
        let t = last.state.previousTimestamp + 300_000
        let countedBefore = counted(t)
        let ref = store.insert(labels)
        let value = last.state.previousValue + 0.25 * 300
        #expect(store.append(ref, timestamp: t, value: value) == .appended)
        restored.observe(ref, timestamp: t, value: value)
        #expect(restored.entryCount == entries.count)
        #expect(counted(t) == countedBefore + 1)
    }

    @Test func aDamagedOrForeignFileIsRefused() throws {
        var bytes = UsageSnapshot.encode(Self.namespace().recorder.capture(), created: 1)
        bytes[bytes.count / 2] ^= 0xFF
        #expect(throws: UsageSnapshot.Failure.checksumMismatch) { try UsageSnapshot.decode(bytes) }
        #expect(throws: UsageSnapshot.Failure.notAUsageSnapshot) { try UsageSnapshot.decode(Array("not a snapshot at all".utf8)) }
        let empty = UsageSnapshot.encode([], created: 1)
        #expect(try UsageSnapshot.decode(empty).entries.isEmpty)
        #expect(throws: UsageSnapshot.Failure.self) { try UsageSnapshot.decode(Array(empty.prefix(20))) }
    }
}
