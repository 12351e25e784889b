#if canImport(Glibc)
import Glibc

/// An IPv4 or IPv6 socket address (a copy of the kernel's `sockaddr_storage`), used for the
/// bound address the server reports and for a request's peer.
public struct HTTPSocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The port in host byte order (0 for an unknown family).
    public var port: Int {
        var s = storage
        return withUnsafeBytes(of: &s) { raw in
            // sin_port and sin6_port share offset 2 in both layouts.
            Int(UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)))
        }
    }

    /// True for AF_INET6.
    public var isIPv6: Bool { Int32(storage.ss_family) == AF_INET6 }

    /// The address without the port: `127.0.0.1`, `::1`.
    public var host: String {
        var s = storage
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return withUnsafeBytes(of: &s) { raw -> String in
            let family = Int32(storage.ss_family)
            let offset = family == AF_INET6 ? 8 : 4  // sin6_addr / sin_addr
            guard family == AF_INET || family == AF_INET6,
                  inet_ntop(family, raw.baseAddress! + offset, &buf, socklen_t(buf.count)) != nil
            else { return "?" }
            return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    /// `127.0.0.1:8080` or `[::1]:8080`.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Resolves `host:port` to the first address (numeric literals never touch DNS).
    static func resolve(host: String, port: Int, passive: Bool) throws(HTTPServerError) -> HTTPSocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result, let addr = first.pointee.ai_addr else {
            let reason = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            throw .addressResolution(host: host, port: port, reason: reason)
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        let len = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: addr, count: Int(len)))
        }
        return HTTPSocketAddress(storage: storage, length: len)
    }

    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var s = storage
        return withUnsafePointer(to: &s) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
#endif
