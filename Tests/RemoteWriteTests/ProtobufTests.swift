import AIOpsCore
import Testing
@testable import RemoteWrite

func readVarint(_ bytes: [UInt8]) throws(ProtobufError) -> (UInt64, Int) {
    var result: Result<(UInt64, Int), ProtobufError> = .success((0, 0))
    bytes.withUnsafeBytes { raw in
        var reader = ProtobufReader(raw)
        do throws(ProtobufError) {
            let value = try reader.readVarint()
            result = .success((value, reader.position))
        } catch {
            result = .failure(error)
        }
    }
    return try result.get()
}

/// Runs `body` with a reader over `bytes` (typed throws kept out of `withUnsafeBytes`).
func withReader(_ bytes: [UInt8], _ body: (inout ProtobufReader) throws(ProtobufError) -> Void) throws(ProtobufError) {
    var failure: ProtobufError?
    bytes.withUnsafeBytes { raw in
        var reader = ProtobufReader(raw)
        do throws(ProtobufError) { try body(&reader) } catch { failure = error }
    }
    if let failure { throw failure }
}

/// Reads every field of `bytes` as unknown, returning the fields seen.
func skipAll(_ bytes: [UInt8]) throws(ProtobufError) -> [Int] {
    var result: Result<[Int], ProtobufError> = .success([])
    bytes.withUnsafeBytes { raw in
        var reader = ProtobufReader(raw)
        var fields: [Int] = []
        do throws(ProtobufError) {
            while !reader.isAtEnd {
                let (field, wireType) = try reader.readTag()
                fields.append(field)
                try reader.skip(wireType: wireType, field: field)
            }
            result = .success(fields)
        } catch {
            result = .failure(error)
        }
    }
    return try result.get()
}

@Suite struct ProtobufReaderTests {
    @Test(arguments: [
        ([0x00], 0, 1),
        ([0x01], 1, 1),
        ([0x7f], 127, 1),
        ([0x80, 0x01], 128, 2),
        ([0xac, 0x02], 300, 2),
        ([0xff, 0xff, 0xff, 0xff, 0x0f], 0xffff_ffff, 5),
        ([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], UInt64.max, 10),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 0, 10),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 1 << 63, 10),
    ] as [([UInt8], UInt64, Int)])
    func varint(bytes: [UInt8], value: UInt64, length: Int) throws {
        let (read, position) = try readVarint(bytes + [0x55])
        #expect(read == value)
        #expect(position == length)
    }

    @Test(arguments: [
        ([], ProtobufError.truncatedVarint(at: 0)),
        ([0x80], .truncatedVarint(at: 0)),
        ([0xff, 0xff, 0xff], .truncatedVarint(at: 0)),
        ([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], .overlongVarint(at: 0)),
        ([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00], .overlongVarint(at: 0)),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], .overlongVarint(at: 0)),
    ] as [([UInt8], ProtobufError)])
    func badVarint(bytes: [UInt8], error: ProtobufError) {
        #expect(throws: error) { try readVarint(bytes) }
    }

    @Test func varintRoundTripsThroughWriter() throws {
        var rng = SplitMix64(seed: 7)
        var values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max, UInt64.max - 1]
        for shift in 0..<64 { values.append(rng.next() >> UInt64(shift)) }
        for value in values {
            var w = ProtobufWriter()
            w.writeVarint(value)
            let (read, length) = try readVarint(w.bytes)
            #expect(read == value)
            #expect(length == w.bytes.count)
        }
    }

    @Test(arguments: [(0, 0), (-1, 1), (1, 2), (-2, 3), (2_147_483_647, 4_294_967_294), (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max)]
          as [(Int64, UInt64)])
    func zigZag(value: Int64, encoded: UInt64) {
        #expect(ProtobufWriter.zigZagEncode(value) == encoded)
        #expect(ProtobufReader.zigZagDecode(encoded) == value)
    }

    @Test func fixedWidthAndLengthDelimited() throws {
        var w = ProtobufWriter()
        w.writeDoubleField(1, -2.5)
        w.writeTag(field: 2, wireType: .fixed32)
        w.writeFixed32(0xdead_beef)
        w.writeStringField(3, "héllo")
        try withReader(w.bytes) { r throws(ProtobufError) in
            #expect(try r.readTag() == (1, 1))
            #expect(try r.readDouble() == -2.5)
            #expect(try r.readTag() == (2, 5))
            #expect(try r.readFixed32() == 0xdead_beef)
            #expect(try r.readTag() == (3, 2))
            let range = try r.readLengthDelimited()
            #expect(Array(r.bytes(range)) == Array("héllo".utf8))
            #expect(r.isAtEnd)
        }
    }

    /// Unknown fields of every wire type, groups included (nested), are skipped.
    @Test func skipsEveryWireType() throws {
        var w = ProtobufWriter()
        w.writeVarintField(10, UInt64.max)
        w.writeDoubleField(11, 1.5)
        w.writeStringField(12, "skip me")
        w.writeTag(field: 13, wireType: .fixed32); w.writeFixed32(7)
        w.writeTag(field: 14, wireType: .startGroup)
        w.writeVarintField(1, 5)
        w.writeTag(field: 15, wireType: .startGroup)
        w.writeStringField(2, "inner")
        w.writeTag(field: 15, wireType: .endGroup)
        w.writeTag(field: 14, wireType: .endGroup)
        w.writeVarintField(1, 1)
        #expect(try skipAll(w.bytes) == [10, 11, 12, 13, 14, 1])
    }

    @Test(arguments: [
        ([0x0e], ProtobufError.invalidWireType(wireType: 6, at: 1)),
        ([0x0f], .invalidWireType(wireType: 7, at: 1)),
        ([0x0c], .invalidWireType(wireType: 4, at: 1)),
        ([0x00], .invalidFieldNumber(field: 0, at: 0)),
        ([0x02, 0x00], .invalidFieldNumber(field: 0, at: 0)),
        ([0x80, 0x80, 0x80, 0x80, 0x10], .invalidFieldNumber(field: 1 << 29, at: 0)),
        ([0x09, 1, 2, 3], .truncatedFixed(at: 1, size: 8)),
        ([0x0d, 1, 2], .truncatedFixed(at: 1, size: 4)),
        ([0x0a, 0x05, 1, 2], .lengthPastEnd(length: 5, at: 2, end: 4)),
        ([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], .lengthPastEnd(length: 0xffff_ffff, at: 6, end: 6)),
        ([0x08], .truncatedVarint(at: 1)),
        ([0x0b, 0x08, 0x01], .malformedGroup(field: 1, at: 1)),
        ([0x0b, 0x14], .invalidWireType(wireType: 4, at: 1)),
    ] as [([UInt8], ProtobufError)])
    func malformed(bytes: [UInt8], error: ProtobufError) {
        #expect(throws: error) { try skipAll(bytes) }
    }

    @Test func deeplyNestedGroupsAreRejectedNotRecursedForever() {
        let bytes = [UInt8](repeating: 0x0b, count: 10_000)
        #expect(throws: ProtobufError.malformedGroup(field: 1, at: 65)) { try skipAll(bytes) }
    }

    @Test func writerLengthPrefixShiftsForLongMessages() throws {
        for size in [0, 1, 127, 128, 16_383, 16_384, 70_000] {
            var w = ProtobufWriter()
            w.writeMessageField(1) { w in w.bytes.append(contentsOf: repeatElement(0x42, count: size)) }
            try withReader(w.bytes) { r throws(ProtobufError) in
                _ = try r.readTag()
                #expect(try r.readLengthDelimited().count == size)
                #expect(r.isAtEnd)
            }
        }
    }
}
