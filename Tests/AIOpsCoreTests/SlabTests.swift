import Testing
import AIOpsCore

@Suite struct SlabTests {
    struct Point: Equatable, BitwiseCopyable {
        var x: Int64
        var y: Double
    }

    /// Elements keep their values across growth (from a capacity of 1), and are changed in
    /// place through the subscript.
    @Test func growsAndMutatesInPlace() {
        let slab = Slab<Point>(capacity: 1)
        for i in 0..<1000 {
            #expect(slab.append(Point(x: Int64(i), y: Double(i) / 2)) == i)
        }
        #expect(slab.count == 1000)
        for i in stride(from: 0, to: 1000, by: 3) { slab[i].x += 1_000_000 }
        for i in 0..<1000 {
            #expect(slab[i] == Point(x: Int64(i) + (i % 3 == 0 ? 1_000_000 : 0), y: Double(i) / 2))
        }
        slab[999] = Point(x: -1, y: -1)
        #expect(slab[999] == Point(x: -1, y: -1))
    }
}
