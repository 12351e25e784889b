#if canImport(Glibc)
import Glibc
#endif

/// Writing to standard error directly (file descriptor 2): unbuffered, and no shared `FILE *`
/// global that strict concurrency would object to.
enum Console {
    static func error(_ message: String) {
        write(toDescriptor: 2, "aiops: \(message)\n")
    }

    static func progress(_ message: String) {
        write(toDescriptor: 2, message + "\n")
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    static func write(toDescriptor descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
