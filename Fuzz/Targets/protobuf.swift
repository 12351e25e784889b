import RemoteWrite

/// The protobuf reader walking arbitrary bytes: tags, varints, fixed and length-delimited
/// fields, nested messages, skipping unknown fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    walk(ProtobufReader(UnsafeRawBufferPointer(start: data, count: size)), depth: 0)
    return 0
}

func walk(_ start: ProtobufReader, depth: Int) {
    var reader = start
    while !reader.isAtEnd {
        guard let (field, wireType) = try? reader.readTag() else { return }
        if wireType == 2 && depth < 4 {
            guard let range = try? reader.readLengthDelimited() else { return }
            walk(reader.subReader(range), depth: depth + 1)
        } else {
            do { try reader.skip(wireType: wireType, field: field) } catch { return }
        }
    }
}
