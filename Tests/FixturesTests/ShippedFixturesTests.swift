import AIOpsCore
import Foundation
import Testing
@testable import Fixtures

/// Reads every case under the repository's `fixtures/` and checks it against its
/// `expect.json`, plus a NAB file when the shared data set is present.
@Suite struct ShippedFixturesTests {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/FixturesTests/<file>
        return url.path
    }()
    static let fixturesRoot = repoRoot + "/fixtures"
    static let expectedCases = [
        "cpu-daily-offhours-spike", "disk-filling", "healthy-api",
        "latency-regression-after-deploy", "nodejs-healthy", "nodejs-memory-leak",
    ]

    /// Cases checked elsewhere: `workspace-k8s` (18 MB, 14 days) by `Tests/AdviceTests`.
    static let otherCases = ["workspace-k8s"]

    @Test func everyCaseIsPresentWithAReadme() throws {
        let cases = try FixtureCase.all(in: Self.fixturesRoot)
        #expect(cases.map(\.name) == (Self.expectedCases + Self.otherCases).sorted())
        for one in cases {
            #expect(FileManager.default.fileExists(atPath: one.directory + "/README.md"), "\(one.name)")
        }
    }

    @Test(arguments: expectedCases)
    func caseReadsAsExpected(name: String) throws {
        let one = try FixtureCase.load(directory: Self.fixturesRoot + "/" + name)
        let expect = one.expectation
        let bytes = try FixtureReader.readFile(one.dataPath)
        #expect(bytes.count < 1_000_000)
        // The format is found without being told.
        #expect(FixtureFormat.detect(name: one.dataPath, bytes: bytes) == expect.format)
        #expect(FixtureFormat.sniff(bytes) == expect.format)
        let series = try one.read()
        #expect(series.count == expect.series)
        #expect(series.reduce(0) { $0 + $1.count } == expect.samples)
        #expect(expect.quiet == expect.incidents.isEmpty)
        // Shipped series are in time order, finite, and every expected incident names a series.
        for one in series {
            #expect(zip(one.timestamps, one.timestamps.dropFirst()).allSatisfy { $0 < $1 }, "\(one.labels)")
            #expect(one.values.allSatisfy { $0.isFinite })
        }
        for incident in expect.incidents {
            #expect(series.contains { incident.matches(rule: incident.rule, labels: $0.labels) }, "\(incident.rule)")
            if let after = incident.firesAfter, let before = incident.firesBefore {
                #expect(after < before)
                #expect(series.contains { ($0.timestamps.first ?? .max) <= after && ($0.timestamps.last ?? .min) >= before })
            }
        }
        if expect.format == .csv {
            let metric = try expect.metricLabels()
            #expect(series[0].labels == metric)
        }
    }

    @Test func memoryLeakExpectationDecodes() throws {
        let one = try FixtureCase.load(directory: Self.fixturesRoot + "/nodejs-memory-leak")
        let leak = try #require(one.expectation.incidents.first)
        #expect(leak.rule == "container-memory-leak")
        #expect(leak.labels["pod"] == "checkout-api-7d9f8b6c5d-x2k4p")
        #expect(leak.firesAfter == TimeFormat.parse("2026-03-02T00:30:00Z"))
        #expect(leak.acceptsFiring(at: TimeFormat.parse("2026-03-02T01:30:00Z")!))
        #expect(!leak.acceptsFiring(at: TimeFormat.parse("2026-03-02T00:10:00Z")!))
        #expect(!leak.acceptsFiring(at: TimeFormat.parse("2026-03-02T04:00:00Z")!))
        #expect(leak.leakRatePerHour?.contains(60 * 1_048_576) == true)
        #expect(leak.leakRatePerHour?.contains(10 * 1_048_576) == false)
        #expect(leak.timeToLimit?.contains(milliseconds: 3_600_000 * 5) == true)
        #expect(leak.timeToLimit?.contains(milliseconds: 60_000) == false)
        #expect(leak.matches(rule: "container-memory-leak", labels: Labels(metric: "container_memory_working_set_bytes",
            ["namespace": "shop", "pod": "checkout-api-7d9f8b6c5d-x2k4p", "container": "api", "node": "n1"])))
        #expect(!leak.matches(rule: "container-memory-leak", labels: Labels(metric: "x", ["pod": "other"])))
        #expect(one.expectation.exclusive)
    }

    @Test func diskExpectationUsesTheCSVIdentity() throws {
        let one = try FixtureCase.load(directory: Self.fixturesRoot + "/disk-filling")
        let labels = try #require(try one.expectation.metricLabels())
        #expect(labels.metricName == "node_filesystem_avail_bytes")
        #expect(labels["fstype"] == "ext4")
        let incident = try #require(one.expectation.incidents.first)
        #expect(incident.leakRatePerHour?.contains(-2 * 1_073_741_824) == true)
        #expect(incident.timeToLimit?.min == PromDuration.hours(12))
    }

    @Test func invalidExpectationNamesTheFileAndKey() throws {
        let dir = NSTemporaryDirectory() + "fixture-case-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(#"{"file":"a.csv","incidents":[{"rule":"r","firesAfter":"soon"}]}"#.utf8).write(to: URL(fileURLWithPath: dir + "/expect.json"))
        #expect {
            _ = try FixtureCase.load(directory: dir)
        } throws: { error in
            guard let error = error as? FixtureError else { return false }
            return error.file == dir + "/expect.json" && error.reason.contains("incidents.[0].firesAfter")
                && error.reason.contains("invalid RFC 3339 time \"soon\"")
        }
        try Data(#"{"file":"a.csv","quiet":true,"incidents":[{"rule":"r"}]}"#.utf8).write(to: URL(fileURLWithPath: dir + "/expect.json"))
        #expect(throws: FixtureError.self) { _ = try FixtureCase.load(directory: dir) }
        try Data(#"{"file":"a.csv","metric":"up{a!=\"b\"}"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/expect.json"))
        #expect {
            _ = try FixtureCase.load(directory: dir)
        } throws: { error in
            (error as? FixtureError)?.reason.hasPrefix("invalid \"metric\": invalid series") == true
        }
    }

    static let nabData = repoRoot + "/../shared/nab/data"
    static let nabFile = nabData + "/realKnownCause/machine_temperature_system_failure.csv"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: nabFile)))
    func readsANABFile() throws {
        let series = try FixtureReader.read(path: Self.nabFile)
        #expect(series.count == 1)
        #expect(series[0].labels == Labels(metric: "machine_temperature_system_failure"))
        #expect(series[0].count == 22_695)
        #expect(series[0].timestamps.first == TimeFormat.parse("2013-12-02 21:15:00"))
        #expect(series[0].values.first == 73.96732207)
    }
}
