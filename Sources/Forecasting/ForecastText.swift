import AIOpsCore
import Foundation

/// Forecasts as a readable table and as CSV, for `aiops forecast`.
public enum ForecastText {
    /// Per series a header line and one line per point: time, value, interval.
    public static func render(_ forecasts: [SeriesForecast]) -> String {
        var out = ""
        for forecast in forecasts {
            let of = forecast.transform == .rate ? "per-second rate of " : ""
            out += "\(of)\(forecast.labels) (\(forecast.rule)): from \(TimeFormat.rfc3339(forecast.origin)), \(Int(forecast.coverage * 100))% interval\n"
            for point in forecast.points {
                out += "  \(TimeFormat.rfc3339(point.timestamp))  \(number(point.value))  [\(number(point.lower)), \(number(point.upper))]\n"
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

    /// Four significant digits (`%g`: exponent form below 1e-4 and from 1e4 on).
    static func number(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
