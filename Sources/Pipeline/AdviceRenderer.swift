import AIOpsCore
import Incidents
import Rules

/// Fills a rule's advice placeholders from an incident's labels and numbers.
enum AdviceRenderer {
    static func render(_ rule: Rule, incident: Incident) -> RenderedAdvice {
        let context = AdviceContext(
            labels: incident.labels, rule: rule, value: incident.observed.isFinite ? incident.observed : nil,
            expected: incident.expected, lower: incident.lower, upper: incident.upper,
            leakRatePerHour: incident.leakRatePerHour, limit: incident.limit,
            secondsToLimit: incident.secondsToLimit,
            durationSeconds: Double(incident.lastSeen - incident.start) / 1000, transform: incident.transform)
        return rule.advice.render(context)
    }
}
