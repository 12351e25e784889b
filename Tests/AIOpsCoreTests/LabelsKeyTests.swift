import Testing
@testable import AIOpsCore

/// XXH64 written the plain way, straight from the xxHash specification: bytes assembled into
/// words one at a time, lanes in an array. The reference `Labels.Key.hash` must agree with.
enum ReferenceXXH64 {
    static let p1: UInt64 = 11_400_714_785_074_694_791
    static let p2: UInt64 = 14_029_467_366_897_019_727
    static let p3: UInt64 = 1_609_587_929_392_839_161
    static let p4: UInt64 = 9_650_029_242_287_828_579
    static let p5: UInt64 = 2_870_177_450_012_600_261

    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    static func word(_ b: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<size { w |= UInt64(b[at + k]) << (8 * UInt64(k)) }
        return w
    }

    static func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 { rotl(acc &+ lane &* p2, 31) &* p1 }

    static func hash(_ b: [UInt8]) -> UInt64 {
        var i = 0
        var acc: UInt64
        if b.count >= 32 {
            var v: [UInt64] = [p1 &+ p2, p2, 0, 0 &- p1]
            while b.count - i >= 32 {
                for lane in 0..<4 { v[lane] = round(v[lane], word(b, i + 8 * lane, 8)) }
                i += 32
            }
            acc = rotl(v[0], 1) &+ rotl(v[1], 7) &+ rotl(v[2], 12) &+ rotl(v[3], 18)
            for lane in 0..<4 { acc = (acc ^ round(0, v[lane])) &* p1 &+ p4 }
        } else {
            acc = p5
        }
        acc &+= UInt64(b.count)
        while b.count - i >= 8 {
            acc = rotl(acc ^ round(0, word(b, i, 8)), 27) &* p1 &+ p4
            i += 8
        }
        if b.count - i >= 4 {
            acc = rotl(acc ^ (word(b, i, 4) &* p1), 23) &* p2 &+ p3
            i += 4
        }
        while i < b.count {
            acc = rotl(acc ^ (UInt64(b[i]) &* p5), 11) &* p1
            i += 1
        }
        acc ^= acc >> 33
        acc &*= p2
        acc ^= acc >> 29
        acc &*= p3
        acc ^= acc >> 32
        return acc
    }
}

@Suite struct LabelsKeyTests {
    static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { Labels.Key.hash($0) } }

    /// Known answers of `xxhsum -H1` (xxHash 0.8) over the first n bytes of 0, 1, ..., 255, 0, 1, ...:
    /// every path (tail bytes, the 4-byte step, 8-byte steps, 32-byte stripes) at and around its edges.
    @Test(arguments: [
        (0, 0xef46_db37_51d8_e999 as UInt64), (1, 0xe934_a84a_db05_2768), (3, 0xe5c7_bb45_33bc_65dd),
        (4, 0xffce_d860_4453_cc1e), (7, 0x14cc_643f_630c_72d2), (8, 0x884a_1736_14b8_1b8d),
        (9, 0x67d8_5784_a7c7_8c5b), (15, 0xa948_f5f0_f6ab_ac2d), (16, 0x44b6_ef2f_b841_69f7),
        (17, 0x5603_e60c_5275_99b6), (31, 0xc346_d2b5_9b4d_8ee1), (32, 0xcbf5_9c51_16ff_32b4),
        (33, 0x0c53_5d1a_cafb_8ead), (63, 0xe26a_a9e2_a95f_8e4f), (64, 0xf7c6_7301_db67_13f0),
        (65, 0xc31e_b63b_2ae4_465b), (100, 0x6ac1_e580_3216_6597), (127, 0x464d_0858_10ce_0199),
        (128, 0x7a7f_e146_47b9_ab92), (200, 0x50dc_1079_b99e_879c), (511, 0x8281_1869_5502_a203),
    ])
    func hashMatchesXXH64KnownAnswers(length: Int, expected: UInt64) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        #expect(Self.hash(bytes) == expected)
        #expect(ReferenceXXH64.hash(bytes) == expected)
    }

    @Test func hashOfTextMatchesXXH64() {
        #expect(Self.hash(Array("a".utf8)) == 0xd24e_c4f1_a98c_6e5b)
        #expect(Self.hash(Array("abc".utf8)) == 0x44bc_2cf5_ad77_0999)
    }

    /// The word-at-a-time hash agrees with the plain reference at every length and offset
    /// (unaligned starts included).
    @Test func hashAgreesWithReferenceAtEveryLengthAndAlignment() {
        var state: UInt64 = 42
        let data: [UInt8] = (0..<400).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        var mismatches: [String] = []
        data.withUnsafeBytes { raw in
            for offset in 0..<8 {
                for length in 0...(data.count - offset) {
                    let fast = Labels.Key.hash(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]))
                    let reference = ReferenceXXH64.hash(Array(data[offset..<offset + length]))
                    if fast != reference { mismatches.append("offset \(offset) length \(length)") }
                }
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test func keyLayoutIsTheRemoteWriteEncodingInSortedOrder() {
        let labels = Labels([Label("job", "api"), Label("__name__", "up")])
        let expected: [UInt8] = [0x0a, 14, 0x0a, 8] + Array("__name__".utf8) + [0x12, 2] + Array("up".utf8)
            + [0x0a, 10, 0x0a, 3] + Array("job".utf8) + [0x12, 3] + Array("api".utf8)
        #expect(labels.keyBytes == expected)
        #expect(labels.stableHash == Self.hash(expected))
        // Pinned: shards and incident ids depend on it, so it must never change silently
        // (printf '\x0a\x0e\x0a\x08__name__\x12\x02up\x0a\x0a\x0a\x03job\x12\x03api' | xxhsum -H1).
        #expect(labels.stableHash == 0x672f_0478_2c14_5fdb)
    }

    @Test func longLengthsUseMultiByteVarints() {
        let name = String(repeating: "a", count: 130)
        let labels = Labels([Label(name, "v")])
        let expected: [UInt8] = [0x0a, 0x88, 0x01, 0x0a, 0x82, 0x01] + Array(name.utf8) + [0x12, 1, UInt8(ascii: "v")]
        #expect(labels.keyBytes == expected)
        #expect(labels.stableHash == 0x3e6d_620d_bf05_227c)
        #expect(Labels.Key.varintSize(127) == 1)
        #expect(Labels.Key.varintSize(128) == 2)
        #expect(Labels.Key.varintSize(16_383) == 2)
        #expect(Labels.Key.varintSize(16_384) == 3)
        #expect(Labels.Key.encodedSize(nameLength: 130, valueLength: 1) == expected.count)
    }

    /// An empty value is still written (`0x12 0x00`), as the key layout says.
    @Test func emptyValueKeepsItsField() {
        #expect(Labels([Label("a", "")]).keyBytes == [0x0a, 5, 0x0a, 1, UInt8(ascii: "a"), 0x12, 0])
    }

    /// Length prefixes keep name/value boundaries, whatever bytes the strings hold (a
    /// separator byte would not, for strings containing it).
    @Test(arguments: [
        ([("a", "bc")], [("ab", "c")]),
        ([("a", "b\u{ff}c")], [("a", "b"), ("c", "")]),
        ([("a", "")], [("a", ""), ("", "")]),
        ([("a", "1"), ("b", "2")], [("a", "1b2")]),
    ])
    func differentSetsHaveDifferentKeys(a: [(String, String)], b: [(String, String)]) {
        let x = Labels(a.map { Label($0.0, $0.1) })
        let y = Labels(b.map { Label($0.0, $0.1) })
        #expect(x.keyBytes != y.keyBytes)
        #expect(x.stableHash != y.stableHash)
    }

    @Test func emptySetHasEmptyKey() {
        let empty = Labels([Label]())
        #expect(empty.keyBytes.isEmpty)
        #expect(empty.stableHash == 0xef46_db37_51d8_e999)
    }
}
