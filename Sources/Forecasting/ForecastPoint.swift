import AIOpsCore

/// One forecast value with its interval.
public struct ForecastPoint: Sendable, Equatable {
    public var timestamp: Timestamp
    public var value: Double
    public var lower: Double
    public var upper: Double

    public init(timestamp: Timestamp, value: Double, lower: Double, upper: Double) {
        self.timestamp = timestamp
        self.value = value
        self.lower = lower
        self.upper = upper
    }
}
