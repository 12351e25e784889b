/// What warm start has done since the server started, for `/metrics`.
public struct WarmStartStatistics: Sendable, Equatable {
    /// Series whose history was replayed (at least one sample).
    public var seriesWarmed = 0
    /// Series whose history could not be read (a query failed) or that stopped waiting
    /// before it came (their live samples outran the ring, a stale marker, eviction).
    public var seriesFailed = 0
    /// Series the source had no history for.
    public var seriesEmpty = 0
    public var queriesSucceeded = 0
    public var queriesFailed = 0
    /// History samples replayed through detectors.
    public var samples = 0
    /// Series handed to the scheduler and not finished yet.
    public var seriesQueued = 0
    /// Time spent in queries (request, answer, JSON decoding), summed.
    public var queryNanoseconds: UInt64 = 0
    /// Time spent replaying history through detectors (under the shards' locks), summed.
    public var replayNanoseconds: UInt64 = 0

    public init() {}
}
