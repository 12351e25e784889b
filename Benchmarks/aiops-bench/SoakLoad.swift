import AIOpsCore
import Foundation
import RemoteWrite

/// One request of the soak's load: 500 series (a "chunk" of a connection's series) as a
/// complete HTTP request whose samples are patched in place before each send.
///
/// A 30-minute soak sends billions of samples stamped with the wall clock, far too many to
/// pre-encode, and snappy-compressing every request on the fly would cost the load generator
/// about half a core of the two. So each chunk is encoded and compressed once, and the
/// compressed stream is then rewritten so that every sample's 15 bytes (the value, the
/// timestamp's tag, its 6-byte varint) sit verbatim in a literal and no copy reads from them:
/// `patch` then rewrites them in place. Labels stay copies, so the body is about as compressed
/// as a sender's. The template is checked once by decompressing a patched copy.
struct SoakChunk {
    /// Head and body.
    var request: [UInt8]
    /// Offset in `request` of each series' 8 value bytes; the timestamp varint starts 9 later.
    var sampleOffsets: [Int]

    enum BuildError: Error { case samplesNotFound, malformedStream, patchedBodyDiffers }

    private init(request: [UInt8], sampleOffsets: [Int]) {
        self.request = request
        self.sampleOffsets = sampleOffsets
    }

    /// Encodes and compresses the chunk and locates its samples.
    /// - Parameter head: the request head up to, not including, `Content-Length`.
    init(labels: [Labels], head: [UInt8], seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        // Timestamps in [2^35, 2^42) encode as exactly 6 varint bytes, as wall-clock
        // milliseconds do until the year 2109.
        let series = labels.map { labels in
            EncodedSeries(labels: labels, samples: [EncodedSample(
                timestamp: Int64(1 << 35) + Int64(random.next() % UInt64((1 << 42) - (1 << 35))),
                value: 100 + random.unit())])
        }
        let raw = RemoteWriteEncoder.encodeV1(series)
        // Where each sample's value starts in the uncompressed body, and which bytes are patched.
        var rawOffsets: [Int] = []
        rawOffsets.reserveCapacity(series.count)
        var patched = [Bool](repeating: false, count: raw.count)
        var from = 0
        for s in series {
            let needle = SoakChunk.sampleBytes(value: s.samples[0].value, timestamp: s.samples[0].timestamp)
            guard let at = SoakChunk.find(needle, in: raw, from: from) else { throw BuildError.samplesNotFound }
            rawOffsets.append(at)
            for k in at..<(at + needle.count) { patched[k] = true }
            from = at + needle.count
        }
        let (body, map) = try SoakChunk.literalizing(Snappy.compress(raw), raw: raw, patched: patched)
        var request = head
        request.append(contentsOf: "Content-Length: \(body.count)\r\n\r\n".utf8)
        let bodyStart = request.count
        request.append(contentsOf: body)
        self.init(request: request, sampleOffsets: try rawOffsets.map { offset throws(BuildError) in
            guard let at = map[offset] else { throw BuildError.samplesNotFound }
            return at + bodyStart
        })

        // Check: the patched request decompresses to the encoding of the patched series.
        var check = series
        for index in check.indices {
            let sample = EncodedSample(timestamp: 1_800_000_000_000 + Int64(index), value: 100 + Double(index) / 7)
            check[index].samples[0] = sample
            patch(index, timestamp: sample.timestamp, value: sample.value)
        }
        var decompressed: [UInt8] = []
        let ok = self.request[bodyStart...].withUnsafeBytes { bytes in
            (try? Snappy.decompress(bytes, into: &decompressed, maxLength: 1 << 24)) != nil
        }
        let expected = RemoteWriteEncoder.encodeV1(check)
        guard ok, decompressed == expected else { throw BuildError.patchedBodyDiffers }
    }

    /// Rewrites a snappy stream so that every byte marked `patched` comes from a literal and
    /// no copy reads a patched byte (such copies, or their parts, become literals).
    /// - Returns: the stream and, for each patched byte of `raw`, its offset in the stream.
    private static func literalizing(_ compressed: [UInt8], raw: [UInt8], patched: [Bool]) throws -> ([UInt8], [Int: Int]) {
        var out: [UInt8] = []
        out.reserveCapacity(compressed.count + compressed.count / 4)
        var n = raw.count
        repeat {
            out.append(UInt8(truncatingIfNeeded: n) | (n >= 0x80 ? 0x80 : 0))
            n >>= 7
        } while n > 0
        var map: [Int: Int] = [:]
        var pending: [Int] = []   // raw positions waiting to be written as one literal
        func flush() {
            guard !pending.isEmpty else { return }
            let m = pending.count - 1
            if m < 60 {
                out.append(UInt8(m << 2))
            } else {
                var bytes = 0, v = m
                while v > 0 { bytes += 1; v >>= 8 }
                out.append(UInt8((59 + bytes) << 2))
                for k in 0..<bytes { out.append(UInt8(truncatingIfNeeded: m >> (8 * k))) }
            }
            for position in pending {
                if patched[position] { map[position] = out.count }
                out.append(raw[position])
            }
            pending.removeAll(keepingCapacity: true)
        }
        func copy(offset: Int, length: Int) {
            flush()
            var left = length
            while left > 0 {
                let piece = min(64, left)
                out.append(UInt8((piece - 1) << 2 | 2))
                out.append(UInt8(offset & 0xFF))
                out.append(UInt8(offset >> 8))
                left -= piece
            }
        }
        // Skip the preamble of the input.
        var p = 0
        while p < compressed.count, compressed[p] & 0x80 != 0 { p += 1 }
        p += 1
        var o = 0   // output position
        while p < compressed.count {
            let tag = Int(compressed[p])
            p += 1
            switch tag & 3 {
            case 0:
                var length = tag >> 2
                if length >= 60 {
                    let bytes = length - 59
                    guard p + bytes <= compressed.count else { throw BuildError.malformedStream }
                    length = 0
                    for k in 0..<bytes { length |= Int(compressed[p + k]) << (8 * k) }
                    p += bytes
                }
                length += 1
                pending.append(contentsOf: o..<(o + length))
                p += length
                o += length
            default:
                let length: Int, offset: Int
                switch tag & 3 {
                case 1:
                    guard p < compressed.count else { throw BuildError.malformedStream }
                    length = (tag >> 2 & 7) + 4
                    offset = (tag >> 5) << 8 | Int(compressed[p])
                    p += 1
                case 2:
                    guard p + 1 < compressed.count else { throw BuildError.malformedStream }
                    length = (tag >> 2) + 1
                    offset = Int(compressed[p]) | Int(compressed[p + 1]) << 8
                    p += 2
                default:
                    guard p + 3 < compressed.count else { throw BuildError.malformedStream }
                    length = (tag >> 2) + 1
                    offset = (0..<4).reduce(0) { $0 | Int(compressed[p + $1]) << (8 * $1) }
                    p += 4
                }
                guard offset > 0, offset <= o, offset < 65536 else { throw BuildError.malformedStream }
                var run = 0
                for k in 0..<length {
                    let position = o + k
                    if patched[position] || patched[position - offset] {
                        if run > 0 { copy(offset: offset, length: run); run = 0 }
                        pending.append(position)
                    } else {
                        if run == 0 { flush() }
                        run += 1
                    }
                }
                if run > 0 { copy(offset: offset, length: run) }
                o += length
            }
        }
        flush()
        guard o == raw.count else { throw BuildError.malformedStream }
        return (out, map)
    }

    /// The bytes of a sample message after its length: tag 1 (fixed64) and the value, tag 2 (varint) and the timestamp.
    private static func sampleBytes(value: Double, timestamp: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(0x10)
        var t = UInt64(timestamp)
        for _ in 0..<5 { bytes.append(UInt8(t & 0x7F) | 0x80); t >>= 7 }
        bytes.append(UInt8(t))
        return bytes
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Rewrites series `index`'s sample. `timestamp` must be in [2^35, 2^42) milliseconds.
    @inline(__always)
    mutating func patch(_ index: Int, timestamp: Int64, value: Double) {
        let at = sampleOffsets[index]
        request.withUnsafeMutableBytes { p in
            p.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: at, as: UInt64.self)
            var t = UInt64(timestamp)
            for k in 0..<5 {
                p[at + 9 + k] = UInt8(t & 0x7F) | 0x80
                t >>= 7
            }
            p[at + 14] = UInt8(t)
        }
    }
}

/// The soak's series: `connections` x `seriesPerConnection`, in chunks of 500 per request,
/// with a generation per chunk that churn bumps (new label values, as a rolling deploy gives
/// the replaced pods).
struct SoakLoad: Sendable {
    static let seriesPerRequest = 500
    let connections: Int
    let chunksPerConnection: Int
    let head: [UInt8]

    init(connections: Int, seriesPerConnection: Int, target: LoadTarget) {
        self.connections = connections
        chunksPerConnection = max(1, seriesPerConnection / SoakLoad.seriesPerRequest)
        var prefix = "POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
        prefix += "Content-Encoding: snappy\r\nContent-Type: \(RemoteWriteVersion.v1.contentType)\r\n"
        prefix += "X-Prometheus-Remote-Write-Version: \(RemoteWriteVersion.v1.versionHeader)\r\nUser-Agent: aiops-bench/1.0\r\n"
        if let token = target.token { prefix += "Authorization: Bearer \(token)\r\n" }
        head = Array(prefix.utf8)
    }

    var seriesCount: Int { connections * chunksPerConnection * SoakLoad.seriesPerRequest }

    /// Labels of chunk `chunk` of `connection` in `generation` (node-exporter-like, plus the
    /// pod a deploy replaces).
    func labels(connection: Int, chunk: Int, generation: Int) -> [Labels] {
        (0..<SoakLoad.seriesPerRequest).map { j in
            let index = chunk * SoakLoad.seriesPerRequest + j
            return Labels([
                Label(name: "__name__", value: "bench_soak"),
                Label(name: "cpu", value: String(index % 64)),
                Label(name: "instance", value: "10.\(connection).\(index / 64 / 256).\(index / 64 % 256):9100"),
                Label(name: "job", value: "node"),
                Label(name: "pod", value: "app-\(connection)-\(chunk)-g\(generation)-\(j)"),
            ])
        }
    }

    func chunk(connection: Int, chunk: Int, generation: Int) throws -> SoakChunk {
        try SoakChunk(labels: labels(connection: connection, chunk: chunk, generation: generation), head: head,
                      seed: UInt64(connection * 1_000_003 + chunk * 101 + generation * 7 + 1))
    }
}
