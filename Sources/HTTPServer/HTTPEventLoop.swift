#if canImport(Glibc)
import Glibc
import Synchronization
import AIOpsCore

/// One connection as its loop sees it. Touched only by its loop thread.
final class HTTPConnection {
    let fd: Int32
    let generation: UInt32
    let id: UInt64
    let remote: HTTPSocketAddress
    var machine: HTTPConnectionStateMachine
    /// The epoll interest currently registered (EPOLLIN or EPOLLOUT).
    var interest: UInt32

    init(fd: Int32, generation: UInt32, id: UInt64, remote: HTTPSocketAddress, machine: consuming HTTPConnectionStateMachine) {
        self.fd = fd
        self.generation = generation
        self.id = id
        self.remote = remote
        self.machine = machine
        interest = LinuxSyscalls.EPOLLIN
    }

    var epollData: UInt64 { UInt64(UInt32(bitPattern: fd)) | UInt64(generation) << 32 }
}

/// An accepted socket on its way from the acceptor to the loop that will serve it.
struct HTTPHandoff: Sendable {
    var fd: Int32
    var remote: HTTPSocketAddress
    var id: UInt64
}

/// One event loop thread: an epoll instance, the connections it owns, and (loop 0 only)
/// the listening socket.
///
/// Threads and accept: loop 0 accepts every connection and gives it to the loop with the
/// fewest open connections (round robin among ties), through that loop's `inbox` and an
/// eventfd wake-up. Unlike SO_REUSEPORT, whose kernel hash can put both connections of a
/// 2-connection load on one core, this spreads a few long-lived keep-alive connections
/// evenly; the cost is one mutex and one eventfd write per accepted connection.
///
/// Timeouts: each connection carries one deadline (from its state machine); a sweep every
/// `sweepInterval` ms (a quarter of the shortest timeout, 5 ms...1 s) fires the expired ones,
/// O(open connections) per sweep, so deadlines are precise to that interval.
final class HTTPEventLoop: @unchecked Sendable {
    // Sound: everything not marked otherwise is touched only by this loop's thread (inside
    // `run()`). Other threads only use `inbox` and `stopDeadline` (Mutexes), `counters`
    // (atomics), and `wakeFD` (eventfd writes are thread safe); `peers` and `listeners` are
    // set before the thread starts.

    let index: Int
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let clock: any WallClock
    /// Shared by all loops of the server.
    let budget: HTTPBodyBudget
    let counters = HTTPLoopCounters()
    let inbox = Mutex<[HTTPHandoff]>([])
    /// Set by `requestStop`: the clock time after which remaining connections are cut.
    let stopDeadline = Mutex<Timestamp?>(nil)
    /// Set with `stopDeadline`; read after each handler call so a response finished during
    /// shutdown already says `Connection: close`.
    let stopping = Atomic<Bool>(false)
    let wakeFD: Int32
    let epoll: Epoll
    let timeouts: HTTPConnectionStateMachine.Timeouts
    let sweepInterval: Int64
    /// Shared connection id source (acceptor only increments it).
    let connectionIDs: Atomic<UInt64>

    /// All loops of the server, this one included (set before start; loop 0 distributes).
    var peers: [HTTPEventLoop] = []
    /// Listening sockets (loop 0 only).
    var listeners: [Int32] = []

    private var connections: [HTTPConnection?] = []
    private var liveCount = 0
    private var nextGeneration: UInt32 = 1
    private var date = HTTPDate()
    private var now: Timestamp = 0
    private var draining = false
    private var roundRobin = 0
    private var acceptPausedUntil: Timestamp?

    private static let wakeData = UInt64.max
    private static let listenerData = UInt64.max - 1
    private static let rejectResponse: [UInt8] = Array(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n".utf8)

    init(index: Int, configuration: HTTPServerConfiguration, handler: any HTTPHandler, clock: any WallClock,
         budget: HTTPBodyBudget) throws(HTTPServerError) {
        self.index = index
        self.budget = budget
        self.configuration = configuration
        self.handler = handler
        self.clock = clock
        self.epoll = try Epoll()
        guard let calls = LinuxSyscalls.table else { throw .unsupportedPlatform("eventfd is unavailable") }
        wakeFD = calls.eventfd(0, LinuxSyscalls.EFD_CLOEXEC | LinuxSyscalls.EFD_NONBLOCK)
        if wakeFD < 0 { throw .systemCall(name: "eventfd", errno: errno) }
        let rc = epoll.add(wakeFD, events: LinuxSyscalls.EPOLLIN, data: HTTPEventLoop.wakeData)
        if rc != 0 {
            close(wakeFD)
            throw .systemCall(name: "epoll_ctl", errno: rc)
        }
        timeouts = .init(header: configuration.headerTimeout.milliseconds, body: configuration.bodyTimeout.milliseconds,
                         idle: configuration.idleTimeout.milliseconds, write: configuration.writeTimeout.milliseconds)
        let shortest = min(timeouts.header, timeouts.body, timeouts.idle, timeouts.write)
        sweepInterval = max(5, min(1000, shortest / 4))
        connectionIDs = Atomic(0)
    }

    deinit {
        close(wakeFD)
    }

    func addListener(_ fd: Int32) throws(HTTPServerError) {
        let rc = epoll.add(fd, events: LinuxSyscalls.EPOLLIN, data: HTTPEventLoop.listenerData)
        if rc != 0 { throw .systemCall(name: "epoll_ctl", errno: rc) }
        listeners.append(fd)
    }

    // MARK: - Cross-thread entry points

    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func enqueue(_ handoff: HTTPHandoff) {
        inbox.withLock { $0.append(handoff) }
        wake()
    }

    func requestStop(deadline: Timestamp) {
        stopDeadline.withLock { $0 = deadline }
        stopping.store(true, ordering: .relaxed)
        wake()
    }

    /// After the thread has exited: closes sockets handed over too late to be served.
    func closeLeftovers() {
        let left = inbox.withLock { q in
            defer { q.removeAll() }
            return q
        }
        for h in left {
            close(h.fd)
            counters.open.subtract(1, ordering: .relaxed)
        }
        for l in listeners { close(l) }
        listeners.removeAll()
    }

    // MARK: - The loop

    func run() {
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)  // signals go to the SignalWaiter / main thread

        now = clock.now()
        date.update(unixSeconds: Int64(time(nil)))
        var nextSweep = now + sweepInterval
        var graceDeadline: Timestamp = .max
        while true {
            let wait = max(0, min(nextSweep - now, sweepInterval))
            let n = epoll.wait(timeoutMs: Int32(wait))
            now = clock.now()
            date.update(unixSeconds: Int64(time(nil)))
            for i in 0..<n {
                let (mask, data) = epoll.event(at: i)
                handleEvent(mask: mask, data: data)
            }
            if now >= nextSweep {
                sweep()
                nextSweep = now + sweepInterval
            }
            if !draining, let deadline = stopDeadline.withLock({ $0 }) {
                graceDeadline = deadline
                beginDrain()
            }
            if draining {
                let pending = inbox.withLock { !$0.isEmpty }
                if pending { drainInbox() }
                if liveCount == 0 && !pending { break }
                if now >= graceDeadline {
                    closeAll()
                    break
                }
            }
        }
    }

    private func handleEvent(mask: UInt32, data: UInt64) {
        if data == HTTPEventLoop.wakeData {
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
            drainInbox()
            return
        }
        if data == HTTPEventLoop.listenerData {
            acceptConnections()
            return
        }
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
        let generation = UInt32(truncatingIfNeeded: data >> 32)
        guard fd >= 0, Int(fd) < connections.count, let conn = connections[Int(fd)], conn.generation == generation else {
            return  // a stale event for a connection closed earlier in this batch
        }
        let failure = LinuxSyscalls.EPOLLHUP | LinuxSyscalls.EPOLLERR
        if conn.interest == LinuxSyscalls.EPOLLIN, mask & (LinuxSyscalls.EPOLLIN | failure) != 0 {
            onReadable(conn)
        } else if conn.interest == LinuxSyscalls.EPOLLOUT, mask & (LinuxSyscalls.EPOLLOUT | failure) != 0 {
            conn.machine.writable()
            drive(conn)
        }
    }

    private func drainInbox() {
        let handoffs = inbox.withLock { q in
            defer { q.removeAll(keepingCapacity: true) }
            return q
        }
        for h in handoffs { register(h) }
    }

    // MARK: - Accept

    private func acceptConnections() {
        guard let calls = LinuxSyscalls.table else { return }
        for listener in listeners {
            for _ in 0..<64 {
                var storage = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let fd = withUnsafeMutablePointer(to: &storage) { p in
                    p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        calls.accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                    }
                }
                if fd < 0 {
                    let e = errno
                    if e == EINTR || e == ECONNABORTED { continue }
                    if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM {
                        // Out of descriptors: stop polling the listener for a while instead of spinning.
                        _ = epoll.modify(listener, events: 0, data: HTTPEventLoop.listenerData)
                        acceptPausedUntil = now + 100
                    }
                    break
                }
                let remote = HTTPSocketAddress(storage: storage, length: length)
                var open = 0
                for p in peers { open += p.counters.open.load(ordering: .relaxed) }
                if open >= configuration.maxConnections || draining {
                    counters.rejected.add(1, ordering: .relaxed)
                    HTTPEventLoop.rejectResponse.withUnsafeBytes {
                        _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                    }
                    close(fd)
                    continue
                }
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let target = pickLoop()
                target.counters.open.add(1, ordering: .relaxed)
                target.counters.accepted.add(1, ordering: .relaxed)
                let id = connectionIDs.add(1, ordering: .relaxed).newValue
                let handoff = HTTPHandoff(fd: fd, remote: remote, id: id)
                if target === self { register(handoff) } else { target.enqueue(handoff) }
            }
        }
    }

    /// The loop with the fewest open connections; ties go round robin.
    private func pickLoop() -> HTTPEventLoop {
        if peers.count <= 1 { return self }
        var best = peers[roundRobin % peers.count]
        var bestOpen = best.counters.open.load(ordering: .relaxed)
        for k in 1..<peers.count {
            let p = peers[(roundRobin + k) % peers.count]
            let o = p.counters.open.load(ordering: .relaxed)
            if o < bestOpen { best = p; bestOpen = o }
        }
        roundRobin &+= 1
        return best
    }

    private func register(_ h: HTTPHandoff) {
        let fd = h.fd
        if Int(fd) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: max(Int(fd) + 1 - connections.count, connections.count)))
        }
        let generation = nextGeneration
        nextGeneration &+= 1
        if nextGeneration == 0 { nextGeneration = 1 }
        let machine = HTTPConnectionStateMachine(
            maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes,
            timeouts: timeouts, now: now, budget: budget, inspectsHeads: true)
        let conn = HTTPConnection(fd: fd, generation: generation, id: h.id, remote: h.remote, machine: machine)
        if epoll.add(fd, events: LinuxSyscalls.EPOLLIN, data: conn.epollData) != 0 {
            close(fd)
            counters.open.subtract(1, ordering: .relaxed)
            return
        }
        connections[Int(fd)] = conn
        liveCount += 1
        if draining { conn.machine.beginDrain() }
        drive(conn)
    }

    // MARK: - Connection I/O

    private func onReadable(_ conn: HTTPConnection) {
        // Level-triggered: one read per readiness normally; a read that filled the buffer
        // is followed by another at once (bounded, for fairness among connections).
        for _ in 0..<8 {
            let buffer = conn.machine.readBuffer()
            let n = read(conn.fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return }
                closeConnection(conn, reason: .peerClosed)
                return
            }
            conn.machine.didRead(n, now: now)
            if !drive(conn) { return }
            if n < buffer.count || conn.interest != LinuxSyscalls.EPOLLIN { return }
        }
    }

    /// Runs the state machine until it waits or closes. Returns false when closed.
    @discardableResult
    private func drive(_ conn: HTTPConnection) -> Bool {
        while true {
            switch conn.machine.nextAction(now: now) {
            case .inspectHead(let request):
                let context = HTTPRequestContext(connectionID: conn.id, loopIndex: index,
                                                 requestNumber: conn.machine.requestCount + 1, remoteAddress: conn.remote)
                let refusal = handler.inspectHead(request, context: context)
                conn.machine.headInspected(refusal, now: now, dateLine: date.headerLine)
            case .handle(let request):
                let context = HTTPRequestContext(connectionID: conn.id, loopIndex: index,
                                                 requestNumber: conn.machine.requestCount + 1, remoteAddress: conn.remote)
                let response: HTTPResponse
                do {
                    response = try handler.handle(request, context: context)
                } catch let error as any HTTPResponseError {
                    counters.handlerErrors.add(1, ordering: .relaxed)
                    response = HTTPResponse(status: error.httpStatus, text: error.httpMessage)
                } catch {
                    counters.handlerErrors.add(1, ordering: .relaxed)
                    response = HTTPResponse(status: 500, text: "internal server error\n")
                }
                counters.requests.add(1, ordering: .relaxed)
                now = clock.now()
                if stopping.load(ordering: .relaxed) { conn.machine.beginDrain() }
                conn.machine.respond(response, now: now, dateLine: date.headerLine)
            case .write:
                let n = conn.machine.withPendingOutput { out in
                    send(conn.fd, out.baseAddress, out.count, Int32(MSG_NOSIGNAL))
                }
                if n < 0 {
                    let e = errno
                    if e == EINTR { continue }
                    if e == EAGAIN || e == EWOULDBLOCK {
                        conn.machine.didWrite(0, now: now)
                        continue
                    }
                    closeConnection(conn, reason: .peerClosed)
                    return false
                }
                conn.machine.didWrite(n, now: now)
            case .waitForReadable:
                setInterest(conn, LinuxSyscalls.EPOLLIN)
                return true
            case .waitForWritable:
                setInterest(conn, LinuxSyscalls.EPOLLOUT)
                return true
            case .close(let reason):
                closeConnection(conn, reason: reason)
                return false
            }
        }
    }

    private func setInterest(_ conn: HTTPConnection, _ mask: UInt32) {
        guard conn.interest != mask else { return }
        conn.interest = mask
        _ = epoll.modify(conn.fd, events: mask, data: conn.epollData)
    }

    private func closeConnection(_ conn: HTTPConnection, reason: HTTPCloseReason) {
        guard Int(conn.fd) < connections.count, connections[Int(conn.fd)] === conn else { return }
        connections[Int(conn.fd)] = nil
        liveCount -= 1
        // Count before closing, so a client that sees the close also sees the counters.
        switch reason {
        case .timeout: counters.timedOut.add(1, ordering: .relaxed)
        case .parseError(let status): counters.countParseError(status)
        case .refused(let status): counters.countRefused(status, overBudget: false)
        case .overBodyBudget: counters.countRefused(503, overBudget: true)
        default: break
        }
        conn.machine.releaseReservation()
        counters.open.subtract(1, ordering: .relaxed)
        close(conn.fd)  // also removes it from the epoll set
    }

    // MARK: - Timeouts and shutdown

    private func sweep() {
        if let until = acceptPausedUntil, now >= until {
            acceptPausedUntil = nil
            for l in listeners { _ = epoll.modify(l, events: LinuxSyscalls.EPOLLIN, data: HTTPEventLoop.listenerData) }
        }
        for slot in connections.indices {
            guard let conn = connections[slot], conn.machine.currentDeadline <= now else { continue }
            if conn.machine.timeoutFired(now: now) { drive(conn) }
        }
    }

    private func beginDrain() {
        draining = true
        for l in listeners {
            epoll.remove(l)
            close(l)
        }
        listeners.removeAll()
        for slot in connections.indices {
            guard let conn = connections[slot] else { continue }
            conn.machine.beginDrain()
            if conn.interest == LinuxSyscalls.EPOLLIN { drive(conn) }
        }
    }

    private func closeAll() {
        for slot in connections.indices {
            if let conn = connections[slot] { closeConnection(conn, reason: .shutdown) }
        }
    }
}
#endif
