/// Appends little-endian numbers, strings and plain-data arrays to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    mutating func int(_ value: Int) { i64(Int64(value)) }
    mutating func f64(_ value: Double) { u64(value.bitPattern) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A count, then the elements' bytes as they are in memory (the format is little-endian;
    /// so are the machines it runs on, which the header's architecture records).
    mutating func array<T: BitwiseCopyable>(_ values: [T]) {
        u64(UInt64(values.count))
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// A length, then `raw`.
    mutating func blob(_ raw: [UInt8]) {
        u64(UInt64(raw.count))
        bytes.append(contentsOf: raw)
    }
}

/// Reads what `ByteWriter` wrote; every read checks the bounds and throws past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    let end: Int
    /// For error messages.
    let section: String

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, section: String) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
        self.section = section
    }

    var remaining: Int { end - offset }

    private mutating func take(_ count: Int) throws(SnapshotError) -> Int {
        guard count >= 0, count <= remaining else { throw .malformed(section: section, reason: "needs \(count) bytes at \(offset), has \(remaining)") }
        defer { offset += count }
        return offset
    }

    mutating func u8() throws(SnapshotError) -> UInt8 { bytes[try take(1)] }
    mutating func u32() throws(SnapshotError) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self)) }
    mutating func u64() throws(SnapshotError) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self)) }
    mutating func i64() throws(SnapshotError) -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws(SnapshotError) -> Double { Double(bitPattern: try u64()) }

    mutating func int() throws(SnapshotError) -> Int {
        let value = try i64()
        return Int(value)
    }

    /// A count that must fit in what is left at `stride` bytes per element.
    mutating func count(stride: Int) throws(SnapshotError) -> Int {
        let raw = try u64()
        guard raw <= UInt64(remaining / max(1, stride)) else { throw .malformed(section: section, reason: "count \(raw) exceeds the section") }
        return Int(raw)
    }

    mutating func string() throws(SnapshotError) -> String {
        let length = Int(try u32())
        let start = try take(length)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
    }

    mutating func array<T: BitwiseCopyable>(_ type: T.Type) throws(SnapshotError) -> [T] {
        let n = try count(stride: MemoryLayout<T>.stride)
        let start = try take(n * MemoryLayout<T>.stride)
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: bytes.baseAddress! + start, byteCount: n * MemoryLayout<T>.stride)
            }
            initialized = n
        }
    }

    mutating func blob() throws(SnapshotError) -> [UInt8] {
        let n = try count(stride: 1)
        let start = try take(n)
        return [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<(start + n)]))
    }
}
