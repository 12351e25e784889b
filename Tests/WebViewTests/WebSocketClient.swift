import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The smallest WebSocket client the Chrome DevTools Protocol needs (RFC 6455): one blocking
/// TCP connection to a loopback endpoint, text frames out (masked), text frames in
/// (continuations joined, pings answered). Every read waits at most `timeout`, so a browser
/// that stops answering fails the test instead of hanging it.
final class WebSocketClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    /// - Parameter url: `ws://127.0.0.1:PORT/path`.
    init(url: String, timeout: Double = 30) throws {
        guard url.hasPrefix("ws://") else { throw Failure(description: "not a ws:// URL: \(url)") }
        let rest = url.dropFirst(5)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let hostPort = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = hostPort.lastIndex(of: ":"), let port = UInt16(hostPort[hostPort.index(after: colon)...]) else {
            throw Failure(description: "no port in \(url)")
        }
        let host = String(hostPort[..<colon])
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw Failure(description: "not an IPv4 address: \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(hostPort): errno \(errno)") }
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try write(Array("GET \(path) HTTP/1.1\r\nHost: \(hostPort)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let range = findSubsequence(buffer, end) {
                let head = String(decoding: buffer[..<range], as: UTF8.self)
                buffer.removeFirst(range + 4)
                guard head.hasPrefix("HTTP/1.1 101") else { throw Failure(description: "upgrade refused: \(head.prefix(200))") }
                break
            }
            try fill()
        }
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Sends one text message.
    func send(_ text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        for (index, byte) in payload.enumerated() { frame.append(byte ^ mask[index & 3]) }
        try write(frame)
    }

    /// The next text message (fragments joined); answers pings on the way.
    func receive() throws -> String {
        var message: [UInt8] = []
        while true {
            let (fin, opcode, payload) = try readFrame()
            switch opcode {
            case 0x9:  // ping
                try writeControl(0xA, payload)
            case 0xA:  // pong
                continue
            case 0x8:
                throw Failure(description: "the browser closed the connection")
            default:
                message += payload
                if fin { return String(decoding: message, as: UTF8.self) }
            }
        }
    }

    private func readFrame() throws -> (fin: Bool, opcode: UInt8, payload: [UInt8]) {
        try need(2)
        let fin = buffer[0] & 0x80 != 0
        let opcode = buffer[0] & 0x0F
        let masked = buffer[1] & 0x80 != 0
        var length = Int(buffer[1] & 0x7F)
        var offset = 2
        if length == 126 {
            try need(4)
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            offset = 4
        } else if length == 127 {
            try need(10)
            length = 0
            for index in 2..<10 { length = length << 8 | Int(buffer[index]) }
            offset = 10
        }
        let maskOffset = offset
        if masked { offset += 4 }
        try need(offset + length)
        var payload = Array(buffer[offset..<(offset + length)])
        if masked {
            let mask = Array(buffer[maskOffset..<(maskOffset + 4)])
            for index in payload.indices { payload[index] ^= mask[index & 3] }
        }
        buffer.removeFirst(offset + length)
        return (fin, opcode, payload)
    }

    private func writeControl(_ opcode: UInt8, _ payload: [UInt8]) throws {
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        var frame: [UInt8] = [0x80 | opcode, 0x80 | UInt8(min(125, payload.count))] + mask
        for (index, byte) in payload.prefix(125).enumerated() { frame.append(byte ^ mask[index & 3]) }
        try write(frame)
    }

    private func need(_ count: Int) throws {
        while buffer.count < count { try fill() }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { throw Failure(description: n == 0 ? "connection closed" : "recv: errno \(errno) (a timeout is EAGAIN, \(EAGAIN))") }
        buffer += chunk[0..<n]
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
    }

    private func findSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
