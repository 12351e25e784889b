/// One label of a series: a name and a value, both non-empty in valid input.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name < rhs.name || (lhs.name == rhs.name && lhs.value < rhs.value)
    }
}
