import Synchronization

/// A snapshot of the server's counters (sums over event loops).
public struct HTTPServerStats: Sendable, Equatable {
    /// Connections open now.
    public var connectionsOpen: Int = 0
    /// Connections accepted and served since start.
    public var connectionsAccepted: Int = 0
    /// Connections refused because `maxConnections` were open (answered 503).
    public var connectionsRejected: Int = 0
    /// Connections closed by a header, body, idle or write timeout.
    public var connectionsTimedOut: Int = 0
    /// Requests answered by the handler.
    public var requestsHandled: Int = 0
    /// Handler calls that threw (answered with the error's status or 500).
    public var handlerErrors: Int = 0
    /// Requests rejected by the parser, by status (400, 413, 431, 501, 505).
    public var parseErrors: [Int: Int] = [:]
    /// Requests refused on their head by the handler (e.g. 401 before the body), by status.
    public var refusedOnHead: [Int: Int] = [:]
    /// Requests refused with 503 because their body did not fit the body budget.
    public var refusedOverBodyBudget: Int = 0
    /// Bytes reserved by request bodies now, and the budget's limit.
    public var bodyBytesHeld: Int = 0
    public var bodyBytesLimit: Int = 0

    public init() {}
}

/// One loop's counters. Written only by the owning loop thread (relaxed atomics so other
/// threads may read them); `open` is also incremented by the acceptor when it hands over.
final class HTTPLoopCounters: Sendable {
    static let parseErrorStatuses = [400, 413, 431, 501, 505]

    let open = Atomic<Int>(0)
    let accepted = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let timedOut = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let handlerErrors = Atomic<Int>(0)
    let parse400 = Atomic<Int>(0)
    let parse413 = Atomic<Int>(0)
    let parse431 = Atomic<Int>(0)
    let parse501 = Atomic<Int>(0)
    let parse505 = Atomic<Int>(0)
    let parseOther = Atomic<Int>(0)
    let refused401 = Atomic<Int>(0)
    let refusedOther = Atomic<Int>(0)
    let refusedBudget = Atomic<Int>(0)

    func countRefused(_ status: Int, overBudget: Bool) {
        if overBudget { refusedBudget.add(1, ordering: .relaxed) }
        else if status == 401 { refused401.add(1, ordering: .relaxed) }
        else { refusedOther.add(1, ordering: .relaxed) }
    }

    func countParseError(_ status: Int) {
        switch status {
        case 400: parse400.add(1, ordering: .relaxed)
        case 413: parse413.add(1, ordering: .relaxed)
        case 431: parse431.add(1, ordering: .relaxed)
        case 501: parse501.add(1, ordering: .relaxed)
        case 505: parse505.add(1, ordering: .relaxed)
        default: parseOther.add(1, ordering: .relaxed)
        }
    }

    func add(to s: inout HTTPServerStats) {
        s.connectionsOpen += open.load(ordering: .relaxed)
        s.connectionsAccepted += accepted.load(ordering: .relaxed)
        s.connectionsRejected += rejected.load(ordering: .relaxed)
        s.connectionsTimedOut += timedOut.load(ordering: .relaxed)
        s.requestsHandled += requests.load(ordering: .relaxed)
        s.handlerErrors += handlerErrors.load(ordering: .relaxed)
        let byStatus = [(400, parse400.load(ordering: .relaxed)), (413, parse413.load(ordering: .relaxed)),
                        (431, parse431.load(ordering: .relaxed)), (501, parse501.load(ordering: .relaxed)),
                        (505, parse505.load(ordering: .relaxed)), (0, parseOther.load(ordering: .relaxed))]
        for (status, n) in byStatus where n > 0 { s.parseErrors[status, default: 0] += n }
        let refused = [(401, refused401.load(ordering: .relaxed)), (0, refusedOther.load(ordering: .relaxed))]
        for (status, n) in refused where n > 0 { s.refusedOnHead[status, default: 0] += n }
        s.refusedOverBodyBudget += refusedBudget.load(ordering: .relaxed)
    }
}
