import AIOpsCore
import Foundation
import Testing
@testable import Fixtures

@Suite struct FixtureReaderTests {
    @Test func missingFileNamesPathAndErrno() {
        #expect(throws: FixtureError(file: "/nonexistent/x.csv", line: nil, code: .unreadable, reason: "cannot read: No such file or directory")) {
            _ = try FixtureReader.read(path: "/nonexistent/x.csv")
        }
    }

    @Test func directoryIsUnreadable() {
        #expect(throws: FixtureError(file: "/tmp", line: nil, code: .unreadable, reason: "cannot read: Is a directory")) {
            _ = try FixtureReader.read(path: "/tmp")
        }
    }

    @Test func readsALargeFile() throws {
        let path = NSTemporaryDirectory() + "fixtures-reader-\(getpid()).csv"
        defer { unlink(path) }
        var text = "timestamp,value\n"
        for i in 0..<10_000 { text += "\(1_712_345_678 + i * 60),\(i).25\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let series = try FixtureReader.read(path: path, metric: Labels(metric: "m", ["a": "b"]))
        #expect(series.count == 1)
        #expect(series[0].labels == Labels(metric: "m", ["a": "b"]))
        #expect(series[0].count == 10_000)
        #expect(series[0].values.last == 9999.25)
        let last: Timestamp = (1_712_345_678 + 9999 * 60) * 1000
        #expect(series[0].timestamps.last == last)
    }

    @Test func readsFilesWithoutASize() throws {
        // procfs reports size 0: the reader must keep reading until the end of file.
        let bytes = try FixtureReader.readFile("/proc/self/status")
        #expect(bytes.count > 100)
        #expect(bytes.starts(with: Array("Name:".utf8)))
    }

    @Test func defaultMetricNames() {
        #expect(FixtureReader.defaultMetricName(for: "/a/b/ec2_cpu_utilization_24ae8d.csv") == "ec2_cpu_utilization_24ae8d")
        #expect(FixtureReader.defaultMetricName(for: "grok-asg.anomaly.csv") == "grok_asg_anomaly")
        #expect(FixtureReader.identity(for: "x.csv", metric: nil) == Labels(metric: "x"))
    }
}
