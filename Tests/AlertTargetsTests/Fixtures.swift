import AIOpsCore
import AlertTargets
@testable import Delivery
import Foundation
import Incidents
import Rules
import Synchronization

/// An incident of rule `rule` on `queue_depth{queue=...}`, firing since `firedAt`.
func makeIncident(
    rule: String = "queue-spike", queue: String = "payments", firedAt: Timestamp = 1_800_000_000_000,
    phase: IncidentPhase = .firing, end: Timestamp? = nil, extra: [String: String] = [:]
) -> Incident {
    var labels = extra
    labels["queue"] = queue
    labels["namespace"] = labels["namespace"] ?? "shop"
    return Incident(
        id: "\(rule)-\(queue)-\(firedAt)", rule: rule, severity: .critical, labels: Labels(metric: "queue_depth", labels), detector: .ewma,
        phase: phase, start: firedAt - 60_000, firedAt: firedAt, end: end, lastSeen: end ?? firedAt, peakScore: 0.97, observed: 4000,
        expected: 42, lower: 38, upper: 46,
        advice: RenderedAdvice(summary: "queue \(queue) is at 4000, expected 42", steps: ["Check the consumers.", "Scale them up."], runbookURL: "https://runbooks.example/queue"),
        resolution: phase == .resolved ? "normal again" : nil)
}

/// A poster that records what it is given and answers from a script (then 200).
final class RecordingPoster: HTTPPoster {
    struct Post: Sendable {
        var endpoint: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        var json: [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]] ?? []
        }
    }

    let posts = Mutex<[Post]>([])
    let script = Mutex<[WebhookResponse]>([])

    func post(_ body: [UInt8], to endpoint: OutboundEndpoint, path: String, headers: [(String, String)], timeout: Double,
              completion: @escaping @Sendable (WebhookResponse) -> Void) {
        var all = Dictionary(headers, uniquingKeysWith: { $1 })
        if let authorization = endpoint.authorization { all["Authorization"] = authorization }
        posts.withLock { $0.append(Post(endpoint: endpoint.redacted, path: path, headers: all, body: body)) }
        let reply = script.withLock { $0.isEmpty ? WebhookResponse.http(status: 200, body: [], retryAfter: nil) : $0.removeFirst() }
        completion(reply)
    }
}
