#if canImport(Glibc)
import Glibc
import AIOpsCore

/// Why a client call failed.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case resolve, connect, send, receive, timeout
        /// The server closed the connection before a complete response.
        case closed
        case malformedResponse
    }
    public var kind: Kind
    public var errno: Int32
    public var message: String

    public init(_ kind: Kind, errno: Int32 = 0, _ message: String) {
        self.kind = kind
        self.errno = errno
        self.message = message
    }

    public var description: String {
        errno == 0 ? "\(kind): \(message)" : "\(kind): \(message) (errno \(errno): \(String(cString: strerror(errno))))"
    }
}

/// A complete response read by `HTTPClientConnection`.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// False when the server said `Connection: close` (or framed the body by closing).
    public var keepAlive: Bool

    /// The first value of `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let want = name.lowercased()
        return headers.first { $0.0.lowercased() == want }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection, for tests, the
/// load generator and the benchmark.
///
/// Send and read are separate so requests can be pipelined or sent pre-encoded
/// (`sendRaw`); buffers are reused, and `readStatus()` parses a response and discards its
/// body without allocating. Not thread safe: one connection per thread.
public final class HTTPClientConnection {
    public let host: String
    public let port: Int
    private var fd: Int32
    private var head: [UInt8] = []
    private var buffer: UnsafeMutableRawPointer
    private var capacity = 64 * 1024
    private var readIndex = 0
    private var writeIndex = 0
    private let hostHeader: String

    /// Connects (blocking) with `timeout` on connect, each send and each receive.
    public init(host: String, port: Int, timeout: PromDuration = .seconds(10)) throws(HTTPClientError) {
        self.host = host
        self.port = port
        hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let address: HTTPSocketAddress
        do {
            address = try HTTPSocketAddress.resolve(host: host, port: port, passive: false)
        } catch {
            throw HTTPClientError(.resolve, "\(error)")
        }
        let fd = socket(Int32(address.storage.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw HTTPClientError(.connect, errno: Glibc.errno, "socket") }
        var tv = timeval(tv_sec: Int(timeout.milliseconds / 1000), tv_usec: Int(timeout.milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.withSockAddr { connect(fd, $0, $1) }
        if rc != 0 {
            let e = Glibc.errno
            Glibc.close(fd)
            throw HTTPClientError(e == EINPROGRESS || e == EAGAIN ? .timeout : .connect, errno: e, "connect to \(host):\(port)")
        }
        self.fd = fd
        buffer = .allocate(byteCount: capacity, alignment: 16)
        head.reserveCapacity(512)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        buffer.deallocate()
    }

    public var isOpen: Bool { fd >= 0 }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    // MARK: - Sending

    /// Sends one request; `Host` and `Content-Length` are added (unless given, or unless a
    /// `Transfer-Encoding` header is given, in which case `body` is sent as is).
    public func send(method: String = "POST", path: String, headers: [(String, String)] = [],
                     body: UnsafeRawBufferPointer) throws(HTTPClientError) {
        head.removeAll(keepingCapacity: true)
        head.append(contentsOf: method.utf8)
        head.append(0x20)
        head.append(contentsOf: path.utf8)
        head.append(contentsOf: " HTTP/1.1\r\n".utf8)
        var hasHost = false, hasLength = false
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "host" { hasHost = true }
            if lower == "content-length" || lower == "transfer-encoding" { hasLength = true }
            head.append(contentsOf: name.utf8)
            head.append(contentsOf: ": ".utf8)
            head.append(contentsOf: value.utf8)
            head.append(contentsOf: "\r\n".utf8)
        }
        if !hasHost {
            head.append(contentsOf: "Host: ".utf8)
            head.append(contentsOf: hostHeader.utf8)
            head.append(contentsOf: "\r\n".utf8)
        }
        if !hasLength && (!body.isEmpty || method == "POST" || method == "PUT") {
            head.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        head.append(contentsOf: "\r\n".utf8)
        try HTTPClientConnection.withBytes(head) { h throws(HTTPClientError) in try writeAll(h, body) }
    }

    public func send(method: String = "POST", path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws(HTTPClientError) {
        try HTTPClientConnection.withBytes(body) { b throws(HTTPClientError) in
            try send(method: method, path: path, headers: headers, body: b)
        }
    }

    /// Sends bytes as they are: pre-encoded requests, pipelined batches, malformed input.
    public func sendRaw(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) {
        try writeAll(bytes, UnsafeRawBufferPointer(start: nil, count: 0))
    }

    public func sendRaw(_ bytes: [UInt8]) throws(HTTPClientError) {
        try HTTPClientConnection.withBytes(bytes) { b throws(HTTPClientError) in try sendRaw(b) }
    }

    public func sendRaw(_ text: String) throws(HTTPClientError) {
        try sendRaw(Array(text.utf8))
    }

    /// `Array.withUnsafeBytes` rethrows untyped; this keeps the error type.
    private static func withBytes(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(HTTPClientError) -> Void) throws(HTTPClientError) {
        var failure: HTTPClientError?
        bytes.withUnsafeBytes { b in
            do throws(HTTPClientError) { try body(b) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func writeAll(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) throws(HTTPClientError) {
        guard fd >= 0 else { throw HTTPClientError(.closed, "connection is closed") }
        var first = a, second = b
        while first.count + second.count > 0 {
            var iov = [iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)]
            let n: Int
            if first.isEmpty {
                n = Glibc.send(fd, second.baseAddress, second.count, Int32(MSG_NOSIGNAL))
            } else if second.isEmpty {
                n = Glibc.send(fd, first.baseAddress, first.count, Int32(MSG_NOSIGNAL))
            } else {
                n = iov.withUnsafeMutableBufferPointer { v in
                    var msg = msghdr()
                    msg.msg_iov = v.baseAddress
                    msg.msg_iovlen = 2
                    return sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
                }
            }
            if n < 0 {
                let e = Glibc.errno
                if e == EINTR { continue }
                throw HTTPClientError(e == EAGAIN ? .timeout : .send, errno: e, "send")
            }
            let fromFirst = min(n, first.count)
            first = UnsafeRawBufferPointer(rebasing: first[fromFirst...])
            second = UnsafeRawBufferPointer(rebasing: second[(n - fromFirst)...])
        }
    }

    // MARK: - Receiving

    /// Reads one complete response (skipping `100 Continue`).
    /// - Parameter toHead: the request was HEAD, so the response has no body.
    public func readResponse(toHead: Bool = false) throws(HTTPClientError) -> HTTPClientResponse {
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        let (status, keepAlive) = try read(toHead: toHead, headers: &headers, body: &body, collect: true)
        return HTTPClientResponse(status: status, headers: headers, body: body, keepAlive: keepAlive)
    }

    /// Reads one response and returns its status, discarding headers and body (no allocation).
    public func readStatus(toHead: Bool = false) throws(HTTPClientError) -> Int {
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        return try read(toHead: toHead, headers: &headers, body: &body, collect: false).status
    }

    /// Sends a request and reads its response.
    public func request(method: String = "POST", path: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) throws(HTTPClientError) -> HTTPClientResponse {
        try send(method: method, path: path, headers: headers, body: body)
        return try readResponse(toHead: method == "HEAD")
    }

    /// Reads more bytes; returns false at EOF.
    private func fill() throws(HTTPClientError) -> Bool {
        guard fd >= 0 else { throw HTTPClientError(.closed, "connection is closed") }
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        } else if capacity - writeIndex < 4096 {
            if readIndex > 0 {
                memmove(buffer, buffer + readIndex, writeIndex - readIndex)
                writeIndex -= readIndex
                readIndex = 0
            }
            if capacity - writeIndex < 4096 {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: writeIndex)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
        }
        while true {
            let n = recv(fd, buffer + writeIndex, capacity - writeIndex, 0)
            if n > 0 {
                writeIndex += n
                return true
            }
            if n == 0 { return false }
            let e = Glibc.errno
            if e == EINTR { continue }
            throw HTTPClientError(e == EAGAIN ? .timeout : .receive, errno: e, "recv")
        }
    }

    private func need(_ count: Int) throws(HTTPClientError) {
        while writeIndex - readIndex < count {
            if try !fill() { throw HTTPClientError(.closed, "connection closed mid-response") }
        }
    }

    @inline(__always)
    private func byte(_ i: Int) -> UInt8 { buffer.load(fromByteOffset: i, as: UInt8.self) }

    /// Index just past the next CRLF at or after `readIndex`, reading more as needed.
    private func lineEnd(limit: Int) throws(HTTPClientError) -> Int {
        var scan = readIndex
        while true {
            if let p = memchr(buffer + scan, 10, writeIndex - scan) {
                let lf = UnsafeMutableRawPointer(p) - buffer
                guard lf > readIndex, byte(lf - 1) == 13 else { throw HTTPClientError(.malformedResponse, "bare LF") }
                return lf + 1
            }
            if writeIndex - readIndex > limit { throw HTTPClientError(.malformedResponse, "line too long") }
            let consumed = readIndex
            scan = writeIndex
            if try !fill() { throw HTTPClientError(.closed, "connection closed mid-response") }
            scan -= consumed - readIndex  // fill may have compacted
        }
    }

    private func read(toHead: Bool, headers: inout [(String, String)], body: inout [UInt8], collect: Bool) throws(HTTPClientError) -> (status: Int, keepAlive: Bool) {
        while true {
            headers.removeAll(keepingCapacity: true)
            // Status line: HTTP/1.x SSS reason
            var end = try lineEnd(limit: 8192)
            guard end - readIndex >= 14, byte(readIndex) == 0x48, byte(readIndex + 8) == 0x20 else {
                throw HTTPClientError(.malformedResponse, "bad status line")
            }
            let http10 = byte(readIndex + 7) == 0x30
            var status = 0
            for i in 9..<12 {
                let d = byte(readIndex + i)
                guard d >= 0x30 && d <= 0x39 else { throw HTTPClientError(.malformedResponse, "bad status code") }
                status = status * 10 + Int(d - 0x30)
            }
            readIndex = end
            var contentLength = -1
            var chunked = false
            var close = http10
            // Header lines until the empty one.
            while true {
                end = try lineEnd(limit: 65536)
                if end - readIndex == 2 {
                    readIndex = end
                    break
                }
                let line = UnsafeRawBufferPointer(start: buffer + readIndex, count: end - readIndex - 2)
                guard let colon = line.firstIndex(of: 0x3A) else { throw HTTPClientError(.malformedResponse, "bad header line") }
                var vs = colon + 1
                while vs < line.count && (line[vs] == 0x20 || line[vs] == 9) { vs += 1 }
                var ve = line.count
                while ve > vs && (line[ve - 1] == 0x20 || line[ve - 1] == 9) { ve -= 1 }
                let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
                let value = UnsafeRawBufferPointer(rebasing: line[vs..<ve])
                if HTTPClientConnection.equalsLower(name, "content-length") {
                    var n = 0
                    for b in value where b >= 0x30 && b <= 0x39 { n = n * 10 + Int(b - 0x30) }
                    contentLength = n
                } else if HTTPClientConnection.equalsLower(name, "transfer-encoding") {
                    chunked = HTTPClientConnection.equalsLower(value, "chunked")
                } else if HTTPClientConnection.equalsLower(name, "connection") {
                    if HTTPClientConnection.equalsLower(value, "close") { close = true }
                    if HTTPClientConnection.equalsLower(value, "keep-alive") { close = false }
                }
                if collect {
                    headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
                }
                readIndex = end
            }
            if status >= 100 && status < 200 { continue }  // interim (100 Continue)
            body.removeAll(keepingCapacity: true)
            if toHead || status == 204 || status == 304 {
                // no body
            } else if chunked {
                while true {
                    end = try lineEnd(limit: 4096)
                    var size = 0
                    var i = readIndex
                    while i < end - 2, let h = HTTPRequestParser.hexValue(byte(i)) {
                        size = size << 4 | Int(h)
                        i += 1
                    }
                    readIndex = end
                    if size == 0 {
                        while true {  // trailers
                            end = try lineEnd(limit: 65536)
                            let empty = end - readIndex == 2
                            readIndex = end
                            if empty { break }
                        }
                        break
                    }
                    try take(size, into: &body, collect: collect)
                    try need(2)
                    readIndex += 2
                }
            } else if contentLength >= 0 {
                try take(contentLength, into: &body, collect: collect)
            } else {
                // Body delimited by close.
                while true {
                    let avail = writeIndex - readIndex
                    if collect { body.append(contentsOf: UnsafeRawBufferPointer(start: buffer + readIndex, count: avail)) }
                    readIndex = writeIndex
                    if try !fill() { break }
                }
                close = true
            }
            if close { self.close() }
            return (status, !close)
        }
    }

    private func take(_ count: Int, into body: inout [UInt8], collect: Bool) throws(HTTPClientError) {
        var remaining = count
        while remaining > 0 {
            if writeIndex == readIndex {
                if try !fill() { throw HTTPClientError(.closed, "connection closed mid-body") }
            }
            let n = min(remaining, writeIndex - readIndex)
            if collect { body.append(contentsOf: UnsafeRawBufferPointer(start: buffer + readIndex, count: n)) }
            readIndex += n
            remaining -= n
        }
    }

    private static func equalsLower(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { lit in
            guard lit.count == bytes.count else { return false }
            for i in 0..<lit.count where HTTPHeaders.lower(bytes[i]) != lit[i] { return false }
            return true
        }
    }
}
#endif
