#if canImport(Glibc)
import Glibc

/// The Linux calls the `Glibc` module does not import (`sys/epoll.h`, `sys/eventfd.h` and
/// the GNU `accept4` are outside its module map).
///
/// They are resolved once with `dlsym` and called through `@convention(c)` function
/// pointers, so the C calling convention is exact (unlike `@_silgen_name`) and no C target
/// is needed in the package.
enum LinuxSyscalls {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32

    struct Table: @unchecked Sendable {
        // Sound: plain C function pointers, written once before publication, never mutated.
        let epollCreate1: EpollCreate1
        let epollCtl: EpollCtl
        let epollWait: EpollWait
        let eventfd: EventFD
        let accept4: Accept4
    }

    /// Resolved on first use; nil only on a libc without these symbols (not Linux glibc/musl).
    static let table: Table? = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let c = dlsym(handle, "epoll_create1"),
              let ctl = dlsym(handle, "epoll_ctl"),
              let wait = dlsym(handle, "epoll_wait"),
              let efd = dlsym(handle, "eventfd"),
              let acc = dlsym(handle, "accept4")
        else { return nil }
        return Table(
            epollCreate1: unsafeBitCast(c, to: EpollCreate1.self),
            epollCtl: unsafeBitCast(ctl, to: EpollCtl.self),
            epollWait: unsafeBitCast(wait, to: EpollWait.self),
            eventfd: unsafeBitCast(efd, to: EventFD.self),
            accept4: unsafeBitCast(acc, to: Accept4.self)
        )
    }()

    // Constants from the kernel ABI headers (identical on x86_64 and aarch64).
    static let EPOLLIN: UInt32 = 0x001
    static let EPOLLOUT: UInt32 = 0x004
    static let EPOLLERR: UInt32 = 0x008
    static let EPOLLHUP: UInt32 = 0x010
    static let EPOLL_CTL_ADD: Int32 = 1
    static let EPOLL_CTL_DEL: Int32 = 2
    static let EPOLL_CTL_MOD: Int32 = 3
    static let EPOLL_CLOEXEC: Int32 = 0x80000
    static let EFD_CLOEXEC: Int32 = 0x80000
    static let EFD_NONBLOCK: Int32 = 0x800

    /// `struct epoll_event` is packed (12 bytes) on x86_64 and naturally aligned (16) elsewhere.
    #if arch(x86_64)
    static let epollEventSize = 12
    static let epollDataOffset = 4
    #else
    static let epollEventSize = 16
    static let epollDataOffset = 8
    #endif
}
#endif
