import AIOpsCore
import Testing
@testable import Fixtures

/// The fast number paths against their plain references.
@Suite struct ByteTextTests {
    @Test func fastDoubleAgreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 7)
        var texts = ["0", "-0", "0.0", "1", "007", "0.1", "0.30000000000000004", "1e22", "1e23", "9007199254740993",
                     "123456789012345678", "1234567890123456789", "12345678901234567890", "4.9e-324", "1.7976931348623157e308",
                     "1e-22", "1e-23", "-2.5E+3", ".5", "5.", "1e", "e5", "+", "-", "1.2.3", "0x10", "1e400", "Infinity"]
        for _ in 0..<3000 {
            let mantissa = rng.next() % 100_000_000_000
            let scale = Int(rng.next() % 12)
            let digits = String(mantissa)
            let text = scale < digits.count ? String(digits.dropLast(scale)) + "." + String(digits.suffix(scale)) : digits
            texts.append(rng.next() % 2 == 0 ? text : "-" + text)
            texts.append(String(Double(bitPattern: rng.next() >> 2)))
        }
        for text in texts {
            let bytes = Array(text.utf8)
            let fast = ByteText.parseDouble(bytes, 0, bytes.count)
            let reference = Double(Substring(text))
            #expect(fast?.bitPattern == reference?.bitPattern, "\(text)")
        }
    }

    @Test(arguments: [
        ("1712345678", ByteText.EpochUnit.seconds, 1_712_345_678_000 as Timestamp?),
        ("1712345678.0005", .seconds, 1_712_345_678_001),
        ("1712345678.0004999", .seconds, 1_712_345_678_000),
        ("1712345678123", .milliseconds, 1_712_345_678_123),
        ("1712345678123.6", .milliseconds, 1_712_345_678_124),
        ("-1.5", .seconds, -1500),
        ("1.7e9", .seconds, 1_700_000_000_000),
        ("99999999999999999999", .seconds, nil),
        ("9300000000000000", .seconds, nil),
        ("nan", .seconds, nil),
        ("", .byMagnitude, nil),
        ("12a", .byMagnitude, nil),
    ])
    func epochNumbers(text: String, unit: ByteText.EpochUnit, expected: Timestamp?) {
        let bytes = Array(text.utf8)
        #expect(ByteText.parseEpoch(bytes, 0, bytes.count, unit: unit) == expected)
    }

    @Test func plainDateTimeFastPathAgreesWithTimeFormat() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let ms = Timestamp(rng.next() % 4_000_000_000) * 1000
            for text in [TimeFormat.plain(ms), TimeFormat.rfc3339(ms)] {
                let bytes = Array(text.utf8)
                #expect(CSVParser.parsePlainDateTime(bytes, 0, bytes.count) == TimeFormat.parse(text), "\(text)")
            }
        }
        let bad = Array("2024-02-30 25:00:00".utf8)
        #expect(CSVParser.parsePlainDateTime(bad, 0, bad.count) == nil)
    }
}
