import AIOpsCore

/// Spaces queries evenly: at most `1 / interval` per second, no bursts, read against an
/// injected clock so tests never sleep.
struct QueryPacer: Sendable {
    /// Milliseconds between the starts of two queries.
    let interval: Int64
    private var next: Timestamp = .min

    init(queriesPerSecond: Double) {
        interval = queriesPerSecond > 0 ? Int64((1000 / queriesPerSecond).rounded(.up)) : 0
    }

    /// Reserves the next query's start. - Returns: milliseconds to wait before it (0: now).
    mutating func reserve(now: Timestamp) -> Int64 {
        let start = max(now, next)
        next = start + interval
        return start - now
    }
}
