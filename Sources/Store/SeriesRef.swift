/// A handle to a series in a `SeriesStore`: its slot index. Valid until the series is evicted.
public struct SeriesRef: Hashable, Sendable, Comparable {
    public let index: Int32

    @inlinable
    public init(_ index: Int32) { self.index = index }

    @inlinable
    public init(_ index: Int) { self.index = Int32(truncatingIfNeeded: index) }

    public static func < (lhs: SeriesRef, rhs: SeriesRef) -> Bool { lhs.index < rhs.index }
}
