import AIOpsCore
import Foundation

/// When a workspace's daily summary is sent: a local time of day in a time zone
/// (`"dailySummary": {"at": "09:00", "timeZone": "Asia/Tokyo"}`; default 09:00 UTC).
///
/// Days are the zone's calendar days, so a summary keeps its local time across daylight
/// saving changes; on a day whose local `at` does not exist (skipped by a DST jump) it is sent
/// at the next time that does.
public struct DailySummarySchedule: Sendable, Equatable {
    /// Hour (0-23) and minute (0-59) of the local time.
    public let hour: Int
    public let minute: Int
    public let timeZone: TimeZone

    public static let `default` = try! DailySummarySchedule(at: "09:00", timeZone: "UTC")

    /// - Parameters:
    ///   - at: `HH:MM`, 24-hour clock.
    ///   - timeZone: an IANA name (`Asia/Tokyo`, `Europe/Berlin`) or `UTC`.
    /// - Throws: `AdviceConfigurationError` naming the value that is wrong.
    public init(at: String, timeZone: String = "UTC") throws(AdviceConfigurationError) {
        let parts = at.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else {
            throw .invalidValue(key: "at", reason: "\"\(at)\" is not a time of day as HH:MM (00:00 to 23:59)")
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw .invalidValue(key: "timeZone", reason: "\"\(timeZone)\" is not a known time zone (use an IANA name such as Asia/Tokyo, or UTC)")
        }
        self.hour = hour
        self.minute = minute
        self.timeZone = zone
    }

    /// `09:00`.
    public var atText: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    /// The first time strictly after `time` at which the summary is due.
    public func nextTime(after time: Timestamp) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = Date(timeIntervalSince1970: Double(time) / 1000)
        let next = calendar.nextDate(
            after: date, matching: DateComponents(hour: hour, minute: minute, second: 0), matchingPolicy: .nextTime) ?? date.addingTimeInterval(86_400)
        return Timestamp((next.timeIntervalSince1970 * 1000).rounded())
    }

    /// The local calendar date at `time`, `2026-03-15`.
    public func localDate(at time: Timestamp) -> String {
        format(time, "yyyy-MM-dd")
    }

    /// The local time of day at `time` with the zone's abbreviation, `14:30 JST`.
    public func localTime(at time: Timestamp) -> String {
        format(time, "HH:mm") + " " + zoneAbbreviation(at: time)
    }

    /// The local day and time, `Mon 14:30 JST`.
    public func localDayTime(at time: Timestamp) -> String {
        format(time, "EEE HH:mm") + " " + zoneAbbreviation(at: time)
    }

    /// `JST`, `CET`, `UTC`; the zone's name when it has no abbreviation.
    public func zoneAbbreviation(at time: Timestamp) -> String {
        if timeZone.identifier == "UTC" || timeZone.identifier == "GMT" { return "UTC" }
        return timeZone.abbreviation(for: Date(timeIntervalSince1970: Double(time) / 1000)) ?? timeZone.identifier
    }

    private func format(_ time: Timestamp, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: Double(time) / 1000))
    }
}

/// A workspace's advice settings that cannot be used: which key, why.
public enum AdviceConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidValue(key: String, reason: String)

    public var reason: String {
        switch self {
        case .invalidValue(_, let reason): return reason
        }
    }

    public var description: String {
        switch self {
        case .invalidValue(let key, let reason): return "\(key): \(reason)"
        }
    }
}
