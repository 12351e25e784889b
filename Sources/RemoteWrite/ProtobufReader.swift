/// Protobuf wire types.
public enum WireType: Int, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A cursor over protobuf bytes for hand-written field-switch decoders.
///
/// Positions are absolute offsets into the buffer it was made from, so nested readers
/// report errors at the byte where they happened in the whole body. The buffer must
/// outlive the reader (it is a view, as in VictoriaMetrics' unmarshalers).
public struct ProtobufReader {
    @usableFromInline let base: UnsafePointer<UInt8>
    /// The next byte to read (absolute offset).
    public var position: Int
    /// One past the last readable byte (absolute offset).
    public let end: Int

    /// A reader over all of `bytes`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; any non-null pointer works for 0 bytes.
        self.base = UnsafePointer(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
            ?? UnsafePointer(bitPattern: 1)!
        self.position = 0
        self.end = bytes.count
    }

    @inlinable
    init(base: UnsafePointer<UInt8>, range: Range<Int>) {
        self.base = base
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// A reader limited to `range` (from `readLengthDelimited`) of the same buffer.
    @inlinable
    public func subReader(_ range: Range<Int>) -> ProtobufReader {
        ProtobufReader(base: base, range: range)
    }

    @inlinable
    public var isAtEnd: Bool { position >= end }

    /// Reads a field key.
    /// - Returns: the field number and raw wire type (0...7; `skip` rejects 6 and 7).
    /// - Throws: on a bad varint or a field number of 0 or above 2^29-1.
    @inlinable
    public mutating func readTag() throws(ProtobufError) -> (field: Int, wireType: Int) {
        let at = position
        // Fast path: one-byte keys (fields 1...15) are nearly all keys in remote write.
        if position < end {
            let byte = base[position]
            if byte < 0x80 && byte >= 8 {
                position += 1
                return (Int(byte >> 3), Int(byte & 7))
            }
        }
        let key = try readVarint()
        let field = key >> 3
        guard field >= 1 && field <= 0x1fff_ffff else { throw .invalidFieldNumber(field: field, at: at) }
        return (Int(field), Int(key & 7))
    }

    /// Reads a base-128 varint of at most 10 bytes.
    /// - Throws: `.truncatedVarint` when the input ends inside it, `.overlongVarint` when it
    ///   continues past 10 bytes or its 10th byte carries bits beyond 64.
    @inlinable
    public mutating func readVarint() throws(ProtobufError) -> UInt64 {
        let start = position
        guard start < end else { throw .truncatedVarint(at: start) }
        let first = base[start]
        if first < 0x80 {
            position = start + 1
            return UInt64(first)
        }
        return try readVarintSlow(start)
    }

    @usableFromInline
    mutating func readVarintSlow(_ start: Int) throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = start
        while true {
            guard index < end else { throw .truncatedVarint(at: start) }
            let byte = base[index]
            index += 1
            if shift == 63 {
                // 10th byte: only its lowest bit fits in 64 bits, and it must end the varint.
                guard byte <= 1 else { throw .overlongVarint(at: start) }
                value |= UInt64(byte) << 63
                break
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        position = index
        return value
    }

    /// Reads a zigzag-encoded signed varint (`sint32`/`sint64`).
    @inlinable
    public mutating func readZigZag() throws(ProtobufError) -> Int64 {
        ProtobufReader.zigZagDecode(try readVarint())
    }

    @inlinable
    public static func zigZagDecode(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// Reads 8 little-endian bytes (`fixed64`, `double`).
    @inlinable
    public mutating func readFixed64() throws(ProtobufError) -> UInt64 {
        guard end - position >= 8 else { throw .truncatedFixed(at: position, size: 8) }
        let value = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    /// Reads 4 little-endian bytes (`fixed32`, `float`).
    @inlinable
    public mutating func readFixed32() throws(ProtobufError) -> UInt32 {
        guard end - position >= 4 else { throw .truncatedFixed(at: position, size: 4) }
        let value = UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self)
        position += 4
        return UInt32(littleEndian: value)
    }

    /// Reads a `double`.
    @inlinable
    public mutating func readDouble() throws(ProtobufError) -> Double {
        Double(bitPattern: try readFixed64())
    }

    /// Reads a length prefix and returns the absolute range of the payload, moving past it.
    @inlinable
    public mutating func readLengthDelimited() throws(ProtobufError) -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw .lengthPastEnd(length: length, at: position, end: end)
        }
        let start = position
        position = start + Int(length)
        return start..<position
    }

    /// The bytes at an absolute range of the underlying buffer.
    @inlinable
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Skips the value of a field of any wire type, groups included.
    /// - Throws: `.invalidWireType` for 6, 7 or a stray end-group, and any read error.
    @inlinable
    public mutating func skip(wireType: Int, field: Int) throws(ProtobufError) {
        switch wireType {
        case 0: _ = try readVarint()
        case 1:
            guard end - position >= 8 else { throw .truncatedFixed(at: position, size: 8) }
            position += 8
        case 2: _ = try readLengthDelimited()
        case 5:
            guard end - position >= 4 else { throw .truncatedFixed(at: position, size: 4) }
            position += 4
        case 3: try skipGroup(field: field, depth: 0)
        default: throw .invalidWireType(wireType: wireType, at: position)
        }
    }

    /// Groups (deprecated, never in remote write) are skipped to their matching end.
    @usableFromInline
    mutating func skipGroup(field: Int, depth: Int) throws(ProtobufError) {
        let at = position
        guard depth < 64 else { throw .malformedGroup(field: field, at: at) }
        while true {
            guard position < end else { throw .malformedGroup(field: field, at: at) }
            let tagAt = position
            let (inner, wireType) = try readTag()
            if wireType == 4 {
                guard inner == field else { throw .invalidWireType(wireType: 4, at: tagAt) }
                return
            }
            if wireType == 3 {
                try skipGroup(field: inner, depth: depth + 1)
            } else {
                try skip(wireType: wireType, field: inner)
            }
        }
    }
}
