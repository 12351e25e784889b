import AIOpsCore

/// Samples-per-second limiting for one workspace: a bucket of `burst` tokens refilled at
/// `rate` per second, read against an injected clock. A request takes as many tokens as it has
/// samples, all or nothing, so a refused request ingests nothing and the sender may resend it.
///
/// Not thread-safe: held inside the workspace's lock.
public struct TokenBucket: Sendable {
    public private(set) var rate: Double
    public private(set) var burst: Double
    private var tokens: Double
    private var updated: Timestamp

    public init(rate: Int, burst: Int, now: Timestamp) {
        self.rate = Double(max(rate, 1))
        self.burst = Double(max(burst, 1))
        self.tokens = Double(max(burst, 1))
        self.updated = now
    }

    /// Takes `count` tokens if there are enough.
    /// - Returns: nil when taken, otherwise the seconds until there will be enough (at least 1,
    ///   for `Retry-After`). A request larger than the whole bucket is let through when the
    ///   bucket is full, so no request size is refused forever.
    public mutating func take(_ count: Int, now: Timestamp) -> Int? {
        refill(now: now)
        let need = Double(count)
        if need <= tokens || (need > burst && tokens >= burst) {
            tokens -= need
            return nil
        }
        let missing = min(need, burst) - tokens
        return max(1, Int((missing / rate).rounded(.up)))
    }

    /// Changes the rate and size (a reload changed the plan or limits). The tokens held stay,
    /// up to the new size, so a change neither grants a burst nor takes one away.
    public mutating func reconfigure(rate: Int, burst: Int, now: Timestamp) {
        refill(now: now)
        self.rate = Double(max(rate, 1))
        self.burst = Double(max(burst, 1))
        tokens = min(tokens, self.burst)
    }

    private mutating func refill(now: Timestamp) {
        guard now > updated else { return }
        tokens = min(burst, tokens + Double(now - updated) / 1000 * rate)
        updated = now
    }
}
