import Testing
@testable import RemoteWrite

/// The copy element's word-wide paths (16-byte steps from offset 16, 8-byte steps from 8,
/// bytes below) against the byte-at-a-time reference, at every offset around those bounds,
/// every length, and with no slack after the copy (the copy ends the output) or some.
@Suite struct SnappyCopyTests {
    @Test(arguments: [0, 1, 15, 16, 17, 40])
    func copiesAgreeWithTheReference(trailing: Int) throws {
        var disagreements: [String] = []
        for offset in 1...40 {
            for length in 1...64 {
                // A literal of 40 bytes, the copy, then `trailing` literal bytes.
                let prefix = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
                var body: [UInt8] = [UInt8((prefix.count - 1) << 2)] + prefix
                body += [UInt8((length - 1) << 2 | 2), UInt8(offset & 0xff), UInt8(offset >> 8)]
                if trailing > 0 { body += [UInt8((trailing - 1) << 2)] + [UInt8](repeating: 0xee, count: trailing) }
                let block = preamble(prefix.count + length + trailing) + body
                let expected = try #require(referenceDecompress(block))
                if (try? decompress(block)) != expected { disagreements.append("offset \(offset) length \(length)") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }
}
