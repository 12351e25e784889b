#if canImport(Glibc)
import Glibc
#endif

/// Why the server could not start (or a socket operation failed), with the address and errno.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `host` did not resolve to an address (getaddrinfo's message attached).
    case addressResolution(host: String, port: Int, reason: String)
    /// `socket`, `bind` or `listen` failed for the address.
    case bindFailed(address: String, errno: Int32)
    /// Another system call failed (`epoll_create1`, `eventfd`, `pthread_create`...).
    case systemCall(name: String, errno: Int32)
    /// The configuration is inconsistent (zero threads, negative limits...).
    case invalidConfiguration(String)
    /// `start()` was called twice or after `shutdown()`.
    case alreadyStarted
    /// Not Linux with epoll.
    case unsupportedPlatform(String)

    public var description: String {
        switch self {
        case .addressResolution(let host, let port, let reason):
            return "cannot resolve \(host):\(port): \(reason)"
        case .bindFailed(let address, let code):
            return "cannot listen on \(address): \(String(cString: strerror(code))) (errno \(code))"
        case .systemCall(let name, let code):
            return "\(name) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .invalidConfiguration(let why):
            return "invalid HTTP server configuration: \(why)"
        case .alreadyStarted:
            return "the HTTP server was already started"
        case .unsupportedPlatform(let why):
            return "unsupported platform: \(why)"
        }
    }
}
