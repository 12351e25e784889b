import Advice
import AIOpsCore
import AlertTargets
import Delivery
import Dispatch
import HTTPServer
import Incidents
import Foundation
import Pipeline
import Rules
import Snapshots
import Synchronization
import WarmStart
import WebView

/// `aiops serve`: workspaces, their pipelines and the HTTP server in front of them.
public final class AIOpsServer: Sendable {
    public static let version = "0.1.0"

    /// Tunables of the server (the workspaces come from `ServerConfiguration`).
    public struct Options: Sendable {
        public var listen: String = "127.0.0.1:9201"
        /// Event loop threads; default: one per core.
        public var threads: Int?
        /// Locks each workspace's series are spread over (by `Labels.stableHash % shards`).
        /// More than one lets event loops detect in parallel, but each shard then enforces
        /// its share of the workspace's active-series limit, so the limit becomes approximate;
        /// on 2 shared cores aiops-bench showed no clear gain, so the default stays 1.
        public var shardsPerWorkspace: Int = 1
        /// Samples older than this are refused as too old (400).
        public var maxSampleAge: PromDuration = .hours(3)
        /// Samples further ahead of the clock than this are refused (as Prometheus does).
        public var maxFutureSkew: PromDuration = .minutes(10)
        /// Series with no sample for this long are dropped (their incidents resolve).
        public var idleSeriesTimeout: PromDuration = .minutes(15)
        /// How often idle series are looked for (a series goes between `idleSeriesTimeout`
        /// and `idleSeriesTimeout + evictionInterval` after its last sample).
        public var evictionInterval: PromDuration = .minutes(1)
        public var maxConnections: Int = 10_000
        public var maxBodyBytes: Int = 32 << 20
        /// Bytes all request bodies together may hold in memory (503 with `Retry-After`
        /// beyond); nil: a quarter of the memory the process may use.
        public var maxBufferedBodyBytes: Int?
        /// Where snapshots live (`<data>/<workspace>/state.snap`); nil: no snapshots.
        public var dataDirectory: String?
        /// How often every workspace is snapshotted (and once more at shutdown, by the
        /// caller's `writeSnapshots()`); zero: snapshots off (none loaded, none written).
        public var snapshotInterval: PromDuration = .minutes(5)
        /// Days of daily backups kept for Pro workspaces.
        public var backupDays: Int = 7
        /// How often due daily summaries are looked for (a summary goes out within this of its
        /// time); zero: no daily summaries.
        public var dailySummaryCheckInterval: PromDuration = .minutes(1)
        /// Per-series forecasts for predictive scaling (the `Forecasting` module); nil: the
        /// advice module's daily profile of the last 7 days.
        public var forecast: ForecastProvider?
        /// Warm start (`--warm-from`): new series read their history from a Prometheus-compatible
        /// API before their live samples are scored; nil: off.
        public var warmStart: WarmStartOptions?
        /// Where the server's lines go (snapshots loaded, written, damaged; reloads): standard
        /// error, logfmt, by default.
        public var logger = Logger()
        /// Where `reload()` (SIGHUP, `POST /-/reload`) reads the configuration and rules;
        /// nil: reloading is not available.
        public var source: ConfigurationSource?
        /// The URL people reach this server at (`--external-url`, Prometheus'
        /// `--web.external-url`): alerts sent to Alertmanager link to their incident under it
        /// (`generatorURL`); reports link their incident's page under it, the web view
        /// prefixes its links with its path and makes its cookie `Secure` when it is https;
        /// nil: no links.
        public var externalURL: String?
        /// How often a firing alert is sent to Alertmanager again (Prometheus'
        /// `--rules.alert.resend-delay`); its `endsAt` is 4 times this ahead.
        public var alertResendDelay: PromDuration = .minutes(1)
        /// Most series one `/federate` request may answer (beyond: 422, nothing answered).
        public var federateLimit: Int = 100_000
        /// Replaces what fills the web view overview's slots (by default the daily summary,
        /// forecasts and recommendations of the server's own modules, `ServerWebPanels`).
        public var webPanels: [OverviewSlot: OverviewPanelProvider] = [:]

        public init() {}

        /// Bare messages of every log line (no timestamp or level), for callers that only
        /// want the text; setting it replaces `logger`.
        public var log: @Sendable (String) -> Void {
            get { { [logger] in logger.info($0) } }
            set { logger = Logger(messages: newValue) }
        }

        /// Whether snapshots are loaded and written.
        public var snapshotsEnabled: Bool { dataDirectory != nil && snapshotInterval.milliseconds > 0 }
    }

    public let options: Options
    let handler: AIOpsHandler
    let state: ServerState
    let clock: any WallClock
    let http: HTTPServer
    private let stopping = Atomic<Bool>(false)
    let notifier: Notifier?
    /// Reads new series' history in the background; nil when warm start is off. A workspace a
    /// reload adds is handed to it too (`warmShards`).
    let warmStart: WarmStartScheduler?
    /// Held while snapshots are written, so a periodic one and the final one never overlap,
    /// and for a reload's rebinding, so no snapshot sees some shards under the old rules and
    /// others under the new. Lock order: `reloadLock`, then this, then shard locks.
    let snapshotting = Mutex(())
    /// Held for the whole of a reload, so two (SIGHUP and `/-/reload`) never interleave.
    let reloadLock = Mutex(())
    let shardCount: Int
    /// Alertmanagers, silences, scores remote write.
    let alerting: ServerAlerting
    /// Readings of each workspace's accepted samples, for the web view's ingest rate.
    let ingestRate = IngestRate()

    /// The workspaces being served (a reload may add and remove some).
    public var workspaces: [Workspace] { state.routing.withLock { $0 }.workspaces }
    /// When each workspace's next daily summary is due and the schedule it was computed
    /// for, by workspace name (a workspace a reload adds, or whose schedule it changes, is
    /// scheduled afresh at the next check).
    private let summariesDue: Mutex<[String: (due: Timestamp, schedule: DailySummarySchedule)]>

    /// - Parameters:
    ///   - notifier: receives every workspace's incidents; nil reports nothing. The caller owns
    ///     it: `shutdown()` stops serving, then the caller flushes and shuts the notifier down.
    public init(configuration: ServerConfiguration, rules: RuleSet, options: Options = Options(), notifier: Notifier? = nil, clock: any WallClock = SystemClock()) throws(HTTPServerError) {
        self.options = options
        self.clock = clock
        self.notifier = notifier
        let now = clock.now()
        shardCount = max(1, options.shardsPerWorkspace)
        let plan: ServerAlerting.Plan
        do {
            plan = try ServerAlerting.Plan(configuration: configuration)
        } catch {
            throw HTTPServerError.invalidConfiguration(error.reason)
        }
        let alerting = ServerAlerting(plan: plan, options: options, clock: clock)
        self.alerting = alerting
        let workspaces = configuration.workspaces.map { [shardCount] config in
            Workspace(configuration: config, rules: rules, shardCount: shardCount,
                      sink: alerting.incidentSink(forWorkspace: config.name, notifier: notifier), now: now)
        }
        alerting.apply(plan, workspaces: workspaces, now: now)
        // Silences mute the Slack notifier's messages (not the alerts sent to Alertmanager).
        notifier?.setFilter(alerting.silences)
        // Reminders say how an incident stands now, from the pipelines' latest facts. Weak:
        // the workspace's pipelines hold the notifier (their sink) already.
        for workspace in workspaces {
            notifier?.setCurrentIncidents(workspace: workspace.name) { [weak workspace] ids in workspace?.currentIncidents(ids: ids) ?? [] }
        }
        guard let address = HTTPServerConfiguration.parseListenAddress(options.listen) else {
            throw HTTPServerError.invalidConfiguration("cannot parse listen address '\(options.listen)' (expected HOST:PORT)")
        }
        var httpConfiguration = HTTPServerConfiguration()
        httpConfiguration.host = address.host
        httpConfiguration.port = address.port
        if let threads = options.threads { httpConfiguration.threads = threads }
        httpConfiguration.maxConnections = options.maxConnections
        httpConfiguration.maxBodyBytes = options.maxBodyBytes
        httpConfiguration.maxBufferedBodyBytes = options.maxBufferedBodyBytes
        let metrics = ServerMetrics(started: now)
        if let warmOptions = options.warmStart {
            warmStart = WarmStartScheduler(
                options: warmOptions, shards: Self.warmShards(of: workspaces), clock: clock,
                log: { [logger = options.logger] line in logger.info(line) })
        } else {
            warmStart = nil
        }
        state = ServerState(notifier: notifier, routing: Routing(configuration: configuration, rules: rules, workspaces: workspaces), started: now, warmStart: warmStart, alerting: alerting, forecast: options.forecast)
        summariesDue = Mutex(Dictionary(uniqueKeysWithValues: workspaces.map { ($0.name, (due: $0.advice.schedule.nextTime(after: now), schedule: $0.advice.schedule)) }))
        let scratch = (0..<max(1, httpConfiguration.threads)).map { _ in ScratchSlot() }
        var webOptions = WebApp.Options()
        webOptions.externalURL = options.externalURL
        webOptions.panels = ServerWebPanels.providers(state: state).merging(options.webPanels) { $1 }
        webOptions.version = Self.version
        let web = WebApp(source: ServerWebSource(state: state, ingestRate: ingestRate), options: webOptions, clock: clock)
        handler = AIOpsHandler(
            endpoint: RemoteWriteEndpoint(
                clock: clock, scratch: scratch, metrics: metrics,
                maxSampleAge: options.maxSampleAge.milliseconds, maxFutureSkew: options.maxFutureSkew.milliseconds),
            metrics: metrics, state: state, web: web)
        http = HTTPServer(configuration: httpConfiguration, handler: handler)
        state.attach(http)
        state.attach(reloader: { [weak self] in
            guard let self else { return .failure(ReloadError(lines: ["the server is stopping"])) }
            return Result { () throws(ReloadError) in try self.reload() }
        })
    }

    /// Binds and starts serving: health checks answer at once, writes get 503 until every
    /// workspace's snapshot is loaded, then `/-/ready` and `/readyz` turn 200.
    /// - Returns: the bound address (useful with port 0).
    @discardableResult
    public func start() throws(HTTPServerError) -> HTTPSocketAddress {
        let address = try http.start()
        // A `/-/reload` meanwhile waits for the load.
        reloadLock.withLock { _ in
            loadSnapshots(workspaces)
            resendFiring(workspaces)
        }
        state.loaded.store(true, ordering: .releasing)
        alerting.start()
        startEviction()
        if options.snapshotsEnabled { scheduleSnapshot() }
        if options.dailySummaryCheckInterval.milliseconds > 0 { scheduleDailySummaries() }
        if let warmStart, let warm = options.warmStart {
            warmStart.start()
            let step = "step from each series' first two samples, else \(warm.defaultStep)"
            options.logger.info("warm start: new series read their last \(warm.history) from \(warm.source.redacted) (\(warm.credentials); \(step); at most \(Self.format(warm.queriesPerSecond)) queries/s)")
        }
        return address
    }

    /// Stops accepting, finishes requests in flight, then stops warm start (series still
    /// waiting for history are scored unwarmed), then returns.
    public func shutdown(gracePeriod: PromDuration = .seconds(10)) {
        state.stopping.store(true, ordering: .relaxed)
        stopping.store(true, ordering: .relaxed)
        http.shutdown(gracePeriod: gracePeriod)
        warmStart?.stop()
        alerting.shutdown()
    }

    /// Hands incidents still firing (loaded from snapshots) to the workspaces' Alertmanagers,
    /// so their alerts are sent again and stay alive.
    func resendFiring(_ workspaces: [Workspace]) {
        for workspace in workspaces where alerting.alertmanager.serves(workspace: workspace.name) {
            alerting.alertmanager.restore(firing: workspace.incidents().open, workspace: workspace.name)
        }
    }

    /// What warm start has done so far; nil when it is off.
    public var warmStartStatistics: WarmStartStatistics? { warmStart?.statistics }

    public var localAddress: HTTPSocketAddress? { http.localAddress }

    /// Drops idle series now (also done every `evictionInterval` in the background).
    public func evictIdleSeries() {
        let now = clock.now()
        let cutoff = now - options.idleSeriesTimeout.milliseconds
        for workspace in workspaces { workspace.evictIdle(olderThan: cutoff, now: now) }
    }

    /// Takes a reading of each workspace's accepted samples for the web view's ingest rate
    /// (done with every eviction pass, so readings are at most a minute apart).
    func recordIngestRates() {
        let now = clock.now()
        for workspace in workspaces {
            ingestRate.record(workspace: workspace.name, samples: workspace.counters.withLock { $0.samples["appended"] ?? 0 }, now: now)
        }
    }

    // MARK: Snapshots

    /// Loads each workspace's snapshot, if any (before the server accepts writes). A file that
    /// cannot be read, or was written under other rules or shards, is moved to
    /// `<data>/damaged/` with a log line; the workspace then starts empty, the others load.
    func loadSnapshots(_ workspaces: [Workspace]) {
        guard options.snapshotsEnabled, let data = options.dataDirectory else { return }
        let directory = SnapshotDirectory(dataDirectory: data)
        let logger = options.logger.with(component: "snapshot")
        for workspace in workspaces {
            let started = MonotonicClock.nanoseconds()
            switch directory.load(workspace: workspace.name) {
            case .none:
                logger.info("workspace \(workspace.name): no snapshot in \(directory.workspaceDirectory(workspace.name))/, starting empty")
            case .damaged(let reason, let movedTo):
                logger.error("workspace \(workspace.name): \(directory.path(workspace: workspace.name)) refused (\(reason)); moved to \(movedTo ?? "nowhere (move failed)"); starting empty")
            case .loaded(let state, let bytes):
                let now = clock.now()
                let changes: Workspace.RuleChanges
                switch workspace.restore(state, notifier: notifier, now: now) {
                case .failure(let refusal):
                    let movedTo = directory.moveToDamaged(workspace: workspace.name, reason: refusal.reason, now: now)
                    logger.error("workspace \(workspace.name): \(directory.path(workspace: workspace.name)) refused (\(refusal.reason)); moved to \(movedTo ?? "nowhere (move failed)"); starting empty")
                    continue
                case .success(let result):
                    changes = result
                }
                let milliseconds = Double(MonotonicClock.nanoseconds() - started) / 1e6
                let minutes = Double(max(0, now - state.created)) / 60_000
                if !changes.fresh.isEmpty || !changes.gone.isEmpty {
                    logger.info("workspace \(workspace.name): written under other rules; \(changes.description)")
                }
                logger.info("workspace \(workspace.name): loaded \(state.seriesCount) series, \(state.openIncidentCount) open incident(s) (\(state.firingIncidentCount) firing) from \(directory.path(workspace: workspace.name)) (\(bytes) bytes in \(Self.format(milliseconds)) ms); taken \(Self.format(minutes)) minutes ago: lost up to \(Self.format(minutes)) minutes")
            }
            loadUsage(workspace, directory: directory)
        }
    }

    /// `<data>/<workspace>/usage.snap`: the advice's usage summaries (7 days of hourly rings
    /// and CPU histograms), written beside the workspace's snapshot.
    static func usagePath(_ directory: SnapshotDirectory, _ workspace: String) -> String {
        directory.workspaceDirectory(workspace) + "/usage.snap"
    }

    /// Loads a workspace's usage summaries, if any; a file that cannot be used is logged and
    /// left for the next snapshot to replace.
    private func loadUsage(_ workspace: Workspace, directory: SnapshotDirectory) {
        let path = Self.usagePath(directory, workspace.name)
        guard FileManager.default.fileExists(atPath: path) else { return }
        let logger = options.logger.with(component: "snapshot")
        do {
            let bytes = try DurableFile.read(path)
            let (entries, created) = try UsageSnapshot.decode(bytes)
            let restored = workspace.restoreUsage(entries)
            logger.info("workspace \(workspace.name): usage summaries of \(restored) series loaded from \(path), taken \(Self.format(Double(max(0, clock.now() - created)) / 60_000)) minutes ago")
        } catch {
            logger.error("workspace \(workspace.name): usage summaries in \(path) not loaded (\(error)); advice starts from what arrives")
        }
    }

    /// Writes every workspace's snapshot now (and, for Pro workspaces, the day's backup).
    /// Each workspace's shard locks are held only while its state is copied.
    /// Call it at graceful shutdown after the notifier has stopped, so the notification log
    /// saved is the final one. Does nothing when snapshots are off. Runs at a lower CPU
    /// priority than ingest (`BackgroundPriority`): on busy cores ingest keeps its pace.
    public func writeSnapshots() {
        writeSnapshots(workspaces)
    }

    /// `writeSnapshots()` of these workspaces only.
    func writeSnapshots(_ workspaces: [Workspace]) {
        snapshotting.withLock { _ in writeSnapshotsHoldingLock(workspaces) }
    }

    /// `writeSnapshots(_:)` with `snapshotting` already held.
    func writeSnapshotsHoldingLock(_ workspaces: [Workspace]) {
        guard options.snapshotsEnabled, let data = options.dataDirectory else { return }
        let directory = SnapshotDirectory(dataDirectory: data)
        let logger = options.logger.with(component: "snapshot")
        BackgroundPriority.run {
            for workspace in workspaces {
                let started = MonotonicClock.nanoseconds()
                let now = clock.now()
                let state = workspace.captureState(notifier: notifier, now: now)
                let copied = MonotonicClock.nanoseconds()
                do throws(DurableFile.Failure) {
                    let bytes = try directory.write(state)
                    if workspace.plan == .pro { try directory.keepDailyBackup(workspace: workspace.name, now: now, days: options.backupDays) }
                    let usage = UsageSnapshot.encode(workspace.captureUsage(), created: now)
                    let usagePath = Self.usagePath(directory, workspace.name)
                    try DurableFile.write(usage, to: usagePath, temporary: usagePath + ".tmp")
                    let done = MonotonicClock.nanoseconds()
                    logger.info("workspace \(workspace.name): \(state.seriesCount) series, \(bytes) bytes (locks held \(Self.format(Double(copied - started) / 1e6)) ms, written in \(Self.format(Double(done - copied) / 1e6)) ms)")
                } catch {
                    logger.error("workspace \(workspace.name): not written: \(error.description); the previous snapshot stays")
                }
            }
        }
    }

    private func scheduleSnapshot() {
        let seconds = Double(options.snapshotInterval.milliseconds) / 1000
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + seconds) { [weak self] in
            guard let self, !self.stopping.load(ordering: .relaxed) else { return }
            self.writeSnapshots()
            self.scheduleSnapshot()
        }
    }

    // MARK: Daily summaries

    /// Composes and sends the daily summary of every workspace whose time has come (by the
    /// server's clock), through the notifier: the same outbox, rate limit and retries as
    /// incident reports, printed when the workspace has no webhook. Also run every
    /// `dailySummaryCheckInterval` in the background. A summary missed while the server was
    /// down is not sent late: the next one is due at the next configured time.
    /// - Returns: the summaries sent.
    @discardableResult
    public func sendDueSummaries() -> [DailySummary] {
        let now = clock.now()
        let current = workspaces
        let due = summariesDue.withLock { table -> [Workspace] in
            var ready: [Workspace] = []
            for workspace in current {
                let schedule = workspace.advice.schedule
                guard let entry = table[workspace.name], entry.schedule == schedule else {
                    table[workspace.name] = (schedule.nextTime(after: now), schedule)
                    continue
                }
                if entry.due <= now {
                    ready.append(workspace)
                    table[workspace.name] = (schedule.nextTime(after: now), schedule)
                }
            }
            return ready
        }
        var sent: [DailySummary] = []
        for workspace in due {
            let summary = workspace.dailySummary(at: now, forecast: options.forecast)
            let rendered = summary.rendered()
            let batch = NotificationBatch.prepared(PreparedMessage(slackPayload: rendered.slackPayload, text: rendered.text),
                                                   workspace: workspace.name, rule: "daily-summary", at: now)
            do throws(DeliveryError) {
                try notifier?.send([batch])
                sent.append(summary)
            } catch {
                options.logger.with(component: "summary").error("workspace \(workspace.name): daily summary not sent: \(error.description)")
            }
        }
        return sent
    }

    /// When `workspace`'s next daily summary is due (nil for an unknown workspace).
    public func nextSummary(of workspace: String) -> Timestamp? {
        summariesDue.withLock { $0[workspace]?.due }
    }

    private func scheduleDailySummaries() {
        let interval = Int(max(1, options.dailySummaryCheckInterval.milliseconds))
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(interval)) { [weak self] in
            guard let self, !self.stopping.load(ordering: .relaxed) else { return }
            self.sendDueSummaries()
            self.scheduleDailySummaries()
        }
    }

    static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    private func startEviction() {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(Int(max(1, options.evictionInterval.milliseconds)))) { [weak self] in
            guard let self, !self.stopping.load(ordering: .relaxed) else { return }
            self.evictIdleSeries()
            self.recordIngestRates()
            self.startEviction()
        }
    }
}

extension AIOpsServer {
    /// The shards of `workspaces` as warm start sees them, their pipelines told to hold new
    /// series back for their history.
    static func warmShards(of workspaces: [Workspace]) -> [any WarmStartShard] {
        var shards: [any WarmStartShard] = []
        for workspace in workspaces {
            for shard in workspace.shards {
                shard.withLock { $0.pipeline.warmsNewSeries = true }
                shards.append(WarmStartPipelineShard(shard: shard))
            }
        }
        return shards
    }
}

/// A workspace's shard as warm start sees it: its pipeline, under its lock. Weak: the
/// scheduler keeps every shard it was given, and a workspace a reload removes must not stay
/// in memory for it (its queued series then end without history, uncounted).
final class WarmStartPipelineShard: WarmStartShard {
    weak let shard: PipelineShard?

    init(shard: PipelineShard) {
        self.shard = shard
    }

    func withPipeline(_ body: (Pipeline) -> Void) {
        shard?.withLock { body($0.pipeline) }
    }
}
