import AIOpsCore
import Rules

/// What a forecast request asks for, validated: the same for `GET /api/v1/forecast` and
/// `aiops forecast`.
public struct ForecastRequest: Sendable {
    public var hours: Int
    public var stepSeconds: Int
    /// Series selectors, any of which selects a series (as Prometheus' `match[]`); empty: all.
    public var selectors: [Selector]

    public static let defaultHours = 24
    public static let defaultStepSeconds = 3600
    /// The finest step: a minute (48 hours of it is 2,880 points a series).
    public static let minimumStepSeconds = 60

    public init(hours: Int = defaultHours, stepSeconds: Int = defaultStepSeconds, selectors: [Selector] = []) {
        self.hours = hours
        self.stepSeconds = stepSeconds
        self.selectors = selectors
    }

    /// Parses the user's text: `hours` a whole number from 1 to 48, `step` a duration (`30m`,
    /// `1h`) or a number of seconds, from 1 minute to `hours`; `match` series selectors.
    /// - Throws: `ForecastRequestError` naming the parameter and the value.
    public init(hours: String?, step: String?, match: [String]) throws(ForecastRequestError) {
        var parsedHours = Self.defaultHours
        if let hours {
            guard let value = Int(hours), (1...Forecaster.maximumHours).contains(value) else { throw .hours(hours) }
            parsedHours = value
        }
        var parsedStep = Self.defaultStepSeconds
        if let step {
            let seconds: Int64
            if let duration = PromDuration(parsing: step) {
                seconds = duration.milliseconds / 1000
            } else if let number = Double(step), number.isFinite, number >= 0, number < 1e9 {
                seconds = Int64(number)
            } else {
                throw .step(step)
            }
            guard seconds >= Int64(Self.minimumStepSeconds), seconds <= Int64(parsedHours) * 3600 else { throw .step(step) }
            parsedStep = Int(seconds)
        }
        var selectors: [Selector] = []
        for text in match {
            do {
                selectors.append(try Selector(parsing: text))
            } catch {
                throw .selector(text, reason: error.reason)
            }
        }
        self.init(hours: parsedHours, stepSeconds: parsedStep, selectors: selectors)
    }

    /// Whether the request asks for the series with `labels`.
    public func selects(_ labels: Labels) -> Bool {
        selectors.isEmpty || selectors.contains { $0.matches(labels) }
    }
}

/// A forecast request parameter that cannot be used.
public enum ForecastRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case hours(String)
    case step(String)
    case selector(String, reason: String)

    public var description: String {
        switch self {
        case .hours(let value):
            return "hours: '\(value)' is not a whole number of hours from 1 to \(Forecaster.maximumHours)"
        case .step(let value):
            return "step: '\(value)' is not a duration (e.g. 30m, 1h) or seconds from \(ForecastRequest.minimumStepSeconds) s to the forecast's hours"
        case .selector(let value, let reason):
            return "match[]: '\(value)': \(reason)"
        }
    }
}
