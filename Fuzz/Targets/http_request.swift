import HTTPServer

/// The HTTP/1.1 request parser over arbitrary bytes, fed whole and then split at every
/// position the first byte chooses, with heads reported as the server asks for them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    run([bytes], reportsHeads: false)
    if size > 1 {
        let cut = 1 + Int(data[0]) % (size - 1)
        run([UnsafeRawBufferPointer(rebasing: bytes[..<cut]), UnsafeRawBufferPointer(rebasing: bytes[cut...])], reportsHeads: true)
    }
    return 0
}

func run(_ pieces: [UnsafeRawBufferPointer], reportsHeads: Bool) {
    let parser = HTTPRequestParser(maxHeaderBytes: 4096, maxBodyBytes: 64 * 1024)
    parser.reportsHeads = reportsHeads
    for piece in pieces {
        parser.append(piece)
        var steps = 0
        loop: while steps < 64 {
            steps += 1
            switch parser.next() {
            case .request(let request):
                _ = request.headers.map { $0.name.count + $0.value.count }
                _ = request.body.reduce(0) { $0 &+ Int($1) }
            case .head(let request):
                _ = request.headers["Content-Type"]
            case .continueExpected:
                continue
            case .needMoreData, .error:
                break loop
            }
        }
    }
}
