import AIOpsCore
import Testing
@testable import Fixtures

@Suite struct QueryRangeParserTests {
    @Test func multipleSeriesAnyKeyOrder() throws {
        let text = #"""
        {
          "data": {
            "result": [
              {"values": [[1712345678.123, "1.5"], [1712345693, "NaN"], ["1712345708", "+Inf"]],
               "metric": {"__name__": "up", "job": "api\u00e9\"", "empty": ""}},
              {"metric": {"__name__": "up", "job": "db"}, "values": [[1712345678, 2]]},
              {"metric": {"job": "rate"}, "values": []}
            ],
            "resultType": "matrix",
            "stats": {"timings": [1, 2.5e-3, true, false, null]}
          },
          "status": "success",
          "warnings": ["partial"]
        }
        """#
        let series = try FixtureReader.parse(text: text, name: "q.json", metric: Labels(metric: "fallback"))
        #expect(series.count == 3)
        #expect(series[0].labels == Labels(metric: "up", ["job": "apié\""]))
        #expect(series[0].timestamps == [1_712_345_678_123, 1_712_345_693_000, 1_712_345_708_000])
        #expect(series[0].values[0] == 1.5)
        #expect(series[0].values[1].isNaN)
        #expect(series[0].values[2] == .infinity)
        #expect(series[1].labels == Labels(metric: "up", ["job": "db"]))
        #expect(series[1].values == [2])
        #expect(series[2].labels == Labels(metric: "fallback", ["job": "rate"]))
        #expect(series[2].count == 0)
    }

    @Test func seriesWithoutNameGetTheFileName() throws {
        let text = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}"#
        #expect(try FixtureReader.parse(text: text, name: "dir/cpu-rate.json")[0].labels == Labels(metric: "cpu_rate"))
    }

    @Test(arguments: [
        (#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}"#,
         1 as Int?, FixtureError.Code.unsupported, "a series with a single \"value\" is an instant vector"),
        (#"{"status":"success","data":{"result":[],"resultType":"vector"}}"#,
         1, .unsupported, "resultType \"vector\" is not supported"),
        (#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
         nil, .unsupported, "query status is \"error\": bad_data: parse error"),
        (#"{"status":"success"}"#, nil, .syntax, "missing \"data\" object"),
        (#"{"status":"success","data":{"result":[]}}"#, nil, .syntax, "missing \"data.resultType\""),
        ("{\"status\":\"success\",\n\"data\":{\"resultType\":\"matrix\",\n\"result\":[{\"metric\":{},\"values\":[[1,\"1\"]\n]]}", 4,
         .syntax, "invalid JSON: expected ',' or '}' in object, found ']' at column 2"),
        ("{\"data\":{\"resultType\":\"matrix\",\"result\":[\n{\"metric\":{},\"values\":[[1,\"x1\"]]}]}}", 2,
         .value, "invalid value \"x1\" (expected a number, NaN, +Inf or -Inf) at column 28"),
        ("{\"data\":{\"resultType\":\"matrix\",\"result\":[\n{\"metric\":{},\"values\":[[\"soon\",\"1\"]]}]}}", 2,
         .timestamp, "invalid timestamp \"soon\" (expected Unix seconds) at column 26"),
        (#"{"data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}"#, 1,
         .syntax, "invalid JSON: expected ',' between timestamp and value, found ']'"),
        ("{\"data\":{\"resultType\":\"matrix\",\"result\":[\n{\"metric\":{\"a\":\"b\"},\"values\":[]},\n{\"metric\":{\"a\":\"b\"},\"values\":[]}]}}", 3,
         .duplicateSeries, "series bad{a=\"b\"} appears twice (first at line 2)"),
        (#"{"data":{"resultType":"matrix","result":[{"metric":{},"histograms":[]}]}}"#, 1,
         .unsupported, "native histogram samples are not supported"),
        (#"{"data":{"resultType":"matrix","result":[{"metric":{}}]}}"#, 1, .syntax, "series object without \"values\""),
        (#"{"data":{"resultType":"matrix","result":[]}} x"#, 1, .syntax, "invalid JSON: unexpected 'x' after the JSON value"),
        (#"{"data":{"resultType":"matrix","result":[]},"x":tru}"#, 1, .syntax, "invalid JSON: invalid literal, expected true"),
        (#"{"data":{"resultType":"matrix","result":[{"metric":{"a":"\q"}}]}}"#, 1, .syntax, "invalid JSON: invalid escape '\\q' in string"),
        (#"{"data":{"resultType":"matrix""#, 1, .syntax, "invalid JSON: unexpected end of input, expected ',' or '}'"),
        (#"{data:{}}"#, 1, .syntax, "invalid JSON: expected a quoted key, found 'd' at column 2"),
    ])
    func malformed(text: String, line: Int?, code: FixtureError.Code, reason: String) {
        #expect {
            _ = try FixtureReader.parse(text: text, name: "bad.json")
        } throws: { error in
            guard let error = error as? FixtureError else { return false }
            return error.file == "bad.json" && error.line == line && error.code == code && error.reason.hasPrefix(reason)
        }
    }

    @Test func noSeriesIsEmpty() {
        #expect(throws: FixtureError(file: "e.json", line: nil, code: .empty, reason: "no samples in the file")) {
            _ = try FixtureReader.parse(text: #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#, name: "e.json")
        }
    }
}
