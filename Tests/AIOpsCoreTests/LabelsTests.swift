import Testing
@testable import AIOpsCore

@Suite struct LabelsTests {
    @Test func sortsOnConstructionAndHashesStably() {
        let a = Labels([Label("job", "api"), Label("__name__", "up"), Label("instance", "a:1")])
        let b = Labels([Label("instance", "a:1"), Label("job", "api"), Label("__name__", "up")])
        #expect(a == b)
        #expect(a.stableHash == b.stableHash)
        #expect(a.labels.map(\.name) == ["__name__", "instance", "job"])
        #expect(a.metricName == "up")
        #expect(a["job"] == "api")
        #expect(a["missing"] == nil)
    }

    @Test func separatorKeepsNameValueBoundaries() {
        let a = Labels([Label("a", "bc")])
        let b = Labels([Label("ab", "c")])
        #expect(a.stableHash != b.stableHash)
        #expect(a != b)
    }

    @Test func describesInPrometheusSyntax() {
        let l = Labels(metric: "http_requests_total", ["code": "5\"00", "job": "api"])
        #expect(l.description == #"http_requests_total{code="5\"00", job="api"}"#)
        #expect(Labels(metric: "up").description == "up")
    }
}

@Suite struct TimeFormatTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2014-04-10 07:15:00", Int64(1_397_114_100_000)),
        ("2014-04-10 07:15:00.000000", Int64(1_397_114_100_000)),
        ("2026-11-26T18:12:26.5Z", Int64(1_795_716_746_500)),
        ("2026-11-26T20:12:26+02:00", Int64(1_795_716_746_000)),
        ("2000-02-29", Int64(951_782_400_000)),
    ])
    func parses(text: String, expected: Int64) {
        #expect(TimeFormat.parse(text) == expected)
    }

    @Test(arguments: ["", "2014-13-01", "2014-04-10 25:00:00", "yesterday", "2014-04-10T07:15:00Zjunk", "2014-04-10 07:15:00."])
    func rejects(text: String) {
        #expect(TimeFormat.parse(text) == nil)
    }

    @Test func formatsRoundTrip() {
        for ms: Int64 in [0, 1_397_114_100_000, 1_795_716_746_500, -86_400_000] {
            #expect(TimeFormat.parse(TimeFormat.rfc3339(ms)) == ms)
        }
        #expect(TimeFormat.rfc3339(1_397_114_100_000) == "2014-04-10T07:15:00Z")
        #expect(TimeFormat.plain(1_397_114_100_000) == "2014-04-10 07:15:00")
    }
}

@Suite struct PromDurationTests {
    @Test func parsesAndPrints() {
        #expect(PromDuration(parsing: "1h30m")?.milliseconds == 5_400_000)
        #expect(PromDuration(parsing: "250ms")?.milliseconds == 250)
        #expect(PromDuration(parsing: "7d")?.description == "7d")
        #expect(PromDuration(parsing: "90s")?.description == "1m30s")
        #expect(PromDuration(parsing: "5") == nil)
        #expect(PromDuration(parsing: "m5") == nil)
        #expect(PromDuration(parsing: "5m1h") == nil)
        #expect(PromDuration(parsing: "") == nil)
        #expect(PromDuration.hours(27).humanized == "1d 3h")
    }
}
