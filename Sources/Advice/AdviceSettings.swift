import AIOpsCore
import Foundation
import Incidents
import Reports

/// A workspace's advice settings: whether its plan includes scaling and cost advice (Pro),
/// prices, the scaling policy, and when its daily summary is sent.
public struct AdviceSettings: Sendable, Equatable {
    /// Pro: the daily summary includes scaling and cost advice, and the recommendations are
    /// served. Hobby: incidents and risks only.
    public var includesAdvice: Bool
    public var pricing: Pricing
    public var scaling: ScalingPolicy
    public var rightsizing: RightsizingPolicy
    public var schedule: DailySummarySchedule

    public init(includesAdvice: Bool, pricing: Pricing = .default, scaling: ScalingPolicy = .default,
                rightsizing: RightsizingPolicy = .default, schedule: DailySummarySchedule = .default) {
        self.includesAdvice = includesAdvice
        self.pricing = pricing
        self.scaling = scaling
        self.rightsizing = rightsizing
        self.schedule = schedule
    }

    /// The analysis context for these settings.
    public func context(openIncidents: [Incident], forecast: ForecastProvider?) -> AdvisorContext {
        AdvisorContext(pricing: pricing, scaling: scaling, rightsizing: rightsizing, forecast: forecast,
                      openIncidents: openIncidents, schedule: schedule)
    }

    /// The advice over the recorders' window ending at `at`.
    public func analyze(_ extracts: [UsageExtract], openIncidents: [Incident], forecast: ForecastProvider?) -> AdviceReport? {
        guard let merged = UsageExtract.merge(extracts) else { return nil }
        return Advisor.analyze(merged, context: context(openIncidents: openIncidents, forecast: forecast))
    }

    /// The daily summary at `at`: incidents from `incidents` (open and recently resolved),
    /// and, when the plan includes it, the advice from the extracts taken at `at`.
    public func summary(workspace: String, at: Timestamp, incidents: [Incident], extracts: [UsageExtract], forecast: ForecastProvider?) -> DailySummary {
        let open = incidents.filter { $0.end == nil && $0.phase == .firing }
        let advice = includesAdvice ? analyze(extracts, openIncidents: open, forecast: forecast) : nil
        return DailySummary(workspace: workspace, at: at, schedule: schedule, incidents: incidents, advice: advice)
    }
}

extension DailySummary {
    /// The Slack payload (compact JSON, sorted keys) and terminal text of this summary.
    public func rendered(slack: DailySummarySlackBuilder = DailySummarySlackBuilder(), text: DailySummaryTextRenderer = DailySummaryTextRenderer())
        -> (slackPayload: [UInt8], text: String)
    {
        let message = slack.message(for: self)
        let payload = (try? message.jsonData()).map { [UInt8]($0) } ?? Array(#"{"text":"aiops daily summary"}"#.utf8)
        return (payload, text.render(self))
    }
}
