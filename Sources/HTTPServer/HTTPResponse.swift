/// What a handler answers. The server adds `Content-Length`, `Date` and `Connection`
/// (fields of those names set by the handler are ignored, since framing is the server's).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Extra header fields, written in order. A name or value with CR or LF is dropped
    /// (response splitting guard).
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text body: `Content-Type: text/plain; charset=utf-8` unless `headers` names another
    /// (exactly one `Content-Type` either way).
    public init(status: Int, headers: [(String, String)] = [], text: String) {
        let typed = headers.contains { $0.0.lowercased() == "content-type" }
        self.init(status: status, headers: typed ? headers : [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
    }

    /// `204 No Content`, the customary remote-write success.
    public static let noContent = HTTPResponse(status: 204)

    /// The reason phrase written on the status line.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}

/// An error a handler may throw to choose its status (Hummingbird's `HTTPResponseError`
/// idea): one place maps errors to HTTP. Any other thrown error is answered 500.
public protocol HTTPResponseError: Error {
    var httpStatus: Int { get }
    /// Body text (senders read at most 1 KiB of it).
    var httpMessage: String { get }
}
