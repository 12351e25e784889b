#if canImport(Glibc)
import Glibc
#endif

/// Files that survive a crash: written whole or not at all.
///
/// A file is written to a temporary name beside it, fsync'd, renamed over the final name and
/// the directory fsync'd, so after a crash at any moment the final name holds either the old
/// complete file or the new complete one. Used by the outbox and by snapshots.
public enum DurableFile {
    /// A failed system call, with the path and the operation it was.
    public struct Failure: Error, Sendable, CustomStringConvertible, Equatable {
        public var path: String
        public var operation: String
        public var errno: Int32

        public init(path: String, operation: String, errno: Int32) {
            self.path = path
            self.operation = operation
            self.errno = errno
        }

        public var description: String {
            errno == 0 ? "\(operation) \(path) failed" : "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// Writes `bytes` to `path` durably through `temporary` (same directory), replacing any
    /// file at `path`. On failure the temporary file is removed and `path` is untouched.
    /// - Throws: `Failure` naming the system call that failed.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String, temporary: String) throws(Failure) {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(path: temporary, operation: "open", errno: errno) }
        var failure: Failure?
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = Failure(path: temporary, operation: "write", errno: errno)
                break
            }
            offset += n
        }
        if failure == nil, fsync(fd) != 0 { failure = Failure(path: temporary, operation: "fsync", errno: errno) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure(path: path, operation: "rename", errno: code)
        }
        try syncDirectory(directory(of: path))
    }

    /// `write(_:to:temporary:)` for an array.
    public static func write(_ bytes: [UInt8], to path: String, temporary: String) throws(Failure) {
        var result: Result<Void, Failure> = .success(())
        bytes.withUnsafeBytes { raw in
            do throws(Failure) { try write(raw, to: path, temporary: temporary) } catch { result = .failure(error) }
        }
        try result.get()
    }

    /// Reads a whole file.
    /// - Throws: `Failure` when it cannot be opened or read.
    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(path: path, operation: "stat", errno: errno) }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        var failure: Failure?
        bytes.withUnsafeMutableBytes { raw in
            while offset < size {
                let n = Glibc.read(fd, raw.baseAddress! + offset, size - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = Failure(path: path, operation: "read", errno: errno)
                    return
                }
                if n == 0 { break }
                offset += n
            }
        }
        if let failure { throw failure }
        if offset < size { bytes.removeLast(size - offset) }
        return bytes
    }

    /// Calls `body` with the whole file mapped read-only into memory (`mmap`, populated at
    /// once), then unmaps it. A large file is read without a copy into fresh memory: a
    /// million-series snapshot is 3 GB, and zero-filling and copying that much costs seconds
    /// of page faults. `body` must not keep the pointer.
    public static func withMapped<R>(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(path: path, operation: "stat", errno: errno) }
        let size = Int(info.st_size)
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else {
            throw Failure(path: path, operation: "mmap", errno: errno)
        }
        defer { munmap(base, size) }
        return try body(UnsafeRawBufferPointer(start: base, count: size))
    }

    /// fsync of a directory, so a rename or unlink in it is durable.
    public static func syncDirectory(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, operation: "open directory", errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw Failure(path: path, operation: "fsync directory", errno: errno) }
    }

    /// `mkdir -p` with mode 0700: creates missing parents too.
    public static func makeDirectory(_ path: String) throws(Failure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw Failure(path: prefix, operation: "mkdir", errno: errno)
            }
        }
    }

    /// The directory part of `path` (`.` when it has none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
