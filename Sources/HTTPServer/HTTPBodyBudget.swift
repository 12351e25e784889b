#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Bytes that request bodies may hold in memory at once, across every connection of a server.
///
/// A connection reserves a Content-Length body's bytes when its head is complete (a chunked
/// body reserves as its buffer grows) and releases them once the request is answered or the
/// connection closes. A request that does not fit is answered `503` with `Retry-After`
/// instead of being buffered, so many slow or large uploads cannot exhaust memory: what the
/// server holds in bodies stays under `limit` (plus, for a chunked body, one buffer growth).
public final class HTTPBodyBudget: Sendable {
    /// Bytes that may be reserved at once.
    public let limit: Int
    private let reserved = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Bytes reserved now.
    public var held: Int { reserved.load(ordering: .relaxed) }

    /// Reserves `bytes` if they fit under the limit.
    /// - Returns: false (nothing reserved) when they do not.
    public func tryReserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard bytes <= limit - current else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Returns bytes taken by `tryReserve`.
    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        reserved.subtract(bytes, ordering: .relaxed)
    }

    /// The default limit: a quarter of the memory this process may use, which is the cgroup's
    /// `memory.max` (v2) or `memory.limit_in_bytes` (v1) when one is set, else the physical
    /// memory; at least 64 MiB.
    public static func defaultLimit() -> Int {
        max(64 << 20, HTTPBodyBudget.availableMemory() / 4)
    }

    /// The memory this process may use: the smallest of the cgroup limit and physical memory.
    public static func availableMemory() -> Int {
        var best = physicalMemory()
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let limit = readInteger(path), limit > 0, limit < best { best = limit }
        }
        return best
    }

    static func physicalMemory() -> Int {
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0 && size > 0 { return pages.multipliedReportingOverflow(by: size).overflow ? .max : pages * size }
        #endif
        return 4 << 30
    }

    /// A file's first line as a decimal integer (`max` and junk give nil).
    static func readInteger(_ path: String) -> Int? {
        #if canImport(Glibc)
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let bytes = buffer.prefix { $0 != 0 && $0 != 10 && $0 != 13 && $0 != 32 }.map { UInt8(bitPattern: $0) }
        return Int(String(decoding: bytes, as: UTF8.self))
        #else
        return nil
        #endif
    }
}
