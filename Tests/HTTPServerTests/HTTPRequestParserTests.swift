import Testing
@testable import HTTPServer

/// What a parsed request looked like, copied out of the parser's buffer.
struct ParsedRequest: Equatable {
    var method: HTTPMethod
    var path: String
    var query: String
    var version: HTTPVersion
    var headers: [String]
    var body: String
    var keepAlive: Bool

    init(_ r: HTTPRequest) {
        method = r.method
        path = r.path
        query = r.query
        version = r.version
        headers = r.headers.map { "\($0.name): \($0.value)" }
        body = String(decoding: r.body, as: UTF8.self)
        keepAlive = r.keepAlive
    }
}

enum Outcome: Equatable {
    case request(ParsedRequest)
    case needMore
    case continueExpected
    case head
    case error(Int)
}

func step(_ parser: HTTPRequestParser) -> Outcome {
    switch parser.next() {
    case .request(let r): return .request(ParsedRequest(r))
    case .needMoreData: return .needMore
    case .continueExpected: return .continueExpected
    case .head: return .head
    case .error(let e): return .error(e.status)
    }
}

/// Feeds `text` whole and returns every outcome until the parser needs more or fails.
func parseAll(_ text: String, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20) -> [Outcome] {
    let parser = HTTPRequestParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    parser.append(text)
    var out: [Outcome] = []
    while true {
        let o = step(parser)
        out.append(o)
        if case .request = o { continue }
        if o == .continueExpected { continue }
        return out
    }
}

func status(_ text: String, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20) -> Int? {
    for o in parseAll(text, maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes) {
        if case .error(let s) = o { return s }
    }
    return nil
}

@Suite struct HTTPRequestParserTests {
    static let contentLengthRequest =
        "POST /api/v1/write?tenant=a&x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\nX-Prometheus-Remote-Write-Version: 0.1.0\r\n\r\nhello world"
    static let chunkedRequest =
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5;a;b=\"c d\"\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n"

    /// Feeds `text` in two pieces, split at every byte: before the second piece the parser
    /// wants more, after it `check` sees the one request and the parser is ready for the next.
    func parseAtEverySplitPoint(_ text: String, _ check: (ParsedRequest, Int) -> Void) {
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            let parser = HTTPRequestParser()
            parser.append(Array(bytes[..<split]))
            if split < bytes.count {
                #expect(step(parser) == .needMore, "split \(split)")
            }
            parser.append(Array(bytes[split...]))
            guard case .request(let r) = step(parser) else {
                Issue.record("no request at split \(split)")
                continue
            }
            check(r, split)
            #expect(step(parser) == .needMore)
            #expect(parser.phase == .idle)
        }
    }

    @Test func contentLengthRequestAtEverySplitPoint() {
        parseAtEverySplitPoint(Self.contentLengthRequest) { r, _ in
            #expect(r.method == .post)
            #expect(r.path == "/api/v1/write")
            #expect(r.query == "tenant=a&x=1")
            #expect(r.version == .http1_1)
            #expect(r.body == "hello world")
            #expect(r.keepAlive)
            #expect(r.headers == ["Host: localhost", "Content-Length: 11", "X-Prometheus-Remote-Write-Version: 0.1.0"])
        }
    }

    @Test func chunkedRequestAtEverySplitPoint() {
        parseAtEverySplitPoint(Self.chunkedRequest) { r, split in
            #expect(r.body == "Wikipedia", "split \(split)")
            #expect(r.path == "/up")
            #expect(r.query == "")
        }
    }

    @Test func byteAtATimeThroughLargeBodies() {
        // 40 KB bodies cross buffer growth and compaction; chunked is de-chunked in place.
        let payload = String((0..<40_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        var chunked = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        var rest = Substring(payload)
        while !rest.isEmpty {
            let piece = rest.prefix(777)
            chunked += String(piece.count, radix: 16) + "\r\n" + piece + "\r\n"
            rest = rest.dropFirst(piece.count)
        }
        chunked += "0\r\n\r\n"
        let plain = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: \(payload.utf8.count)\r\n\r\n" + payload
        for text in [chunked, plain] {
            let parser = HTTPRequestParser()
            var got: String?
            let bytes = Array(text.utf8)
            var i = 0
            while i < bytes.count {
                let n = min(13, bytes.count - i)
                parser.append(Array(bytes[i..<(i + n)]))
                i += n
                if case .request(let r) = step(parser) { got = r.body }
            }
            #expect(got == payload)
        }
    }

    @Test func pipelinedRequestsInOneBuffer() {
        let text = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
            + Self.chunkedRequest
            + "GET /d HTTP/1.1\r\nHo"
        let outcomes = parseAll(text)
        #expect(outcomes.count == 4)
        let paths = outcomes.compactMap { o -> String? in
            if case .request(let r) = o { return r.path + ":" + r.body }
            return nil
        }
        #expect(paths == ["/a:", "/b:abc", "/up:Wikipedia"])
        #expect(outcomes.last == .needMore)
    }

    @Test func leadingEmptyLinesAreIgnored() {
        guard case .request(let r) = parseAll("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").first else {
            Issue.record("expected a request")
            return
        }
        #expect(r.method == .get)
    }

    @Test func oversizedHeadersAre431() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(status(big, maxHeaderBytes: 1024) == 431)
        // Also without the terminating empty line: the partial head alone exceeds the cap.
        #expect(status(String(big.prefix(1500)), maxHeaderBytes: 1024) == 431)
        #expect(status(big, maxHeaderBytes: 4096) == nil)
        let trailers = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + String(repeating: "b", count: 2000) + "\r\n\r\n"
        #expect(status(trailers, maxHeaderBytes: 1024) == 431)
    }

    @Test func oversizedBodiesAre413() {
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", maxBodyBytes: 100) == 413)
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 100), maxBodyBytes: 100) == nil)
        let chunks = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + String(repeating: "x", count: 50) + "\r\n33\r\n"
        #expect(status(chunks, maxBodyBytes: 100) == 413)
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n") == 400)
    }

    @Test(arguments: [
        ("GET\r\n\r\n", 400),
        ("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400),
        ("G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / FOO/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: h\r\n\r\n", 400),
        ("GET /\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nBad Header: x\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nBad : x\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nX: a\rb\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nX: a\u{01}b\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nX: a\r\n folded\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n: empty\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ])
    func malformedHeadsAreRejected(_ text: String, _ expected: Int) {
        #expect(status(text) == expected)
    }

    @Test(arguments: [
        // Request smuggling guard: both framings.
        ("Content-Length: 3\r\nTransfer-Encoding: chunked", 400),
        ("Transfer-Encoding: chunked\r\nContent-Length: 3", 400),
        ("Content-Length: 3\r\nContent-Length: 4", 400),
        ("Content-Length: 3, 4", 400),
        ("Content-Length: -3", 400),
        ("Content-Length: 3x", 400),
        ("Content-Length: ", 400),
        ("Content-Length: 99999999999999999999999", 400),
        ("Transfer-Encoding: gzip", 501),
        ("Transfer-Encoding: gzip, chunked", 501),
        ("Transfer-Encoding: chunked, gzip", 400),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400),
    ])
    func framingConflictsAreRejected(_ fields: String, _ expected: Int) {
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n\r\nabc") == expected)
    }

    @Test func identicalDuplicateContentLengthsAreAccepted() {
        let outcomes = parseAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc")
        guard case .request(let r) = outcomes.first else {
            Issue.record("expected a request, got \(outcomes)")
            return
        }
        #expect(r.body == "abc")
    }

    @Test func chunkedFramingErrors() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(status(head + "3\r\nabcX\r\n") == 400)      // data not followed by CRLF
        #expect(status(head + "zz\r\n") == 400)             // not hex
        #expect(status(head + "\r\n") == 400)               // missing size
        #expect(status(head + "3\nabc\r\n") == 400)         // bare LF
        #expect(status(head + "3;\u{01}\r\nabc\r\n") == 400) // control char in extension
        #expect(status(head + "0\r\nBad Trailer: x\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 400)
    }

    @Test func keepAliveRules() {
        func keepAlive(_ text: String) -> Bool? {
            if case .request(let r) = parseAll(text).first { return r.keepAlive }
            return nil
        }
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: h\r\n\r\n") == true)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") == true)
    }

    @Test func expectContinueIsYieldedBeforeTheBody() {
        let parser = HTTPRequestParser()
        parser.append("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n")
        #expect(step(parser) == .continueExpected)
        #expect(step(parser) == .needMore)
        parser.append("abc")
        guard case .request(let r) = step(parser) else {
            Issue.record("expected a request")
            return
        }
        #expect(r.body == "abc")
        // Body already there: no 100 Continue needed.
        let outcomes = parseAll("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        #expect(outcomes.first != .continueExpected)
        // Too large with Expect: rejected before the body is sent.
        #expect(status("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 999\r\n\r\n", maxBodyBytes: 10) == 413)
    }

    @Test func headerLookupIsCaseInsensitive() {
        let parser = HTTPRequestParser()
        parser.append("POST /w HTTP/1.1\r\nhost: h\r\nCONTENT-ENCODING: snappy\r\nContent-Type: application/x-protobuf;proto=io.prometheus.write.v2.Request\r\nX-N: 42\r\nX-Dup: a\r\nx-dup:  b  \r\nContent-Length: 0\r\n\r\n")
        guard case .request(let r) = parser.next() else {
            Issue.record("expected a request")
            return
        }
        #expect(r.headers["content-encoding"] == "snappy")
        #expect(r.headers["Host"] == "h")
        #expect(r.headers.firstValue("Content-Encoding", equalsCaseInsensitive: "SNAPPY"))
        #expect(!r.headers.firstValue("Content-Encoding", equalsCaseInsensitive: "snap"))
        #expect(r.headers.firstValue("content-type", equalsCaseInsensitive: "application/x-protobuf", prefixOnly: true))
        #expect(r.headers.integer("x-n") == 42)
        #expect(r.headers.values("X-DUP") == ["a", "b"])
        #expect(r.headers["missing"] == nil)
        #expect(!r.headers.contains("X-Du"))
        #expect(r.headers.count == 7)
    }

    @Test func otherMethodsKeepTheirName() {
        guard case .request(let r) = parseAll("PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n").first else {
            Issue.record("expected a request")
            return
        }
        #expect(r.method == .other("PROPFIND"))
    }

    @Test func errorsAreSticky() {
        let parser = HTTPRequestParser()
        parser.append("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(step(parser) == .error(400))
        #expect(step(parser) == .error(400))
    }
}
