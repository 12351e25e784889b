/// A protobuf wire-format failure, with the absolute byte offset into the decoded body.
public enum ProtobufError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside a varint that starts at `at`.
    case truncatedVarint(at: Int)
    /// A varint at `at` is longer than 10 bytes or overflows 64 bits.
    case overlongVarint(at: Int)
    /// A fixed-width value at `at` needs `size` bytes that are not there.
    case truncatedFixed(at: Int, size: Int)
    /// A length-delimited field whose length prefix ends at `at` claims `length` bytes past `end`.
    case lengthPastEnd(length: UInt64, at: Int, end: Int)
    /// Wire type 6 or 7, or an end-group without a start, at `at`.
    case invalidWireType(wireType: Int, at: Int)
    /// Field number 0 or above 2^29-1 at `at`.
    case invalidFieldNumber(field: UInt64, at: Int)
    /// A known field arrived with a wire type its schema does not allow.
    case wrongWireType(wireType: Int, field: Int, message: String, at: Int)
    /// A group was not closed, or groups nest deeper than the reader allows.
    case malformedGroup(field: Int, at: Int)

    public var description: String {
        switch self {
        case let .truncatedVarint(at):
            return "protobuf: truncated varint at byte \(at)"
        case let .overlongVarint(at):
            return "protobuf: overlong varint at byte \(at)"
        case let .truncatedFixed(at, size):
            return "protobuf: truncated \(size)-byte fixed value at byte \(at)"
        case let .lengthPastEnd(length, at, end):
            return "protobuf: length \(length) at byte \(at) runs past the end at \(end)"
        case let .invalidWireType(wireType, at):
            return "protobuf: invalid wire type \(wireType) at byte \(at)"
        case let .invalidFieldNumber(field, at):
            return "protobuf: invalid field number \(field) at byte \(at)"
        case let .wrongWireType(wireType, field, message, at):
            return "protobuf: wrong wire type \(wireType) for field \(field) of \(message) at byte \(at)"
        case let .malformedGroup(field, at):
            return "protobuf: unterminated or too deeply nested group \(field) at byte \(at)"
        }
    }
}
