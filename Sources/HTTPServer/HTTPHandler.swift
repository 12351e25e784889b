/// The application side of the server: turns one request into one response.
///
/// Runs synchronously on the connection's event loop thread (so work done here, such as
/// decoding a remote-write body, reaches the status code), one call per request: the
/// existential call is per request, never per byte. A handler that blocks stalls every
/// connection of its loop; keep work bounded.
///
/// A thrown `HTTPResponseError` becomes its status and message; any other error becomes 500
/// (counted in `HTTPServerStats.handlerErrors`).
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse

    /// Sees a request's head (method, target, headers; `body` is empty) as soon as it is
    /// complete, before any of the body is read or buffered. Returning a response refuses the
    /// request: it is sent with `Connection: close` and the connection closes without reading
    /// the body (an unauthenticated upload costs no memory). nil lets the request proceed to
    /// `handle`. The default accepts everything. Keep it cheap: it runs for every request.
    func inspectHead(_ request: HTTPRequest, context: HTTPRequestContext) -> HTTPResponse?
}

extension HTTPHandler {
    public func inspectHead(_ request: HTTPRequest, context: HTTPRequestContext) -> HTTPResponse? { nil }
}

/// Facts about the connection a request arrived on.
public struct HTTPRequestContext: Sendable {
    /// Unique per server run, in accept order.
    public var connectionID: UInt64
    /// Index of the event loop thread serving the connection (0..<threads): a handler can
    /// keep per-loop scratch state indexed by it without locks.
    public var loopIndex: Int
    /// 1 for the first request on the connection, then 2, 3...
    public var requestNumber: Int
    public var remoteAddress: HTTPSocketAddress?

    public init(connectionID: UInt64 = 0, loopIndex: Int = 0, requestNumber: Int = 1, remoteAddress: HTTPSocketAddress? = nil) {
        self.connectionID = connectionID
        self.loopIndex = loopIndex
        self.requestNumber = requestNumber
        self.remoteAddress = remoteAddress
    }
}

/// A handler from a closure, for tests and small endpoints.
public struct HTTPClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest, HTTPRequestContext) throws -> HTTPResponse

    public init(_ body: @escaping @Sendable (HTTPRequest, HTTPRequestContext) throws -> HTTPResponse) {
        self.body = body
    }

    public func handle(_ request: HTTPRequest, context: HTTPRequestContext) throws -> HTTPResponse {
        try body(request, context)
    }
}
