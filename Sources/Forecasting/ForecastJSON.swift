import AIOpsCore
import Foundation

/// Forecasts as JSON in the shape of Prometheus' `query_range` result: `data.result[]` with
/// `metric` (the labels) and `values` (`[unix seconds, "value"]` pairs), plus `lower` and
/// `upper` in the same shape, and what the forecast is of.
public enum ForecastJSON {
    /// The whole response body: `{"status": "success", "data": {...}}`.
    /// - Parameter truncated: more series matched than the response holds.
    public static func document(_ forecasts: [SeriesForecast], truncated: Bool, workspace: String? = nil) -> String {
        var data: [String: Any] = [
            "resultType": "matrix",
            "result": forecasts.map(object),
            "truncated": truncated,
        ]
        if let first = forecasts.first { data["coverage"] = first.coverage }
        var object: [String: Any] = ["status": "success", "data": data]
        if let workspace { object["workspace"] = workspace }
        return serialize(object)
    }

    /// One series' forecast.
    public static func object(_ forecast: SeriesForecast) -> [String: Any] {
        [
            "metric": forecast.labels.dictionary,
            "transform": forecast.transform.rawValue,
            "rule": forecast.rule,
            "origin": seconds(forecast.origin),
            "values": forecast.points.map { [seconds($0.timestamp), text($0.value)] },
            "lower": forecast.points.map { [seconds($0.timestamp), text($0.lower)] },
            "upper": forecast.points.map { [seconds($0.timestamp), text($0.upper)] },
        ]
    }

    /// An error body in Prometheus' shape.
    public static func error(type: String, message: String) -> String {
        serialize(["status": "error", "errorType": type, "error": message])
    }

    /// Unix seconds, as a number (whole seconds print without a fraction).
    static func seconds(_ t: Timestamp) -> Any {
        t % 1000 == 0 ? Int(t / 1000) as Any : Double(t) / 1000 as Any
    }

    /// A sample value as Prometheus writes it: a string, shortest round-trip form.
    static func text(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }

    static func serialize(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
