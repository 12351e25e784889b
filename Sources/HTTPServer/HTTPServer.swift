#if canImport(Glibc)
import Glibc
import Synchronization
import AIOpsCore

/// The monotonic clock in milliseconds, as a `WallClock`: the server's default, so that
/// timeouts do not jump with the system time.
public struct MonotonicMillisecondClock: WallClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(MonotonicClock.nanoseconds() / 1_000_000) }
}

/// An HTTP/1.1 server on epoll: `threads` event loops, a synchronous handler, hard limits.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 9201), handler: myHandler)
/// let address = try server.start()       // returns once listening; address.port is the real port
/// ...
/// server.shutdown(gracePeriod: .seconds(10))  // stop accepting, finish in-flight requests, return
/// ```
///
/// Threading: see `HTTPEventLoop` (one acceptor distributing to the least-loaded loop).
/// The server installs no signal handlers; use `SignalWaiter` for SIGINT/SIGTERM.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let clock: any WallClock
    /// Bytes held in request bodies across all connections (see `HTTPBodyBudget`).
    public let bodyBudget: HTTPBodyBudget

    private enum State: Sendable {
        case idle
        case running(loops: [HTTPEventLoop], threads: [pthread_t], address: HTTPSocketAddress)
        case stopped
    }
    private let state = Mutex<State>(.idle)
    /// The loops, kept after shutdown so `stats` still reads their counters.
    private let allLoops = Mutex<[HTTPEventLoop]>([])

    /// - Parameter clock: drives timeouts (milliseconds); defaults to the monotonic clock.
    public init(configuration: HTTPServerConfiguration, handler: some HTTPHandler,
                clock: any WallClock = MonotonicMillisecondClock()) {
        self.configuration = configuration
        self.handler = handler
        self.clock = clock
        bodyBudget = HTTPBodyBudget(limit: configuration.maxBufferedBodyBytes ?? HTTPBodyBudget.defaultLimit())
    }

    /// Binds, listens and starts the loop threads.
    /// - Returns: the bound address (with the kernel-chosen port when `port` was 0).
    /// - Throws: `HTTPServerError` (bad configuration, resolution, bind, epoll, threads).
    @discardableResult
    public func start() throws(HTTPServerError) -> HTTPSocketAddress {
        try configuration.validate()
        let begun = state.withLock { s -> Bool in
            guard case .idle = s else { return false }
            s = .stopped  // placeholder until running; a second start() fails
            return true
        }
        guard begun else { throw .alreadyStarted }

        let (listener, address) = try HTTPServer.listen(configuration)
        var loops: [HTTPEventLoop] = []
        do {
            for i in 0..<configuration.threads {
                loops.append(try HTTPEventLoop(index: i, configuration: configuration, handler: handler, clock: clock, budget: bodyBudget))
            }
            try loops[0].addListener(listener)
        } catch {
            close(listener)
            throw error
        }
        for loop in loops { loop.peers = loops }

        var threads: [pthread_t] = []
        for loop in loops {
            do {
                threads.append(try HTTPServer.spawn { loop.run() })
            } catch {
                // Stop what started, then report.
                for l in loops { l.requestStop(deadline: 0) }
                for t in threads { pthread_join(t, nil) }
                for l in loops { l.closeLeftovers() }
                throw error
            }
        }
        allLoops.withLock { $0 = loops }
        state.withLock { $0 = .running(loops: loops, threads: threads, address: address) }
        return address
    }

    /// The bound address while running.
    public var localAddress: HTTPSocketAddress? {
        state.withLock { s in
            if case .running(_, _, let address) = s { return address }
            return nil
        }
    }

    /// Stops accepting (the listener is closed), closes idle keep-alive connections, lets
    /// requests in progress finish (their responses carry `Connection: close`), and returns
    /// when every connection is closed or `gracePeriod` has passed (the rest are cut).
    /// Idempotent. Must not be called from a handler (it joins the loop threads).
    public func shutdown(gracePeriod: PromDuration = .seconds(10)) {
        let taken = state.withLock { s -> ([HTTPEventLoop], [pthread_t])? in
            guard case .running(let loops, let threads, _) = s else { return nil }
            s = .stopped
            return (loops, threads)
        }
        guard let (loops, threads) = taken else { return }
        let deadline = clock.now() + gracePeriod.milliseconds
        for loop in loops { loop.requestStop(deadline: deadline) }
        for t in threads { pthread_join(t, nil) }
        for loop in loops {
            loop.closeLeftovers()
            loop.peers = []  // break the loops' reference cycle
        }
    }

    /// The counters summed over loops (cheap: relaxed atomic loads).
    public var stats: HTTPServerStats {
        var s = HTTPServerStats()
        for loop in allLoops.withLock({ $0 }) { loop.counters.add(to: &s) }
        s.bodyBytesHeld = bodyBudget.held
        s.bodyBytesLimit = bodyBudget.limit
        return s
    }

    // MARK: - Sockets and threads

    static func listen(_ c: HTTPServerConfiguration) throws(HTTPServerError) -> (Int32, HTTPSocketAddress) {
        let address = try HTTPSocketAddress.resolve(host: c.host, port: c.port, passive: true)
        let printable = "\(c.host):\(c.port)"
        let family = Int32(address.storage.ss_family)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .bindFailed(address: printable, errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { bind(fd, $0, $1) }
        if bound != 0 {
            let e = errno
            close(fd)
            throw .bindFailed(address: printable, errno: e)
        }
        if Glibc.listen(fd, c.backlog) != 0 {
            let e = errno
            close(fd)
            throw .bindFailed(address: printable, errno: e)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw .systemCall(name: "getsockname", errno: e)
        }
        return (fd, HTTPSocketAddress(storage: storage, length: length))
    }

    /// Carries a thread's body through `pthread_create`'s context pointer.
    private final class ThreadBody: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    static func spawn(_ body: @escaping @Sendable () -> Void) throws(HTTPServerError) -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw .systemCall(name: "pthread_create", errno: rc)
        }
        return thread
    }
}
#endif
