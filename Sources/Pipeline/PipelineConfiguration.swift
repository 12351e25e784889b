import AIOpsCore
import Store

/// How a pipeline is sized. One pipeline serves one workspace.
public struct PipelineConfiguration: Sendable, Equatable {
    public var store: SeriesStore.Configuration
    /// New series beyond this many are refused (the workspace's active-series limit).
    public var maxSeries: Int
    /// Resolved incidents kept for `/api/v1/incidents` and replay output.
    public var recentIncidentLimit: Int
    /// Values attached to an incident for its sparkline.
    public var sparklinePoints: Int

    public init(
        store: SeriesStore.Configuration = .init(), maxSeries: Int = .max,
        recentIncidentLimit: Int = 1000, sparklinePoints: Int = 48
    ) {
        self.store = store
        self.maxSeries = maxSeries
        self.recentIncidentLimit = recentIncidentLimit
        self.sparklinePoints = sparklinePoints
    }
}
