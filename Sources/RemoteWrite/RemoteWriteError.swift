/// Why a remote-write request could not be decoded; `description` is one line for a 400
/// (or 415 for `.unsupportedContentType`) response body.
public enum RemoteWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `Content-Type` names neither 1.0 nor 2.0 (answer 415).
    case unsupportedContentType(String)
    /// The body is not a valid snappy block.
    case snappy(SnappyError)
    /// The decoded body would exceed the decoder's limit (checked before allocating).
    case decodedBodyTooLarge(declared: UInt64, limit: Int)
    /// The decoded bytes are not valid protobuf for the schema.
    case protobuf(ProtobufError)
    /// A 2.0 request has series but no symbols table.
    case missingSymbols
    /// A 2.0 request's `symbols[0]` is not the empty string.
    case firstSymbolNotEmpty(length: Int)
    /// A 2.0 series (or its exemplar or metadata) refers to a symbol that does not exist.
    case badSymbolRef(ref: UInt64, symbolCount: Int, series: Int)
    /// A 2.0 series has an odd number of `labels_refs`.
    case oddLabelRefCount(count: Int, series: Int)
    /// The body is not a message of the declared version: it decodes to nothing while its
    /// bytes carry fields of another schema (typically 2.0 sent as 1.0).
    case wrongVersion(declared: RemoteWriteVersion, reason: String)

    /// Whether the server should answer 415 rather than 400.
    public var isUnsupportedMediaType: Bool {
        if case .unsupportedContentType = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .unsupportedContentType(value):
            return "unsupported content type \"\(value.prefix(200))\": expected application/x-protobuf with proto=prometheus.WriteRequest or proto=io.prometheus.write.v2.Request"
        case let .snappy(error):
            return error.description
        case let .decodedBodyTooLarge(declared, limit):
            return "decoded body of \(declared) bytes exceeds the limit of \(limit) bytes"
        case let .protobuf(error):
            return error.description
        case .missingSymbols:
            return "remote write 2.0: request has series but no symbols"
        case let .firstSymbolNotEmpty(length):
            return "remote write 2.0: symbols[0] must be the empty string, got \(length) bytes"
        case let .badSymbolRef(ref, symbolCount, series):
            return "remote write 2.0: series \(series) refers to symbol \(ref) but there are \(symbolCount) symbols"
        case let .oddLabelRefCount(count, series):
            return "remote write 2.0: series \(series) has an odd number of label refs (\(count))"
        case let .wrongVersion(declared, reason):
            return "not a remote write \(declared == .v1 ? "1.0" : "2.0") message: \(reason)"
        }
    }
}
