/// How hard to try one notification: per-request timeout, exponential backoff with jitter,
/// and a deadline after which it is given up.
///
/// Defaults: 10 s per request, backoff 0.5 s doubling to at most 60 s, each delay shortened
/// by up to 20 % at random, given up 10 minutes after it was queued (in this process; at
/// least one attempt is always made). A 429 waits at least its `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    public var requestTimeout: Double
    public var initialBackoff: Double
    public var multiplier: Double
    public var maxBackoff: Double
    /// Fraction in [0, 1] of each delay that is randomly removed (spreads retries apart).
    public var jitter: Double
    /// Seconds after queueing when retries stop.
    public var deadline: Double
    /// Seeds the jitter; fixed in tests so delays are reproducible.
    public var seed: UInt64

    public init(
        requestTimeout: Double = 10, initialBackoff: Double = 0.5, multiplier: Double = 2,
        maxBackoff: Double = 60, jitter: Double = 0.2, deadline: Double = 600, seed: UInt64 = 0x5eed_0f_a10b5
    ) {
        self.requestTimeout = requestTimeout
        self.initialBackoff = initialBackoff
        self.multiplier = multiplier
        self.maxBackoff = maxBackoff
        self.jitter = jitter
        self.deadline = deadline
        self.seed = seed
    }

    /// The delay in seconds before retry number `retry` (1 for the first retry), with `unit`
    /// a random number in [0, 1) scaling the jitter.
    public func backoff(retry: Int, unit: Double) -> Double {
        var base = initialBackoff
        var step = 1
        while step < retry, base < maxBackoff {
            base *= multiplier
            step += 1
        }
        base = min(base, maxBackoff)
        let j = min(max(jitter, 0), 1)
        return max(0, base * (1 - j * unit))
    }
}
