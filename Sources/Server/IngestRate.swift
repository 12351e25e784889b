import AIOpsCore
import Synchronization

/// Each workspace's recent ingest rate for the web view's overview: readings of its accepted
/// samples counter, taken by the eviction timer (every minute) and by each overview request,
/// at least 15 seconds apart, the last 10 minutes of them kept. The rate is the difference
/// between the newest reading and the oldest one kept, per second.
final class IngestRate: Sendable {
    struct Reading: Sendable {
        var time: Timestamp
        var samples: Int
    }

    static let spacing: Int64 = 15_000
    static let window: Int64 = 600_000
    private let readings = Mutex<[String: [Reading]]>([:])

    /// Records a reading (when the last is at least `spacing` old) and returns the rate over
    /// the readings kept and the seconds it spans; nil before two readings 10 s apart.
    @discardableResult
    func record(workspace: String, samples: Int, now: Timestamp) -> (rate: Double, seconds: Double)? {
        readings.withLock { all in
            var list = all[workspace] ?? []
            if list.last.map({ now - $0.time >= Self.spacing || samples < $0.samples }) ?? true {
                // A counter that went down was reset (the workspace was removed and added back).
                if let last = list.last, samples < last.samples { list.removeAll() }
                list.append(Reading(time: now, samples: samples))
            }
            list.removeAll { now - $0.time > Self.window }
            all[workspace] = list
            guard let first = list.first, let last = list.last, last.time - first.time >= 10_000 else { return nil }
            let seconds = Double(last.time - first.time) / 1000
            return (Double(last.samples - first.samples) / seconds, seconds)
        }
    }
}
