/// Appends protobuf wire format to a byte array, for the encoders used by tests, the load
/// generator and benchmarks.
public struct ProtobufWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeTag(field: Int, wireType: WireType) {
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    public static func zigZagEncode(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    public mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A varint field (uint32/64, int64, enum); negative int64 take 10 bytes, as protobuf does.
    public mutating func writeVarintField(_ field: Int, _ value: UInt64) {
        writeTag(field: field, wireType: .varint)
        writeVarint(value)
    }

    public mutating func writeInt64Field(_ field: Int, _ value: Int64) {
        writeVarintField(field, UInt64(bitPattern: value))
    }

    public mutating func writeSInt64Field(_ field: Int, _ value: Int64) {
        writeVarintField(field, ProtobufWriter.zigZagEncode(value))
    }

    public mutating func writeDoubleField(_ field: Int, _ value: Double) {
        writeTag(field: field, wireType: .fixed64)
        writeFixed64(value.bitPattern)
    }

    public mutating func writeBytesField<C: Collection>(_ field: Int, _ value: C) where C.Element == UInt8 {
        writeTag(field: field, wireType: .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func writeStringField(_ field: Int, _ value: String) {
        writeBytesField(field, value.utf8)
    }

    /// A packed repeated varint field.
    public mutating func writePackedVarints(_ field: Int, _ values: [UInt64]) {
        writeMessageField(field) { writer in
            for value in values { writer.writeVarint(value) }
        }
    }

    /// An embedded message: writes the body in place, then puts the length in front of it
    /// (guessing one byte and shifting the body only when the length needs more).
    public mutating func writeMessageField(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        writeTag(field: field, wireType: .lengthDelimited)
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
        } else {
            var prefix: [UInt8] = []
            var v = UInt64(length)
            while v >= 0x80 {
                prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            prefix.append(UInt8(v))
            bytes.replaceSubrange(lengthAt..<lengthAt + 1, with: prefix)
        }
    }
}

extension ProtobufWriter {
    public mutating func writeFixed32Field(_ field: Int, _ value: UInt32) {
        writeTag(field: field, wireType: .fixed32)
        writeFixed32(value)
    }
}
