/// The Prometheus stale marker: a NaN with this exact bit pattern (an ordinary NaN is
/// 0x7ff8000000000001), so compare bits, never `isNaN`.
public enum StaleMarker {
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002

    @inlinable
    public static func isStale(_ value: Double) -> Bool { value.bitPattern == bitPattern }

    public static var value: Double { Double(bitPattern: bitPattern) }
}
