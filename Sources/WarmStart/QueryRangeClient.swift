import AIOpsCore
import Dispatch
import Fixtures
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads history with `POST /api/v1/query_range` (a form body, so long selectors fit) and
/// decodes the answer with the fixtures' `query_range` reader (`FixtureReader`, format
/// `.queryRange`): one JSON reader in the project.
///
/// URLSession, ephemeral, redirects refused (an `Authorization` header must not follow one
/// to another host). Blocking: the warm-start scheduler calls it from its own thread.
public final class QueryRangeClient: Sendable {
    public let source: WarmStartSource
    private let authorization: String?
    private let timeout: Double
    private let session: URLSession

    public init(source: WarmStartSource, credentials: WarmStartCredentials, timeout: PromDuration) {
        self.source = source
        authorization = credentials.authorization
        self.timeout = max(0.1, timeout.seconds)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Runs one query.
    /// - Parameter cancelled: polled while waiting; true cancels the request.
    /// - Returns: the series of the answer, each with its samples oldest first; empty when
    ///   the selector matched nothing in the range.
    /// - Throws: `WarmStartError`: `.http` for a status other than 200 (with the source's
    ///   error message), `.transport`, `.timedOut`, `.badResponse` for a body that is not a
    ///   `query_range` matrix, `.cancelled`.
    public func fetch(_ query: QueryRangeQuery, cancelled: () -> Bool = { false }) throws(WarmStartError) -> [FixtureSeries] {
        // URLSession's own timeout is whole seconds on Linux: the wait below enforces ours.
        var request = URLRequest(url: source.queryRangeURL, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout.rounded(.up) + 1)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("aiops", forHTTPHeaderField: "User-Agent")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(query.formBody)
        let reply = Reply()
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                reply.set(.answered(status: http.statusCode, body: data.map { [UInt8]($0) } ?? []))
            } else {
                let code = (error as? URLError)?.code ?? .unknown
                reply.set(.failed(code))
            }
        }
        task.resume()
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout * 1000))
        while reply.done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if cancelled() {
                task.cancel()
                throw .cancelled
            }
            if DispatchTime.now() >= deadline {
                task.cancel()
                throw .timedOut(source: source.redacted, seconds: timeout)
            }
        }
        switch reply.value! {
        case .failed(let code):
            throw code == .timedOut ? .timedOut(source: source.redacted, seconds: timeout) : .transport(source: source.redacted, reason: Self.reason(code))
        case .answered(let status, let body):
            return try decode(status: status, body: body)
        }
    }

    /// The answer's series; a 200 with no samples is an empty answer, not an error.
    func decode(status: Int, body: [UInt8]) throws(WarmStartError) -> [FixtureSeries] {
        let name = "query_range response"
        do {
            let series = try FixtureReader.parse(body, name: name, format: .queryRange)
            guard status == 200 else { throw WarmStartError.http(source: source.redacted, status: status, detail: "") }
            return series
        } catch let error as FixtureError {
            if status == 200 {
                if error.code == .empty { return [] }
                throw .badResponse(source: source.redacted, reason: error.description)
            }
            // Prometheus' error body is a query_range response with status "error": its reason
            // ("query status is \"error\": bad_data: ...") is the detail.
            let detail = error.code == .unsupported ? error.reason : Self.excerpt(body)
            throw .http(source: source.redacted, status: status, detail: detail)
        } catch let error as WarmStartError {
            throw error
        } catch {
            throw .badResponse(source: source.redacted, reason: "\(error)")
        }
    }

    /// The start of a non-JSON error body, printable ASCII only, at most 160 characters.
    static func excerpt(_ body: [UInt8]) -> String {
        let printable = body.prefix(160).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : " " }
        return String(printable).trimmingCharacters(in: .whitespaces)
    }

    /// A URLError code in words (never the error's own text, which carries the URL).
    static func reason(_ code: URLError.Code) -> String {
        switch code {
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "connection lost"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return "TLS failure"
        case .badServerResponse: return "bad HTTP response"
        case .httpTooManyRedirects, .redirectToNonExistentLocation: return "redirect refused"
        default: return "transport error (URLError \(code.rawValue))"
        }
    }
}

/// The answer of one request, handed from URLSession's queue to the waiting thread.
private final class Reply: Sendable {
    enum Outcome: Sendable {
        case answered(status: Int, body: [UInt8])
        case failed(URLError.Code)
    }

    let done = DispatchSemaphore(value: 0)
    private let stored = Mutex<Outcome?>(nil)

    func set(_ outcome: Outcome) {
        stored.withLock { $0 = outcome }
        done.signal()
    }

    var value: Outcome? { stored.withLock { $0 } }
}

/// Refuses every redirect, so the 3xx itself is the answer (an `.http` error).
///
/// `@unchecked Sendable`: stateless (an NSObject subclass with no stored properties). The
/// same as Delivery's for webhooks, which is private to that module.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
