import AIOpsCore
import Foundation

/// swift-nio's performance-harness shape: one warm-up, then timed runs, each returning its figure.
enum Harness {
    /// Runs `body` once untimed, then `runs` times, and returns each run's figure.
    static func measure(runs: Int, warmup: Int = 1, _ body: () -> Double) -> [Double] {
        for _ in 0..<warmup { _ = body() }
        return (0..<runs).map { _ in body() }
    }

    /// Seconds taken by `body`.
    @inline(__always)
    static func seconds(_ body: () -> Void) -> Double {
        let start = MonotonicClock.nanoseconds()
        body()
        return Double(MonotonicClock.nanoseconds() - start) / 1e9
    }

    /// How many calls of `body` take about `target` seconds (at least 1).
    static func calibrate(target: Double, _ body: () -> Void) -> Int {
        var n = 1
        while true {
            let elapsed = seconds { for _ in 0..<n { body() } }
            if elapsed >= target / 4 || n >= 1 << 30 {
                return max(1, Int(Double(n) * target / max(elapsed, 1e-9)))
            }
            n *= 4
        }
    }

    static var cores: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// Written by `blackHole` so the optimiser cannot drop the work that produced a value. Only
/// the main thread runs micro benchmarks, so the unsynchronised global is never raced.
nonisolated(unsafe) var blackHoleSink: UInt64 = 0

@inline(never)
func blackHole(_ value: Int) {
    blackHoleSink &+= UInt64(bitPattern: Int64(value))
}

@inline(never)
func blackHole(_ value: Double) {
    blackHoleSink &+= value.bitPattern
}

/// Writes a line to standard error (progress, warnings).
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
