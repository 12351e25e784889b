import AIOpsCore
import Detectors
import Foundation
import Rules
import Testing
@testable import Forecasting

@Suite struct ForecastRequestTests {
    @Test func defaultsAreADayHourly() throws {
        let request = try ForecastRequest(hours: nil, step: nil, match: [])
        #expect(request.hours == 24 && request.stepSeconds == 3600 && request.selectors.isEmpty)
        #expect(request.selects(Labels(metric: "anything")))
    }

    @Test(arguments: [("48", "30m", 48, 1800), ("1", "60", 1, 60), ("12", "2h", 12, 7200), ("24", "90.5", 24, 90)])
    func parsesHoursAndStep(hours: String, step: String, expectedHours: Int, expectedStep: Int) throws {
        let request = try ForecastRequest(hours: hours, step: step, match: [])
        #expect(request.hours == expectedHours && request.stepSeconds == expectedStep)
    }

    @Test(arguments: ["0", "49", "-1", "1.5", "day", ""])
    func refusesHours(_ text: String) {
        #expect(throws: ForecastRequestError.hours(text)) { try ForecastRequest(hours: text, step: nil, match: []) }
    }

    /// Under a minute, over the forecast's hours, or not a duration.
    @Test(arguments: ["30s", "59", "25h", "1x", "-60", "NaN"])
    func refusesStep(_ text: String) {
        #expect(throws: ForecastRequestError.step(text)) { try ForecastRequest(hours: "24", step: text, match: []) }
    }

    @Test func refusesABadSelectorNamingIt() {
        do {
            _ = try ForecastRequest(hours: nil, step: nil, match: ["up", "cpu{mode="])
            Issue.record("a bad selector was accepted")
        } catch {
            guard case .selector(let text, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(text == "cpu{mode=")
            #expect(!reason.isEmpty)
            #expect(error.description.hasPrefix("match[]: 'cpu{mode='"))
        }
    }

    /// Several selectors select the union, as Prometheus' match[] does.
    @Test func selectorsAreAUnion() throws {
        let request = try ForecastRequest(hours: nil, step: nil, match: ["up", "cpu{mode=\"user\"}"])
        #expect(request.selects(Labels(metric: "up", ["job": "x"])))
        #expect(request.selects(Labels(metric: "cpu", ["mode": "user"])))
        #expect(!request.selects(Labels(metric: "cpu", ["mode": "idle"])))
    }
}

@Suite struct ForecastOutputTests {
    static let forecast = SeriesForecast(
        labels: Labels(metric: "http_requests_total", ["job": "api"]), transform: .rate, rule: "auto", origin: 1_772_409_540_000,
        points: [
            ForecastPoint(timestamp: 1_772_409_600_000, value: 12.5, lower: 10, upper: 15.25),
            ForecastPoint(timestamp: 1_772_413_200_000, value: 13, lower: 10.5, upper: 16),
        ], coverage: 0.8)

    /// The shape of Prometheus' query_range result, plus `lower`, `upper` and what it is of.
    @Test func jsonIsAQueryRangeMatrix() throws {
        let text = ForecastJSON.document([Self.forecast], truncated: true, workspace: "team-a")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "success")
        #expect(object["workspace"] as? String == "team-a")
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "matrix")
        #expect(data["truncated"] as? Bool == true)
        #expect(data["coverage"] as? Double == 0.8)
        let result = try #require((data["result"] as? [[String: Any]])?.first)
        #expect(result["metric"] as? [String: String] == ["__name__": "http_requests_total", "job": "api"])
        #expect(result["transform"] as? String == "rate")
        #expect(result["origin"] as? Int == 1_772_409_540)
        let values = try #require(result["values"] as? [[Any]])
        #expect(values.count == 2)
        #expect(values[0][0] as? Int == 1_772_409_600)
        #expect(values[0][1] as? String == "12.5")
        #expect((result["lower"] as? [[Any]])?[1][1] as? String == "10.5")
        #expect((result["upper"] as? [[Any]])?[0][1] as? String == "15.25")
    }

    @Test func errorBodyIsPrometheusShaped() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ForecastJSON.error(type: "bad_data", message: "hours: 'x'").utf8)) as? [String: String])
        #expect(object == ["status": "error", "errorType": "bad_data", "error": "hours: 'x'"])
    }

    @Test func textAndCSV() {
        #expect(ForecastText.render([Self.forecast]) == """
            per-second rate of http_requests_total{job="api"} (auto): from 2026-03-01T23:59:00Z, 80% interval
              2026-03-02T00:00:00Z  12.5/s  [10/s, 15.25/s]
              2026-03-02T01:00:00Z  13/s  [10.5/s, 16/s]

            """)
        #expect(ForecastText.csv([Self.forecast]) == """
            series,transform,timestamp,value,lower,upper
            "http_requests_total{job=""api""}",rate,2026-03-02T00:00:00Z,12.5,10.0,15.25
            "http_requests_total{job=""api""}",rate,2026-03-02T01:00:00Z,13.0,10.5,16.0

            """)
    }
}
