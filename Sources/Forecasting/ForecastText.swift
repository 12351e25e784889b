import AIOpsCore
import Foundation
import Rules

/// Forecasts as a readable table and as CSV, for `aiops forecast`.
public enum ForecastText {
    /// Per series a header line and one line per point: time, value, interval, in the unit
    /// the metric's name implies (`ValueFormatter`: bytes, seconds, cores, `/s` for a rate).
    public static func render(_ forecasts: [SeriesForecast]) -> String {
        var out = ""
        for forecast in forecasts {
            let of = forecast.transform == .rate ? "per-second rate of " : ""
            let formatter = ValueFormatter(metric: forecast.labels.metricName, transform: forecast.transform)
            out += "\(of)\(forecast.labels) (\(forecast.rule)): from \(TimeFormat.rfc3339(forecast.origin)), \(Int(forecast.coverage * 100))% interval\n"
            for point in forecast.points {
                out += "  \(TimeFormat.rfc3339(point.timestamp))  \(formatter.format(point.value))  [\(formatter.format(point.lower)), \(formatter.format(point.upper))]\n"
            }
        }
        return out
    }

    /// `series,timestamp,value,lower,upper` with a header; the series as `name{labels}`
    /// quoted for CSV, the timestamp RFC 3339.
    public static func csv(_ forecasts: [SeriesForecast]) -> String {
        var out = "series,transform,timestamp,value,lower,upper\n"
        for forecast in forecasts {
            let series = "\"" + forecast.labels.description.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            for point in forecast.points {
                out += "\(series),\(forecast.transform.rawValue),\(TimeFormat.rfc3339(point.timestamp)),\(point.value),\(point.lower),\(point.upper)\n"
            }
        }
        return out
    }
}
