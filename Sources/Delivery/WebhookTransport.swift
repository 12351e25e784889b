/// What came back from one POST.
public enum WebhookResponse: Sendable, Equatable {
    /// An HTTP response; `retryAfter` is the `Retry-After` header in seconds when present.
    case http(status: Int, body: [UInt8], retryAfter: Double?)
    /// No HTTP response: timeout or connection failure, already redacted.
    case failed(DeliveryError)
}

/// POSTs a JSON body to a webhook. The seam between the delivery logic and the network, so
/// the policy, queue and outbox are testable without sockets.
public protocol WebhookTransport: Sendable {
    /// Sends `body` and calls `completion` exactly once, on any thread.
    /// - Parameters:
    ///   - timeout: Seconds to wait for the response before failing with `.timedOut`.
    func post(_ body: [UInt8], to url: WebhookURL, timeout: Double, completion: @escaping @Sendable (WebhookResponse) -> Void)
}

/// What to do after an attempt, decided by `classify` from Slack's documented answers.
enum AttemptOutcome: Sendable, Equatable {
    case delivered
    /// Try again, not before `atLeast` seconds (a 429's `Retry-After`) when given.
    case retry(DeliveryError, atLeast: Double?)
    /// Do not try again (400, 403, 404, 410, 3xx, an unexpected 2xx).
    case reject(DeliveryError)

    /// Success is 200 with body `ok`; 429, 5xx and transport failures are retried; the rest is final.
    static func classify(_ response: WebhookResponse, webhook: String) -> AttemptOutcome {
        switch response {
        case .failed(let error):
            return .retry(error, atLeast: nil)
        case .http(let status, let body, let retryAfter):
            let reason = reasonToken(body)
            switch status {
            case 200 where reason == "ok":
                return .delivered
            case 429:
                return .retry(.http(webhook: webhook, status: status, reason: reason.isEmpty ? "rate_limited" : reason), atLeast: retryAfter ?? 1)
            case 500...599:
                return .retry(.http(webhook: webhook, status: status, reason: reason), atLeast: nil)
            case 300...399:
                return .reject(.redirectRefused(webhook: webhook, status: status))
            case 200...299:
                // Not Slack's answer (a proxy page?): the message may have arrived, so a retry
                // could duplicate it. Final, recorded.
                return .reject(.http(webhook: webhook, status: status, reason: "unexpected_response"))
            default:
                return .reject(.http(webhook: webhook, status: status, reason: reason))
            }
        }
    }

    /// Slack's error body is a short token (`no_service`); anything else (an HTML page) is
    /// reduced to "" so counters keep a small, safe key set.
    static func reasonToken(_ body: [UInt8]) -> String {
        var start = 0
        var end = body.count
        while start < end, body[start] == 32 || body[start] == 10 || body[start] == 13 || body[start] == 9 { start += 1 }
        while end > start, body[end - 1] == 32 || body[end - 1] == 10 || body[end - 1] == 13 || body[end - 1] == 9 { end -= 1 }
        guard end - start > 0, end - start <= 64 else { return "" }
        for byte in body[start..<end] {
            let ok = (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 95 || byte == 45 || byte == 46
            if !ok { return "" }
        }
        return String(decoding: body[start..<end], as: UTF8.self)
    }
}
