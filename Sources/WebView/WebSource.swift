import AIOpsCore
import Incidents
import Rules

/// What the web view reads from the running server. `Server` implements it over its
/// workspaces; the web view never holds a workspace or a lock itself, so a page costs the
/// server one short read per thing it shows.
public protocol WebSource: Sendable {
    /// Who presents `token`: a workspace, the admin, or nobody (nil). Compared in constant
    /// time by the implementation; called at sign-in and again on every request of a
    /// session, so a token changed by a reload ends the sessions signed in with it.
    func identity(forToken token: [UInt8]) -> WebIdentity?
    /// The workspaces being served, in configuration order.
    var workspaceNames: [String] { get }
    /// The overview's numbers of a workspace; nil when there is no such workspace.
    func overview(workspace: String, now: Timestamp) -> WorkspaceOverview?
    /// An open or recently resolved incident of a workspace with what there is to plot.
    func incident(workspace: String, id: String) -> IncidentDetail?
    /// Series of a workspace that `selector` selects, at most `limit` of them (by labels),
    /// with what their rings hold; `total` counts every match.
    func series(workspace: String, selector: Selector, limit: Int) -> (series: [SeriesDetail], total: Int)
    /// The rules a workspace runs (the built-in `auto` rule last).
    func rules(workspace: String) -> [Rule]
}

/// Who a session or bearer token is.
public enum WebIdentity: Sendable, Equatable {
    /// A workspace's token: that workspace's pages only.
    case workspace(String)
    /// The admin token: every workspace, with a switcher.
    case admin
}

/// The numbers of a workspace's overview page.
public struct WorkspaceOverview: Sendable {
    public var name: String
    /// `hobby`, `pro`.
    public var plan: String
    /// Pending and firing, oldest first.
    public var open: [Incident]
    /// Resolved, newest first.
    public var resolved: [Incident]
    public var activeSeries: Int
    public var activeSeriesLimit: Int
    public var samplesPerSecondLimit: Int
    /// Samples accepted since the server started.
    public var samplesAccepted: Int
    /// Samples refused since the server started, by reason.
    public var samplesRefused: [String: Int]
    /// Accepted samples per second recently (`IngestRate`); nil before two readings.
    public var ingestRate: Double?
    /// Over how long `ingestRate` was measured, in seconds.
    public var ingestRateWindow: Double?
    /// The Slack webhook's delivery state; nil when the workspace has none (reports go to
    /// standard output).
    public var webhook: WebhookHealth?
    public var ruleCount: Int

    public init(
        name: String, plan: String, open: [Incident], resolved: [Incident], activeSeries: Int, activeSeriesLimit: Int,
        samplesPerSecondLimit: Int, samplesAccepted: Int, samplesRefused: [String: Int] = [:], ingestRate: Double? = nil,
        ingestRateWindow: Double? = nil, webhook: WebhookHealth? = nil, ruleCount: Int
    ) {
        self.name = name
        self.plan = plan
        self.open = open
        self.resolved = resolved
        self.activeSeries = activeSeries
        self.activeSeriesLimit = activeSeriesLimit
        self.samplesPerSecondLimit = samplesPerSecondLimit
        self.samplesAccepted = samplesAccepted
        self.samplesRefused = samplesRefused
        self.ingestRate = ingestRate
        self.ingestRateWindow = ingestRateWindow
        self.webhook = webhook
        self.ruleCount = ruleCount
    }
}

/// How a workspace's Slack webhook is doing (never its URL).
public struct WebhookHealth: Sendable, Equatable {
    public var sent: Int
    public var retried: Int
    public var failed: Int
    public var queued: Int
    /// Since a notification was given up, until one is delivered.
    public var failing: Bool
    /// The reason of the latest failed attempt (`channel_not_found`, `timeout`, ...).
    public var lastError: String?

    public init(sent: Int, retried: Int, failed: Int, queued: Int, failing: Bool, lastError: String?) {
        self.sent = sent
        self.retried = retried
        self.failed = failed
        self.queued = queued
        self.failing = failing
        self.lastError = lastError
    }
}

/// An incident and what there is to plot of it.
public struct IncidentDetail: Sendable {
    public var incident: Incident
    /// What its rule's detector saw and expected around it; nil when none is kept (the
    /// incident is older than the traces kept, or from before a restart).
    public var trace: IncidentTrace?
    /// The series' ring now (raw samples, with the series' scores); nil when the series
    /// is gone.
    public var ring: RingSamples?
    /// The rule as it is now; nil when it is gone (changed by a reload).
    public var rule: Rule?

    public init(incident: Incident, trace: IncidentTrace?, ring: RingSamples?, rule: Rule?) {
        self.incident = incident
        self.trace = trace
        self.ring = ring
        self.rule = rule
    }
}

/// What a series' ring holds: its last samples (raw, as received) and the highest score any
/// rule gave each one (nil: not scored, e.g. while it warmed up or before a restart).
public struct RingSamples: Sendable {
    public var timestamps: [Timestamp]
    public var values: [Double]
    public var scores: [Double?]

    public init(timestamps: [Timestamp], values: [Double], scores: [Double?]) {
        self.timestamps = timestamps
        self.values = values
        self.scores = scores
    }
}

/// One series found by a selector.
public struct SeriesDetail: Sendable {
    public var labels: Labels
    public var ring: RingSamples
    /// The rules bound to it (`auto` when no rule selects it).
    public var rules: [String]
    /// Whether its rules see it as a counter's per-second rate.
    public var scoredAsRate: Bool
    /// Its open incidents.
    public var incidents: [Incident]

    public init(labels: Labels, ring: RingSamples, rules: [String], scoredAsRate: Bool, incidents: [Incident]) {
        self.labels = labels
        self.ring = ring
        self.rules = rules
        self.scoredAsRate = scoredAsRate
        self.incidents = incidents
    }
}
