import AIOpsCore
import Dispatch
import Foundation
import Incidents
import Rules
import Synchronization
@testable import Delivery

/// An incident with only what the delivery tests look at.
func makeIncident(_ id: String, rule: String = "memory-leak", phase: IncidentPhase = .firing) -> Incident {
    Incident(
        id: id, rule: rule, severity: .warning, labels: Labels(metric: "mem", ["pod": id]), detector: .ewma,
        phase: phase, start: 0, lastSeen: 0, peakScore: 1, observed: 1,
        advice: RenderedAdvice(summary: "s", steps: [], runbookURL: nil)
    )
}

/// Renders `{"text":"<kind> <rule>: <ids>"}` and the same line as text.
struct TestRenderer: NotificationRenderer {
    func line(_ batch: NotificationBatch) -> String {
        "\(batch.kind.rawValue) \(batch.rule): \(batch.incidents.map(\.id).joined(separator: ","))"
    }
    func slackPayload(for batch: NotificationBatch) -> [UInt8] { Array("{\"text\":\"\(line(batch))\"}".utf8) }
    func text(for batch: NotificationBatch) -> String { line(batch) }
}

/// Collects lines written by a log or sink.
final class LineCollector: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var log: DeliveryLog { DeliveryLog { [self] in self.append($0) } }
}

/// A transport answering from a script (then 200 `ok`); `.hang` never completes.
final class ScriptedTransport: WebhookTransport {
    enum Step: Sendable { case respond(WebhookResponse), hang }
    private let script: Mutex<[Step]>
    private let recorded = Mutex<[String]>([])
    private let posted = DispatchSemaphore(value: 0)

    init(_ script: [Step] = []) { self.script = Mutex(script) }

    var bodies: [String] { recorded.withLock { $0 } }

    /// Waits until `count` posts happened in total (bounded; false on timeout).
    func waitForPosts(_ count: Int, timeout: Double = 5) -> Bool {
        let end = DispatchTime.now() + .milliseconds(Int(timeout * 1000))
        while bodies.count < count {
            if posted.wait(timeout: end) == .timedOut { return bodies.count >= count }
        }
        return true
    }

    func post(_ body: [UInt8], to url: WebhookURL, timeout: Double, completion: @escaping @Sendable (WebhookResponse) -> Void) {
        let step = script.withLock { $0.isEmpty ? Step.respond(.http(status: 200, body: Array("ok".utf8), retryAfter: nil)) : $0.removeFirst() }
        recorded.withLock { $0.append(String(decoding: body, as: UTF8.self)) }
        posted.signal()
        if case .respond(let response) = step { completion(response) }
    }
}

/// A fresh empty directory under the system temporary folder.
func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "aiops-delivery-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
