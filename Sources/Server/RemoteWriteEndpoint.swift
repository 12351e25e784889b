import Advice
import AIOpsCore
import HTTPServer
import Pipeline
import RemoteWrite
import Store

/// `POST /api/v1/write`: decodes a remote-write 1.0 or 2.0 body straight into the workspace's
/// pipelines and answers as Prometheus expects.
///
/// Statuses: 204 all taken; 400 malformed or partly refused (the good samples are kept, the
/// body says how many were refused and why: senders do not retry 400); 401 bad token; 413 too
/// large (the HTTP layer); 415 unsupported content type or encoding; 429 over the workspace's
/// samples per second, with `Retry-After` (nothing of the request is kept, so a resend is
/// safe); 5xx only if the server itself fails.
struct RemoteWriteEndpoint: Sendable {
    let clock: any WallClock
    let scratch: [ScratchSlot]
    let metrics: ServerMetrics
    /// Samples older than this (relative to the server's clock) are refused as too old.
    let maxSampleAge: Int64
    /// Samples further ahead than this are refused (Prometheus uses 10 minutes).
    let maxFutureSkew: Int64

    func handle(_ request: HTTPRequest, workspace: Workspace, loop: Int) -> HTTPResponse {
        // Encoding and schema first: a 2.0 body decoded as 1.0 would look empty and be wrongly acknowledged.
        guard let encoding = request.headers["Content-Encoding"], encoding.lowercased() == "snappy" else {
            return refuse(workspace, 415, "unsupported_encoding", "Content-Encoding must be snappy")
        }
        let version: RemoteWriteVersion
        do {
            version = try RemoteWriteVersion(contentType: request.headers["Content-Type"])
        } catch {
            return refuse(workspace, 415, "unsupported_content_type", "\(error)")
        }
        let slot = scratch[loop % scratch.count]
        return slot.scratch.withLock { scratch in
            ingest(request.body, version: version, workspace: workspace, scratch: &scratch)
        }
    }

    private func ingest(_ body: UnsafeRawBufferPointer, version: RemoteWriteVersion, workspace: Workspace, scratch: inout IngestScratch) -> HTTPResponse {
        let decodeStart = MonotonicClock.nanoseconds()
        do {
            try scratch.decoder.decode(body: body, version: version, into: &scratch.batch)
        } catch {
            let reason = if case .wrongVersion = error { "wrong_version" } else { "malformed" }
            return refuse(workspace, 400, reason, "\(error)", version: version)
        }
        let decodeTime = MonotonicClock.nanoseconds() - decodeStart
        let total = scratch.batch.sampleCount
        let now = clock.now()
        if total > 0, let retryAfter = workspace.bucket.withLock({ $0.take(total, now: now) }) {
            workspace.counters.withLock {
                $0.countRequest(code: 429, reason: "rate_limited")
                $0.countSamples("rate_limited", total)
            }
            return HTTPResponse(
                status: 429, headers: writtenHeaders(version, written: 0) + [("Retry-After", String(retryAfter))],
                text: "workspace \(workspace.name) is over its limit of \(workspace.limits.samplesPerSecond) samples/s; retry after \(retryAfter) s\n")
        }

        if !scratch.batch.metadata.isEmpty {
            recordMetadata(scratch.batch, workspace: workspace, now: now)
        }

        var result = IngestResult()
        result.histograms = scratch.batch.histogramCount
        result.exemplars = scratch.batch.exemplarCount
        let detectStart = MonotonicClock.nanoseconds()
        // Sorts unsorted label sets in place, then keys and hashes every series. Validation
        // waits until a series turns out to be new: a known series is byte-equal to one
        // validated already.
        scratch.keys.build(from: &scratch.batch)
        let limits = workspace.limits
        let validation = SeriesValidationOptions(
            rejectEmptyLabelValues: true, requireSamples: false, maxLabelCount: limits.labelsPerSeries,
            maxLabelNameLength: limits.labelNameLength, maxLabelValueLength: limits.labelValueLength)
        let shardCount = UInt64(workspace.shards.count)
        let window = SampleWindow(oldest: now - maxSampleAge, newest: now + maxFutureSkew, now: now)
        // Shards free right now first, then wait for the busy ones: two requests in flight
        // work in different shards instead of queueing on the same lock.
        var busy: [Int] = []
        for (shardIndex, shard) in workspace.shards.enumerated() {
            let done: Void? = shard.withLockIfAvailable { box in
                ingestShard(UInt64(shardIndex), of: shardCount, scratch: scratch, validation: validation,
                            pipeline: box.pipeline, usage: box.usage, workspace: workspace, window: window, result: &result)
            }
            if done == nil { busy.append(shardIndex) }
        }
        for shardIndex in busy {
            workspace.shards[shardIndex].withLock { box in
                ingestShard(UInt64(shardIndex), of: shardCount, scratch: scratch, validation: validation,
                            pipeline: box.pipeline, usage: box.usage, workspace: workspace, window: window, result: &result)
            }
        }
        let detectTime = MonotonicClock.nanoseconds() - detectStart

        result.foldOutcomes()
        let status = result.rejected > 0 ? 400 : 204
        let reason = result.rejected > 0 ? "partial" : ""
        workspace.counters.withLock { counters in
            counters.countRequest(code: status, reason: reason)
            counters.countSamples("appended", result.byReason["appended"] ?? 0)
            for (key, value) in result.byReason where key != "appended" { counters.countSamples(key, value) }
            counters.histogramsIgnored += result.histograms
            counters.exemplarsIgnored += result.exemplars
            counters.decodeNanoseconds += decodeTime
            counters.decodeCount += 1
            counters.detectNanoseconds += detectTime
            counters.detectCount += 1
        }
        let headers = writtenHeaders(version, written: result.written)
        if result.rejected > 0 {
            return HTTPResponse(status: 400, headers: headers, text: result.summary(total: total) + "\n")
        }
        return HTTPResponse(status: 204, headers: headers)
    }

    /// Records the metric types of a 1.0 request's `MetricMetadata` in the workspace's table;
    /// if that changed any family's type, series created before it are classified again
    /// (`Pipeline.reclassify`), shard by shard, outside the sample path.
    private func recordMetadata(_ batch: WriteBatch, workspace: Workspace, now: Timestamp) {
        let table: MetricTypeTable? = workspace.metricTypes.withLock { table in
            var changed = false
            for entry in batch.metadata {
                guard let type = MetricType(rawValue: entry.type), type != .unknown else { continue }
                if table.record(family: batch.familyName(entry), type: type) { changed = true }
            }
            return changed ? table : nil
        }
        guard let table else { return }
        for shard in workspace.shards {
            shard.withLock { box in _ = box.pipeline.reclassify(using: table, at: now) }
        }
    }

    /// The accepted event-time window of a request.
    struct SampleWindow {
        let oldest: Timestamp
        let newest: Timestamp
        /// The server's clock at the request: when its series' samples arrived.
        let now: Timestamp
    }

    /// Ingests the series of one shard (its lock held): finds each known series by key, or
    /// validates and creates it, then feeds its samples.
    private func ingestShard(
        _ shardIndex: UInt64, of shardCount: UInt64, scratch: borrowing IngestScratch, validation: SeriesValidationOptions,
        pipeline: Pipeline, usage: UsageRecorder, workspace: Workspace, window: SampleWindow, result: inout IngestResult
    ) {
        let batch = scratch.batch
        let keys = scratch.keys
        let store = pipeline.store
        batch.series.withUnsafeBufferPointer { series in
            batch.samples.withUnsafeBufferPointer { samples in
                keys.hashes.withUnsafeBufferPointer { hashes in
                    keys.withKeys(in: batch) { view in
                        for index in 0..<series.count {
                            let hash = hashes[index]
                            if shardCount > 1 && hash % shardCount != shardIndex { continue }
                            let entry = series[index]
                            let own = UnsafeBufferPointer(rebasing: samples[entry.sampleRange])
                            var ref = store.find(hash: hash, key: view[index])
                            if ref == nil {
                                guard !own.isEmpty else { continue }
                                ref = createSeries(index, batch: batch, validation: validation, pipeline: pipeline, workspace: workspace, result: &result)
                                if ref == nil { continue }
                            }
                            if !own.isEmpty { pipeline.noteArrival(ref!, at: window.now) }
                            ingestSamples(own, into: ref!, series: index, batch: batch, pipeline: pipeline, usage: usage, window: window, result: &result)
                        }
                    }
                }
            }
        }
    }

    /// Validates a series the store does not hold and creates it, with its metric type: the
    /// series' own 2.0 metadata, else its family's in the workspace's table (1.0 metadata).
    /// - Returns: nil (the samples counted as refused) when it is invalid or over the series limit.
    private func createSeries(
        _ index: Int, batch: WriteBatch, validation: SeriesValidationOptions, pipeline: Pipeline, workspace: Workspace,
        result: inout IngestResult
    ) -> SeriesRef? {
        let count = Int(batch.series[index].sampleCount)
        if let issue = batch.validate(series: index, options: validation) {
            result.reject("invalid_series", count, because: "\(issue)")
            return nil
        }
        let labels = batch.makeLabels(series: index)
        var type = batch.series[index].metadataType.flatMap(MetricType.init(rawValue:))
        if type == nil || type == .unknown {
            type = workspace.metricTypes.withLock { $0.type(ofSeries: labels.metricName) }
        }
        guard let ref = pipeline.create(labels, type: type) else {
            result.reject("series_limit", count, because: "workspace active series limit reached; new series refused")
            return nil
        }
        return ref
    }

    /// Feeds the samples of one held series to the pipeline and what it appends to the usage
    /// summaries: no allocation unless a sample is refused.
    @inline(__always)
    private func ingestSamples(
        _ samples: UnsafeBufferPointer<SampleEntry>, into ref: SeriesRef, series index: Int, batch: WriteBatch,
        pipeline: Pipeline, usage: UsageRecorder, window: SampleWindow, result: inout IngestResult
    ) {
        for sample in samples {
            if sample.timestamp < window.oldest {
                result.reject("too_old", 1, because: "sample at \(TimeFormat.rfc3339(sample.timestamp)) is older than the accepted \(PromDuration(milliseconds: maxSampleAge))")
                continue
            }
            if sample.timestamp > window.newest {
                result.reject("too_far_in_future", 1, because: "sample at \(TimeFormat.rfc3339(sample.timestamp)) is ahead of the server's clock")
                continue
            }
            let outcome = pipeline.ingest(ref, timestamp: sample.timestamp, value: sample.value)
            result.outcomes[Int(outcome.rawValue)] += 1
            switch outcome {
            case .appended:
                usage.observe(ref, timestamp: sample.timestamp, value: sample.value)
                result.written += 1
            case .duplicate, .stale:
                result.written += 1
            case .nonFinite:
                // A NaN value is legal in Prometheus (e.g. 0/0); not the sender's error, not scored.
                break
            case .outOfOrder, .duplicateConflict:
                result.rejectCounted(because: "\(outcome.description) sample at \(TimeFormat.rfc3339(sample.timestamp)) for \(batch.metricName(ofSeries: index) ?? "series")")
            }
        }
    }

    private func writtenHeaders(_ version: RemoteWriteVersion, written: Int) -> [(String, String)] {
        guard version == .v2 else { return [] }
        return [
            ("X-Prometheus-Remote-Write-Samples-Written", String(written)),
            ("X-Prometheus-Remote-Write-Histograms-Written", "0"),
            ("X-Prometheus-Remote-Write-Exemplars-Written", "0"),
        ]
    }

    private func refuse(_ workspace: Workspace, _ status: Int, _ reason: String, _ message: String, version: RemoteWriteVersion? = nil) -> HTTPResponse {
        workspace.counters.withLock { $0.countRequest(code: status, reason: reason) }
        let headers = version.map { writtenHeaders($0, written: 0) } ?? []
        return HTTPResponse(status: status, headers: headers, text: message + "\n")
    }
}
