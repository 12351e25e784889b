import AIOpsCore
import Foundation
import Testing
@testable import Detectors

@Suite struct DetectorSpecTests {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads a `"detector"` object as a rule file's reader does.
    func decode(_ json: String) throws -> DetectorSpec {
        let node = try JSONParser.parse(Array(json.utf8))
        var reader = JSONReader()
        guard let spec = DetectorSpec(json: node, path: "detector", reader: &reader) else {
            throw Failed(description: reader.errors.map(\.description).joined(separator: "; "))
        }
        return spec
    }

    /// The text of the errors, which must name the key and the value.
    func message(_ json: String) -> String {
        do {
            _ = try decode(json)
            return ""
        } catch {
            return String(describing: error)
        }
    }

    @Test func defaults() throws {
        let spec = try decode(#"{"kind": "ewma"}"#)
        #expect(spec == DetectorSpec(kind: .ewma))
        #expect(spec.direction == .both)
        #expect(spec.warmup == 30)
        #expect(spec.alpha == 0.05)
        #expect(spec.zThreshold == 5)
        #expect(spec.minRelativeDeviation == 0.02)
        #expect(spec.adaptAfter == .minutes(30))
        #expect(spec.period == .auto)
        #expect(spec.window == .hours(1))
        #expect(spec.minRelativeGrowthPerHour == 0.1)
        #expect(try decode(#"{"kind": "auto"}"#) == .auto)
    }

    @Test func leakDefaultsToUp() throws {
        #expect(try decode(#"{"kind": "leak"}"#).direction == .up)
        #expect(try decode(#"{"kind": "leak", "direction": "down"}"#).direction == .down)
        #expect(DetectorSpec(kind: .leak).direction == .up)
        #expect(DetectorSpec.auto.direction == .both)
    }

    @Test func everyKey() throws {
        let spec = try decode("""
            {"kind": "seasonal", "direction": "down", "warmup": 12, "alpha": 0.2, "zThreshold": 5.5,
             "minRelativeDeviation": 0.1, "adaptAfter": "1h", "period": "1w", "window": "2h30m", "minRelativeGrowthPerHour": 0.05}
            """)
        #expect(spec.kind == .seasonal)
        #expect(spec.direction == .down)
        #expect(spec.warmup == 12)
        #expect(spec.alpha == 0.2)
        #expect(spec.zThreshold == 5.5)
        #expect(spec.minRelativeDeviation == 0.1)
        #expect(spec.adaptAfter == .hours(1))
        #expect(spec.period == .weekly)
        #expect(spec.window == PromDuration(milliseconds: 9_000_000))
        #expect(spec.minRelativeGrowthPerHour == 0.05)
    }

    @Test(arguments: [
        ("1d", SeasonalPeriod.daily), ("24h", .daily), ("1w", .weekly), ("7d", .weekly), ("auto", .auto),
        ("12h", .custom(.hours(12))),
    ])
    func periods(text: String, period: SeasonalPeriod) throws {
        #expect(try decode(#"{"kind": "seasonal", "period": "\#(text)"}"#).period == period)
    }

    @Test func aDurationMustBeAString() {
        #expect(message(#"{"kind": "leak", "window": 7200}"#)
            == #"detector.window: expected a duration such as "30s", "5m" or "1h30m" from 1m to 30d, found 7200"#)
    }

    @Test func unknownKeyNamesTheKeyAndTheNearest() {
        #expect(message(#"{"kind": "ewma", "alhpa": 0.1}"#) == #"detector.alhpa: unknown key (did you mean "alpha"?)"#)
    }

    @Test func missingKindIsAnError() {
        #expect(message(#"{"alpha": 0.1}"#) == "detector.kind: missing required key")
    }

    /// The example of the issue: a fraction where a whole number is wanted says so.
    @Test func typeErrorsSayWhatWasExpected() {
        #expect(message(#"{"kind": "ewma", "warmup": 1.5}"#) == "detector.warmup: expected a whole number from 0 to 1000000, found 1.5")
        #expect(message(#"{"kind": "ewma", "alpha": "0.1"}"#) == #"detector.alpha: expected a number between 0 and 1 (exclusive), found "0.1""#)
        #expect(message(#"{"kind": "fast"}"#) == #"detector.kind: expected one of ewma, seasonal, leak, auto, found "fast""#)
        #expect(message(#"{"kind": "ewma", "direction": "upp"}"#) == #"detector.direction: expected one of up, down, both, found "upp" (did you mean "up"?)"#)
    }

    @Test(arguments: [
        (#"{"kind": "magic"}"#, "kind", "magic"),
        (#"{"kind": "ewma", "direction": "sideways"}"#, "direction", "sideways"),
        (#"{"kind": "ewma", "alpha": 1.5}"#, "alpha", "1.5"),
        (#"{"kind": "ewma", "alpha": 0}"#, "alpha", "0"),
        (#"{"kind": "ewma", "warmup": -3}"#, "warmup", "-3"),
        (#"{"kind": "ewma", "zThreshold": -1}"#, "zThreshold", "-1"),
        (#"{"kind": "ewma", "minRelativeDeviation": -0.5}"#, "minRelativeDeviation", "-0.5"),
        (#"{"kind": "ewma", "adaptAfter": "later"}"#, "adaptAfter", "later"),
        (#"{"kind": "ewma", "adaptAfter": "8d"}"#, "adaptAfter", "8d"),
        (#"{"kind": "seasonal", "period": "fortnightly"}"#, "period", "fortnightly"),
        (#"{"kind": "seasonal", "period": "10s"}"#, "period", "10s"),
        (#"{"kind": "leak", "window": "soon"}"#, "window", "soon"),
        (#"{"kind": "leak", "window": "10s"}"#, "window", "10s"),
        (#"{"kind": "leak", "minRelativeGrowthPerHour": 0}"#, "minRelativeGrowthPerHour", "0"),
    ])
    func badValueNamesKeyAndValue(json: String, key: String, value: String) {
        let text = message(json)
        #expect(text.contains(key), "\(text)")
        #expect(text.contains(value), "\(text)")
    }

    @Test func encodesEveryKeyForFingerprints() throws {
        let spec = DetectorSpec(
            kind: .leak, direction: .down, warmup: 5, alpha: 0.3, zThreshold: 3, minRelativeDeviation: 0,
            adaptAfter: .minutes(45), period: .custom(.hours(6)), window: .hours(3), minRelativeGrowthPerHour: 0.2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(spec), as: UTF8.self)
        for key in DetectorSpec.jsonKeys { #expect(text.contains("\"\(key)\""), "\(key)") }
    }
}
