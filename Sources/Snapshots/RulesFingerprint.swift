import AIOpsCore
import Foundation
import Rules

/// A hash of what a pipeline's bindings depend on in its whole rule list: the rules' order
/// and each rule's `Rule.fingerprintParts`. Format version 1 snapshots carry only this; version
/// 2 also carries each rule's own `Rule.fingerprint`, so that a restart under changed rules
/// keeps the bindings of the rules that did not change.
public enum RulesFingerprint {
    public static func of(_ rules: [Rule]) -> UInt64 {
        var hasher = StableHasher()
        for rule in rules {
            for part in rule.fingerprintParts {
                hasher.combine(part.utf8)
                hasher.combineSeparator()
            }
        }
        return hasher.value
    }
}
