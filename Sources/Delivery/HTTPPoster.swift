import AIOpsCore
import Dispatch
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs a body to an `OutboundEndpoint`: the seam between senders (Alertmanager alerts,
/// scores by remote write) and the network, so their queues and retries are testable
/// without sockets.
public protocol HTTPPoster: Sendable {
    /// Sends `body` to `path` under `endpoint` with `headers` (plus the endpoint's
    /// `Authorization`), and calls `completion` exactly once, on any thread.
    func post(_ body: [UInt8], to endpoint: OutboundEndpoint, path: String, headers: [(String, String)], timeout: Double,
              completion: @escaping @Sendable (WebhookResponse) -> Void)
}

/// The real poster: URLSession, ephemeral, redirects refused (an `Authorization` header
/// must not follow one elsewhere). Errors are mapped by code to `DeliveryError`s naming the
/// endpoint by its redacted form, as `URLSessionWebhookTransport` does.
public final class URLSessionHTTPPoster: HTTPPoster {
    private let session: URLSession
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: PosterRedirectRefusal(), delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func post(_ body: [UInt8], to endpoint: OutboundEndpoint, path: String, headers: [(String, String)], timeout: Double,
                     completion: @escaping @Sendable (WebhookResponse) -> Void) {
        var request = URLRequest(url: endpoint.url(path), cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: max(1, timeout.rounded(.up) + 1))
        request.httpMethod = "POST"
        request.setValue("aiops", forHTTPHeaderField: "User-Agent")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let authorization = endpoint.authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body)
        let redacted = endpoint.redacted
        let once = PosterCompleteOnce(completion)
        // Not capturing `self`: see URLSessionWebhookTransport (deinit on the session's queue traps).
        let clock = self.clock
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { URLSessionWebhookTransport.parseRetryAfter($0, now: clock.now()) }
                once.complete(.http(status: http.statusCode, body: data.map { [UInt8]($0) } ?? [], retryAfter: retryAfter))
            } else if let error {
                once.complete(.failed(URLSessionWebhookTransport.map(error, webhook: redacted, timeout: timeout)))
            } else {
                once.complete(.failed(.transport(webhook: redacted, reason: "no_response", code: 0)))
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout * 1000))) {
            if once.complete(.failed(.timedOut(webhook: redacted, seconds: timeout))) { task.cancel() }
        }
        task.resume()
    }
}

/// Calls a completion at most once: the response and the timeout race.
private final class PosterCompleteOnce: Sendable {
    private let done = Atomic<Bool>(false)
    private let completion: @Sendable (WebhookResponse) -> Void

    init(_ completion: @escaping @Sendable (WebhookResponse) -> Void) {
        self.completion = completion
    }

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
private final class PosterRedirectRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
