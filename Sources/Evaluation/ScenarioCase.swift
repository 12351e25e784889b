import AIOpsCore
import Fixtures
import Foundation

/// One labeled case of the scenario corpus (`fixtures/scenarios/labels.json`): a CSV series
/// with its identity and the windows in which an incident must start.
public struct ScenarioCase: Sendable, Equatable {
    /// `event`: windows say what must fire (an empty list: nothing may). `noise`: nothing may
    /// fire, and false incidents are also counted per 30 days for the false-alarm budget.
    public enum Kind: String, Sendable, Codable {
        case event
        case noise
    }

    /// A further series replayed in the same pipeline (e.g. a container's memory limit).
    public struct Companion: Sendable, Equatable {
        public var file: String
        public var identity: Labels

        public init(file: String, identity: Labels) {
            self.file = file
            self.identity = identity
        }
    }

    public var name: String
    /// The CSV, relative to the corpus directory.
    public var file: String
    /// The series identity (`aiops replay --metric`); it decides which rules apply.
    public var identity: Labels
    public var description: String
    public var kind: Kind
    /// The noise family a `noise` case belongs to (several seeds share one).
    public var family: String?
    /// Inclusive event-time ranges within which an incident must start, in time order.
    public var windows: [ClosedRange<Timestamp>]
    /// When set, only this rule's incidents count for the windows (any incident outside every
    /// window still counts as false).
    public var rule: String?
    /// Incidents that start before this time count neither for nor against the case (a case
    /// that may alarm while it learns, such as a nightly job on its first nights).
    public var ignoreBefore: Timestamp?
    public var companions: [Companion]

    public init(
        name: String, file: String, identity: Labels, description: String = "", kind: Kind = .event,
        family: String? = nil, windows: [ClosedRange<Timestamp>] = [], rule: String? = nil,
        ignoreBefore: Timestamp? = nil, companions: [Companion] = []
    ) {
        self.name = name
        self.file = file
        self.identity = identity
        self.description = description
        self.kind = kind
        self.family = family
        self.windows = windows
        self.rule = rule
        self.ignoreBefore = ignoreBefore
        self.companions = companions
    }
}

extension ScenarioCase {
    /// Decodes one entry of `labels.json`'s `cases`.
    /// - Parameters:
    ///   - object: the entry.
    ///   - source: the labels file, for errors.
    ///   - key: the entry's key path (`cases[3]`), for errors.
    /// - Throws: `ScenarioLabelsError` naming the file and the key at fault.
    static func decode(_ object: Any, source: String, key: String) throws(ScenarioLabelsError) -> ScenarioCase {
        func fail(_ path: String, _ reason: String) -> ScenarioLabelsError {
            ScenarioLabelsError(file: source, key: path.isEmpty ? key : "\(key).\(path)", reason: reason)
        }
        guard let entry = object as? [String: Any] else { throw fail("", "a case must be an object") }
        func string(_ name: String, required: Bool = true) throws(ScenarioLabelsError) -> String? {
            guard let value = entry[name] else {
                if required { throw fail(name, "missing") }
                return nil
            }
            guard let text = value as? String, !text.isEmpty else { throw fail(name, "must be a non-empty string") }
            return text
        }
        func identity(_ text: String, at path: String) throws(ScenarioLabelsError) -> Labels {
            do {
                return try SeriesIdentity.parse(text)
            } catch {
                throw fail(path, "bad series identity: \(error)")
            }
        }
        func timestamp(_ value: Any?, at path: String) throws(ScenarioLabelsError) -> Timestamp {
            guard let text = value as? String else { throw fail(path, "must be a \"YYYY-MM-DD HH:MM:SS\" string") }
            guard let time = TimeFormat.parse(text) else { throw fail(path, "bad timestamp \"\(text)\"") }
            return time
        }

        let file = try string("file")!
        let name = try string("name", required: false) ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let metric = try string("metric")!
        let kindText = try string("kind")!
        guard let kind = Kind(rawValue: kindText) else { throw fail("kind", "must be \"event\" or \"noise\", not \"\(kindText)\"") }
        guard let windowList = entry["windows"] else { throw fail("windows", "missing (an empty list means no incident may fire)") }
        guard let windowItems = windowList as? [Any] else { throw fail("windows", "must be a list of [start, end] pairs") }
        var windows: [ClosedRange<Timestamp>] = []
        for (index, item) in windowItems.enumerated() {
            guard let pair = item as? [Any], pair.count == 2 else { throw fail("windows[\(index)]", "must be a [start, end] pair") }
            let start = try timestamp(pair[0], at: "windows[\(index)][0]")
            let end = try timestamp(pair[1], at: "windows[\(index)][1]")
            guard start <= end else { throw fail("windows[\(index)]", "ends before it starts") }
            windows.append(start...end)
        }
        if kind == .noise && !windows.isEmpty { throw fail("windows", "a noise case has no windows") }
        var ignoreBefore: Timestamp?
        if entry["ignoreBefore"] != nil { ignoreBefore = try timestamp(entry["ignoreBefore"], at: "ignoreBefore") }
        var companions: [Companion] = []
        if let list = entry["companions"] {
            guard let items = list as? [Any] else { throw fail("companions", "must be a list of {file, metric} objects") }
            for (index, item) in items.enumerated() {
                guard let companion = item as? [String: Any] else { throw fail("companions[\(index)]", "must be a {file, metric} object") }
                guard let companionFile = companion["file"] as? String, !companionFile.isEmpty else {
                    throw fail("companions[\(index)].file", "must be a non-empty string")
                }
                guard let companionMetric = companion["metric"] as? String, !companionMetric.isEmpty else {
                    throw fail("companions[\(index)].metric", "must be a non-empty string")
                }
                companions.append(Companion(file: companionFile, identity: try identity(companionMetric, at: "companions[\(index)].metric")))
            }
        }
        return ScenarioCase(
            name: name, file: file, identity: try identity(metric, at: "metric"),
            description: try string("description", required: false) ?? "", kind: kind,
            family: try string("family", required: false), windows: windows.sorted { $0.lowerBound < $1.lowerBound },
            rule: try string("rule", required: false), ignoreBefore: ignoreBefore, companions: companions)
    }
}
