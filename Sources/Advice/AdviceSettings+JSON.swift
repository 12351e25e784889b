import AIOpsCore
import Rules

// The advice's keys of a workspace in the `aiops serve` config file, read with the config
// file's reader (`JSONReader`): unknown keys refused with the nearest known one, values
// checked for type and range, every problem with its key path and line.

extension DailySummarySchedule {
    public static let jsonKeys = ["at", "timeZone"]

    /// `{"at": "09:00", "timeZone": "Asia/Tokyo"}`; a missing key keeps its default.
    /// - Returns: nil when anything was wrong (the problems are in `reader`).
    public init?(json node: JSONNode, path: String, reader: inout JSONReader) {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: Self.jsonKeys, example: "{\"at\": \"09:00\", \"timeZone\": \"Asia/Tokyo\"}") else { return nil }
        var at = "09:00"
        var zone = "UTC"
        var atNode: JSONNode?
        var zoneNode: JSONNode?
        for member in members {
            let key = JSONReader.path(path, member.key)
            if member.key == "at" {
                at = reader.string(member.value, key) ?? at
                atNode = member.value
            } else {
                zone = reader.string(member.value, key) ?? zone
                zoneNode = member.value
            }
        }
        guard reader.errors.count == errorsBefore else { return nil }
        do {
            try self.init(at: at, timeZone: zone)
        } catch {
            let zoneWrong = if case .invalidValue("timeZone", _) = error { true } else { false }
            reader.fail(JSONReader.path(path, zoneWrong ? "timeZone" : "at"), at: (zoneWrong ? zoneNode : atNode) ?? node, error.reason)
            return nil
        }
    }
}

extension Pricing {
    public static let jsonKeys = ["coreHour", "gibHour", "currency"]

    /// `{"coreHour": 0.031611, "gibHour": 0.004237, "currency": "USD"}`; a missing key keeps
    /// its default.
    public init?(json node: JSONNode, path: String, reader: inout JSONReader) {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: Self.jsonKeys, example: "{\"coreHour\": 0.031611, \"gibHour\": 0.004237}") else { return nil }
        self = .default
        for member in members {
            let key = JSONReader.path(path, member.key)
            switch member.key {
            case "coreHour":
                coreHour = reader.number(member.value, key, expected: "a price per core-hour of at least 0", where: { $0.isFinite && $0 >= 0 }) ?? coreHour
            case "gibHour":
                gibHour = reader.number(member.value, key, expected: "a price per GiB-hour of at least 0", where: { $0.isFinite && $0 >= 0 }) ?? gibHour
            default:
                if let code = reader.string(member.value, key) {
                    if code.isEmpty || code.count > 8 {
                        reader.fail(key, at: member.value, "expected a currency code of 1 to 8 characters (e.g. USD), found \(member.value.shortDescription)")
                    } else {
                        currency = code
                    }
                }
            }
        }
        if reader.errors.count > errorsBefore { return nil }
    }
}

extension ScalingPolicy {
    public static let jsonKeys = ["targetUtilisation", "minReplicas", "lead", "quietHours", "loads"]

    /// `{"targetUtilisation": 0.7, "minReplicas": 2, "lead": "30m", "quietHours": 6, "loads": [...]}`;
    /// a missing key keeps its default.
    public init?(json node: JSONNode, path: String, reader: inout JSONReader) {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: Self.jsonKeys, example: "{\"targetUtilisation\": 0.7}") else { return nil }
        self.init()
        for member in members {
            let key = JSONReader.path(path, member.key)
            switch member.key {
            case "targetUtilisation":
                targetUtilisation = reader.number(member.value, key, expected: "a share of capacity in (0, 1] such as 0.7", where: { $0 > 0 && $0 <= 1 }) ?? targetUtilisation
            case "minReplicas":
                minReplicas = reader.integer(member.value, key, in: 1...10_000) ?? minReplicas
            case "lead":
                lead = reader.duration(member.value, key, in: .zero...PromDuration.hours(24)) ?? lead
            case "quietHours":
                quietHours = reader.integer(member.value, key, in: 1...24) ?? quietHours
            default:
                guard let elements = reader.array(member.value, key, of: "load objects") else { continue }
                loads = elements.enumerated().compactMap { index, element in
                    LoadRule(json: element, path: JSONReader.path(key, index: index), reader: &reader)
                }
            }
        }
        if reader.errors.count > errorsBefore { return nil }
    }
}

extension LoadRule {
    public static let jsonKeys = ["namespace", "deployment", "series", "perReplica"]

    /// `{"namespace": "shop", "deployment": "checkout", "series": "http_requests_total{...}", "perReplica": 120}`.
    public init?(json node: JSONNode, path: String, reader: inout JSONReader) {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: Self.jsonKeys,
                                          example: "{\"namespace\": \"shop\", \"deployment\": \"checkout\", \"series\": \"http_requests_total\", \"perReplica\": 120}")
        else { return nil }
        var namespace: String?
        var deployment: String?
        var series: String?
        var seriesNode: JSONNode?
        var perReplica: Double?
        for member in members {
            let key = JSONReader.path(path, member.key)
            switch member.key {
            case "namespace": namespace = reader.nonEmptyString(member.value, key)
            case "deployment": deployment = reader.nonEmptyString(member.value, key)
            case "series":
                series = reader.nonEmptyString(member.value, key)
                seriesNode = member.value
            default:
                perReplica = reader.number(member.value, key, expected: "the load one replica serves, a number > 0", where: { $0.isFinite && $0 > 0 })
            }
        }
        for key in Self.jsonKeys { _ = reader.required(key, of: node, path) }
        guard reader.errors.count == errorsBefore, let namespace, let deployment, let series, let perReplica else { return nil }
        do {
            try self.init(namespace: namespace, deployment: deployment, series: series, perReplica: perReplica)
        } catch {
            reader.fail(JSONReader.path(path, "series"), at: seriesNode ?? node, error.reason)
            return nil
        }
    }
}
