import AIOpsCore

extension NotifyOverrides {
    /// The keys of a rule's `notify` and of the config file's `notifications` objects.
    public static let jsonKeys = ["groupWait", "groupInterval", "repeatInterval", "sendResolved"]

    /// Reads a `notify` (rule file) or `notifications` (config file) object; both are
    /// read here so that they accept the same keys and word the same errors.
    /// - Returns: nil when anything was wrong (the problems are in `reader`).
    public init?(json node: JSONNode, path: String, reader: inout JSONReader) {
        let errorsBefore = reader.errors.count
        guard let members = reader.object(node, path, known: Self.jsonKeys, example: "{\"repeatInterval\": \"4h\"}") else { return nil }
        self.init()
        for member in members {
            let at = JSONReader.path(path, member.key)
            switch member.key {
            case "groupWait": groupWait = reader.duration(member.value, at)
            case "groupInterval": groupInterval = reader.duration(member.value, at)
            case "repeatInterval": repeatInterval = reader.duration(member.value, at)
            default: sendResolved = reader.bool(member.value, at)
            }
        }
        if reader.errors.count > errorsBefore { return nil }
    }
}
