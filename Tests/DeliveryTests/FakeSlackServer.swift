import AIOpsCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A Slack webhook impostor on 127.0.0.1 for tests: answers each request from a script
/// (then 200 `ok`), records what arrived and when.
///
/// HTTP/1.1 just enough for URLSession: reads headers to the blank line, then
/// `Content-Length` bytes of body; answers with `Connection: close` and closes.
final class FakeSlackServer: Sendable {
    enum Reply: Sendable {
        case respond(status: Int, body: String, headers: [String: String] = [:])
        /// Reads the request and never answers (until the client gives up or the server stops).
        case hang
    }

    struct Request: Sendable {
        var method: String
        var path: String
        var body: String
        /// `MonotonicClock` nanoseconds when the request was fully read.
        var receivedAt: UInt64
    }

    let port: UInt16
    private let listener: Int32
    private let script: Mutex<[Reply]>
    private let received = Mutex<[Request]>([])
    /// Connections held by `.hang`, closed on stop.
    private let hanging = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)
    private let acceptExited = DispatchSemaphore(value: 0)

    init(script: [Reply] = []) throws {
        self.script = Mutex(script)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(path: String = "/services/T000/B000/SECRETtoken") -> String { "http://127.0.0.1:\(port)\(path)" }

    var requests: [Request] { received.withLock { $0 } }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptExited.wait()
        close(listener)
        for fd in hanging.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            let thread = Thread { [self] in self.serve(client) }
            thread.start()
        }
        acceptExited.signal()
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        guard let request = readRequest(fd) else { return }
        received.withLock { $0.append(request) }
        let reply = script.withLock { $0.isEmpty ? Reply.respond(status: 200, body: "ok") : $0.removeFirst() }
        switch reply {
        case .hang:
            hanging.withLock { $0.append(fd) }
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, 0) > 0 {}  // until the client closes or stop() shuts it down
            hanging.withLock { $0.removeAll { $0 == fd } }
        case .respond(let status, let body, let headers):
            var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            let bytes = Array((head + "\r\n" + body).utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                offset += n
            }
        }
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        while headerEnd == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
            headerEnd = find(Array("\r\n\r\n".utf8), in: buffer)
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var contentLength = 0
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "content-length" {
                contentLength = Int(pair[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let bodyStart = headerEnd! + 4
        while buffer.count - bodyStart < contentLength {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
        }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + contentLength)], as: UTF8.self)
        return Request(method: String(parts[0]), path: String(parts[1]), body: body, receivedAt: MonotonicClock.nanoseconds())
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}

/// A loopback port bound but not listening: connections are refused, and no other test can
/// take the port while it is held.
final class RefusingPort: Sendable {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    func url(path: String = "/services/T000/B000/SECRETtoken") -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit { close(fd) }
}
