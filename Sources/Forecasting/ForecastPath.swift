import AIOpsCore
import Detectors

/// The forecast of one series from its detector's state (`ForecastBasis`), at any time up to
/// `hours` after the origin.
///
/// The value is level + profiles. The 80 % interval is the residual's own 10 % and 90 %
/// quantiles (measured against a level that lags by `lagSeconds`), widened beyond that lag
/// by the level's drift: as a random walk's, whose mean absolute change over a day is
/// `drift`, the change over h more hours has a mean absolute value of drift · √(h / 24 h),
/// and its 90 % quantile is 1.61 times that (1.2816 σ for a normal law, whose mean absolute
/// value is 0.7979 σ; ln 5 for a Laplace law: the same 1.61 either way). The two add in
/// quadrature.
public struct ForecastPath: Sendable {
    public let basis: ForecastBasis
    public let end: Timestamp

    /// The 90 % quantile of a symmetric error over its mean absolute value (normal or Laplace).
    static let quantilePerMeanAbsolute = 1.61

    /// - Parameter hours: how far the forecast reaches (points past it are not asked for).
    public init(basis: ForecastBasis, hours: Int) {
        self.basis = basis
        end = basis.origin + Int64(hours) * 3_600_000
    }

    /// The forecast at `t` (after the origin).
    /// - Complexity: O(profiles).
    public func point(at t: Timestamp) -> ForecastPoint {
        let value = basis.expected(at: t)
        let beyondLag = max(Double(t - basis.origin) / 1000 - basis.lagSeconds, 0)
        let extra = Self.quantilePerMeanAbsolute * basis.drift * (beyondLag / 86_400).squareRoot()
        let low = basis.low < 0 ? -(basis.low * basis.low + extra * extra).squareRoot() : basis.low
        let high = basis.high > 0 ? (basis.high * basis.high + extra * extra).squareRoot() : basis.high
        return ForecastPoint(timestamp: t, value: value, lower: value + low, upper: value + high)
    }
}
