import AIOpsCore

/// Which deadline a connection is waiting under.
public enum HTTPTimeoutKind: Equatable, Sendable {
    /// Whole request head, from its first byte (from accept for the first request).
    case header
    /// Whole request body, from the end of the head.
    case body
    /// Keep-alive connection with no request in progress.
    case idle
    /// A response blocked because the client does not read.
    case write
}

/// Why a connection ended.
public enum HTTPCloseReason: Equatable, Sendable {
    /// The client closed its side (EOF) with no complete request left to answer.
    case peerClosed
    /// The request asked for it (`Connection: close`, HTTP/1.0 without keep-alive).
    case requestedClose
    /// The request could not be parsed; answered with this status first.
    case parseError(status: Int)
    case timeout(HTTPTimeoutKind)
    /// The server is shutting down.
    case shutdown
    /// The request was refused on its head by the handler's `inspectHead`: answered with
    /// this status, the body left unread.
    case refused(status: Int)
    /// The request's body did not fit the body budget: answered 503, the body left unread.
    case overBodyBudget
}

/// What the connection's owner must do next.
public enum HTTPConnectionAction {
    /// Call the handler, then `respond(_:now:)` before anything else.
    case handle(HTTPRequest)
    /// A request's head is complete (its body not read yet; `body` is empty): ask the
    /// handler's `inspectHead`, then call `headInspected(_:now:)` before anything else.
    /// Only when the machine was made with `inspectsHeads`.
    case inspectHead(HTTPRequest)
    /// Send the bytes of `withPendingOutput` and report with `didWrite(_:now:)`.
    case write
    /// Wait until the socket is readable (then `readBuffer()` / `didRead(_:now:)`), or until
    /// `deadline` (then `timeoutFired(now:)`).
    case waitForReadable(deadline: Timestamp)
    /// Wait until the socket is writable (then `writable()`), or until `deadline`.
    case waitForWritable(deadline: Timestamp)
    /// Close the socket.
    case close(HTTPCloseReason)
}

/// One connection's HTTP/1.1 life as a pure state machine: bytes and clock readings go in,
/// actions come out; no sockets, so every timeout can be tested with a `ManualClock`.
///
/// Owns the request parser (the read buffer) and the reused response buffer. Pipelined
/// requests are answered in order; their responses accumulate and are flushed together
/// (up to `highWaterMark` bytes before a flush is forced), and nothing more is parsed while
/// a write is blocked, so a client that sends without reading cannot grow our buffers.
public struct HTTPConnectionStateMachine: ~Copyable {
    public struct Timeouts: Sendable {
        public var header: Int64
        public var body: Int64
        public var idle: Int64
        public var write: Int64
        public init(header: Int64, body: Int64, idle: Int64, write: Int64) {
            self.header = header; self.body = body; self.idle = idle; self.write = write
        }
    }

    /// Pending response bytes beyond which the machine flushes before parsing more.
    static let highWaterMark = 64 * 1024
    /// A response buffer grown past this is released after it is flushed.
    static let shrinkThreshold = 1024 * 1024

    public let parser: HTTPRequestParser
    let timeouts: Timeouts
    /// Shared by every connection of the server; nil: bodies are limited by `maxBodyBytes` only.
    let budget: HTTPBodyBudget?
    /// Whether heads are handed out as `.inspectHead` actions.
    let inspectsHeads: Bool
    /// Bytes of `budget` this connection holds for the request in progress.
    private var reservedBytes = 0
    /// The request in flight is a head waiting for `headInspected`.
    private var inFlightIsHead = false

    private var out: [UInt8] = []
    private var outIndex = 0
    private var closeAfterFlush = false
    private var closeReason = HTTPCloseReason.requestedClose
    /// Close instead of waiting when the final write blocks (the 408 after a timeout).
    private var abortIfBlocked = false
    private var writeBlocked = false
    private var writeStart: Timestamp = 0
    private var peerEOF = false
    private var draining = false
    private var closed: HTTPCloseReason?
    private var inFlight = false
    private var currentKeepAlive = true
    private var currentIsHead = false
    private var currentIsHTTP10 = false
    /// The deadline kind of the current read phase and when that phase began.
    private var phaseKind = HTTPTimeoutKind.header
    private var phaseStart: Timestamp
    /// What the last wait action waits under (nil when not waiting).
    private var waitKind: HTTPTimeoutKind?
    private var deadline: Timestamp = .max

    /// Requests answered so far.
    public private(set) var requestCount = 0

    /// - Parameters:
    ///   - now: the accept time; the first request's header deadline counts from it.
    ///   - budget: bytes all connections' bodies may hold at once; a body that does not fit
    ///     is answered 503 with `Retry-After` when its head arrives, and not read.
    ///   - inspectsHeads: yield `.inspectHead` for each request before its body is read.
    public init(maxHeaderBytes: Int, maxBodyBytes: Int, timeouts: Timeouts, now: Timestamp,
                budget: HTTPBodyBudget? = nil, inspectsHeads: Bool = false) {
        parser = HTTPRequestParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
        parser.reportsHeads = budget != nil || inspectsHeads
        self.timeouts = timeouts
        self.budget = budget
        self.inspectsHeads = inspectsHeads
        phaseStart = now
        out.reserveCapacity(1024)
    }

    deinit {
        if reservedBytes > 0 { budget?.release(reservedBytes) }
    }

    /// Returns this connection's share of the body budget (when it closes).
    public mutating func releaseReservation() {
        if reservedBytes > 0 { budget?.release(reservedBytes) }
        reservedBytes = 0
    }

    /// Whether the connection has ended (then `nextAction` returns `.close`).
    public var isClosed: Bool { closed != nil }

    /// The deadline of the last wait action, `.max` when none.
    public var currentDeadline: Timestamp { waitKind == nil ? .max : deadline }

    // MARK: - Events in

    /// Space to read socket bytes into (then call `didRead`).
    public mutating func readBuffer(minimum: Int = 16 * 1024) -> UnsafeMutableRawBufferPointer {
        parser.reserveWritableSpace(minimum: minimum)
    }

    /// `count` bytes were read into `readBuffer()`; 0 means the client closed its side.
    public mutating func didRead(_ count: Int, now: Timestamp) {
        if count == 0 { peerEOF = true } else { parser.didWrite(count: count) }
    }

    /// The bytes to send for a `.write` action.
    public func withPendingOutput<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try out.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[outIndex...])) }
    }

    /// `count` of the pending bytes were sent; fewer than pending means the socket is full.
    public mutating func didWrite(_ count: Int, now: Timestamp) {
        outIndex += count
        if outIndex >= out.count {
            outIndex = 0
            if out.capacity > HTTPConnectionStateMachine.shrinkThreshold {
                out = []
                out.reserveCapacity(1024)
            } else {
                out.removeAll(keepingCapacity: true)
            }
            writeBlocked = false
        } else {
            if abortIfBlocked {
                closed = closeReason
                return
            }
            if !writeBlocked {
                writeBlocked = true
                writeStart = now
            }
        }
    }

    /// The socket became writable again after a blocked write.
    public mutating func writable() {
        writeBlocked = false
    }

    /// Called when the last wait's deadline may have passed. Returns true when a timeout
    /// was taken (then call `nextAction`): an idle or blocked-write connection closes; a
    /// request cut off in its head or body is answered 408 (best effort) and closed.
    public mutating func timeoutFired(now: Timestamp) -> Bool {
        guard closed == nil, let kind = waitKind, now >= deadline else { return false }
        waitKind = nil
        switch kind {
        case .idle, .write:
            closed = .timeout(kind)
        case .header, .body:
            if parser.phase == .idle {
                closed = .timeout(kind)  // nothing was sent: no one to answer
            } else {
                appendSimpleResponse(status: 408, message: "request \(kind == .header ? "header" : "body") timeout\n")
                closeAfterFlush = true
                abortIfBlocked = true
                closeReason = .timeout(kind)
            }
        }
        return true
    }

    /// Stop serving: close now if no request is in progress, else after its response
    /// (which then carries `Connection: close`).
    public mutating func beginDrain() {
        draining = true
    }

    /// Serializes the handler's response for the request of the last `.handle` action.
    /// - Parameter dateLine: a ready `Date: ...\r\n` line, or empty.
    public mutating func respond(_ response: HTTPResponse, now: Timestamp, dateLine: [UInt8] = []) {
        precondition(inFlight && !inFlightIsHead, "respond without a request in flight")
        inFlight = false
        releaseReservation()
        requestCount += 1
        // The idle wait counts from this response. Without this, a client whose requests each
        // arrive in one read never leaves the idle phase as `nextAction` sees it, so the idle
        // deadline kept counting from the first response and a busy keep-alive connection
        // was closed `idleTimeout` after it started (found by the aiops-bench soak).
        phaseKind = .idle
        phaseStart = now
        let keepAlive = currentKeepAlive && !draining
        appendResponse(status: response.status, headers: response.headers, body: response.body,
                       omitBody: currentIsHead, keepAlive: keepAlive, dateLine: dateLine)
        if !keepAlive {
            closeAfterFlush = true
            closeReason = draining ? .shutdown : .requestedClose
        }
    }

    /// The handler's verdict on the head of the last `.inspectHead` action: nil reads the
    /// body (if the body budget admits it); a response is sent at once with
    /// `Connection: close` and the connection closes without reading the body.
    public mutating func headInspected(_ response: HTTPResponse?, now: Timestamp, dateLine: [UInt8] = []) {
        precondition(inFlight && inFlightIsHead, "headInspected without a head in flight")
        inFlight = false
        inFlightIsHead = false
        if let response {
            refuse(response, dateLine: dateLine)
        } else {
            admitBody()
        }
    }

    /// Reserves a Content-Length body in the budget, or refuses the request with 503.
    private mutating func admitBody() {
        guard let budget, let length = parser.declaredBodyLength, length > 0 else { return }
        if budget.tryReserve(length) {
            reservedBytes += length
            parser.bodyReserved = true
        } else {
            refuseOverBudget()
        }
    }

    /// For a chunked body: reserves what its buffer grew to, or refuses with 503.
    private mutating func reserveChunkedGrowth() {
        guard let budget, parser.isChunkedBody else { return }
        let held = parser.bufferCapacity
        guard held > reservedBytes else { return }
        if budget.tryReserve(held - reservedBytes) {
            reservedBytes = held
        } else {
            refuseOverBudget()
        }
    }

    private mutating func refuseOverBudget() {
        refuse(HTTPResponse(status: 503, headers: [("Retry-After", "1"), ("Content-Type", "text/plain; charset=utf-8")],
                            text: "server is holding its limit of request body bytes; retry later\n"), dateLine: [])
        closeReason = .overBodyBudget
    }

    private mutating func refuse(_ response: HTTPResponse, dateLine: [UInt8]) {
        appendResponse(status: response.status, headers: response.headers, body: response.body,
                       omitBody: currentIsHead, keepAlive: false, dateLine: dateLine)
        closeAfterFlush = true
        closeReason = .refused(status: response.status)
        releaseReservation()
    }

    // MARK: - Actions out

    /// The next thing to do. After `.handle`, call `respond` before calling this again.
    public mutating func nextAction(now: Timestamp) -> HTTPConnectionAction {
        precondition(!inFlight, "nextAction while a request is in flight")
        if let reason = closed { return .close(reason) }
        waitKind = nil
        while true {
            let pending = out.count - outIndex
            if pending > 0 {
                if writeBlocked {
                    waitKind = .write
                    deadline = writeStart + timeouts.write
                    return .waitForWritable(deadline: deadline)
                }
                if closeAfterFlush || pending >= HTTPConnectionStateMachine.highWaterMark { return .write }
            } else if closeAfterFlush {
                closed = closeReason
                return .close(closeReason)
            }
            if !closeAfterFlush {
                switch parser.next() {
                case .head(let request):
                    currentIsHead = request.method == .head
                    currentIsHTTP10 = request.version == .http1_0
                    if inspectsHeads {
                        inFlight = true
                        inFlightIsHead = true
                        return .inspectHead(request)
                    }
                    admitBody()
                    continue
                case .request(let request):
                    inFlight = true
                    currentKeepAlive = request.keepAlive
                    currentIsHead = request.method == .head
                    currentIsHTTP10 = request.version == .http1_0
                    return .handle(request)
                case .continueExpected:
                    out.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    continue
                case .error(let error):
                    currentIsHTTP10 = false
                    appendSimpleResponse(status: error.status, message: error.reason + "\n")
                    closeAfterFlush = true
                    closeReason = .parseError(status: error.status)
                    continue
                case .needMoreData:
                    reserveChunkedGrowth()
                    if closeAfterFlush { continue }
                }
            }
            if out.count - outIndex > 0 { return .write }
            if peerEOF {
                closed = .peerClosed
                return .close(.peerClosed)
            }
            let phase = parser.phase
            if draining && phase == .idle {
                closed = .shutdown
                return .close(.shutdown)
            }
            let kind: HTTPTimeoutKind
            switch phase {
            case .idle: kind = requestCount == 0 ? .header : .idle
            case .head: kind = .header
            case .body: kind = .body
            }
            if kind != phaseKind {
                phaseKind = kind
                phaseStart = now
            }
            let limit: Int64
            switch kind {
            case .header: limit = timeouts.header
            case .body: limit = timeouts.body
            case .idle: limit = timeouts.idle
            case .write: limit = timeouts.write
            }
            waitKind = kind
            deadline = phaseStart + limit
            return .waitForReadable(deadline: deadline)
        }
    }

    // MARK: - Serialization

    private mutating func appendSimpleResponse(status: Int, message: String) {
        appendResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                       body: Array(message.utf8), omitBody: false, keepAlive: false, dateLine: [])
    }

    private mutating func appendResponse(status: Int, headers: [(String, String)], body: [UInt8],
                                         omitBody: Bool, keepAlive: Bool, dateLine: [UInt8]) {
        let status = (100...999).contains(status) ? status : 500
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status)
        out.append(0x20)
        out.append(contentsOf: HTTPResponse.reasonPhrase(status).utf8)
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: dateLine)
        for (name, value) in headers where HTTPConnectionStateMachine.isSafeHeader(name, value) {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        let noBody = status == 204 || status == 304 || status < 200
        if !noBody {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(body.count)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if currentIsHTTP10 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        if !noBody && !omitBody { out.append(contentsOf: body) }
    }

    private mutating func appendDecimal(_ value: Int) {
        var v = value
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(0x30 + v % 10)
                v /= 10
                n += 1
            } while v > 0 && n < 20
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - n)...]))
        }
    }

    /// Drops fields the server owns and anything that could split the response.
    static func isSafeHeader(_ name: String, _ value: String) -> Bool {
        if name.isEmpty { return false }
        for c in name.utf8 where !HTTPRequestParser.isTokenChar(c) { return false }
        for c in value.utf8 where c == 13 || c == 10 || c == 0 { return false }
        switch name.utf8.count {
        case 4: return !ascii(name, equals: "date")
        case 10: return !ascii(name, equals: "connection")
        case 14: return !ascii(name, equals: "content-length")
        case 17: return !ascii(name, equals: "transfer-encoding")
        default: return true
        }
    }

    private static func ascii(_ s: String, equals lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { lit in
            var i = 0
            for c in s.utf8 {
                if i >= lit.count || HTTPHeaders.lower(c) != lit[i] { return false }
                i += 1
            }
            return i == lit.count
        }
    }
}
