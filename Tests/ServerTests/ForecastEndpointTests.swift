import AIOpsCore
import Foundation
import HTTPServer
import RemoteWrite
import Testing
@testable import Server

/// `GET /api/v1/forecast` on a real server over loopback: three days of a daily wave written
/// by remote write (the clock moved along), then forecasts for the Pro workspace, 403 for the
/// Hobby one.
@Suite(.serialized) struct ForecastEndpointTests {
    /// Requests per second of `service`: a daily wave.
    static func load(_ t: Timestamp, service: Int) -> Double {
        100 * Double(service + 1) + 50 * sin(2 * .pi * Double(t % 86_400_000) / 86_400_000)
    }

    /// A server (team-a Hobby, team-b Pro; two shards each) with three days of `api_load` for
    /// services 0, 1, 2 in both workspaces, the clock at the last sample.
    static func serverWithHistory() throws -> TestServer {
        let days: Int64 = 3
        let end: Timestamp = 1_800_000_000_000
        let start = end - days * 86_400_000
        let server = try TestServer(shards: 2, now: start)
        let connection = try server.connect()
        defer { connection.close() }
        var t = start
        while t < end {
            // An hour of 5-minute samples per request, the clock at the request's last one.
            let times = (0..<12).map { t + Int64($0) * 300_000 }
            server.clock.set(times.last!)
            let series = (0..<3).map { service in
                EncodedSeries(
                    labels: Labels(metric: "api_load", ["service": "s\(service)"]),
                    samples: times.map { (timestamp: $0, value: Self.load($0, service: service)) })
            }
            for token in [TestServer.tokenA, TestServer.tokenB] {
                let response = try server.write(series, token: token, connection: connection)
                guard response.status == 204 else { throw TestFailure(description: "write: \(response.status) \(response.bodyText)") }
            }
            t += 12 * 300_000
        }
        return server
    }

    struct TestFailure: Error, CustomStringConvertible { var description: String }

    static func json(_ response: HTTPClientResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func proWorkspaceGetsForecastsHobbyGets403() throws {
        let server = try Self.serverWithHistory()
        defer { server.stop() }

        let response = try server.get("/api/v1/forecast?match[]=api_load&hours=24", token: TestServer.tokenB)
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(response.header("Content-Type") == "application/json")
        let object = try Self.json(response)
        #expect(object["status"] as? String == "success")
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["truncated"] as? Bool == false)
        let result = try #require(data["result"] as? [[String: Any]])
        // Both shards' series, in label order.
        #expect(result.compactMap { ($0["metric"] as? [String: String])?["service"] } == ["s0", "s1", "s2"])
        for (service, series) in result.enumerated() {
            let values = try #require(series["values"] as? [[Any]])
            #expect(values.count == 24)
            for pair in values {
                let t = Timestamp(try #require(pair[0] as? Int)) * 1000
                let text = try #require(pair[1] as? String)
                let value = try #require(Double(text))
                #expect(abs(value - Self.load(t, service: service)) < 10, "s\(service) at \(TimeFormat.rfc3339(t)): \(value)")
            }
            #expect((series["lower"] as? [[Any]])?.count == 24 && (series["upper"] as? [[Any]])?.count == 24)
        }

        let hobby = try server.get("/api/v1/forecast?match[]=api_load", token: TestServer.tokenA)
        #expect(hobby.status == 403)
        let refusal = try Self.json(hobby)
        #expect(refusal["status"] as? String == "error")
        #expect((refusal["error"] as? String)?.contains("Pro plan") == true, "\(hobby.bodyText)")
        #expect((refusal["error"] as? String)?.contains("Hobby") == true)
    }

    @Test func limitStepAndSelectorsBoundTheOutput() throws {
        let server = try Self.serverWithHistory()
        defer { server.stop() }

        let cut = try Self.json(try server.get("/api/v1/forecast?limit=2&hours=2&step=30m", token: TestServer.tokenB))
        let data = try #require(cut["data"] as? [String: Any])
        #expect(data["truncated"] as? Bool == true)
        let result = try #require(data["result"] as? [[String: Any]])
        #expect(result.count == 2)
        #expect((result.first?["values"] as? [[Any]])?.count == 4)

        // match[] percent-encoded, two selectors: the union.
        let query = "match%5B%5D=api_load%7Bservice%3D%22s2%22%7D&match[]=api_load{service=\"s0\"}"
        let picked = try Self.json(try server.get("/api/v1/forecast?" + query, token: TestServer.tokenB))
        let series = try #require((picked["data"] as? [String: Any])?["result"] as? [[String: Any]])
        #expect(series.compactMap { ($0["metric"] as? [String: String])?["service"] } == ["s0", "s2"])
    }

    @Test(arguments: ["hours=0", "hours=49", "step=10s", "limit=0", "limit=5000", "match[]=api_load{", "match[]=%zz"])
    func badParametersGet400(_ query: String) throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try server.get("/api/v1/forecast?" + query, token: TestServer.tokenB)
        #expect(response.status == 400, "\(query): \(response.bodyText)")
        #expect(try Self.json(response)["errorType"] as? String == "bad_data")
    }

    @Test func needsAToken() throws {
        let server = try TestServer()
        defer { server.stop() }
        #expect(try server.get("/api/v1/forecast", token: nil).status == 401)
        #expect(try server.get("/api/v1/forecast", token: "not-a-token-of-anyone").status == 401)
        // A Pro workspace with nothing warm yet: an empty result, not an error.
        let empty = try server.get("/api/v1/forecast", token: TestServer.tokenB)
        #expect(empty.status == 200)
        #expect(((try Self.json(empty)["data"] as? [String: Any])?["result"] as? [Any])?.isEmpty == true)
    }
}

@Suite struct QueryParametersTests {
    @Test func decodesPercentPlusAndRepeats() throws {
        let query = try QueryParameters("match%5B%5D=up%7Bjob%3D%22a+b%22%7D&match[]=x&hours=&step")
        #expect(query.values("match[]") == ["up{job=\"a b\"}", "x"])
        #expect(query.value("hours") == "")
        #expect(query.value("step") == "")
        #expect(query.value("limit") == nil)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%ff"])
    func refusesBadEscapes(_ text: String) {
        #expect(throws: QueryParameters.Malformed.self) { try QueryParameters(text) }
    }
}
