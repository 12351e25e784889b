/// The snappy block format (not the framed one), as remote write uses it.
///
/// Decompression validates every element and never traps on hostile input; compression is a
/// real LZ77-style encoder (hash table of 4-byte sequences over 64 KiB blocks, like the Go and
/// C++ encoders) so that tests, the load generator and benchmarks send realistic bodies.
public enum Snappy {
    /// The largest preamble value the format allows.
    public static let maxDeclaredLength: UInt64 = 0xffff_ffff

    /// Reads the declared uncompressed length without decompressing.
    /// - Returns: the length and the number of preamble bytes.
    /// - Throws: `.truncatedPreamble` or `.overlongPreamble`.
    public static func declaredLength(_ input: UnsafeRawBufferPointer) throws(SnappyError) -> (length: UInt64, preambleBytes: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = 0
        while true {
            guard index < input.count else { throw .truncatedPreamble }
            let byte = input[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
            if index == 5 { throw .overlongPreamble }
        }
        guard value <= maxDeclaredLength else { throw .overlongPreamble }
        return (value, index)
    }

    /// Decompresses a snappy block into `output`, reusing its capacity.
    ///
    /// The declared length is checked against `maxLength` before `output` grows, so a tiny
    /// body declaring gigabytes costs nothing. On success `output.count` is the declared
    /// length; on failure its contents are unspecified.
    /// - Complexity: O(declared length).
    public static func decompress(
        _ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxLength: Int
    ) throws(SnappyError) {
        let (declared64, start) = try declaredLength(input)
        guard declared64 <= UInt64(max(0, maxLength)) else {
            throw .declaredLengthTooLarge(declared: declared64, limit: maxLength)
        }
        let declared = Int(declared64)
        // Resize without clearing: shrinking a [UInt8] is free, growing fills only the new part.
        if output.count > declared {
            output.removeLast(output.count - declared)
        } else if output.count < declared {
            output.append(contentsOf: repeatElement(0, count: declared - output.count))
        }
        if declared == 0 {
            guard start == input.count else { throw .outputOverflow(at: start, declared: 0) }
            return
        }
        let result: SnappyError? = output.withUnsafeMutableBufferPointer { out in
            decodeElements(input, from: start, into: out.baseAddress!, count: declared)
        }
        if let result { throw result }
    }

    /// The element loop over raw pointers; returns the error instead of throwing so the
    /// closure above stays simple.
    @usableFromInline
    static func decodeElements(
        _ input: UnsafeRawBufferPointer, from start: Int, into dst: UnsafeMutablePointer<UInt8>, count declared: Int
    ) -> SnappyError? {
        guard let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .lengthMismatch(declared: declared, produced: 0)
        }
        let inEnd = input.count
        var ip = start
        var op = 0
        while ip < inEnd {
            let tagOffset = ip
            let tag = src[ip]
            ip += 1
            switch tag & 3 {
            case 0:
                var length = Int(tag >> 2)
                if length >= 60 {
                    let extra = length - 59
                    guard inEnd - ip >= extra else { return .inputTruncated(at: tagOffset) }
                    var value = 0
                    for k in 0..<extra { value |= Int(src[ip + k]) << (8 * k) }
                    ip += extra
                    length = value
                }
                length += 1
                guard inEnd - ip >= length else { return .inputTruncated(at: tagOffset) }
                guard declared - op >= length else { return .outputOverflow(at: tagOffset, declared: declared) }
                if length <= 16 && inEnd - ip >= 16 && declared - op >= 16 {
                    // Short literal with slack on both sides: two 8-byte moves beat memcpy's setup.
                    let raw = UnsafeRawPointer(src + ip)
                    let out = UnsafeMutableRawPointer(dst + op)
                    out.storeBytes(of: raw.loadUnaligned(as: UInt64.self), as: UInt64.self)
                    out.storeBytes(of: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
                } else {
                    (dst + op).update(from: src + ip, count: length)
                }
                ip += length
                op += length
                continue
            case 1:
                guard ip < inEnd else { return .inputTruncated(at: tagOffset) }
                let length = 4 + Int((tag >> 2) & 7)
                let offset = Int(tag >> 5) << 8 | Int(src[ip])
                ip += 1
                if let error = copy(dst, op: &op, offset: offset, length: length, declared: declared, tagOffset: tagOffset) {
                    return error
                }
            case 2:
                guard inEnd - ip >= 2 else { return .inputTruncated(at: tagOffset) }
                let length = 1 + Int(tag >> 2)
                let offset = Int(src[ip]) | Int(src[ip + 1]) << 8
                ip += 2
                if let error = copy(dst, op: &op, offset: offset, length: length, declared: declared, tagOffset: tagOffset) {
                    return error
                }
            default:
                guard inEnd - ip >= 4 else { return .inputTruncated(at: tagOffset) }
                let length = 1 + Int(tag >> 2)
                let offset = Int(src[ip]) | Int(src[ip + 1]) << 8 | Int(src[ip + 2]) << 16 | Int(src[ip + 3]) << 24
                ip += 4
                if let error = copy(dst, op: &op, offset: offset, length: length, declared: declared, tagOffset: tagOffset) {
                    return error
                }
            }
        }
        return op == declared ? nil : .lengthMismatch(declared: declared, produced: op)
    }

    /// Copies `length` bytes from `offset` back, overlapping allowed (a run).
    @inline(__always)
    static func copy(
        _ dst: UnsafeMutablePointer<UInt8>, op: inout Int, offset: Int, length: Int, declared: Int, tagOffset: Int
    ) -> SnappyError? {
        guard offset > 0 && offset <= op else { return .offsetOutOfRange(offset: offset, position: op) }
        guard declared - op >= length else { return .outputOverflow(at: tagOffset, declared: declared) }
        var from = op - offset
        var to = op
        let end = op + length
        if offset >= 16 && declared - op >= length + 16 {
            // Non-overlapping 16-byte steps (what most copies of a remote-write body, repeated
            // label sets, take); the last may write up to 15 bytes past `end`, inside the
            // output (checked above) and overwritten later. `from + 16 <= to` on every step,
            // so each reads only bytes already final.
            let base = UnsafeMutableRawPointer(dst)
            while to < end {
                base.storeBytes(of: base.loadUnaligned(fromByteOffset: from, as: SIMD16<UInt8>.self), toByteOffset: to, as: SIMD16<UInt8>.self)
                from += 16
                to += 16
            }
        } else if offset >= 8 && declared - op >= length + 8 {
            // Non-overlapping 8-byte steps; the last step may write up to 7 bytes past `end`,
            // which is inside the output (checked above) and overwritten later.
            let base = UnsafeMutableRawPointer(dst)
            while to < end {
                base.storeBytes(of: base.loadUnaligned(fromByteOffset: from, as: UInt64.self), toByteOffset: to, as: UInt64.self)
                from += 8
                to += 8
            }
        } else {
            // Short offsets repeat a pattern; byte steps keep the overlap semantics exact.
            while to < end {
                dst[to] = dst[from]
                from += 1
                to += 1
            }
        }
        op = end
        return nil
    }

    /// Compresses `input` into a snappy block.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }

    /// Compresses `input` into a snappy block.
    /// - Complexity: O(n), one hash lookup per probed position.
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + input.count + input.count / 6)
        var length = input.count
        repeat {
            out.append(UInt8(truncatingIfNeeded: length) | (length >= 0x80 ? 0x80 : 0))
            length >>= 7
        } while length > 0
        guard input.count > 0, let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return out }
        var table = [UInt16](repeating: 0, count: 1 << tableBits)
        var blockStart = 0
        while blockStart < input.count {
            let blockLength = min(maxBlockSize, input.count - blockStart)
            compressBlock(base + blockStart, count: blockLength, table: &table, into: &out)
            blockStart += blockLength
        }
        return out
    }

    static let maxBlockSize = 1 << 16
    static let tableBits = 14

    @inline(__always)
    static func load32(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
        UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
    }

    @inline(__always)
    static func hash(_ value: UInt32) -> Int {
        Int((value &* 0x1e35_a7bd) >> (32 - UInt32(tableBits)))
    }

    /// One 64 KiB block: offsets stay below 65536, so copies use the 1- and 2-byte forms.
    static func compressBlock(_ src: UnsafePointer<UInt8>, count: Int, table: inout [UInt16], into out: inout [UInt8]) {
        for i in table.indices { table[i] = 0 }
        let inputMargin = 15
        guard count >= inputMargin + 2 else {
            emitLiteral(src, 0, count, into: &out)
            return
        }
        let limit = count - inputMargin
        var nextEmit = 0
        var s = 1
        var nextHash = hash(load32(src, s))
        outer: while true {
            // Skip faster through incompressible data: the step grows every 32 misses.
            var skip = 32
            var nextS = s
            var candidate = 0
            repeat {
                s = nextS
                let step = skip >> 5
                nextS = s + step
                skip += step
                if nextS > limit { break outer }
                candidate = Int(table[nextHash])
                table[nextHash] = UInt16(s)
                nextHash = hash(load32(src, nextS))
            } while load32(src, s) != load32(src, candidate)
            emitLiteral(src, nextEmit, s - nextEmit, into: &out)
            repeat {
                let base = s
                s += 4
                var c = candidate + 4
                while s < count && src[c] == src[s] { s += 1; c += 1 }
                emitCopy(offset: base - candidate, length: s - base, into: &out)
                nextEmit = s
                if s >= limit { break outer }
                let prevHash = hash(load32(src, s - 1))
                table[prevHash] = UInt16(s - 1)
                let currHash = hash(load32(src, s))
                candidate = Int(table[currHash])
                table[currHash] = UInt16(s)
            } while load32(src, s) == load32(src, candidate)
            s += 1
            nextHash = hash(load32(src, s))
        }
        if nextEmit < count { emitLiteral(src, nextEmit, count - nextEmit, into: &out) }
    }

    static func emitLiteral(_ src: UnsafePointer<UInt8>, _ start: Int, _ length: Int, into out: inout [UInt8]) {
        guard length > 0 else { return }
        let n = length - 1
        if n < 60 {
            out.append(UInt8(n << 2))
        } else {
            var bytes = 0
            var v = n
            while v > 0 { bytes += 1; v >>= 8 }
            out.append(UInt8((59 + bytes) << 2))
            for k in 0..<bytes { out.append(UInt8(truncatingIfNeeded: n >> (8 * k))) }
        }
        out.append(contentsOf: UnsafeBufferPointer(start: src + start, count: length))
    }

    static func emitCopy(offset: Int, length: Int, into out: inout [UInt8]) {
        var length = length
        // Long copies in 64-byte pieces, keeping at least 4 for a final 1-byte-offset form.
        while length >= 68 {
            out.append(UInt8(63 << 2 | 2))
            out.append(UInt8(truncatingIfNeeded: offset))
            out.append(UInt8(truncatingIfNeeded: offset >> 8))
            length -= 64
        }
        if length > 64 {
            out.append(UInt8(59 << 2 | 2))
            out.append(UInt8(truncatingIfNeeded: offset))
            out.append(UInt8(truncatingIfNeeded: offset >> 8))
            length -= 60
        }
        if length >= 12 || offset >= 2048 {
            out.append(UInt8((length - 1) << 2 | 2))
            out.append(UInt8(truncatingIfNeeded: offset))
            out.append(UInt8(truncatingIfNeeded: offset >> 8))
        } else {
            out.append(UInt8((offset >> 8) << 5 | (length - 4) << 2 | 1))
            out.append(UInt8(truncatingIfNeeded: offset))
        }
    }
}
