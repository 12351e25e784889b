import AIOpsCore
import Foundation
import Incidents

/// Silences as JSON: the API's request and answer (Alertmanager v2's shape), and the
/// `silences.json` file (the same objects under `{"version": 1, "silences": [...]}`).
public enum SilenceJSON {
    /// Longest accepted request body.
    public static let maxRequestBytes = 64 << 10
    static let maxMatchers = 64
    static let maxTextLength = 4096

    // MARK: Request

    /// Decodes `POST /api/v1/silences`:
    ///
    ///     {"matchers": "{alertname=\"x\", instance=~\"a.*\"}"    (text, or Alertmanager's list:)
    ///      "matchers": [{"name": "alertname", "value": "x", "isRegex": false, "isEqual": true}],
    ///      "startsAt": "2026-03-02T00:00:00Z",                     (optional: now)
    ///      "endsAt": "2026-03-02T02:00:00Z",   or  "duration": "2h",
    ///      "createdBy": "ana", "comment": "deploying the fix",
    ///      "id": "..."}                                              (optional: replaces that silence)
    ///
    /// - Throws: `SilenceError.invalid` naming the key and what it should be.
    public static func decodeRequest(_ body: [UInt8], now: Timestamp) throws(SilenceError) -> SilenceRequest {
        guard body.count <= maxRequestBytes else { throw .invalid("the body is over \(maxRequestBytes) bytes") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw .invalid("the body is not a JSON object")
        }
        let known: Set<String> = ["id", "matchers", "startsAt", "endsAt", "duration", "createdBy", "comment"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalid("unknown key \"\(unknown)\" (known: \(known.sorted().joined(separator: ", ")))")
        }
        let matchers = try decodeMatchers(object["matchers"])
        guard matchers.contains(where: { !$0.matches(Labels([])) }) else {
            throw .invalid("matchers: at least one matcher must not match the empty string (a silence must not mute everything)")
        }
        let startsAt = try optionalTime(object, "startsAt")
        let endsAt: Timestamp
        switch (object["endsAt"], object["duration"]) {
        case (.some, .some):
            throw .invalid("give endsAt or duration, not both")
        case (.some, nil):
            endsAt = try optionalTime(object, "endsAt")!
        case (nil, .some(let value)):
            guard let text = value as? String, let duration = PromDuration(parsing: text), duration.milliseconds > 0 else {
                throw .invalid("duration: expected a duration such as \"2h\" or \"30m\"")
            }
            endsAt = (startsAt ?? now) + duration.milliseconds
        case (nil, nil):
            throw .invalid("endsAt (an RFC 3339 time) or duration (such as \"2h\") is required")
        }
        return SilenceRequest(
            id: try optionalString(object, "id"), matchers: matchers, startsAt: startsAt, endsAt: endsAt,
            createdBy: try requiredString(object, "createdBy"), comment: try requiredString(object, "comment"))
    }

    static func decodeMatchers(_ value: Any?) throws(SilenceError) -> [SilenceMatcher] {
        switch value {
        case nil:
            throw .invalid("matchers is required: a text such as {alertname=\"x\"} or a list of {name, value, isRegex, isEqual}")
        case let text as String:
            let matchers = try SilenceMatcher.parse(text)
            guard matchers.count <= maxMatchers else { throw .invalid("matchers: more than \(maxMatchers)") }
            return matchers
        case let list as [Any]:
            guard !list.isEmpty else { throw .invalid("matchers: the list is empty") }
            guard list.count <= maxMatchers else { throw .invalid("matchers: more than \(maxMatchers)") }
            var out: [SilenceMatcher] = []
            for (index, item) in list.enumerated() {
                guard let matcher = item as? [String: Any] else { throw .invalid("matchers[\(index)]: expected an object {name, value, isRegex, isEqual}") }
                guard let name = matcher["name"] as? String else { throw .invalid("matchers[\(index)].name: expected a string") }
                guard let text = matcher["value"] as? String else { throw .invalid("matchers[\(index)].value: expected a string") }
                guard let isRegex = bool(matcher["isRegex"]) else { throw .invalid("matchers[\(index)].isRegex: expected true or false") }
                let isEqual: Bool
                if matcher["isEqual"] == nil { isEqual = true } else {
                    guard let given = bool(matcher["isEqual"]) else { throw .invalid("matchers[\(index)].isEqual: expected true or false") }
                    isEqual = given
                }
                do {
                    out.append(try SilenceMatcher(name: name, value: text, isRegex: isRegex, isEqual: isEqual))
                } catch {
                    throw .invalid("matchers[\(index)]: \(error.description)")
                }
            }
            return out
        default:
            throw .invalid("matchers: expected a text such as {alertname=\"x\"} or a list of {name, value, isRegex, isEqual}")
        }
    }

    /// JSON booleans come back from `JSONSerialization` as `NSNumber`; 0 and 1 are not booleans.
    static func bool(_ value: Any?) -> Bool? {
        guard let number = value as? NSNumber, type(of: number) == type(of: NSNumber(value: true)) else { return nil }
        return number.boolValue
    }

    static func optionalTime(_ object: [String: Any], _ key: String) throws(SilenceError) -> Timestamp? {
        guard let value = object[key] else { return nil }
        guard let text = value as? String, let time = TimeFormat.parse(text) else {
            throw .invalid("\(key): expected an RFC 3339 time such as \"2026-03-02T00:00:00Z\"")
        }
        return time
    }

    static func optionalString(_ object: [String: Any], _ key: String) throws(SilenceError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value as? String, !text.isEmpty, text.count <= maxTextLength else {
            throw .invalid("\(key): expected a non-empty string of at most \(maxTextLength) characters")
        }
        return text
    }

    static func requiredString(_ object: [String: Any], _ key: String) throws(SilenceError) -> String {
        guard let text = try optionalString(object, key) else { throw .invalid("\(key) is required (a non-empty string)") }
        return text
    }

    // MARK: Answer

    /// A silence as Alertmanager's `GET /api/v2/silences` shows one, with its state at `now`.
    public static func object(_ silence: Silence, now: Timestamp) -> [String: Any] {
        var object = fileObject(silence)
        object["status"] = ["state": silence.state(at: now).rawValue]
        object["matchersText"] = silence.matcherText
        return object
    }

    static func fileObject(_ silence: Silence) -> [String: Any] {
        [
            "id": silence.id,
            "matchers": silence.matchers.map { ["name": $0.name, "value": $0.value, "isRegex": $0.isRegex, "isEqual": $0.isEqual] as [String: Any] },
            "startsAt": TimeFormat.rfc3339(silence.startsAt),
            "endsAt": TimeFormat.rfc3339(silence.endsAt),
            "createdBy": silence.createdBy,
            "comment": silence.comment,
            "updatedAt": TimeFormat.rfc3339(silence.updatedAt),
        ]
    }

    // MARK: File

    public static func encodeFile(_ silences: [Silence]) -> [UInt8] {
        Array((IncidentJSON.serialize(["version": 1, "silences": silences.map(fileObject)]) + "\n").utf8)
    }

    /// - Throws: `SilenceError.invalid` saying what is wrong in the file.
    public static func decodeFile(_ bytes: [UInt8]) throws(SilenceError) -> [Silence] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw .invalid("not a JSON object")
        }
        guard (object["version"] as? Int) == 1 else { throw .invalid("version: expected 1") }
        guard let list = object["silences"] as? [[String: Any]] else { throw .invalid("silences: expected a list of objects") }
        var out: [Silence] = []
        for (index, item) in list.enumerated() {
            do throws(SilenceError) {
                let matchers = try decodeMatchers(item["matchers"])
                guard let id = item["id"] as? String, !id.isEmpty else { throw .invalid("id: expected a string") }
                guard let startsAt = try optionalTime(item, "startsAt"), let endsAt = try optionalTime(item, "endsAt"),
                      let updatedAt = try optionalTime(item, "updatedAt")
                else { throw .invalid("startsAt, endsAt and updatedAt are required") }
                out.append(Silence(
                    id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt,
                    createdBy: item["createdBy"] as? String ?? "", comment: item["comment"] as? String ?? "", updatedAt: updatedAt))
            } catch {
                throw .invalid("silences[\(index)]: \(error.description)")
            }
        }
        return out
    }
}
