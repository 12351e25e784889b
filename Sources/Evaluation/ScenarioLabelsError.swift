/// Why a scenario corpus's `labels.json` could not be loaded: the file, the key path of the
/// entry at fault (`cases[3].windows[0][1]`) and the reason.
///
/// A struct rather than an enum: the checks on cases will grow with the corpus, and every one
/// reads the same way to a person fixing the file.
public struct ScenarioLabelsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The labels file.
    public var file: String
    /// The key path at fault, empty for the file as a whole.
    public var key: String
    public var reason: String

    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)"
    }
}
