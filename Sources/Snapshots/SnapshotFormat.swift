/// Constants of the snapshot file format (see `FORMAT.md` beside this file).
public enum SnapshotFormat {
    /// The first 8 bytes of every snapshot.
    public static let magic: [UInt8] = Array("AIOPSNAP".utf8)
    /// The format version this build writes and reads. Bump it when the framing or a
    /// section's field-by-field encoding changes; a plain-data type's layout change is caught
    /// by its `StateLayout` instead.
    public static let version: UInt32 = 2
    /// Versions this build reads: 1 (no per-rule fingerprints: loadable only under the very
    /// rules it was written with) and 2.
    public static let readableVersions: ClosedRange<UInt32> = 1...2
    /// Bytes of the file header: magic, version, section count, reserved, header CRC.
    public static let headerBytes = 24
    /// Bytes of a section header: tag, CRC, length.
    public static let sectionHeaderBytes = 16

    /// Section tags, four ASCII bytes each.
    public enum Tag: String, Sendable, CaseIterable {
        case meta = "META"
        case store = "STOR"
        case bindings = "BIND"
        case detectors = "DETE"
        case incidents = "INCI"
        case notifications = "NOTE"

        var code: UInt32 {
            let b = Array(rawValue.utf8)
            return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
        }

        init?(code: UInt32) {
            let text = String(decoding: [UInt8(code & 0xFF), UInt8(code >> 8 & 0xFF), UInt8(code >> 16 & 0xFF), UInt8(code >> 24)], as: UTF8.self)
            self.init(rawValue: text)
        }
    }

    /// The machine the raw sections were written on: they hold plain-data structs as they are
    /// in memory, readable only where the layout (and byte order) is the same.
    public static var architecture: String {
        #if arch(x86_64)
        return "x86_64-le"
        #elseif arch(arm64)
        return "arm64-le"
        #else
        return "other"
        #endif
    }
}
