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
        session = URLSessionWebhookTransport.makeSession()
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
        URLSessionWebhookTransport.start(request, on: session, redacted: endpoint.redacted, timeout: timeout, clock: clock, completion: completion)
    }
}
