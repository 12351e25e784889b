#if canImport(Glibc)
import Glibc
#endif

/// A small seeded generator (SplitMix64): reproducible jitter, synthetic data and tests.
/// Not for secrets (tokens use `SystemRandomNumberGenerator`).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal variate (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), Double.ulpOfOne)
        let u2 = unit()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }
}

// Foundation-free log and cos for the standard library module.
@inline(__always) private func _log(_ x: Double) -> Double { x.logarithm }
@inline(__always) private func _cos(_ x: Double) -> Double { x.cosine }

extension Double {
    fileprivate var logarithm: Double {
        #if canImport(Glibc)
        return Glibc.log(self)
        #else
        return Foundation.log(self)
        #endif
    }

    fileprivate var cosine: Double {
        #if canImport(Glibc)
        return Glibc.cos(self)
        #else
        return Foundation.cos(self)
        #endif
    }
}
