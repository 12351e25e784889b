import Foundation

/// The body of a Slack incoming-webhook request: a fallback `text` (shown in notifications)
/// and Block Kit `blocks`.
///
/// Encoded with sorted keys so the same message always yields the same bytes, which lets
/// tests compare exact payloads and lets an outbox deduplicate by content.
public struct SlackMessage: Sendable, Codable, Equatable {
    /// One line, shown in notifications and by clients that cannot render blocks.
    public var text: String
    public var blocks: [SlackBlock]

    public init(text: String, blocks: [SlackBlock]) {
        self.text = text
        self.blocks = blocks
    }

    /// The JSON body to POST: sorted keys, slashes unescaped, no whitespace.
    /// - Throws: `EncodingError` only if Foundation fails to encode strings (not expected).
    public func jsonData(prettyPrinted: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// `jsonData()` as a string.
    public func jsonString(prettyPrinted: Bool = false) throws -> String {
        String(decoding: try jsonData(prettyPrinted: prettyPrinted), as: UTF8.self)
    }

    /// Every text object of the message (header, section text and fields, context elements),
    /// in order.
    public var textObjects: [SlackText] {
        var out: [SlackText] = []
        for block in blocks {
            switch block {
            case .header(let text): out.append(text)
            case .section(let text, let fields):
                if let text { out.append(text) }
                out.append(contentsOf: fields ?? [])
            case .context(let elements): out.append(contentsOf: elements)
            case .divider: break
            }
        }
        return out
    }

    /// The length Slack's size checks see, measured as `SlackMrkdwn.length` (UTF-16 units):
    /// the fallback text plus every text object.
    public var characterCount: Int {
        textObjects.reduce(SlackMrkdwn.length(text)) { $0 + SlackMrkdwn.length($1.text) }
    }
}

/// A Block Kit text object.
public struct SlackText: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case mrkdwn
        case plainText = "plain_text"
    }

    public var type: Kind
    public var text: String
    /// For `plain_text`: render `:emoji:` shortcodes. Omitted from JSON when nil.
    public var emoji: Bool?

    public init(type: Kind, text: String, emoji: Bool? = nil) {
        self.type = type
        self.text = text
        self.emoji = emoji
    }

    /// mrkdwn text; the caller has already escaped what came from metrics or labels.
    public static func mrkdwn(_ text: String) -> SlackText { SlackText(type: .mrkdwn, text: text) }

    /// plain_text with emoji shortcodes rendered.
    public static func plain(_ text: String) -> SlackText { SlackText(type: .plainText, text: text, emoji: true) }
}

/// The Block Kit blocks this project sends.
public enum SlackBlock: Sendable, Codable, Equatable {
    /// plain_text, at most 150 characters.
    case header(SlackText)
    /// `text` at most 3000 characters; at most 10 `fields`, each at most 2000.
    case section(text: SlackText?, fields: [SlackText]?)
    /// At most 10 elements.
    case context([SlackText])
    case divider

    private enum CodingKeys: String, CodingKey {
        case type, text, fields, elements
    }

    /// Thrown when decoding a block type this model does not know.
    public struct UnknownBlockType: Error, CustomStringConvertible {
        public var type: String
        public var description: String { "unknown Slack block type \"\(type)\"" }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "header":
            self = .header(try container.decode(SlackText.self, forKey: .text))
        case "section":
            self = .section(
                text: try container.decodeIfPresent(SlackText.self, forKey: .text),
                fields: try container.decodeIfPresent([SlackText].self, forKey: .fields)
            )
        case "context":
            self = .context(try container.decode([SlackText].self, forKey: .elements))
        case "divider":
            self = .divider
        default:
            throw UnknownBlockType(type: type)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .header(let text):
            try container.encode("header", forKey: .type)
            try container.encode(text, forKey: .text)
        case .section(let text, let fields):
            try container.encode("section", forKey: .type)
            try container.encodeIfPresent(text, forKey: .text)
            try container.encodeIfPresent(fields, forKey: .fields)
        case .context(let elements):
            try container.encode("context", forKey: .type)
            try container.encode(elements, forKey: .elements)
        case .divider:
            try container.encode("divider", forKey: .type)
        }
    }
}
