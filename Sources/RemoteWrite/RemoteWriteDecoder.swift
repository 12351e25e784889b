/// Decodes remote-write 1.0 and 2.0 requests into a reused `WriteBatch`.
///
/// A hand-written field-switch decoder over the decompressed bytes, in the manner of
/// VictoriaMetrics: no `String` or array is allocated per series, label or sample; labels are
/// byte ranges into `WriteBatch.buffer`. Keep one decoder and one batch per worker and reuse
/// them: after warm-up a request allocates nothing.
public struct RemoteWriteDecoder: Sendable {
    /// The largest decoded body accepted (client_golang uses 32 MiB).
    public var maxDecodedLength: Int

    /// 2.0 symbol table of the current request: byte ranges into the buffer (reused).
    @usableFromInline var symbols: [SymbolRange] = []
    /// The first semantic error found while parsing, thrown once the wire format is known good.
    var deferredError: RemoteWriteError?
    /// The largest 2.0 symbol ref seen (labels, exemplars, metadata) and the series it was in,
    /// checked against the symbol count after the parse (symbols may follow the series).
    var maxRef: UInt64 = 0
    var maxRefSeries = -1
    /// Whether 1.0 series try `parseV1SeriesFast` first (tests turn it off to compare).
    var usesFastPath = true
    /// Counts and size of the previous 1.0 request, to size the arrays for the next one.
    var v1Last = V1Fill()
    var v1LastBytes = 0
    /// The first top-level field of the request the declared schema does not know (0: none).
    var skippedTopLevelField = 0

    @usableFromInline
    struct SymbolRange: Sendable {
        var offset: UInt32
        var length: UInt32
    }

    public static let defaultMaxDecodedLength = 32 << 20

    public init(maxDecodedLength: Int = RemoteWriteDecoder.defaultMaxDecodedLength) {
        self.maxDecodedLength = maxDecodedLength
    }

    /// Decodes a snappy-compressed request body.
    ///
    /// - Parameters:
    ///   - body: the request body as received (`Content-Encoding: snappy`).
    ///   - version: from `RemoteWriteVersion(contentType:)`.
    ///   - batch: emptied, then filled; emptied again if decoding fails.
    /// - Throws: `.decodedBodyTooLarge` (before allocating), `.snappy`, `.protobuf`, or a
    ///   2.0 symbol error. Every failure is the sender's fault: answer 400.
    public mutating func decode(
        body: UnsafeRawBufferPointer, version: RemoteWriteVersion, into batch: inout WriteBatch
    ) throws(RemoteWriteError) {
        batch.removeAll()
        do {
            try Snappy.decompress(body, into: &batch.buffer, maxLength: maxDecodedLength)
        } catch {
            if case let .declaredLengthTooLarge(declared, limit) = error {
                throw .decodedBodyTooLarge(declared: declared, limit: limit)
            }
            throw .snappy(error)
        }
        try decodeBuffer(version: version, into: &batch)
    }

    /// Decodes an uncompressed protobuf request (copied into `batch.buffer`).
    public mutating func decode(
        uncompressed: UnsafeRawBufferPointer, version: RemoteWriteVersion, into batch: inout WriteBatch
    ) throws(RemoteWriteError) {
        batch.removeAll()
        guard uncompressed.count <= maxDecodedLength else {
            throw .decodedBodyTooLarge(declared: UInt64(uncompressed.count), limit: maxDecodedLength)
        }
        batch.buffer.removeAll(keepingCapacity: true)
        batch.buffer.append(contentsOf: uncompressed)
        try decodeBuffer(version: version, into: &batch)
    }

    /// Decodes the protobuf request already in `batch.buffer`.
    public mutating func decodeBuffer(version: RemoteWriteVersion, into batch: inout WriteBatch) throws(RemoteWriteError) {
        batch.removeAll()
        batch.version = version
        symbols.removeAll(keepingCapacity: true)
        deferredError = nil
        maxRef = 0
        maxRefSeries = -1
        skippedTopLevelField = 0
        guard batch.buffer.count <= Int(UInt32.max) else {
            throw .decodedBodyTooLarge(declared: UInt64(batch.buffer.count), limit: Int(UInt32.max))
        }
        // A second reference to the same storage: `batch.buffer` is not mutated while the
        // parse appends to the other arrays, so this neither copies nor conflicts.
        let buffer = batch.buffer
        var failure: ProtobufError?
        buffer.withUnsafeBytes { raw in
            var reader = ProtobufReader(raw)
            do throws(ProtobufError) {
                switch version {
                case .v1: try parseV1(&reader, &batch)
                case .v2: try parseV2(&reader, &batch)
                }
            } catch {
                failure = error
            }
        }
        if let failure {
            batch.removeAll()
            throw .protobuf(failure)
        }
        if version == .v2 {
            do {
                try resolveSymbols(&batch)
            } catch {
                batch.removeAll()
                throw error
            }
        }
        try checkNotSilentlyEmpty(version: version, batch: &batch)
    }

    /// A request that decodes to nothing although its bytes carry fields is not an empty
    /// request but one of another schema (a 2.0 body under the 1.0 content type decodes as
    /// an empty 1.0 message, its symbol table and series skipped as unknown fields):
    /// refusing it keeps the sender from believing it was taken.
    func checkNotSilentlyEmpty(version: RemoteWriteVersion, batch: inout WriteBatch) throws(RemoteWriteError) {
        guard skippedTopLevelField != 0, batch.series.isEmpty, batch.metadataCount == 0, symbols.isEmpty else { return }
        let field = skippedTopLevelField
        batch.removeAll()
        switch (version, field) {
        case (.v1, 4), (.v1, 5):
            throw .wrongVersion(declared: .v1, reason: "the body has a remote write 2.0 symbol table or series (field \(field)) and no 1.0 series; send it with Content-Type application/x-protobuf;proto=io.prometheus.write.v2.Request")
        case (.v2, 1), (.v2, 3):
            throw .wrongVersion(declared: .v2, reason: "the body has remote write 1.0 series or metadata (field \(field)) and no 2.0 symbols or series; send it with Content-Type application/x-protobuf (1.0)")
        default:
            throw .wrongVersion(declared: version, reason: "the body decodes to no series: its only top-level fields (such as \(field)) are unknown to the declared schema")
        }
    }

    // MARK: - 1.0

    static let writeRequestV1 = "prometheus.WriteRequest"
    static let timeSeriesV1 = "prometheus.TimeSeries"
    static let labelV1 = "prometheus.Label"
    static let sampleV1 = "prometheus.Sample"

    @inline(__always)
    static func expect(_ wireType: Int, _ wanted: Int, field: Int, message: String, at: Int) throws(ProtobufError) {
        if wireType != wanted { throw .wrongWireType(wireType: wireType, field: field, message: message, at: at) }
    }

    /// One `Sample` message, 1.0 (`value`=1, `timestamp`=2) or 2.0 (also `start_timestamp`=3);
    /// unknown fields are skipped.
    static func parseSample(_ sample: inout ProtobufReader, message: String, hasStartTimestamp: Bool) throws(ProtobufError) -> (value: Double, timestamp: Int64, start: Int64) {
        var value = 0.0
        var timestamp: Int64 = 0
        var start: Int64 = 0
        while !sample.isAtEnd {
            let at = sample.position
            let (field, wireType) = try sample.readTag()
            switch field {
            case 1:
                try expect(wireType, 1, field: 1, message: message, at: at)
                value = try sample.readDouble()
            case 2:
                try expect(wireType, 0, field: 2, message: message, at: at)
                timestamp = Int64(bitPattern: try sample.readVarint())
            case 3 where hasStartTimestamp:
                try expect(wireType, 0, field: 3, message: message, at: at)
                start = Int64(bitPattern: try sample.readVarint())
            default:
                try sample.skip(wireType: wireType, field: field)
            }
        }
        return (value, timestamp, start)
    }

    mutating func parseV1(_ r: inout ProtobufReader, _ batch: inout WriteBatch) throws(ProtobufError) {
        var fill = V1Fill()
        if usesFastPath {
            let room = v1Room(bytes: r.end)
            batch.extend(from: fill, labels: room.labels, samples: room.samples, series: room.series)
        }
        while !r.isAtEnd {
            if usesFastPath {
                let (position, stop) = Self.parseV1Run(r.base, r.position, r.end, &fill,
                                                       &batch.labels, &batch.samples, &batch.series, &batch.keySpans)
                r.position = position
                switch stop {
                case .end: continue
                case .general: break
                case .roomForLabels, .roomForSamples, .roomForSeries:
                    batch.grow(for: stop)
                    continue
                }
            }
            let at = r.position
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try Self.expect(wireType, 2, field: 1, message: Self.writeRequestV1, at: at)
                var series = r.subReader(try r.readLengthDelimited())
                try parseV1Series(&series, &batch, &fill)
            case 3:
                try Self.expect(wireType, 2, field: 3, message: Self.writeRequestV1, at: at)
                var metadata = r.subReader(try r.readLengthDelimited())
                batch.metadata.append(try Self.parseMetadataV1(&metadata))
                batch.metadataCount += 1
            default:
                if skippedTopLevelField == 0 { skippedTopLevelField = field }
                try r.skip(wireType: wireType, field: field)
            }
        }
        batch.truncate(to: fill)
        if usesFastPath {
            v1Last = fill
            v1LastBytes = r.end
        }
    }

    static let metricMetadataV1 = "prometheus.MetricMetadata"

    /// One 1.0 `MetricMetadata` (`type`=1, `metric_family_name`=2; help and unit skipped).
    static func parseMetadataV1(_ r: inout ProtobufReader) throws(ProtobufError) -> MetadataEntry {
        var entry = MetadataEntry(type: 0, familyNameOffset: 0, familyNameLength: 0)
        while !r.isAtEnd {
            let at = r.position
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try expect(wireType, 0, field: 1, message: metricMetadataV1, at: at)
                entry.type = UInt8(clamping: try r.readVarint())
            case 2:
                try expect(wireType, 2, field: 2, message: metricMetadataV1, at: at)
                let name = try r.readLengthDelimited()
                entry.familyNameOffset = UInt32(truncatingIfNeeded: name.lowerBound)
                entry.familyNameLength = UInt32(truncatingIfNeeded: name.count)
            default:
                try r.skip(wireType: wireType, field: field)
            }
        }
        return entry
    }

    /// Room to give the arrays before a 1.0 request of `bytes` bytes: the previous request's
    /// counts scaled to this size, plus an eighth, bounded by a label or sample or series per
    /// 16 bytes (less than any real request's density; more is grown by doubling).
    func v1Room(bytes: Int) -> V1Fill {
        func scaled(_ count: Int, fallback divisor: Int) -> Int {
            let estimate = v1LastBytes > 0 ? Int(Double(count) * Double(bytes) / Double(v1LastBytes)) : bytes / divisor
            return min(estimate + estimate / 8, bytes / 16) + 8
        }
        return V1Fill(labels: scaled(v1Last.labels, fallback: 32), samples: scaled(v1Last.samples, fallback: 128),
                      series: scaled(v1Last.series, fallback: 128))
    }

    @inline(__always)
    func parseV1Series(_ r: inout ProtobufReader, _ batch: inout WriteBatch, _ fill: inout V1Fill) throws(ProtobufError) {
        let labelStart = fill.labels
        let sampleStart = fill.samples
        var histograms: UInt32 = 0
        var exemplars: UInt32 = 0
        while !r.isAtEnd {
            let at = r.position
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try Self.expect(wireType, 2, field: 1, message: Self.timeSeriesV1, at: at)
                var label = r.subReader(try r.readLengthDelimited())
                var name = 0..<0
                var value = 0..<0
                while !label.isAtEnd {
                    let at = label.position
                    let (field, wireType) = try label.readTag()
                    switch field {
                    case 1:
                        try Self.expect(wireType, 2, field: 1, message: Self.labelV1, at: at)
                        name = try label.readLengthDelimited()
                    case 2:
                        try Self.expect(wireType, 2, field: 2, message: Self.labelV1, at: at)
                        value = try label.readLengthDelimited()
                    default:
                        try label.skip(wireType: wireType, field: field)
                    }
                }
                batch.put(LabelRef(
                    nameOffset: UInt32(truncatingIfNeeded: name.lowerBound), nameLength: UInt32(truncatingIfNeeded: name.count),
                    valueOffset: UInt32(truncatingIfNeeded: value.lowerBound), valueLength: UInt32(truncatingIfNeeded: value.count)), &fill)
            case 2:
                try Self.expect(wireType, 2, field: 2, message: Self.timeSeriesV1, at: at)
                var sample = r.subReader(try r.readLengthDelimited())
                let (value, timestamp, _) = try Self.parseSample(&sample, message: Self.sampleV1, hasStartTimestamp: false)
                batch.put(SampleEntry(timestamp: timestamp, value: value), &fill)
            case 3:
                try Self.expect(wireType, 2, field: 3, message: Self.timeSeriesV1, at: at)
                _ = try r.readLengthDelimited()
                exemplars += 1
            case 4:
                try Self.expect(wireType, 2, field: 4, message: Self.timeSeriesV1, at: at)
                _ = try r.readLengthDelimited()
                histograms += 1
            default:
                try r.skip(wireType: wireType, field: field)
            }
        }
        batch.histogramCount += Int(histograms)
        batch.exemplarCount += Int(exemplars)
        batch.put(SeriesEntry(
            labelStart: UInt32(truncatingIfNeeded: labelStart), labelCount: UInt32(truncatingIfNeeded: fill.labels - labelStart),
            sampleStart: UInt32(truncatingIfNeeded: sampleStart), sampleCount: UInt32(truncatingIfNeeded: fill.samples - sampleStart),
            histogramCount: histograms, exemplarCount: exemplars), span: .none, &fill)
    }

    // MARK: - 2.0

    static let requestV2 = "io.prometheus.write.v2.Request"
    static let timeSeriesV2 = "io.prometheus.write.v2.TimeSeries"
    static let sampleV2 = "io.prometheus.write.v2.Sample"
    static let exemplarV2 = "io.prometheus.write.v2.Exemplar"
    static let metadataV2 = "io.prometheus.write.v2.Metadata"

    mutating func parseV2(_ r: inout ProtobufReader, _ batch: inout WriteBatch) throws(ProtobufError) {
        while !r.isAtEnd {
            let at = r.position
            let (field, wireType) = try r.readTag()
            switch field {
            case 4:
                try Self.expect(wireType, 2, field: 4, message: Self.requestV2, at: at)
                let range = try r.readLengthDelimited()
                symbols.append(SymbolRange(offset: UInt32(truncatingIfNeeded: range.lowerBound), length: UInt32(truncatingIfNeeded: range.count)))
            case 5:
                try Self.expect(wireType, 2, field: 5, message: Self.requestV2, at: at)
                var series = r.subReader(try r.readLengthDelimited())
                try parseV2Series(&series, &batch)
            default:
                if skippedTopLevelField == 0 { skippedTopLevelField = field }
                try r.skip(wireType: wireType, field: field)
            }
        }
    }

    @inline(__always)
    mutating func noteRef(_ ref: UInt64, series: Int) {
        if ref > maxRef || maxRefSeries < 0 {
            maxRef = ref
            maxRefSeries = series
        }
    }

    @inline(__always)
    mutating func parseV2Series(_ r: inout ProtobufReader, _ batch: inout WriteBatch) throws(ProtobufError) {
        let seriesIndex = batch.series.count
        let labelStart = batch.labels.count
        let sampleStart = batch.samples.count
        var histograms: UInt32 = 0
        var exemplars: UInt32 = 0
        var metadataType: UInt8?
        var refCount = 0
        var pendingName: UInt32 = 0
        while !r.isAtEnd {
            let at = r.position
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                // Refs are stored as symbol indexes for now and resolved once all symbols are known.
                if wireType == 2 {
                    var packed = r.subReader(try r.readLengthDelimited())
                    while !packed.isAtEnd {
                        let ref = try packed.readVarint()
                        noteRef(ref, series: seriesIndex)
                        addRef(UInt32(truncatingIfNeeded: ref), &refCount, &pendingName, &batch)
                    }
                } else if wireType == 0 {
                    let ref = try r.readVarint()
                    noteRef(ref, series: seriesIndex)
                    addRef(UInt32(truncatingIfNeeded: ref), &refCount, &pendingName, &batch)
                } else {
                    throw .wrongWireType(wireType: wireType, field: 1, message: Self.timeSeriesV2, at: at)
                }
            case 2:
                try Self.expect(wireType, 2, field: 2, message: Self.timeSeriesV2, at: at)
                var sample = r.subReader(try r.readLengthDelimited())
                let (value, timestamp, start) = try Self.parseSample(&sample, message: Self.sampleV2, hasStartTimestamp: true)
                if start != 0 || !batch.startTimestamps.isEmpty {
                    if batch.startTimestamps.isEmpty {
                        batch.startTimestamps.append(contentsOf: repeatElement(0, count: batch.samples.count))
                    }
                    batch.startTimestamps.append(start)
                }
                batch.samples.append(SampleEntry(timestamp: timestamp, value: value))
            case 3:
                try Self.expect(wireType, 2, field: 3, message: Self.timeSeriesV2, at: at)
                _ = try r.readLengthDelimited()
                histograms += 1
            case 4:
                try Self.expect(wireType, 2, field: 4, message: Self.timeSeriesV2, at: at)
                var exemplar = r.subReader(try r.readLengthDelimited())
                try parseV2Exemplar(&exemplar, series: seriesIndex)
                exemplars += 1
            case 5:
                try Self.expect(wireType, 2, field: 5, message: Self.timeSeriesV2, at: at)
                var metadata = r.subReader(try r.readLengthDelimited())
                var type: UInt64 = 0
                while !metadata.isAtEnd {
                    let at = metadata.position
                    let (field, wireType) = try metadata.readTag()
                    switch field {
                    case 1:
                        try Self.expect(wireType, 0, field: 1, message: Self.metadataV2, at: at)
                        type = try metadata.readVarint()
                    case 3, 4:
                        try Self.expect(wireType, 0, field: field, message: Self.metadataV2, at: at)
                        noteRef(try metadata.readVarint(), series: seriesIndex)
                    default:
                        try metadata.skip(wireType: wireType, field: field)
                    }
                }
                if metadataType == nil { batch.metadataCount += 1 }
                metadataType = UInt8(clamping: type)
            default:
                try r.skip(wireType: wireType, field: field)
            }
        }
        if refCount % 2 != 0 && deferredError == nil {
            deferredError = .oddLabelRefCount(count: refCount, series: seriesIndex)
        }
        batch.histogramCount += Int(histograms)
        batch.exemplarCount += Int(exemplars)
        batch.keySpans.append(.none)
        batch.series.append(SeriesEntry(
            labelStart: UInt32(truncatingIfNeeded: labelStart), labelCount: UInt32(truncatingIfNeeded: batch.labels.count - labelStart),
            sampleStart: UInt32(truncatingIfNeeded: sampleStart), sampleCount: UInt32(truncatingIfNeeded: batch.samples.count - sampleStart),
            histogramCount: histograms, exemplarCount: exemplars, metadataType: metadataType))
    }

    @inline(__always)
    func addRef(_ ref: UInt32, _ count: inout Int, _ pendingName: inout UInt32, _ batch: inout WriteBatch) {
        if count & 1 == 0 {
            pendingName = ref
        } else {
            batch.labels.append(LabelRef(nameOffset: pendingName, nameLength: 0, valueOffset: ref, valueLength: 0))
        }
        count += 1
    }

    mutating func parseV2Exemplar(_ r: inout ProtobufReader, series: Int) throws(ProtobufError) {
        while !r.isAtEnd {
            let at = r.position
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                if wireType == 2 {
                    var packed = r.subReader(try r.readLengthDelimited())
                    while !packed.isAtEnd { noteRef(try packed.readVarint(), series: series) }
                } else if wireType == 0 {
                    noteRef(try r.readVarint(), series: series)
                } else {
                    throw .wrongWireType(wireType: wireType, field: 1, message: Self.exemplarV2, at: at)
                }
            case 2:
                try Self.expect(wireType, 1, field: 2, message: Self.exemplarV2, at: at)
                _ = try r.readFixed64()
            case 3:
                try Self.expect(wireType, 0, field: 3, message: Self.exemplarV2, at: at)
                _ = try r.readVarint()
            default:
                try r.skip(wireType: wireType, field: field)
            }
        }
    }

    /// Checks the symbol table and refs, then turns each label's symbol indexes into the
    /// symbols' byte ranges, so 2.0 batches look like 1.0 ones.
    func resolveSymbols(_ batch: inout WriteBatch) throws(RemoteWriteError) {
        if let deferredError { throw deferredError }
        if symbols.isEmpty {
            if !batch.series.isEmpty { throw .missingSymbols }
            return
        }
        if symbols[0].length != 0 { throw .firstSymbolNotEmpty(length: Int(symbols[0].length)) }
        if maxRefSeries >= 0 && maxRef >= UInt64(symbols.count) {
            throw .badSymbolRef(ref: maxRef, symbolCount: symbols.count, series: maxRefSeries)
        }
        symbols.withUnsafeBufferPointer { table in
            batch.labels.withUnsafeMutableBufferPointer { labels in
                for i in labels.indices {
                    let name = table[Int(labels[i].nameOffset)]
                    let value = table[Int(labels[i].valueOffset)]
                    labels[i] = LabelRef(nameOffset: name.offset, nameLength: name.length,
                                         valueOffset: value.offset, valueLength: value.length)
                }
            }
        }
    }
}
