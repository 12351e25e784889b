/// Compares a presented bearer token with a configured one in time that does not depend on
/// where they differ, so response timing does not leak how much of a guess was right.
enum TokenComparison {
    static func matches(_ expected: [UInt8], _ candidate: UnsafeRawBufferPointer) -> Bool {
        guard candidate.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<expected.count { difference |= expected[index] ^ candidate[index] }
        return difference == 0
    }
}
