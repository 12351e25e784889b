import RemoteWrite
import Synchronization

/// Buffers one event-loop thread reuses for every request it decodes, so a request allocates
/// nothing once they have grown to the traffic's size.
struct IngestScratch: ~Copyable {
    var decoder = RemoteWriteDecoder()
    var batch = WriteBatch()
    /// Per series of the batch: its label hash, or nil when the series was refused.
    var hashes: [UInt64?] = []
}

/// One scratch per event loop. The lock is uncontended (a loop handles one request at a time)
/// and taken once per request.
final class ScratchSlot: Sendable {
    let scratch = Mutex(IngestScratch())
}
