import AIOpsCore
import Testing
@testable import Fixtures

@Suite struct CSVParserTests {
    static let t0: Timestamp = 1_712_345_678_000   // 2024-04-05T19:34:38Z

    @Test(arguments: [
        ("2024-04-05T19:34:38Z", t0),
        ("2024-04-05T19:34:38.250Z", t0 + 250),
        ("2024-04-05T21:34:38+02:00", t0),
        ("2024-04-05 19:34:38", t0),
        ("2024-04-05 19:34:38.123456", t0 + 123),
        ("1712345678", t0),
        ("1712345678.5", t0 + 500),
        ("1712345678123", t0 + 123),
        ("1.712345678e9", t0),
        ("\"2024-04-05 19:34:38\"", t0),
    ])
    func timestampForms(text: String, expected: Timestamp) throws {
        let series = try FixtureReader.parse(text: "\(text),1.5\n", name: "x.csv")
        #expect(series.count == 1)
        #expect(series[0].timestamps == [expected])
        #expect(series[0].values == [1.5])
    }

    @Test func magnitudeDecidesSecondsOrMilliseconds() throws {
        // Just below 1e11 is seconds (year 5138); from 1e11 on, milliseconds (1973).
        let series = try FixtureReader.parse(text: "99999999999,1\n100000000000,2\n", name: "x.csv")
        #expect(series[0].timestamps == [99_999_999_999_000, 100_000_000_000])
    }

    @Test(arguments: [
        ("1.5", 1.5), ("-2", -2.0), ("1e3", 1000.0), ("2.5E-3", 0.0025), ("+Inf", Double.infinity),
        ("-Inf", -Double.infinity), ("inf", Double.infinity), ("74.93588199999998", 74.93588199999998),
        ("12345678901234567890123", 12345678901234567890123.0),
    ])
    func valueForms(text: String, expected: Double) throws {
        let series = try FixtureReader.parse(text: "timestamp,value\n2024-04-05 19:34:38,\(text)\n", name: "x.csv")
        #expect(series[0].values == [expected])
    }

    @Test func nanValue() throws {
        let series = try FixtureReader.parse(text: "1712345678,NaN\n", name: "x.csv")
        #expect(series[0].values.count == 1)
        #expect(series[0].values[0].isNaN)
    }

    @Test func headerBlankLinesCRLFAndBOM() throws {
        let text = "\u{FEFF}timestamp,value\r\n\r\n2014-04-01 00:00:00,1\r\n  2014-04-01 00:05:00 , 2 \r\n\n2014-04-01 00:10:00,3"
        let series = try FixtureReader.parse(text: text, name: "data/ec2-cpu 24ae8d.csv")
        #expect(series.count == 1)
        #expect(series[0].labels == Labels(metric: "ec2_cpu_24ae8d"))
        #expect(series[0].values == [1, 2, 3])
        #expect(series[0].timestamps == [1_396_310_400_000, 1_396_310_700_000, 1_396_311_000_000])
    }

    @Test func rowsKeepFileOrder() throws {
        let series = try FixtureReader.parse(text: "30,3\n10,1\n20,2\n", name: "x.csv")
        #expect(series[0].timestamps == [30_000, 10_000, 20_000])
        #expect(series[0].values == [3, 1, 2])
    }

    @Test func metricIdentity() throws {
        let given = Labels(metric: "node_load1", ["instance": "a"])
        #expect(try FixtureReader.parse(text: "1,1\n", name: "x.csv", metric: given)[0].labels == given)
        // A metric without a name gets the file's base name.
        let unnamed = Labels(["instance": "a"])
        let labels = try FixtureReader.parse(text: "1,1\n", name: "/d/9lives.csv", metric: unnamed)[0].labels
        #expect(labels == Labels(metric: "_9lives", ["instance": "a"]))
    }

    @Test(arguments: [
        ("timestamp,value\n2024-04-05 19:34:38,1\n2024-04-05 19:35:38,1,7\n", 3, FixtureError.Code.syntax, "expected 2 columns (timestamp,value), found 3"),
        ("2024-04-05 19:34:38\n", 1, .syntax, "expected 2 columns (timestamp,value), found 1"),
        ("timestamp,value\n2024-13-05 19:34:38,1\n", 2, .timestamp, "column 6: impossible date-time \"2024-13-05 19:34:38\": month 13 is out of range (01 to 12)"),
        ("1,1\nyesterday,1\n", 2, .timestamp, "column 1: invalid timestamp \"yesterday\""),
        ("1,1\n,1\n", 2, .timestamp, "column 1: invalid timestamp \"\""),
        ("1,1\n2,one\n", 2, .value, "invalid value \"one\""),
        ("1,1\n2,\n", 2, .value, "invalid value \"\""),
        ("timestamp,value\ntimestamp,value\n", 2, .timestamp, "column 1: invalid timestamp \"timestamp\""),
    ])
    func malformedRows(text: String, line: Int, code: FixtureError.Code, reason: String) {
        #expect {
            _ = try FixtureReader.parse(text: text, name: "bad.csv")
        } throws: { error in
            guard let error = error as? FixtureError else { return false }
            return error.file == "bad.csv" && error.line == line && error.code == code && error.reason.hasPrefix(reason)
                && error.description.hasPrefix("bad.csv:\(line): ")
        }
    }

    /// A date that does not exist is an error naming file, line, column and why, never read
    /// as the day after (2026-02-29 used to become 2026-03-01).
    @Test(arguments: [
        ("timestamp,value\n2026-02-28 23:00:00,1\n2026-02-29 00:00:00,2\n", 3,
         "column 9: impossible date-time \"2026-02-29 00:00:00\": February 2026 has 28 days (2026 is not a leap year)"),
        ("2026-04-31T10:00:00Z,1\n", 1, "column 9: impossible date-time \"2026-04-31T10:00:00Z\": April 2026 has 30 days"),
        ("  \"2026-06-30 24:00:00\" , 1\n", 1, "column 15: impossible date-time \"2026-06-30 24:00:00\": hour 24 is out of range (00 to 23)"),
        ("2026-06-30T23:60:00.5+02:00,1\n", 1, "column 15: impossible date-time \"2026-06-30T23:60:00.5+02:00\": minute 60 is out of range (00 to 59)"),
        ("2016-12-31T23:59:60Z,1\n", 1, "column 18: impossible date-time \"2016-12-31T23:59:60Z\": second 60 (a leap second) is not supported"),
        ("2026-01-00,1\n", 1, "column 9: impossible date-time \"2026-01-00\": day 00 is out of range (01 to 31)"),
        ("2026-01-10T10:00:00+25:00,1\n", 1, "column 21: impossible date-time \"2026-01-10T10:00:00+25:00\": offset hour 25 is out of range (00 to 23)"),
        ("1900-02-29 00:00:00,1\n", 1, "column 9: impossible date-time \"1900-02-29 00:00:00\": February 1900 has 28 days (1900 is not a leap year)"),
    ])
    func impossibleDatesAreErrors(text: String, line: Int, reason: String) {
        #expect(throws: FixtureError(file: "d.csv", line: line, code: .timestamp, reason: reason)) {
            _ = try FixtureReader.parse(text: text, name: "d.csv")
        }
    }

    @Test func leapDaysThatExistAreRead() throws {
        let series = try FixtureReader.parse(text: "2024-02-29 12:00:00,1\n2000-02-29T00:00:00Z,2\n2024-12-31 23:59:59.5,3\n", name: "l.csv")
        #expect(series[0].timestamps == [
            TimeFormat.days(fromCivil: 2024, 2, 29) * 86_400_000 + 43_200_000,
            TimeFormat.days(fromCivil: 2000, 2, 29) * 86_400_000,
            TimeFormat.days(fromCivil: 2024, 12, 31) * 86_400_000 + 86_399_500,
        ])
        #expect(TimeFormat.parse("2026-02-29") == nil)
        #expect(TimeFormat.parse("2024-02-29") != nil)
        #expect(TimeFormat.parseHTTPDate("Mon, 31 Apr 2026 10:00:00 GMT") == nil)
    }

    @Test func headerOnlyIsEmpty() {
        #expect(throws: FixtureError(file: "e.csv", line: nil, code: .empty, reason: "no samples in the file")) {
            _ = try FixtureReader.parse(text: "timestamp,value\n", name: "e.csv")
        }
    }
}
