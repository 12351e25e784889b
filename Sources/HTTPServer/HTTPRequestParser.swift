#if canImport(Glibc)
import Glibc
#endif

/// Why a request was rejected: the status to answer with (the connection is then closed,
/// since the byte stream can no longer be trusted) and a short reason for logs and the body.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 400, 413, 431, 501 or 505.
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }
}

/// An HTTP/1.1 request parser as a pure state machine: no sockets, no clock.
///
/// It owns the connection's read buffer. Bytes go in either by `append(_:)` (tests) or by
/// reading straight into `reserveWritableSpace(minimum:)` and calling `didWrite(count:)`
/// (the server, so socket bytes are never copied). `next()` then yields complete requests
/// whose body is a view into that buffer, so a Content-Length body is never copied and a
/// chunked body is de-chunked in place (moved down over the chunk framing).
///
/// Framing rules (RFC 9112): `Content-Length` (a list of identical values is accepted,
/// conflicting values are 400), `Transfer-Encoding: chunked` as the only coding (other
/// codings 501, chunked not last 400), both at once 400 (request smuggling), TE on
/// HTTP/1.0 400. Header lines must end in CRLF; bare CR/LF, obs-fold, whitespace before the
/// colon and control characters are 400. HTTP/1.1 needs exactly one `Host` (400).
///
/// Not thread safe: one parser per connection, used by its loop thread.
public final class HTTPRequestParser {
    /// What `next()` found.
    public enum Event {
        /// No complete request yet; read more bytes.
        case needMoreData
        /// The head of the next request is complete (only when `reportsHeads` is set): the
        /// request's method, target and headers, with an empty body, before any body byte is
        /// waited for, so the owner can refuse it (authentication, memory budget) without
        /// reading the body. Yielded once per request; `next()` then continues with the body.
        case head(HTTPRequest)
        /// The head asked for `Expect: 100-continue` and the body has not arrived yet:
        /// send `HTTP/1.1 100 Continue` then keep reading. Yielded once per request.
        case continueExpected
        /// A complete request, valid until the next mutating call on the parser.
        case request(HTTPRequest)
        /// The stream is broken; answer `status` and close. Repeated on every later call.
        case error(HTTPParseError)
    }

    /// Where the parser is within a request, for the connection's timeouts.
    public enum Phase: Equatable, Sendable {
        /// No byte of a next request is buffered.
        case idle
        /// Part of a request head is buffered.
        case head
        /// The head is complete and the body is arriving.
        case body
    }

    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int
    /// Yield `.head` for every request once its head is parsed (the server sets it).
    public var reportsHeads = false
    /// Grow the buffer for the current Content-Length body straight to its full size at the
    /// next read, instead of doubling with the bytes received: set by the owner once the
    /// body's bytes are reserved in a memory budget, so the buffer never holds more than the
    /// reservation (doubling would copy, holding old and new buffers at once). Reset with
    /// each request.
    public var bodyReserved = false

    /// Initial (and shrink-back) capacity of the read buffer.
    static let initialCapacity = 16 * 1024
    /// A buffer grown past this for a large body is released once the connection is idle.
    static let shrinkThreshold = 1024 * 1024
    /// A chunk-size line (with extensions) longer than this is rejected.
    static let maxChunkLineBytes = 4096

    private enum State {
        case head
        case contentBody
        case chunkSize
        case chunkData
        case chunkDataEnd
        case trailers
        case delivered
        case failed
    }

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// Start of the current request.
    private var readerIndex = 0
    /// End of buffered bytes.
    private var writerIndex = 0
    /// In `.head`: bytes before this were searched for the end of the head.
    private var scanIndex = 0
    private var state: State = .head
    private var failure = HTTPParseError(status: 400, reason: "")

    // The current request, once its head is parsed (absolute indices into `storage`).
    private var bodyStart = 0
    private var bodyEnd = 0
    /// Raw position of the chunked decoder; always >= bodyEnd.
    private var rawIndex = 0
    private var contentLength = 0
    private var chunkRemaining = 0
    private var trailerBytes = 0
    private var requestEnd = 0
    private var expectContinue = false
    private var continueSent = false
    private var head = Head()

    private var fields: UnsafeMutablePointer<HTTPHeaderFieldRange>
    private var fieldCapacity = 32
    private var fieldCount = 0

    private struct Head {
        var methodStart = 0, methodLength = 0
        var targetStart = 0, targetLength = 0
        var version = HTTPVersion.http1_1
        var keepAlive = true
    }

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 32 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        capacity = HTTPRequestParser.initialCapacity
        storage = .allocate(byteCount: capacity, alignment: 16)
        fields = .allocate(capacity: fieldCapacity)
    }

    deinit {
        storage.deallocate()
        fields.deallocate()
    }

    // MARK: - Input

    /// Where the parser is within a request (after the last `next()`).
    public var phase: Phase {
        switch state {
        case .head: return writerIndex > readerIndex ? .head : .idle
        case .delivered: return writerIndex > requestEnd ? .head : .idle
        case .failed: return .idle
        default: return .body
        }
    }

    /// Bytes buffered beyond what was consumed by delivered requests.
    public var bufferedByteCount: Int {
        writerIndex - (state == .delivered ? requestEnd : readerIndex)
    }

    /// Copies `bytes` into the buffer (tests and callers without their own socket reads).
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let space = reserveWritableSpace(minimum: bytes.count)
        space.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        didWrite(count: bytes.count)
    }

    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    public func append(_ text: String) {
        var t = text
        t.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Free space at the end of the buffer, at least `minimum` bytes and, for a
    /// Content-Length body, more (doubling with the bytes received) so large bodies take few reads.
    /// Finishes a delivered request (its views become invalid).
    public func reserveWritableSpace(minimum: Int = 16 * 1024) -> UnsafeMutableRawBufferPointer {
        finishDelivered()
        var wanted = minimum
        if state == .contentBody {
            // Room for the rest of the body, but grown in proportion to what has arrived,
            // so a head that merely announces 32 MiB does not make us allocate 32 MiB
            // (unless the owner reserved the whole body).
            let remaining = bodyStart + contentLength - writerIndex
            wanted = bodyReserved ? max(wanted, remaining) : max(wanted, min(remaining, max(64 * 1024, writerIndex - readerIndex)))
        }
        if capacity - writerIndex < wanted {
            compact()
        }
        if capacity - writerIndex < wanted {
            var newCapacity: Int
            if bodyReserved && state == .contentBody {
                newCapacity = writerIndex + wanted  // exactly the reserved request
            } else {
                newCapacity = max(capacity * 2, HTTPRequestParser.initialCapacity)
                while newCapacity - writerIndex < wanted { newCapacity *= 2 }
            }
            resize(to: newCapacity)
        }
        return UnsafeMutableRawBufferPointer(start: storage + writerIndex, count: capacity - writerIndex)
    }

    /// Records that `count` bytes were written into the space from `reserveWritableSpace`.
    public func didWrite(count: Int) {
        precondition(count >= 0 && writerIndex + count <= capacity, "wrote past the reserved space")
        writerIndex += count
    }

    /// Moves the current request (and everything after it) to the start of the buffer,
    /// and closes the gap a chunked body leaves behind its de-chunked bytes.
    private func compact() {
        switch state {
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            let gap = rawIndex - bodyEnd
            if gap > 0 {
                memmove(storage + bodyEnd, storage + rawIndex, writerIndex - rawIndex)
                writerIndex -= gap
                rawIndex = bodyEnd
            }
        default:
            break
        }
        let shift = readerIndex
        guard shift > 0 else { return }
        if writerIndex > readerIndex {
            memmove(storage, storage + readerIndex, writerIndex - readerIndex)
        }
        readerIndex = 0
        writerIndex -= shift
        scanIndex = max(0, scanIndex - shift)
        bodyStart -= shift
        bodyEnd -= shift
        rawIndex -= shift
        requestEnd -= shift
    }

    private func resize(to newCapacity: Int) {
        let new = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if writerIndex > 0 { new.copyMemory(from: storage, byteCount: writerIndex) }
        storage.deallocate()
        storage = new
        capacity = newCapacity
    }

    /// Bytes of the read buffer (what a connection holds in memory for its request).
    public var bufferCapacity: Int { capacity }

    /// The current request's declared Content-Length once its head is parsed; nil for a
    /// chunked body or between requests.
    public var declaredBodyLength: Int? { state == .contentBody ? contentLength : nil }

    /// Whether the current request's head is parsed and its body is chunked.
    public var isChunkedBody: Bool {
        switch state {
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers: return true
        default: return false
        }
    }

    private func finishDelivered() {
        guard state == .delivered else { return }
        bodyReserved = false
        state = .head
        readerIndex = requestEnd
        scanIndex = readerIndex
        expectContinue = false
        continueSent = false
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
            scanIndex = 0
            if capacity > HTTPRequestParser.shrinkThreshold {
                storage.deallocate()
                capacity = HTTPRequestParser.initialCapacity
                storage = .allocate(byteCount: capacity, alignment: 16)
            }
        }
    }

    // MARK: - Parsing

    /// Advances over the buffered bytes. A `.request` is valid until the next mutating call;
    /// calling `next()` again finishes it and moves on to the next pipelined request.
    public func next() -> Event {
        finishDelivered()
        while true {
            switch state {
            case .failed:
                return .error(failure)
            case .delivered:
                preconditionFailure("finishDelivered leaves .delivered")
            case .head:
                switch parseHead() {
                case .needMore: return .needMoreData
                case .failed: return .error(failure)
                case .parsed:
                    if reportsHeads {
                        return .head(makeRequest(body: UnsafeRawBufferPointer(start: storage + bodyStart, count: 0)))
                    }
                }
            case .contentBody:
                if writerIndex - bodyStart >= contentLength {
                    bodyEnd = bodyStart + contentLength
                    requestEnd = bodyEnd
                    return deliver()
                }
                if expectContinue && !continueSent {
                    continueSent = true
                    return .continueExpected
                }
                return .needMoreData
            case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
                switch parseChunked() {
                case .needMore:
                    if expectContinue && !continueSent {
                        continueSent = true
                        return .continueExpected
                    }
                    return .needMoreData
                case .failed: return .error(failure)
                case .parsed: return deliver()
                }
            }
        }
    }

    private enum Step { case needMore, parsed, failed }

    private func fail(_ status: Int, _ reason: String) -> Step {
        failure = HTTPParseError(status: status, reason: reason)
        state = .failed
        return .failed
    }

    @inline(__always)
    private func byte(_ i: Int) -> UInt8 { storage.load(fromByteOffset: i, as: UInt8.self) }

    private static let CR: UInt8 = 13
    private static let LF: UInt8 = 10
    private static let SP: UInt8 = 32
    private static let HT: UInt8 = 9

    /// Finds the next LF in [from, to).
    @inline(__always)
    private func findLF(from: Int, to: Int) -> Int? {
        guard to > from, let p = memchr(storage + from, Int32(HTTPRequestParser.LF), to - from) else { return nil }
        return UnsafeMutableRawPointer(p) - storage
    }

    private func parseHead() -> Step {
        // RFC 9112 2.2: ignore empty lines before the request line.
        while writerIndex - readerIndex >= 2 && byte(readerIndex) == HTTPRequestParser.CR && byte(readerIndex + 1) == HTTPRequestParser.LF {
            readerIndex += 2
        }
        if readerIndex == writerIndex {
            readerIndex = 0; writerIndex = 0; scanIndex = 0
            return .needMore
        }
        scanIndex = max(scanIndex, readerIndex)
        var headEnd = -1
        var i = scanIndex
        let limit = min(writerIndex, readerIndex + maxHeaderBytes)
        // Every byte is checked as it arrives, so a stream that cannot be a request (bare LF,
        // NUL or another control character, a first byte that cannot start a method) is
        // answered 400 at once instead of waiting for a CRLFCRLF that may never come.
        if i == readerIndex && i < limit && byte(i) != HTTPRequestParser.CR && !HTTPRequestParser.isTokenChar(byte(i)) {
            return fail(400, "invalid first byte 0x\(String(byte(i), radix: 16)) of a request")
        }
        while i < limit {
            let b = byte(i)
            if b == HTTPRequestParser.LF {
                guard i > readerIndex, byte(i - 1) == HTTPRequestParser.CR else { return fail(400, "bare LF in request head") }
                if i - readerIndex >= 3 && byte(i - 2) == HTTPRequestParser.LF && byte(i - 3) == HTTPRequestParser.CR {
                    headEnd = i + 1
                    break
                }
            } else if b == HTTPRequestParser.CR {
                if i + 1 == writerIndex { break }  // its LF has not arrived yet: look again then
                guard byte(i + 1) == HTTPRequestParser.LF else { return fail(400, "bare CR in request head") }
            } else if (b < 0x20 && b != HTTPRequestParser.HT) || b == 0x7F {
                return fail(400, "invalid byte 0x\(String(b, radix: 16)) in request head")
            }
            i += 1
        }
        if headEnd < 0 {
            if writerIndex - readerIndex >= maxHeaderBytes {
                return fail(431, "request header section exceeds \(maxHeaderBytes) bytes")
            }
            scanIndex = i
            return .needMore
        }
        return parseHeadLines(end: headEnd)
    }

    private func addField(nameStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int) {
        if fieldCount == fieldCapacity {
            let bigger = UnsafeMutablePointer<HTTPHeaderFieldRange>.allocate(capacity: fieldCapacity * 2)
            bigger.moveInitialize(from: fields, count: fieldCount)
            fields.deallocate()
            fields = bigger
            fieldCapacity *= 2
        }
        fields[fieldCount] = HTTPHeaderFieldRange(
            nameStart: Int32(nameStart - readerIndex), nameLength: Int32(nameEnd - nameStart),
            valueStart: Int32(valueStart - readerIndex), valueLength: Int32(valueEnd - valueStart))
        fieldCount += 1
    }

    /// Parses the request line and header fields in [readerIndex, end), `end` just past CRLFCRLF.
    private func parseHeadLines(end: Int) -> Step {
        fieldCount = 0
        head = Head()
        var p = readerIndex
        // Method: 1*tchar SP
        let methodStart = p
        while p < end && HTTPRequestParser.isTokenChar(byte(p)) { p += 1 }
        guard p > methodStart, p < end, byte(p) == HTTPRequestParser.SP else { return fail(400, "malformed request line") }
        head.methodStart = methodStart - readerIndex
        head.methodLength = p - methodStart
        p += 1
        // Target: 1*(visible ASCII) SP
        let targetStart = p
        while p < end, case let b = byte(p), b > 0x20 && b < 0x7F { p += 1 }
        guard p > targetStart, p < end, byte(p) == HTTPRequestParser.SP else { return fail(400, "malformed request target") }
        head.targetStart = targetStart - readerIndex
        head.targetLength = p - targetStart
        p += 1
        // Version: HTTP/D.D CRLF
        guard end - p >= 10 else { return fail(400, "malformed HTTP version") }
        let isHTTP = byte(p) == 0x48 && byte(p + 1) == 0x54 && byte(p + 2) == 0x54 && byte(p + 3) == 0x50 && byte(p + 4) == 0x2F
        let major = byte(p + 5), dot = byte(p + 6), minor = byte(p + 7)
        guard isHTTP, HTTPRequestParser.isDigit(major), dot == 0x2E, HTTPRequestParser.isDigit(minor),
              byte(p + 8) == HTTPRequestParser.CR, byte(p + 9) == HTTPRequestParser.LF
        else { return fail(400, "malformed HTTP version") }
        guard major == 0x31, minor == 0x30 || minor == 0x31 else {
            return fail(505, "HTTP version \(major - 0x30).\(minor - 0x30) is not supported")
        }
        head.version = minor == 0x31 ? .http1_1 : .http1_0
        p += 10

        var contentLengthValue = -1
        var sawTransferEncoding = false
        var chunkedLast = false
        var codingCount = 0
        var chunkedMisplaced = false
        var connectionClose = false
        var connectionKeepAlive = false
        var hostCount = 0
        var wantsContinue = false

        // Header fields until the empty line that ends at `end`.
        while p < end - 2 {
            let nameStart = p
            while p < end && HTTPRequestParser.isTokenChar(byte(p)) { p += 1 }
            if p == nameStart {
                let b = byte(p)
                if b == HTTPRequestParser.SP || b == HTTPRequestParser.HT { return fail(400, "obsolete header line folding") }
                return fail(400, "malformed header field name")
            }
            guard byte(p) == 0x3A else { return fail(400, "malformed header field (whitespace or invalid character before colon)") }
            let nameEnd = p
            p += 1
            while byte(p) == HTTPRequestParser.SP || byte(p) == HTTPRequestParser.HT { p += 1 }
            let valueStart = p
            var valueEnd = p
            while true {
                let b = byte(p)
                if b == HTTPRequestParser.CR {
                    guard byte(p + 1) == HTTPRequestParser.LF else { return fail(400, "bare CR in header field") }
                    break
                }
                if b == HTTPRequestParser.SP || b == HTTPRequestParser.HT {
                    p += 1
                    continue
                }
                if b < 0x20 || b == 0x7F { return fail(400, "control character in header field value") }
                p += 1
                valueEnd = p
            }
            addField(nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
            p += 2  // CRLF

            let nameLength = nameEnd - nameStart
            switch nameLength {
            case 4 where nameIs(nameStart, "host"):
                hostCount += 1
            case 6 where nameIs(nameStart, "expect"):
                if valueEquals(valueStart, valueEnd, "100-continue") { wantsContinue = true }
            case 10 where nameIs(nameStart, "connection"):
                forEachListElement(valueStart, valueEnd) { s, e in
                    if valueEquals(s, e, "close") { connectionClose = true }
                    else if valueEquals(s, e, "keep-alive") { connectionKeepAlive = true }
                }
            case 14 where nameIs(nameStart, "content-length"):
                var bad = false
                forEachListElement(valueStart, valueEnd) { s, e in
                    guard let n = parseDecimal(s, e) else { bad = true; return }
                    if contentLengthValue >= 0 && contentLengthValue != n { bad = true }
                    contentLengthValue = n
                }
                if bad || valueStart == valueEnd { return fail(400, "invalid or conflicting Content-Length") }
            case 17 where nameIs(nameStart, "transfer-encoding"):
                sawTransferEncoding = true
                forEachListElement(valueStart, valueEnd) { s, e in
                    if chunkedLast { chunkedMisplaced = true }  // something follows chunked
                    codingCount += 1
                    chunkedLast = valueEquals(s, e, "chunked")
                }
            default:
                break
            }
        }

        if head.version == .http1_1 && hostCount != 1 {
            return fail(400, hostCount == 0 ? "missing Host header" : "multiple Host headers")
        }
        head.keepAlive = head.version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        expectContinue = wantsContinue && head.version == .http1_1
        continueSent = false
        bodyStart = end

        if sawTransferEncoding {
            if contentLengthValue >= 0 { return fail(400, "both Content-Length and Transfer-Encoding (request smuggling guard)") }
            if head.version == .http1_0 { return fail(400, "Transfer-Encoding in an HTTP/1.0 request") }
            if codingCount == 0 || chunkedMisplaced { return fail(400, "chunked is not the final transfer coding") }
            if !chunkedLast { return fail(501, "unsupported transfer coding") }
            if codingCount > 1 { return fail(501, "unsupported transfer coding before chunked") }
            bodyEnd = end
            rawIndex = end
            trailerBytes = 0
            state = .chunkSize
            return .parsed
        }
        let length = max(contentLengthValue, 0)
        if length > maxBodyBytes { return fail(413, "body of \(length) bytes exceeds \(maxBodyBytes)") }
        contentLength = length
        state = .contentBody
        return .parsed
    }

    /// The chunked decoder, resumable at any byte.
    private func parseChunked() -> Step {
        while true {
            switch state {
            case .chunkSize:
                guard let lf = findLF(from: rawIndex, to: writerIndex) else {
                    if writerIndex - rawIndex > HTTPRequestParser.maxChunkLineBytes { return fail(400, "chunk size line too long") }
                    return .needMore
                }
                if lf - rawIndex > HTTPRequestParser.maxChunkLineBytes { return fail(400, "chunk size line too long") }
                guard lf > rawIndex, byte(lf - 1) == HTTPRequestParser.CR else { return fail(400, "chunk size line not ended by CRLF") }
                var p = rawIndex
                var size = 0
                while p < lf - 1, let d = HTTPRequestParser.hexValue(byte(p)) {
                    if p - rawIndex >= 15 { return fail(400, "chunk size too large") }
                    size = size << 4 | Int(d)
                    p += 1
                }
                if p == rawIndex { return fail(400, "missing chunk size") }
                // chunk-ext: BWS ";" ... ; anything but control characters after the semicolon.
                while p < lf - 1 && (byte(p) == HTTPRequestParser.SP || byte(p) == HTTPRequestParser.HT) { p += 1 }
                if p < lf - 1 {
                    guard byte(p) == 0x3B else { return fail(400, "invalid chunk size") }
                    while p < lf - 1 {
                        let b = byte(p)
                        if (b < 0x20 && b != HTTPRequestParser.HT) || b == 0x7F { return fail(400, "invalid chunk extension") }
                        p += 1
                    }
                }
                if size > maxBodyBytes - (bodyEnd - bodyStart) {
                    return fail(413, "chunked body exceeds \(maxBodyBytes) bytes")
                }
                rawIndex = lf + 1
                if size == 0 {
                    state = .trailers
                } else {
                    chunkRemaining = size
                    state = .chunkData
                }
            case .chunkData:
                let n = min(writerIndex - rawIndex, chunkRemaining)
                if n == 0 { return .needMore }
                if bodyEnd != rawIndex { memmove(storage + bodyEnd, storage + rawIndex, n) }
                bodyEnd += n
                rawIndex += n
                chunkRemaining -= n
                if chunkRemaining > 0 { return .needMore }
                state = .chunkDataEnd
            case .chunkDataEnd:
                if writerIndex - rawIndex < 2 { return .needMore }
                guard byte(rawIndex) == HTTPRequestParser.CR, byte(rawIndex + 1) == HTTPRequestParser.LF else {
                    return fail(400, "chunk data not followed by CRLF")
                }
                rawIndex += 2
                state = .chunkSize
            case .trailers:
                let searchEnd = min(writerIndex, rawIndex + maxHeaderBytes - trailerBytes + 1)
                guard let lf = findLF(from: rawIndex, to: searchEnd) else {
                    if trailerBytes + (writerIndex - rawIndex) >= maxHeaderBytes { return fail(431, "trailer section too large") }
                    return .needMore
                }
                guard lf > rawIndex, byte(lf - 1) == HTTPRequestParser.CR else { return fail(400, "trailer line not ended by CRLF") }
                if lf - 1 == rawIndex {
                    requestEnd = lf + 1
                    return .parsed
                }
                // Validate the trailer field; trailers are not exposed to the handler.
                var p = rawIndex
                while p < lf - 1 && HTTPRequestParser.isTokenChar(byte(p)) { p += 1 }
                guard p > rawIndex, byte(p) == 0x3A else { return fail(400, "malformed trailer field") }
                while p < lf - 1 {
                    let b = byte(p)
                    if (b < 0x20 && b != HTTPRequestParser.HT) || b == 0x7F { return fail(400, "control character in trailer field") }
                    p += 1
                }
                trailerBytes += lf + 1 - rawIndex
                if trailerBytes > maxHeaderBytes { return fail(431, "trailer section too large") }
                rawIndex = lf + 1
            default:
                preconditionFailure("parseChunked outside a chunked body")
            }
        }
    }

    private func deliver() -> Event {
        state = .delivered
        return .request(makeRequest(body: UnsafeRawBufferPointer(start: storage + bodyStart, count: bodyEnd - bodyStart)))
    }

    private func makeRequest(body: UnsafeRawBufferPointer) -> HTTPRequest {
        let base = UnsafeRawPointer(storage + readerIndex)
        let target = UnsafeRawBufferPointer(start: base + head.targetStart, count: head.targetLength)
        var path = target
        var query = UnsafeRawBufferPointer(start: base, count: 0)
        if let q = memchr(target.baseAddress!, 0x3F, target.count) {
            let at = UnsafeRawPointer(q) - target.baseAddress!
            path = UnsafeRawBufferPointer(rebasing: target[0..<at])
            query = UnsafeRawBufferPointer(rebasing: target[(at + 1)...])
        }
        let request = HTTPRequest(
            method: HTTPMethod(bytes: UnsafeRawBufferPointer(start: base + head.methodStart, count: head.methodLength)),
            path: String(decoding: path, as: UTF8.self),
            query: String(decoding: query, as: UTF8.self),
            version: head.version,
            headers: HTTPHeaders(base: base, fields: UnsafeBufferPointer(start: fields, count: fieldCount)),
            body: body,
            keepAlive: head.keepAlive)
        return request
    }

    // MARK: - Byte helpers

    private func nameIs(_ start: Int, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { lit in
            for i in 0..<lit.count where HTTPHeaders.lower(byte(start + i)) != lit[i] { return false }
            return true
        }
    }

    private func valueEquals(_ start: Int, _ end: Int, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { lit in
            guard end - start == lit.count else { return false }
            for i in 0..<lit.count where HTTPHeaders.lower(byte(start + i)) != lit[i] { return false }
            return true
        }
    }

    /// Calls `body` with each comma-separated element, trimmed of spaces; empty elements skipped.
    private func forEachListElement(_ start: Int, _ end: Int, _ body: (Int, Int) -> Void) {
        var s = start
        while s < end {
            var e = s
            while e < end && byte(e) != 0x2C { e += 1 }
            var a = s, b = e
            while a < b && (byte(a) == HTTPRequestParser.SP || byte(a) == HTTPRequestParser.HT) { a += 1 }
            while b > a && (byte(b - 1) == HTTPRequestParser.SP || byte(b - 1) == HTTPRequestParser.HT) { b -= 1 }
            if b > a { body(a, b) }
            s = e + 1
        }
    }

    private func parseDecimal(_ start: Int, _ end: Int) -> Int? {
        guard end > start, end - start <= 18 else { return nil }
        var n = 0
        for i in start..<end {
            let b = byte(i)
            guard HTTPRequestParser.isDigit(b) else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// RFC 9110 tchar: "!#$%&'*+-.^_`|~" DIGIT ALPHA.
    static let tokenTable: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] = true }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { t[Int(c)] = true }
        return t
    }()

    @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool { tokenTable[Int(b)] }
}
