import AIOpsCore
import Testing
@testable import RemoteWrite

/// A plain byte-at-a-time snappy decoder: the reference the fast decoder must agree with.
func referenceDecompress(_ input: [UInt8]) -> [UInt8]? {
    var i = 0
    var declared = 0
    var shift = 0
    while true {
        guard i < input.count, shift < 35 else { return nil }
        let b = input[i]; i += 1
        declared |= Int(b & 0x7f) << shift
        shift += 7
        if b < 0x80 { break }
    }
    var out: [UInt8] = []
    while i < input.count {
        let tag = input[i]; i += 1
        var length = 0
        var offset = 0
        switch tag & 3 {
        case 0:
            length = Int(tag >> 2)
            if length >= 60 {
                let extra = length - 59
                guard i + extra <= input.count else { return nil }
                length = 0
                for k in 0..<extra { length |= Int(input[i + k]) << (8 * k) }
                i += extra
            }
            length += 1
            guard i + length <= input.count else { return nil }
            out.append(contentsOf: input[i..<i + length])
            i += length
            continue
        case 1:
            guard i + 1 <= input.count else { return nil }
            length = 4 + Int((tag >> 2) & 7); offset = Int(tag >> 5) << 8 | Int(input[i]); i += 1
        case 2:
            guard i + 2 <= input.count else { return nil }
            length = 1 + Int(tag >> 2); offset = Int(input[i]) | Int(input[i + 1]) << 8; i += 2
        default:
            guard i + 4 <= input.count else { return nil }
            length = 1 + Int(tag >> 2)
            offset = Int(input[i]) | Int(input[i + 1]) << 8 | Int(input[i + 2]) << 16 | Int(input[i + 3]) << 24; i += 4
        }
        guard offset > 0, offset <= out.count else { return nil }
        for _ in 0..<length { out.append(out[out.count - offset]) }
    }
    return out.count == declared ? out : nil
}

func decompress(_ input: [UInt8], maxLength: Int = 1 << 26) throws(SnappyError) -> [UInt8] {
    var out: [UInt8] = []
    var failure: SnappyError?
    input.withUnsafeBytes { raw in
        do throws(SnappyError) { try Snappy.decompress(raw, into: &out, maxLength: maxLength) } catch { failure = error }
    }
    if let failure { throw failure }
    return out
}

func preamble(_ n: Int) -> [UInt8] {
    var w = ProtobufWriter()
    w.writeVarint(UInt64(n))
    return w.bytes
}

@Suite struct SnappyVectorTests {
    @Test func emptyBlock() throws {
        #expect(try decompress([0x00]) == [])
        #expect(Snappy.compress([]) == [0x00])
    }

    @Test func shortLiteral() throws {
        #expect(try decompress([3, 2 << 2] + Array("abc".utf8)) == Array("abc".utf8))
    }

    /// Tags 60...63 take the literal length from 1...4 following bytes; non-minimal forms are valid.
    @Test(arguments: [(60, 1, 200), (61, 2, 300), (62, 3, 70_000), (63, 4, 20), (60, 1, 61)])
    func longLiteral(tag: Int, extra: Int, length: Int) throws {
        var rng = SplitMix64(seed: UInt64(length))
        let data = randomBytes(length, &rng)
        var block = preamble(length) + [UInt8(tag << 2)]
        for k in 0..<extra { block.append(UInt8(truncatingIfNeeded: (length - 1) >> (8 * k))) }
        block += data
        #expect(try decompress(block) == data)
    }

    @Test func copyWithOneByteOffset() throws {
        // "abcd" + copy(offset 4, length 7): tag = offset>>8 << 5 | (7-4) << 2 | 1
        let block: [UInt8] = [11, 3 << 2] + Array("abcd".utf8) + [UInt8(3 << 2 | 1), 4]
        #expect(try decompress(block) == Array("abcdabcdabc".utf8))
    }

    @Test func copyWithOneByteOffsetHighBits() throws {
        var rng = SplitMix64(seed: 3)
        let data = randomBytes(300, &rng)
        // offset 300 = 0b1_0010_1100: high 3 bits (1) in the tag, low byte 0x2c
        let block = preamble(305) + [UInt8(61 << 2), 0x2b, 0x01] + data + [UInt8(1 << 5 | 1 << 2 | 1), 0x2c]
        #expect(try decompress(block) == data + data.prefix(5))
    }

    @Test func copyWithTwoByteOffset() throws {
        let block: [UInt8] = [8, 3 << 2] + Array("wxyz".utf8) + [UInt8(3 << 2 | 2), 4, 0]
        #expect(try decompress(block) == Array("wxyzwxyz".utf8))
    }

    @Test func copyWithFourByteOffsetBeyond64KiB() throws {
        var rng = SplitMix64(seed: 4)
        let data = randomBytes(70_000, &rng)
        let n = data.count - 1
        let block = preamble(70_064) + [UInt8(62 << 2), UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16)] + data
            + [UInt8(63 << 2 | 3), 0x70, 0x11, 0x01, 0x00]  // offset 70000, length 64
        #expect(try decompress(block) == data + data.prefix(64))
    }

    @Test(arguments: [1, 2, 3, 5, 7, 8, 9, 16])
    func overlappingRun(offset: Int) throws {
        let seed = Array("abcdefghijklmnop".utf8.prefix(offset))
        let length = 40
        var expected = seed
        for _ in 0..<length { expected.append(expected[expected.count - offset]) }
        let block = preamble(offset + length) + [UInt8((offset - 1) << 2)] + seed + [UInt8((length - 1) << 2 | 2), UInt8(offset), 0]
        #expect(try decompress(block) == expected)
    }
}

@Suite struct SnappyMalformedTests {
    @Test(arguments: [
        ([], SnappyError.truncatedPreamble),
        ([0x80], .truncatedPreamble),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], .overlongPreamble),
        ([0xff, 0xff, 0xff, 0xff, 0x1f], .overlongPreamble),
        ([0x80, 0x80, 0x80, 0x80, 0x10], .overlongPreamble),
        ([5, 4 << 2, 0x61, 0x62], .inputTruncated(at: 1)),
        ([100, 60 << 2], .inputTruncated(at: 1)),
        ([100, 61 << 2, 0x10], .inputTruncated(at: 1)),
        ([8, 0, 0x61, 3 << 2 | 2, 0, 0], .offsetOutOfRange(offset: 0, position: 1)),
        ([8, 0, 0x61, 3 << 2 | 2, 2, 0], .offsetOutOfRange(offset: 2, position: 1)),
        ([8, 0, 0x61, 1, 0], .offsetOutOfRange(offset: 0, position: 1)),
        ([8, 0, 0x61, 3, 9, 0, 0, 0], .offsetOutOfRange(offset: 9, position: 1)),
        ([8, 0, 0x61, 1], .inputTruncated(at: 3)),
        ([8, 0, 0x61, 2, 1], .inputTruncated(at: 3)),
        ([8, 0, 0x61, 3, 1, 0, 0], .inputTruncated(at: 3)),
        ([2, 2 << 2, 0x61, 0x62, 0x63], .outputOverflow(at: 1, declared: 2)),
        ([3, 0, 0x61, 4 << 2 | 2, 1, 0], .outputOverflow(at: 3, declared: 3)),
        ([0, 0, 0x61], .outputOverflow(at: 1, declared: 0)),
        ([5, 2 << 2, 0x61, 0x62, 0x63], .lengthMismatch(declared: 5, produced: 3)),
        ([5], .lengthMismatch(declared: 5, produced: 0)),
    ] as [([UInt8], SnappyError)])
    func rejects(block: [UInt8], error: SnappyError) {
        #expect(throws: error) { try decompress(block) }
        #expect(referenceDecompress(block) == nil || block == [0x00])
    }

    /// 4 GiB - 1 declared in a 5-byte body: refused before `output` grows.
    @Test func declaredLengthCheckedBeforeAllocation() {
        var out: [UInt8] = []
        let limit = 32 << 20
        let block: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f]
        #expect(throws: SnappyError.declaredLengthTooLarge(declared: 0xffff_ffff, limit: limit)) {
            try block.withUnsafeBytes { try Snappy.decompress($0, into: &out, maxLength: limit) }
        }
        #expect(out.capacity == 0)
    }

    @Test func descriptionsAreOneLine() {
        let errors: [SnappyError] = [.truncatedPreamble, .overlongPreamble, .declaredLengthTooLarge(declared: 9, limit: 1),
                                     .inputTruncated(at: 3), .offsetOutOfRange(offset: 0, position: 1),
                                     .outputOverflow(at: 1, declared: 2), .lengthMismatch(declared: 5, produced: 3)]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasPrefix("snappy: "))
        }
    }
}

@Suite struct SnappyRoundTripTests {
    static let sizes = [0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 31, 32, 33, 63, 64, 65, 100, 1000, 4096, 65_535, 65_536, 65_537, 200_000]

    @Test(arguments: sizes)
    func randomData(size: Int) throws {
        var rng = SplitMix64(seed: UInt64(size) &+ 17)
        let data = randomBytes(size, &rng)
        let compressed = Snappy.compress(data)
        #expect(try decompress(compressed) == data)
        #expect(referenceDecompress(compressed) == data)
    }

    @Test(arguments: sizes)
    func repetitiveData(size: Int) throws {
        var rng = SplitMix64(seed: UInt64(size) &+ 99)
        let data = repetitiveBytes(size, &rng)
        let compressed = Snappy.compress(data)
        #expect(try decompress(compressed) == data)
        if size >= 1000 { #expect(compressed.count < size / 2) }
    }

    @Test func runsCompressToAlmostNothing() throws {
        let data = [UInt8](repeating: 7, count: 100_000)
        let compressed = Snappy.compress(data)
        #expect(compressed.count < 5_000)
        #expect(try decompress(compressed) == data)
    }

    /// Random valid element streams (short offsets, runs, copies at the very end) decode the
    /// same through the fast paths as through the byte-at-a-time reference.
    @Test func agreesWithReferenceOnRandomElementStreams() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            var body: [UInt8] = []
            var produced = 0
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                if produced == 0 || Bool.random(using: &rng) {
                    let n = Int.random(in: 1...(Bool.random(using: &rng) ? 20 : 100), using: &rng)
                    if n <= 60 { body.append(UInt8((n - 1) << 2)) } else { body += [60 << 2, UInt8(n - 1)] }
                    body += randomBytes(n, &rng)
                    produced += n
                } else {
                    let offset = Int.random(in: 1...min(produced, Bool.random(using: &rng) ? 10 : 2000), using: &rng)
                    let length = Int.random(in: 1...64, using: &rng)
                    body += [UInt8((length - 1) << 2 | 2), UInt8(offset & 0xff), UInt8(offset >> 8)]
                    produced += length
                }
            }
            let block = preamble(produced) + body
            let expected = try #require(referenceDecompress(block))
            #expect(try decompress(block) == expected)
        }
    }

    /// The output array is reused: a smaller body after a larger one shrinks it without
    /// reallocating, and a larger one grows it.
    @Test func reusesOutputCapacity() throws {
        var rng = SplitMix64(seed: 5)
        let big = repetitiveBytes(50_000, &rng)
        let small = repetitiveBytes(1_000, &rng)
        var out: [UInt8] = []
        try Snappy.compress(big).withUnsafeBytes { try Snappy.decompress($0, into: &out, maxLength: 1 << 20) }
        #expect(out == big)
        let capacity = out.capacity
        try Snappy.compress(small).withUnsafeBytes { try Snappy.decompress($0, into: &out, maxLength: 1 << 20) }
        #expect(out == small)
        #expect(out.capacity == capacity)
        try Snappy.compress(big).withUnsafeBytes { try Snappy.decompress($0, into: &out, maxLength: 1 << 20) }
        #expect(out == big)
    }

    /// Every truncation of a valid block throws, and random corruption never traps.
    @Test func hostileBlocksNeverTrap() throws {
        var rng = SplitMix64(seed: 6)
        let data = repetitiveBytes(1_500, &rng)
        let compressed = Snappy.compress(data)
        var acceptedPrefixes = 0
        for cut in 0..<compressed.count where (try? decompress(Array(compressed.prefix(cut)))) != nil {
            acceptedPrefixes += 1
        }
        #expect(acceptedPrefixes == 0)
        var disagreements = 0
        for _ in 0..<300 {
            var corrupted = compressed
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                corrupted[Int.random(in: 0..<corrupted.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let fast = try? decompress(corrupted, maxLength: 1 << 20)
            let reference = referenceDecompress(corrupted)
            if !(fast == reference || (fast == nil && (reference?.count ?? 0) > 1 << 20)) { disagreements += 1 }
        }
        #expect(disagreements == 0)
    }
}
