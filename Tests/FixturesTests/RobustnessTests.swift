import AIOpsCore
import Testing
@testable import Fixtures

/// Mangled input never traps: it either parses or throws a `FixtureError` with a reason.
@Suite struct RobustnessTests {
    static let seeds: [(String, String)] = [
        ("a.csv", "timestamp,value\n2024-04-05T19:34:38.5+02:00,1.5e3\n1712345678123,\"NaN\"\n"),
        ("a.json", #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","a":"\u00e9\n"},"values":[[1712345678.5,"1"],[1712345679,"-Inf"]]}],"x":[{"y":null}]}}"#),
        ("a.prom", "# TYPE up gauge\nup{a=\"x\\\"y\",b='z'} 1 1712345678000\n{\"q.n\",c=\"d\"} 2 1712345678.5 # {t=\"1\"} 1\n# EOF\n"),
    ]

    @Test(arguments: 0..<3)
    func mutatedInputNeverTraps(seedIndex: Int) {
        let (name, text) = Self.seeds[seedIndex]
        let original = Array(text.utf8)
        let alphabet = Array("{}[]\",:='\\#\n\r .-+eE0123456789aNI\u{0}".utf8) + [0xFF, 0xC3]
        var rng = SplitMix64(seed: UInt64(seedIndex) + 11)
        var parsed = 0
        var failed = 0
        for _ in 0..<1500 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                }
                if bytes.isEmpty { bytes = [0x31] }
            }
            if rng.next() % 5 == 0 { bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1)))) }
            do {
                let series = try FixtureReader.parse(bytes, name: name)
                #expect(series.allSatisfy { $0.timestamps.count == $0.values.count })
                parsed += 1
            } catch {
                #expect(!error.reason.isEmpty && error.file == name)
                failed += 1
            }
        }
        #expect(parsed > 0 && failed > 0)
    }

    @Test func deepJSONNestingIsAnError() {
        let deep = #"{"x":"# + String(repeating: "[", count: 100_000) + "}"
        #expect {
            _ = try FixtureReader.parse(text: deep, name: "deep.json")
        } throws: { error in
            (error as? FixtureError)?.reason.contains("nesting deeper than 256 levels") == true
        }
    }

    @Test func timestampsUpToYear9999() throws {
        let series = try FixtureReader.parse(text: "253402300799999,1\n-2534023007,2\n", name: "far.csv")
        #expect(series[0].timestamps == [253_402_300_799_999, -2_534_023_007_000])
    }

    @Test func hugeTimestampsAreErrorsNotOverflows() {
        for text in ["9223372036854775807.9,1\n", "9223372036854775807,1\n", "1e300,1\n", "-9223372036854775808,1\n", "253402300800000,1\n"] {
            #expect(throws: FixtureError.self, "\(text)") { _ = try FixtureReader.parse(text: text, name: "big.csv") }
        }
    }
}
