import Incidents
import Synchronization

/// An incident sink that keeps every event, in order, for replay's output and for tests.
public final class IncidentRecorder: IncidentSink {
    private let events = Mutex<[IncidentEvent]>([])

    public init() {}

    public func handle(_ event: IncidentEvent) {
        events.withLock { $0.append(event) }
    }

    /// Every event so far, oldest first.
    public var recorded: [IncidentEvent] { events.withLock { $0 } }

    /// Each incident that fired once, in its latest state (resolved if it resolved), in firing order.
    public var incidents: [Incident] {
        var order: [String] = []
        var latest: [String: Incident] = [:]
        for event in recorded {
            let incident = event.incident
            if latest[incident.id] == nil { order.append(incident.id) }
            latest[incident.id] = incident
        }
        return order.compactMap { latest[$0] }
    }
}
