/// A parsed request, viewed in place over the connection's read buffer.
///
/// Valid only during the handler call (or, from a bare parser, until the parser's next
/// mutating call): the body and headers point into the connection's buffer, which is reused.
/// Copy what must outlive the call. Deliberately not `Sendable`.
public struct HTTPRequest {
    public var method: HTTPMethod
    /// The request target up to `?`, as sent (not percent-decoded): `/api/v1/write`.
    public var path: String
    /// The request target after `?`, without it; empty when there is none.
    public var query: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body, de-chunked; empty when the request has none.
    public var body: UnsafeRawBufferPointer
    /// Whether the connection stays open after the response (HTTP/1.1 without
    /// `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`).
    public var keepAlive: Bool
}

@available(*, unavailable, message: "an HTTPRequest points into a reused buffer; copy what you need")
extension HTTPRequest: Sendable {}

/// A request method; the common ones without allocation.
public enum HTTPMethod: Equatable, Hashable, Sendable, CustomStringConvertible {
    case get, head, post, put, delete, options, patch, connect, trace
    case other(String)

    public var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .connect: "CONNECT"
        case .trace: "TRACE"
        case .other(let s): s
        }
    }

    init(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3:
            if HTTPMethod.equal(bytes, "GET") { self = .get; return }
            if HTTPMethod.equal(bytes, "PUT") { self = .put; return }
        case 4:
            if HTTPMethod.equal(bytes, "POST") { self = .post; return }
            if HTTPMethod.equal(bytes, "HEAD") { self = .head; return }
        case 5:
            if HTTPMethod.equal(bytes, "PATCH") { self = .patch; return }
            if HTTPMethod.equal(bytes, "TRACE") { self = .trace; return }
        case 6:
            if HTTPMethod.equal(bytes, "DELETE") { self = .delete; return }
        case 7:
            if HTTPMethod.equal(bytes, "OPTIONS") { self = .options; return }
            if HTTPMethod.equal(bytes, "CONNECT") { self = .connect; return }
        default: break
        }
        self = .other(String(decoding: bytes, as: UTF8.self))
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        s.withUTF8Buffer { lit in
            lit.count == bytes.count && memcmp(lit.baseAddress!, bytes.baseAddress!, lit.count) == 0
        }
    }
}

/// HTTP/1.0 or HTTP/1.1 (other versions are answered 505 by the parser).
public struct HTTPVersion: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

#if canImport(Glibc)
import Glibc
#endif
