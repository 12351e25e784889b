import AIOpsCore
import Foundation
import Rules

/// A hash of what a pipeline's bindings depend on in its rules: their order, names,
/// selectors, detectors and incident timing. A snapshot taken under other rules is refused
/// (its bindings would point at the wrong rules); advice and notification settings may change.
public enum RulesFingerprint {
    public static func of(_ rules: [Rule]) -> UInt64 {
        var hasher = StableHasher()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for rule in rules {
            for part in [
                rule.name, rule.selector.description,
                (try? encoder.encode(rule.detector)).map { String(decoding: $0, as: UTF8.self) } ?? "?",
                String(rule.threshold.bitPattern), String(rule.forDuration.milliseconds), String(rule.resolveAfter.milliseconds),
                rule.transform?.rawValue ?? "-",
                (try? encoder.encode(rule.limit)).map { String(decoding: $0, as: UTF8.self) } ?? "-",
            ] {
                hasher.combine(part.utf8)
                hasher.combineSeparator()
            }
        }
        return hasher.value
    }
}
