import AIOpsCore
import Testing
@testable import HTTPServer

/// Drives a state machine with a ManualClock: no sockets, no sleeping.
struct MachineHarness: ~Copyable {
    let clock = ManualClock(1_000_000)
    var machine: HTTPConnectionStateMachine
    /// Everything the machine asked to write, as text.
    var written = ""

    static let timeouts = HTTPConnectionStateMachine.Timeouts(header: 1000, body: 5000, idle: 30_000, write: 2000)

    init(maxBodyBytes: Int = 1 << 20, budget: HTTPBodyBudget? = nil) {
        machine = HTTPConnectionStateMachine(maxHeaderBytes: 4096, maxBodyBytes: maxBodyBytes,
                                             timeouts: MachineHarness.timeouts, now: 1_000_000, budget: budget)
    }

    var now: Timestamp { clock.now() }

    mutating func feed(_ text: String) {
        let bytes = Array(text.utf8)
        let space = machine.readBuffer(minimum: bytes.count)
        space.copyBytes(from: bytes)
        machine.didRead(bytes.count, now: now)
    }

    /// Runs actions, answering every request with `respond`, writing everything, until
    /// the machine waits or closes; returns that final action.
    mutating func run(respond: (ParsedRequest) -> HTTPResponse = { _ in HTTPResponse(status: 204) },
                      writeLimit: Int = .max) -> HTTPConnectionAction {
        while true {
            let action = machine.nextAction(now: now)
            switch action {
            case .handle(let request):
                let response = respond(ParsedRequest(request))
                machine.respond(response, now: now)
            case .write:
                let n = machine.withPendingOutput { out -> Int in
                    let n = min(out.count, writeLimit)
                    written += String(decoding: UnsafeRawBufferPointer(rebasing: out[..<n]), as: UTF8.self)
                    return n
                }
                machine.didWrite(n, now: now)
            default:
                return action
            }
        }
    }
}

func readDeadline(_ action: HTTPConnectionAction) -> Timestamp? {
    if case .waitForReadable(let d) = action { return d }
    return nil
}

func closeReason(_ action: HTTPConnectionAction) -> HTTPCloseReason? {
    if case .close(let r) = action { return r }
    return nil
}

@Suite struct HTTPConnectionStateMachineTests {
    @Test func slowlorisHeaderTrickleIsCutOffAtTheHeaderDeadline() {
        var h = MachineHarness()
        let start = h.now
        #expect(readDeadline(h.run()) == start + 1000)
        // One byte every 150 ms: each byte is "progress", but the deadline is on the whole head.
        var cut = false
        for c in "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa" {
            h.clock.advance(by: 150)
            if h.machine.timeoutFired(now: h.now) {
                cut = true
                break
            }
            h.feed(String(c))
            #expect(readDeadline(h.run()) == start + 1000)
        }
        #expect(cut)
        #expect(h.now >= start + 1000 && h.now < start + 1150)
        #expect(closeReason(h.run()) == .timeout(.header))
        #expect(h.written.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(h.written.contains("Connection: close\r\n"))
    }

    @Test func timeoutDoesNotFireBeforeTheDeadline() {
        var h = MachineHarness()
        _ = h.run()
        h.clock.advance(by: 999)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(!fired) }
        h.clock.advance(by: 1)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(fired) }
        // No byte was sent: closed without a 408.
        #expect(closeReason(h.run()) == .timeout(.header))
        #expect(h.written == "")
    }

    @Test func idleKeepAliveConnectionIsClosed() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        h.clock.advance(by: 10)
        let action = h.run()
        #expect(h.written.hasPrefix("HTTP/1.1 204 No Content\r\n"))
        #expect(!h.written.contains("Content-Length"))
        #expect(readDeadline(action) == h.now + 30_000)
        #expect(h.machine.requestCount == 1)
        h.clock.advance(by: 29_999)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(!fired) }
        h.clock.advance(by: 1)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(fired) }
        #expect(closeReason(h.run()) == .timeout(.idle))
    }

    @Test func busyKeepAliveConnectionIsNotClosedAsIdle() {
        // Requests arriving whole, two a second, for over three idle timeouts: the idle
        // deadline counts from the last response, never from the first.
        var h = MachineHarness()
        _ = h.run()
        for request in 1...200 {
            h.clock.advance(by: 500)
            do { let fired = h.machine.timeoutFired(now: h.now); #expect(!fired, "request \(request)") }
            h.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
            #expect(readDeadline(h.run()) == h.now + 30_000, "request \(request)")
        }
        #expect(h.machine.requestCount == 200)
        h.clock.advance(by: 30_000)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(fired) }
        #expect(closeReason(h.run()) == .timeout(.idle))
    }

    @Test func bodyTimeoutCountsFromTheEndOfTheHead() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n")
        h.clock.advance(by: 500)
        let headDone = h.now
        #expect(readDeadline(h.run()) == headDone + 5000)
        for _ in 0..<9 {
            h.clock.advance(by: 500)
            h.feed("x")
            #expect(readDeadline(h.run()) == headDone + 5000)
            do { let fired = h.machine.timeoutFired(now: h.now); #expect(!fired) }
        }
        h.clock.advance(by: 500)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(fired) }
        #expect(closeReason(h.run()) == .timeout(.body))
        #expect(h.written.hasPrefix("HTTP/1.1 408"))
    }

    @Test func pipelinedResponsesAreWrittenTogetherInOrder() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        var writes = 0
        var order: [String] = []
        var final: HTTPConnectionAction
        while true {
            final = h.machine.nextAction(now: h.now)
            if case .handle(let r) = final {
                order.append(r.path)
                h.machine.respond(HTTPResponse(status: 200, body: Array(r.path.utf8)), now: h.now)
            } else if case .write = final {
                writes += 1
                let n = h.machine.withPendingOutput { out in
                    h.written += String(decoding: out, as: UTF8.self)
                    return out.count
                }
                h.machine.didWrite(n, now: h.now)
            } else { break }
        }
        #expect(order == ["/1", "/2", "/3"])
        #expect(writes == 1)
        #expect(closeReason(final) == .requestedClose)
        let expected = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/1"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n/2"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n/3"
        #expect(h.written == expected)
    }

    @Test func parseErrorIsAnsweredAndClosed() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(closeReason(h.run()) == .parseError(status: 400))
        #expect(h.written.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(h.written.contains("Connection: close"))
    }

    @Test func expectContinueSendsInterimResponse() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(readDeadline(h.run()) != nil)
        #expect(h.written == "HTTP/1.1 100 Continue\r\n\r\n")
        h.feed("ok")
        _ = h.run { r in HTTPResponse(status: 200, body: Array(r.body.utf8)) }
        #expect(h.written.hasSuffix("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    }

    @Test func http10GetsCloseAndHeadOmitsTheBody() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("HEAD / HTTP/1.0\r\n\r\n")
        let final = h.run { _ in HTTPResponse(status: 200, headers: [("X-A", "1"), ("Content-Length", "99"), ("Bad", "x\r\ny")], body: Array("hello".utf8)) }
        #expect(closeReason(final) == .requestedClose)
        #expect(h.written == "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
    }

    @Test func http10KeepAliveIsConfirmed() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(readDeadline(h.run()) != nil)
        #expect(h.written.contains("Connection: keep-alive\r\n"))
    }

    @Test func peerEOFClosesAfterAnsweringBufferedRequests() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        h.machine.didRead(0, now: h.now)
        #expect(closeReason(h.run()) == .peerClosed)
        #expect(h.written.hasPrefix("HTTP/1.1 204"))
    }

    @Test func drainClosesIdleAndMarksInFlightResponsesClose() {
        var idle = MachineHarness()
        _ = idle.run()
        idle.machine.beginDrain()
        #expect(closeReason(idle.run()) == .shutdown)

        var busy = MachineHarness()
        _ = busy.run()
        busy.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        guard case .handle = busy.machine.nextAction(now: busy.now) else {
            Issue.record("expected a request")
            return
        }
        busy.machine.beginDrain()
        busy.machine.respond(HTTPResponse(status: 200), now: busy.now)
        #expect(closeReason(busy.run()) == .shutdown)
        #expect(busy.written.contains("Connection: close\r\n"))
    }

    @Test func blockedWriteTimesOut() {
        var h = MachineHarness()
        _ = h.run()
        h.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        let action = h.run(respond: { _ in HTTPResponse(status: 200, body: [UInt8](repeating: 65, count: 1000)) }, writeLimit: 100)
        guard case .waitForWritable(let deadline) = action else {
            Issue.record("expected waitForWritable, got \(action)")
            return
        }
        #expect(deadline == h.now + 2000)
        // Writable again: the rest goes out and the connection idles.
        h.machine.writable()
        _ = h.run(writeLimit: 100)  // blocks again after 100 more bytes
        h.clock.advance(by: 2000)
        do { let fired = h.machine.timeoutFired(now: h.now); #expect(fired) }
        #expect(closeReason(h.run()) == .timeout(.write))
    }

    @Test func clientThatNeverReadsCannotGrowTheOutputUnbounded() {
        var h = MachineHarness()
        _ = h.run()
        let request = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
        h.feed(String(repeating: request, count: 200))
        var handled = 0
        var action = h.machine.nextAction(now: h.now)
        while case .handle = action {
            handled += 1
            h.machine.respond(HTTPResponse(status: 200, body: [UInt8](repeating: 66, count: 1000)), now: h.now)
            action = h.machine.nextAction(now: h.now)
        }
        // The machine stops parsing at the high-water mark and asks for a write.
        guard case .write = action else {
            Issue.record("expected write, got \(action)")
            return
        }
        #expect(handled < 200)
        #expect(handled * 1041 >= HTTPConnectionStateMachine.highWaterMark)  // 41 head + 1000 body bytes each
        h.machine.didWrite(0, now: h.now)
        guard case .waitForWritable = h.machine.nextAction(now: h.now) else {
            Issue.record("expected waitForWritable")
            return
        }
    }
}
