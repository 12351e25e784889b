import AIOpsCore

/// The overview's places for what other modules know about a workspace: the daily summary,
/// forecasts and recommendations. Each is a clearly marked section (`id="slot-..."`) that
/// says it is empty until a provider is wired (`WebApp.Options.panels`).
public enum OverviewSlot: String, CaseIterable, Sendable {
    case dailySummary = "daily-summary"
    case forecasts
    case recommendations

    public var title: String {
        switch self {
        case .dailySummary: return "Daily summary"
        case .forecasts: return "Forecasts"
        case .recommendations: return "Recommendations"
        }
    }
}

/// What a provider puts in a slot: plain text and numbers, escaped by the web view (a
/// provider never writes markup), and plots drawn with the same component as every page.
public struct OverviewPanel: Sendable {
    /// A name and its value, shown as a definition list.
    public struct Row: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Paragraphs.
    public var lines: [String]
    /// Text laid out as it is (a summary with indented lines), in a `<pre>`.
    public var preformatted: String?
    public var rows: [Row]
    public var plots: [PlotInput]
    /// A link under the panel (`/api/v1/summary`), relative to the server; nil for none.
    public var link: (title: String, path: String)?

    public init(lines: [String] = [], preformatted: String? = nil, rows: [Row] = [], plots: [PlotInput] = [], link: (title: String, path: String)? = nil) {
        self.lines = lines
        self.preformatted = preformatted
        self.rows = rows
        self.plots = plots
        self.link = link
    }
}

/// Fills one slot for a workspace at a time; nil leaves the slot saying there is nothing yet.
public typealias OverviewPanelProvider = @Sendable (_ workspace: String, _ now: Timestamp) -> OverviewPanel?
