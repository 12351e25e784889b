/// Why a snapshot file was not loaded. Every case is a file that must not be read further:
/// the loader moves it to `<data>/damaged/` and the workspace starts empty.
public enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with `AIOPSNAP`.
    case badMagic
    /// Written by a format version this build does not read.
    case unsupportedVersion(UInt32)
    /// The file ends inside the header or a section (a crash mid-write cannot produce this,
    /// writes are atomic; a copy or a disk can).
    case truncated(section: String, offset: Int)
    /// A section's (or the header's) bytes do not match its checksum.
    case badChecksum(section: String, offset: Int)
    /// A plain-data type's layout differs between the writer and this build.
    case layoutMismatch(type: String, file: String, build: String)
    /// The file's contents are inconsistent (a section's numbers do not add up).
    case malformed(section: String, reason: String)
    /// Written for other rules or another shard count: its bindings cannot be mapped.
    case incompatible(String)

    public var description: String {
        switch self {
        case .badMagic: return "not a snapshot (bad magic)"
        case .unsupportedVersion(let version): return "format version \(version) is not readable by this build (reads \(SnapshotFormat.version))"
        case .truncated(let section, let offset): return "truncated in \(section) at byte \(offset)"
        case .badChecksum(let section, let offset): return "CRC-32C mismatch in \(section) at byte \(offset)"
        case .layoutMismatch(let type, let file, let build): return "layout of \(type) differs: file has \(file), this build \(build)"
        case .malformed(let section, let reason): return "malformed \(section): \(reason)"
        case .incompatible(let reason): return "incompatible: \(reason)"
        }
    }
}
