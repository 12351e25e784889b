import Testing
@testable import Fixtures

@Suite struct FixtureFormatTests {
    @Test(arguments: [
        ("a/b.csv", FixtureFormat.csv), ("X.CSV", .csv), ("q.json", .queryRange),
        ("m.prom", .exposition), ("m.txt", .exposition), ("m.om", .exposition),
    ])
    func byExtension(name: String, format: FixtureFormat) {
        // The extension wins over content.
        #expect(FixtureFormat.detect(name: name, bytes: Array("garbage".utf8)) == format)
    }

    @Test(arguments: [
        ("  \n{\"status\":\"success\"}", FixtureFormat.queryRange as FixtureFormat?),
        ("# HELP up Up.\nup 1 2\n", .exposition),
        ("up{job=\"a,b\"} 1 2\n", .exposition),
        ("up 1 1712345678000\n", .exposition),
        ("\u{FEFF}timestamp,value\n1,2\n", .csv),
        ("2014-04-01 00:00:00,1\n", .csv),
        ("hello there world again\n", nil),
        ("", nil),
        ("\n\n  \n", nil),
    ])
    func sniffing(text: String, format: FixtureFormat?) {
        #expect(FixtureFormat.detect(name: "data.dat", bytes: Array(text.utf8)) == format)
        #expect(FixtureFormat.detect(name: "noextension", bytes: Array(text.utf8)) == format)
    }

    @Test func sniffedFilesParse() throws {
        let series = try FixtureReader.parse(text: "up{job=\"a\"} 1 1712345678000\n", name: "dump.data")
        #expect(series.first?.values == [1])
        let csv = try FixtureReader.parse(text: "1712345678,4\n", name: ".hidden")
        #expect(csv.first?.values == [4])
    }

    @Test func forcedFormatOverridesExtension() throws {
        let series = try FixtureReader.parse(text: "1712345678,4\n", name: "x.json", format: .csv)
        #expect(series.first?.values == [4])
    }

    @Test func unknownFormatIsAClearError() {
        #expect {
            _ = try FixtureReader.parse(text: "hello there world again\n", name: "notes.md")
        } throws: { error in
            guard let error = error as? FixtureError else { return false }
            return error.code == .unknownFormat && error.line == nil && error.description.hasPrefix("notes.md: unknown format")
        }
        #expect(throws: FixtureError(file: "empty.bin", line: nil, code: .empty, reason: "empty file, cannot tell its format")) {
            _ = try FixtureReader.parse([], name: "empty.bin")
        }
    }
}
