import AIOpsCore
import Testing
@testable import Fixtures

@Suite struct SeriesIdentityTests {
    @Test(arguments: [
        ("up", Labels(metric: "up")),
        ("  up  ", Labels(metric: "up")),
        ("node_load1{instance=\"a:9100\"}", Labels(metric: "node_load1", ["instance": "a:9100"])),
        ("name{a=\"b\", c=\"d\",}", Labels(metric: "name", ["a": "b", "c": "d"])),
        ("{__name__=\"up\", job='api'}", Labels(metric: "up", ["job": "api"])),
        ("up{__name__=\"up\"}", Labels(metric: "up")),
        ("up { a = \"x\\\"y\\\\z\\n\" }", Labels(metric: "up", ["a": "x\"y\\z\n"])),
        ("up{a=\"\"}", Labels(metric: "up")),
        ("{\"my.metric\", \"a.b\"=\"c\"}", Labels(metric: "my.metric", ["a.b": "c"])),
    ])
    func parses(text: String, expected: Labels) throws {
        #expect(try SeriesIdentity.parse(text) == expected)
    }

    @Test(arguments: [
        ("", 1, "missing metric name"),
        ("{a=\"b\"}", 8, "missing metric name"),
        ("up{a!=\"b\"}", 5, "only '=' matchers are allowed, found '!=' after \"a\""),
        ("up{a=~\"b\"}", 5, "only '=' matchers are allowed, found '=~' after \"a\""),
        ("up{a!~\"b\"}", 5, "only '=' matchers are allowed, found '!~' after \"a\""),
        ("up{a=b}", 6, "expected a quoted value for label \"a\""),
        ("up{a=\"b\"", 9, "unterminated label set, expected '}'"),
        ("up{a=\"b}", 6, "unterminated quoted string"),
        ("up{a=\"b\" c=\"d\"}", 10, "expected ',' or '}', found 'c'"),
        ("up{a=\"b\", a=\"c\"}", 11, "duplicate label \"a\""),
        ("up{9=\"b\"}", 4, "expected a label name, found '9'"),
        ("up{a}", 5, "expected '=' after label name \"a\", found '}'"),
        ("up extra", 4, "unexpected text after the series: \"extra\""),
        ("up{__name__=\"down\"}", 3, "metric name \"up\" conflicts with __name__=\"down\""),
        ("-up", 1, "expected a metric name or '{', found '-'"),
    ])
    func errorsCarryColumns(text: String, column: Int, reason: String) {
        #expect(throws: SeriesIdentityError(text: text, column: column, reason: reason)) {
            _ = try SeriesIdentity.parse(text)
        }
    }

    @Test func errorDescription() {
        let error = SeriesIdentityError(text: "up{", column: 4, reason: "unterminated label set, expected '}'")
        #expect(error.description == "invalid series \"up{\": column 4: unterminated label set, expected '}'")
    }

    @Test(arguments: [
        ("ec2_cpu_utilization_24ae8d", "ec2_cpu_utilization_24ae8d"),
        ("iio_us-east-1_i-a2eb1cd9_NetworkIn", "iio_us_east_1_i_a2eb1cd9_NetworkIn"),
        ("9lives", "_9lives"),
        ("façade.x", "fa_ade_x"),
        ("", "series"),
    ])
    func sanitisedMetricNames(text: String, expected: String) {
        #expect(SeriesIdentity.sanitizedMetricName(text) == expected)
    }
}
