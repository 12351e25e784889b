import AIOpsCore
import Advice
import Forecasting
import Rules
import WebView

/// The web view overview's slots, filled from the server's own modules: the daily summary as
/// it would be sent now (`Advice`), the next day's forecast of a few series with its 80 %
/// interval (`Forecasting`, Pro), and the scaling and cost recommendations (`Advice`, Pro).
/// `AIOpsServer.Options.webPanels` replaces any of them.
enum ServerWebPanels {
    /// Series whose forecast the overview plots (the first by labels with a warm seasonal state).
    static let forecastPlots = 3

    static func providers(state: ServerState) -> [OverviewSlot: OverviewPanelProvider] {
        [
            .dailySummary: { name, now in
                guard let workspace = state.workspace(named: name) else { return nil }
                let summary = workspace.dailySummary(at: now, forecast: state.forecast)
                return OverviewPanel(preformatted: DailySummaryTextRenderer().render(summary))
            },
            .forecasts: { name, now in
                guard let workspace = state.workspace(named: name) else { return nil }
                guard workspace.plan == .pro else { return OverviewPanel(lines: ["Forecasts come with the Pro plan."]) }
                let result = workspace.forecasts(ForecastRequest(hours: 24, stepSeconds: 3600), limit: forecastPlots)
                guard !result.forecasts.isEmpty else {
                    return OverviewPanel(lines: ["No series has a warm seasonal state yet (a day of samples under a seasonal detector)."])
                }
                let plots = result.forecasts.map { forecast in
                    var input = PlotInput(
                        timestamps: forecast.points.map(\.timestamp), values: forecast.points.map(\.value),
                        lower: forecast.points.map(\.lower), upper: forecast.points.map(\.upper),
                        formatter: ValueFormatter(metric: forecast.labels.metricName, transform: forecast.transform),
                        title: "\(forecast.labels.description): the next 24 hours, \(Int(forecast.coverage * 100)) % interval")
                    input.valueName = "forecast"
                    return input
                }
                return OverviewPanel(
                    lines: ["The next 24 hours of \(result.forecasts.count) of \(result.total) series with a warm seasonal state (the first by labels); every series: GET /api/v1/forecast."],
                    plots: plots)
            },
            .recommendations: { name, now in
                guard let workspace = state.workspace(named: name) else { return nil }
                guard workspace.plan == .pro else { return OverviewPanel(lines: ["Scaling and cost recommendations come with the Pro plan."]) }
                guard let report = workspace.adviceReport(at: now, forecast: state.forecast) else {
                    return OverviewPanel(lines: ["No usage recorded yet (container CPU and memory series)."])
                }
                let findings = report.workloads.flatMap(\.findings)
                guard !findings.isEmpty else { return OverviewPanel(lines: ["Nothing to change: every workload's requests fit its usage."]) }
                return OverviewPanel(rows: findings.prefix(20).map { OverviewPanel.Row($0.kind.title, $0.summary) })
            },
        ]
    }
}

extension ServerState {
    /// The workspace served under `name` now.
    func workspace(named name: String) -> Workspace? {
        routing.withLock { $0 }.workspaces.first { $0.name == name }
    }
}
