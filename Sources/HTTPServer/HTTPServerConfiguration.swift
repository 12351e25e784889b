import AIOpsCore

/// Everything the server needs to know before `start()`: where to listen, how many loop
/// threads, and the limits that protect it against hostile clients.
public struct HTTPServerConfiguration: Sendable {
    /// Host to bind: an IPv4/IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) or a name.
    public var host: String
    /// TCP port; 0 lets the kernel choose (read it back from `start()`'s result).
    public var port: Int
    /// Event loop threads; defaults to the number of online CPUs.
    public var threads: Int
    /// `listen` backlog.
    public var backlog: Int32
    /// Open connections allowed at once; beyond it new connections get `503` and are closed.
    public var maxConnections: Int
    /// Bytes of request line plus headers (and separately of chunked trailers); beyond: 431.
    public var maxHeaderBytes: Int
    /// Bytes of request body (after de-chunking); beyond: 413. Prometheus' reference handler: 32 MiB.
    public var maxBodyBytes: Int
    /// Bytes all request bodies together may hold in memory; a request whose body does not
    /// fit gets `503` with `Retry-After` when its head arrives. nil: a quarter of the memory
    /// the process may use (`HTTPBodyBudget.defaultLimit()`).
    public var maxBufferedBodyBytes: Int?
    /// Whole-head deadline, from the first byte of a request (from accept for the first one).
    /// A client trickling header bytes (slowloris) is cut off when it expires.
    public var headerTimeout: PromDuration
    /// Whole-body deadline, from the end of the head.
    public var bodyTimeout: PromDuration
    /// How long a keep-alive connection may sit with no request in progress.
    public var idleTimeout: PromDuration
    /// How long a response may stay blocked because the client does not read.
    public var writeTimeout: PromDuration

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        threads: Int? = nil,
        backlog: Int32 = 1024,
        maxConnections: Int = 10_000,
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 32 * 1024 * 1024,
        headerTimeout: PromDuration = .seconds(10),
        bodyTimeout: PromDuration = .seconds(60),
        idleTimeout: PromDuration = .seconds(120),
        writeTimeout: PromDuration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.threads = threads ?? HTTPServerConfiguration.onlineProcessors()
        self.backlog = backlog
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
    }

    /// Splits `HOST:PORT`, `[V6]:PORT` or `:PORT` (all interfaces, IPv4) into host and port.
    /// Returns nil when the port is missing or not in 0...65535.
    public static func parseListenAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // an IPv6 literal must be bracketed
        }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func validate() throws(HTTPServerError) {
        if threads < 1 { throw .invalidConfiguration("threads must be at least 1, got \(threads)") }
        if !(0...65535).contains(port) { throw .invalidConfiguration("port \(port) is out of range") }
        if maxConnections < 1 { throw .invalidConfiguration("maxConnections must be at least 1") }
        if maxHeaderBytes < 64 { throw .invalidConfiguration("maxHeaderBytes must be at least 64") }
        if maxBodyBytes < 0 { throw .invalidConfiguration("maxBodyBytes must not be negative") }
        if let budget = maxBufferedBodyBytes, budget < 0 { throw .invalidConfiguration("maxBufferedBodyBytes must not be negative") }
        for (name, d) in [("headerTimeout", headerTimeout), ("bodyTimeout", bodyTimeout),
                          ("idleTimeout", idleTimeout), ("writeTimeout", writeTimeout)] where d.milliseconds <= 0 {
            throw .invalidConfiguration("\(name) must be positive")
        }
    }

    static func onlineProcessors() -> Int {
        #if canImport(Glibc)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
