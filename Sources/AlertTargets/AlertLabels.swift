import AIOpsCore
import Incidents

/// The labels an incident carries as an alert, the same for Alertmanager and for `aiops`'
/// own silences: `alertname` (the rule), `severity`, `workspace`, then the series' labels,
/// its metric name as `metric` (`Labels.exported(adding:)`: a series label clashing with
/// one of the first three is kept as `exported_<name>`).
///
/// Identity: Alertmanager takes an alert's label set as its identity, and an incident is
/// one rule on one series in one workspace, so each incident is one alert.
public enum AlertLabels {
    public static func labels(of incident: Incident, workspace: String) -> Labels {
        incident.labels.exported(adding: [
            ("alertname", incident.rule),
            ("severity", incident.severity.rawValue),
            ("workspace", workspace),
        ])
    }
}
