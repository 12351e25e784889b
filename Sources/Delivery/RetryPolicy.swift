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
    /// Seeds the jitter. nil (the default): a seed drawn from `SystemRandomNumberGenerator`
    /// when the delivery queue is made, so processes started together do not retry in step
    /// against one webhook. Tests fix it so delays are reproducible.
    public var seed: UInt64?

    public init(
        requestTimeout: Double = 10, initialBackoff: Double = 0.5, multiplier: Double = 2,
        maxBackoff: Double = 60, jitter: Double = 0.2, deadline: Double = 600, seed: UInt64? = nil
    ) {
        self.requestTimeout = requestTimeout
        self.initialBackoff = initialBackoff
        self.multiplier = multiplier
        self.maxBackoff = maxBackoff
        self.jitter = jitter
        self.deadline = deadline
        self.seed = seed
    }

    /// The seed to use: `seed`, or a fresh random one.
    public func resolvedSeed() -> UInt64 {
        if let seed { return seed }
        var system = SystemRandomNumberGenerator()
        return system.next()
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
