import AIOpsCore
import Testing
@testable import HTTPServer

/// Issue 13, defect 5: bytes that cannot be part of a request head are answered 400 as soon
/// as they arrive, not after the header timeout (the head is incomplete in every case here,
/// so a parser that waits for CRLFCRLF would still say `.needMore`).
@Suite struct HeadStrictnessTests {
    @Test(arguments: [
        "GET / HTTP/1.1\nHost: x\n",                 // bare LF line endings
        "GET / HTTP/1.1\r\nHost: x\n",               // one bare LF
        "GET / HTTP/1.1\r\nHost: x\0y\r\n",          // NUL in a field value
        "GET /\0 HTTP/1.1\r\n",                      // NUL in the request line
        "\u{16}\u{03}\u{01}\u{02}\0",                // a TLS ClientHello on the plain port
        "\0GET / HTTP/1.1\r\n",                      // junk first byte
        "{\"json\": 1}",                            // a first byte no method starts with
        "GET / HTTP/1.1\r\nHost: x\rY",              // bare CR
        "GET / HTTP/1.1\r\nX: \u{7F}\r\n",           // DEL
        "\n",                                        // a lone LF
    ])
    func invalidHeadBytesFailAtOnce(_ text: String) {
        #expect(status(text) == 400, "\(text.debugDescription)")
    }

    @Test func validPrefixesStillWait() {
        #expect(parseAll("GET / HTTP/1.1\r") == [.needMore], "the CR's LF has not arrived yet")
        #expect(parseAll("GET / HTTP/1.1\r\nHost: x\r\n") == [.needMore])
        #expect(parseAll("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").count == 2, "leading empty lines are ignored")
        #expect(parseAll("\r").last == .needMore)
        #expect(parseAll("GET / HTTP/1.1\r\nHost: x\r\nX: caf\u{E9}\r\n\r\n").first != .error(400), "obs-text is allowed in values")
    }

    /// Over a socket: the 400 comes at once, while the header timeout is 30 s.
    @Test func bareLFIsAnsweredWithoutWaitingForTheTimeout() throws {
        try withServer({ $0.headerTimeout = .seconds(30) }) { _, port in
            let client = try HTTPClientConnection(host: "127.0.0.1", port: port, timeout: .seconds(3))
            try client.sendRaw("GET / HTTP/1.1\nHost: x\n\n")
            #expect(try client.readResponse().status == 400)
            let junk = try HTTPClientConnection(host: "127.0.0.1", port: port, timeout: .seconds(3))
            try junk.sendRaw([0x16, 0x03, 0x01, 0x00])
            #expect(try junk.readResponse().status == 400)
        }
    }
}
