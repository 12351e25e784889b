import AIOpsCore
import Foundation
import Incidents
import Rules

/// Fills a rule's advice for one incident. (Temporary minimal filler; replaced by the Rules
/// module's renderer.)
enum AdviceRenderer {
    static func render(_ advice: Advice, incident: Incident) -> RenderedAdvice {
        func fill(_ text: String) -> String {
            var out = text
            out = out.replacingOccurrences(of: "{{metric}}", with: incident.labels.metricName)
            out = out.replacingOccurrences(of: "{{value}}", with: "\(incident.observed)")
            out = out.replacingOccurrences(of: "{{expected}}", with: incident.expected.map { "\($0)" } ?? "unknown")
            return out
        }
        return RenderedAdvice(summary: fill(advice.summary), steps: advice.steps.map(fill), runbookURL: advice.runbookURL)
    }
}
