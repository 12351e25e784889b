/// The remote-write protocol of a request, chosen from its `Content-Type` as the 2.0 spec
/// requires (a receiver that guessed would decode a 2.0 body as an empty 1.0 message).
public enum RemoteWriteVersion: String, Sendable, Equatable, CaseIterable {
    /// `prometheus.WriteRequest`.
    case v1
    /// `io.prometheus.write.v2.Request`.
    case v2

    /// The full content type a sender uses for this version.
    public var contentType: String {
        switch self {
        case .v1: return "application/x-protobuf"
        case .v2: return "application/x-protobuf;proto=io.prometheus.write.v2.Request"
        }
    }

    /// The `X-Prometheus-Remote-Write-Version` header value a sender uses.
    public var versionHeader: String {
        switch self {
        case .v1: return "0.1.0"
        case .v2: return "2.0.0"
        }
    }

    /// The protobuf message name of the request.
    public var messageName: String {
        switch self {
        case .v1: return "prometheus.WriteRequest"
        case .v2: return "io.prometheus.write.v2.Request"
        }
    }

    /// Chooses the version from a `Content-Type` header value.
    ///
    /// Missing or empty means 1.0. The media type and parameter names are case-insensitive
    /// and spaces around `;` and `=` are tolerated, as HTTP allows; the `proto` value may be
    /// quoted and is compared exactly (message names are case-sensitive). Parameters other
    /// than `proto` (such as `charset`) are ignored.
    /// - Throws: `.unsupportedContentType` (the server answers 415).
    public init(contentType: String?) throws(RemoteWriteError) {
        guard let contentType else { self = .v1; return }
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        let mediaType = RemoteWriteVersion.trim(parts[0]).lowercased()
        if mediaType.isEmpty && parts.count == 1 { self = .v1; return }
        guard mediaType == "application/x-protobuf" else { throw .unsupportedContentType(contentType) }
        var proto: Substring?
        for parameter in parts.dropFirst() {
            let trimmed = RemoteWriteVersion.trim(parameter)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { throw .unsupportedContentType(contentType) }
            let name = RemoteWriteVersion.trim(trimmed[..<equals]).lowercased()
            var value = RemoteWriteVersion.trim(trimmed[trimmed.index(after: equals)...])
            if value.count >= 2 && value.first == "\"" && value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            if name == "proto" { proto = value }
        }
        switch proto {
        case nil, "prometheus.WriteRequest": self = .v1
        case "io.prometheus.write.v2.Request": self = .v2
        default: throw .unsupportedContentType(contentType)
        }
    }

    static func trim(_ text: Substring) -> Substring {
        var slice = text
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
