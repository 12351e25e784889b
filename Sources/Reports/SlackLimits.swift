/// Slack's Block Kit limits, and the size this project keeps a whole message under.
///
/// Characters are counted as `SlackMrkdwn.length` measures them (UTF-16 units).
public struct SlackLimits: Sendable, Equatable {
    /// Blocks per message.
    public var maxBlocks: Int
    /// Header plain_text.
    public var maxHeaderCharacters: Int
    /// Section `text`.
    public var maxSectionTextCharacters: Int
    /// Fields per section.
    public var maxFieldsPerSection: Int
    /// Each section field.
    public var maxFieldCharacters: Int
    /// Elements per context block.
    public var maxContextElements: Int
    /// All text of the message together (fallback included). Slack rejected messages of
    /// about 13,000 characters with `msg_blocks_too_long`; this keeps well under that.
    public var messageBudget: Int

    public init(
        maxBlocks: Int = 50, maxHeaderCharacters: Int = 150, maxSectionTextCharacters: Int = 3000,
        maxFieldsPerSection: Int = 10, maxFieldCharacters: Int = 2000, maxContextElements: Int = 10,
        messageBudget: Int = 10_000
    ) {
        self.maxBlocks = maxBlocks
        self.maxHeaderCharacters = maxHeaderCharacters
        self.maxSectionTextCharacters = maxSectionTextCharacters
        self.maxFieldsPerSection = maxFieldsPerSection
        self.maxFieldCharacters = maxFieldCharacters
        self.maxContextElements = maxContextElements
        self.messageBudget = messageBudget
    }

    /// Slack's published limits with a 10,000-character message budget.
    public static let slack = SlackLimits()
}
