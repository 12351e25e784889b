#if canImport(Glibc)
import Glibc

/// A level-triggered epoll instance with a reused event array.
///
/// Level-triggered because a request/response exchange then costs one `epoll_wait`, one
/// `read` and one `send`: edge-triggered would need a further `read` returning `EAGAIN`
/// before waiting again. Interest in writability is registered only while a write is blocked.
/// Owned by one event loop thread; not thread safe.
struct Epoll: ~Copyable {
    let fd: Int32
    private let calls: LinuxSyscalls.Table
    private let events: UnsafeMutableRawPointer
    let maxEvents: Int

    init(maxEvents: Int = 256) throws(HTTPServerError) {
        guard let calls = LinuxSyscalls.table else { throw .unsupportedPlatform("epoll is unavailable") }
        let fd = calls.epollCreate1(LinuxSyscalls.EPOLL_CLOEXEC)
        if fd < 0 { throw .systemCall(name: "epoll_create1", errno: errno) }
        self.fd = fd
        self.calls = calls
        self.maxEvents = maxEvents
        self.events = .allocate(byteCount: maxEvents * LinuxSyscalls.epollEventSize, alignment: 8)
    }

    deinit {
        events.deallocate()
        close(fd)
    }

    private func control(_ op: Int32, _ target: Int32, events mask: UInt32, data: UInt64) -> Int32 {
        var raw = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &raw) { p in
            p.storeBytes(of: mask, toByteOffset: 0, as: UInt32.self)
            p.storeBytes(of: data, toByteOffset: LinuxSyscalls.epollDataOffset, as: UInt64.self)
            return calls.epollCtl(fd, op, target, p.baseAddress)
        }
    }

    /// Registers `target`; returns errno on failure.
    func add(_ target: Int32, events mask: UInt32, data: UInt64) -> Int32 {
        control(LinuxSyscalls.EPOLL_CTL_ADD, target, events: mask, data: data) == 0 ? 0 : errno
    }

    func modify(_ target: Int32, events mask: UInt32, data: UInt64) -> Int32 {
        control(LinuxSyscalls.EPOLL_CTL_MOD, target, events: mask, data: data) == 0 ? 0 : errno
    }

    func remove(_ target: Int32) {
        _ = control(LinuxSyscalls.EPOLL_CTL_DEL, target, events: 0, data: 0)
    }

    /// Waits up to `timeoutMs` (-1: forever); returns how many events `event(at:)` can read.
    func wait(timeoutMs: Int32) -> Int {
        let n = calls.epollWait(fd, events, Int32(maxEvents), timeoutMs)
        return n > 0 ? Int(n) : 0  // -1 is EINTR (loops block signals, but be safe)
    }

    /// The event mask and registration data of the `i`th ready descriptor of the last `wait`.
    func event(at i: Int) -> (events: UInt32, data: UInt64) {
        let base = events + i * LinuxSyscalls.epollEventSize
        return (base.loadUnaligned(as: UInt32.self),
                base.loadUnaligned(fromByteOffset: LinuxSyscalls.epollDataOffset, as: UInt64.self))
    }
}
#endif
