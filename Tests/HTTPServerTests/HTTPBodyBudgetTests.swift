import AIOpsCore
import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer

/// Refuses POSTs without `Authorization` on their head; counts the requests it handled.
final class GateHandler: HTTPHandler {
    let handled = Atomic<Int>(0)

    func inspectHead(_ request: HTTPRequest, context: HTTPRequestContext) -> HTTPResponse? {
        guard request.method == .post, request.headers["Authorization"] == nil else { return nil }
        return HTTPResponse(status: 401, text: "no token\n")
    }

    func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse {
        handled.add(1, ordering: .relaxed)
        return HTTPResponse(status: 200, text: "\(request.body.count)\n")
    }
}

/// Reads until the server closes; true when it did (EOF) within the socket timeout.
func closedByServer(_ client: HTTPClientConnection) -> Bool {
    do {
        _ = try client.readResponse()
        return false
    } catch {
        return error.kind == .closed
    }
}

@Suite struct HTTPBodyBudgetTests {
    /// The head of an unauthenticated 31 MiB upload is answered 401 at once and the
    /// connection closed: the body is never waited for, read or buffered.
    @Test func headRefusalAnswersBeforeTheBody() throws {
        let handler = GateHandler()
        try withServer(handler: handler) { server, port in
            let client = try HTTPClientConnection(host: "127.0.0.1", port: port)
            try client.sendRaw("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Length: \(31 << 20)\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 401)
            #expect(response.header("Connection") == "close")
            #expect(closedByServer(client))
            #expect(handler.handled.load(ordering: .relaxed) == 0)
            #expect(eventually { server.stats.refusedOnHead[401] == 1 })
            #expect(server.stats.bodyBytesHeld == 0)
            // With a token the same head is let through to its body.
            let ok = try HTTPClientConnection(host: "127.0.0.1", port: port)
            let good = try ok.request(path: "/api/v1/write", headers: [("Authorization", "Bearer t")], body: Array(repeating: 1, count: 1000))
            #expect(good.status == 200)
            #expect(good.bodyText == "1000\n")
        }
    }

    /// Bodies in flight share the budget: one that does not fit gets 503 with Retry-After on
    /// its head; once the first is answered its bytes are free again.
    @Test func bodiesOverTheBudgetGet503() throws {
        let handler = GateHandler()
        try withServer({ $0.maxBufferedBodyBytes = 1 << 20; $0.threads = 2 }, handler: handler) { server, port in
            let body = [UInt8](repeating: 7, count: 800 * 1024)
            let first = try HTTPClientConnection(host: "127.0.0.1", port: port)
            try first.sendRaw("POST /a HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nContent-Length: \(body.count)\r\n\r\n")
            try first.sendRaw(Array(body[..<1000]))
            #expect(eventually { server.stats.bodyBytesHeld == body.count })
            let second = try HTTPClientConnection(host: "127.0.0.1", port: port)
            try second.sendRaw("POST /b HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nContent-Length: \(body.count)\r\n\r\n")
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(closedByServer(second))
            #expect(eventually { server.stats.refusedOverBodyBudget == 1 })
            // The first finishes; its reservation is returned.
            try first.sendRaw(Array(body[1000...]))
            let done = try first.readResponse()
            #expect(done.status == 200)
            #expect(done.bodyText == "\(body.count)\n")
            #expect(eventually { server.stats.bodyBytesHeld == 0 })
            let third = try HTTPClientConnection(host: "127.0.0.1", port: port)
            #expect(try third.request(path: "/c", headers: [("Authorization", "t")], body: body).status == 200)
            // A connection cut mid-body returns its share too.
            let cut = try HTTPClientConnection(host: "127.0.0.1", port: port)
            try cut.sendRaw("POST /d HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nContent-Length: \(body.count)\r\n\r\n")
            #expect(eventually { server.stats.bodyBytesHeld == body.count })
            cut.close()
            #expect(eventually { server.stats.bodyBytesHeld == 0 })
        }
    }

    /// A chunked body reserves as its buffer grows and is refused once it no longer fits.
    @Test func chunkedBodyIsRefusedWhenItOutgrowsTheBudget() {
        let budget = HTTPBodyBudget(limit: 256 * 1024)
        var harness = MachineHarness(maxBodyBytes: 8 << 20, budget: budget)
        harness.feed("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        _ = harness.run()
        let chunk = String(repeating: "a", count: 64 * 1024)
        var refused = false
        for _ in 0..<16 where !refused {
            harness.feed(String(64 * 1024, radix: 16) + "\r\n" + chunk + "\r\n")
            if closeReason(harness.run()) == .overBodyBudget { refused = true }
        }
        #expect(refused)
        #expect(harness.written.hasPrefix("HTTP/1.1 503"))
        #expect(budget.held == 0, "a refused request returns its reservation")
    }

    @Test func budgetReservesOnlyWhatFits() {
        let budget = HTTPBodyBudget(limit: 100)
        #expect(budget.tryReserve(60))
        #expect(!budget.tryReserve(41))
        #expect(budget.tryReserve(40))
        budget.release(100)
        #expect(budget.held == 0)
        #expect(HTTPBodyBudget.defaultLimit() >= 64 << 20)
    }
}
