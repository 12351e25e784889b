import AIOpsCore
import Dispatch
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real transport: URLSession, ephemeral (no cookies, no cache), redirects refused.
///
/// Errors are mapped by code to `DeliveryError` with the redacted URL; Foundation's own
/// error text, which includes the failing URL, is dropped here.
public final class URLSessionWebhookTransport: WebhookTransport {
    private let session: URLSession
    /// Turns a `Retry-After` HTTP date into a delay.
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
        session = Self.makeSession()
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// An ephemeral session (no cookies, no cache) that refuses redirects: an `Authorization`
    /// header, or a webhook's secret path, must not follow one elsewhere. Also `URLSessionHTTPPoster`'s.
    static func makeSession() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration, delegate: RedirectRefusingDelegate(), delegateQueue: nil)
    }

    public func post(_ body: [UInt8], to url: WebhookURL, timeout: Double, completion: @escaping @Sendable (WebhookResponse) -> Void) {
        // URLSession's own timeout is whole seconds on Linux (truncated, so 0.3 s means none):
        // our timer enforces `timeout`, URLSession's stays as a backstop.
        var request = URLRequest(url: url.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: max(1, timeout.rounded(.up) + 1))
        request.httpMethod = "POST"
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("aiops", forHTTPHeaderField: "User-Agent")
        request.httpBody = Data(body)
        Self.start(request, on: session, redacted: url.redacted, timeout: timeout, clock: clock, completion: completion)
    }

    /// Starts `request` on `session`: the response, the error or the timeout, whichever comes
    /// first, reaches `completion`, once (also `HTTPPoster`'s). `redacted` names the endpoint in
    /// errors. Static, so the closures never capture a transport: the last release of one
    /// would then run its deinit (`invalidateAndCancel`) on the session's own queue, which traps.
    static func start(_ request: URLRequest, on session: URLSession, redacted: String, timeout: Double, clock: any WallClock,
                      completion: @escaping @Sendable (WebhookResponse) -> Void) {
        let once = CompleteOnce(completion)
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { parseRetryAfter($0, now: clock.now()) }
                once.complete(.http(status: http.statusCode, body: data.map { [UInt8]($0) } ?? [], retryAfter: retryAfter))
            } else if let error {
                once.complete(.failed(map(error, webhook: redacted, timeout: timeout)))
            } else {
                once.complete(.failed(.transport(webhook: redacted, reason: "no_response", code: 0)))
            }
        }
        // When the response came first this is a no-op (kept alive until then: one closure).
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout * 1000))) {
            if once.complete(.failed(.timedOut(webhook: redacted, seconds: timeout))) { task.cancel() }
        }
        task.resume()
    }

    /// `Retry-After` as a delay in seconds: delay-seconds (the form Slack sends) or an HTTP
    /// date, counted from `now` (0 when it has passed). Anything else is nil: the caller's
    /// default applies.
    static func parseRetryAfter(_ value: String, now: Timestamp) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) {
            return seconds.isFinite && seconds >= 0 ? seconds : nil
        }
        guard let date = TimeFormat.parseHTTPDate(text) else { return nil }
        return Double(max(0, date - now)) / 1000
    }

    /// Maps by code only, never keeping the error's text or user info.
    static func map(_ error: Error, webhook: String, timeout: Double) -> DeliveryError {
        let code = (error as? URLError)?.code.rawValue ?? (error as NSError).code
        switch URLError.Code(rawValue: code) {
        case .timedOut: return .timedOut(webhook: webhook, seconds: timeout)
        case .cannotConnectToHost: return .transport(webhook: webhook, reason: "connection_refused", code: code)
        case .networkConnectionLost: return .transport(webhook: webhook, reason: "connection_lost", code: code)
        case .cannotFindHost, .dnsLookupFailed: return .transport(webhook: webhook, reason: "dns_failure", code: code)
        case .notConnectedToInternet: return .transport(webhook: webhook, reason: "offline", code: code)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return .transport(webhook: webhook, reason: "tls_failure", code: code)
        case .badServerResponse: return .transport(webhook: webhook, reason: "bad_response", code: code)
        case .httpTooManyRedirects, .redirectToNonExistentLocation: return .redirectRefused(webhook: webhook, status: 0)
        default: return .transport(webhook: webhook, reason: "transport_error", code: code)
        }
    }
}

/// Calls a completion at most once: the response and the timeout race (also `HTTPPoster`'s).
final class CompleteOnce: Sendable {
    private let done = Atomic<Bool>(false)
    private let completion: @Sendable (WebhookResponse) -> Void

    init(_ completion: @escaping @Sendable (WebhookResponse) -> Void) {
        self.completion = completion
    }

    /// True when this call delivered the result, false when another one came first.
    @discardableResult
    func complete(_ response: WebhookResponse) -> Bool {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        completion(response)
        return true
    }
}

/// Refuses every redirect, so the 3xx itself is the response.
///
/// `@unchecked Sendable`: stateless (NSObject subclass with no stored properties).
final class RedirectRefusingDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
