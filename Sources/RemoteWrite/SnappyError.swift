/// Why a snappy block could not be decompressed, with the byte offset into the compressed
/// input where it went wrong, so a 400 body tells the sender what to look at.
public enum SnappyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside the length preamble (or was empty).
    case truncatedPreamble
    /// The preamble varint is longer than 5 bytes or exceeds 2^32-1.
    case overlongPreamble
    /// The declared uncompressed length is above the caller's limit; nothing was allocated.
    case declaredLengthTooLarge(declared: UInt64, limit: Int)
    /// An element's tag, length bytes, offset bytes or literal data run past the input end.
    case inputTruncated(at: Int)
    /// A copy's offset is 0 or reaches before the start of the output.
    case offsetOutOfRange(offset: Int, position: Int)
    /// An element would write past the declared length (input offset of its tag).
    case outputOverflow(at: Int, declared: Int)
    /// The input ended before the output reached the declared length.
    case lengthMismatch(declared: Int, produced: Int)

    public var description: String {
        switch self {
        case .truncatedPreamble:
            return "snappy: input ends inside the length preamble"
        case .overlongPreamble:
            return "snappy: length preamble is longer than 5 bytes or above 2^32-1"
        case let .declaredLengthTooLarge(declared, limit):
            return "snappy: declared uncompressed length \(declared) exceeds the limit \(limit)"
        case let .inputTruncated(at):
            return "snappy: element at input offset \(at) runs past the end of the input"
        case let .offsetOutOfRange(offset, position):
            return "snappy: copy offset \(offset) at output position \(position) is out of range"
        case let .outputOverflow(at, declared):
            return "snappy: element at input offset \(at) writes past the declared length \(declared)"
        case let .lengthMismatch(declared, produced):
            return "snappy: produced \(produced) bytes, declared \(declared)"
        }
    }
}
