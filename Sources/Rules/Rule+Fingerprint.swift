import AIOpsCore
import Foundation

extension Rule {
    /// What a binding's learned state depends on in its rule: name, selector, detector,
    /// threshold, `for`, `resolveAfter`, transform and limit (not severity, advice or
    /// `notify`, which may change under a running binding). Two rules with the same parts
    /// are the same rule to a reload or a snapshot: a binding of one keeps its state under
    /// the other.
    public var fingerprintParts: [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [
            name, selector.description,
            (try? encoder.encode(detector)).map { String(decoding: $0, as: UTF8.self) } ?? "?",
            String(threshold.bitPattern), String(forDuration.milliseconds), String(resolveAfter.milliseconds),
            transform?.rawValue ?? "-",
            (try? encoder.encode(limit)).map { String(decoding: $0, as: UTF8.self) } ?? "-",
        ]
    }

    /// A stable 64-bit hash of `fingerprintParts` (FNV-1a, the same on every build and machine).
    public var fingerprint: UInt64 {
        var hasher = StableHasher()
        for part in fingerprintParts {
            hasher.combine(part.utf8)
            hasher.combineSeparator()
        }
        return hasher.value
    }
}
