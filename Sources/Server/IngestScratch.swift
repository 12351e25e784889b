import RemoteWrite
import Synchronization

/// Buffers one event-loop thread reuses for every request it decodes, so a request allocates
/// nothing once they have grown to the traffic's size.
struct IngestScratch: ~Copyable {
    var decoder = RemoteWriteDecoder()
    var batch = WriteBatch()
    /// Per series of the batch: its key and hash, for the store's lookup.
    var keys = SeriesKeys()
}

/// One scratch per event loop. The lock is uncontended (a loop handles one request at a time)
/// and taken once per request.
final class ScratchSlot: Sendable {
    let scratch = Mutex(IngestScratch())
}
