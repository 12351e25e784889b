import AIOpsCore
import Testing
@testable import RemoteWrite

/// Issue 13, defect 3: a body of one version under the other's content type decodes to
/// nothing; it is refused instead of being acknowledged as an empty request.
@Suite struct WrongVersionTests {
    static let series = [EncodedSeries(labels: Labels(metric: "up", ["job": "a"]), samples: [(timestamp: 1000, value: 1)])]

    @Test func v2BodyUnderTheV1ContentTypeIsRefused() {
        let body = RemoteWriteEncoder.compressedBody(Self.series, version: .v2)
        #expect(throws: RemoteWriteError.self) { _ = try decode(body, version: .v1) }
        do {
            _ = try decode(body, version: .v1)
        } catch {
            guard case .wrongVersion(let declared, let reason) = error else {
                Issue.record("expected wrongVersion, got \(error)")
                return
            }
            #expect(declared == .v1)
            #expect(reason.contains("2.0 symbol table"))
        }
    }

    @Test func v1BodyUnderTheV2ContentTypeIsRefused() {
        let body = RemoteWriteEncoder.compressedBody(Self.series, version: .v1)
        do {
            _ = try decode(body, version: .v2)
            Issue.record("a 1.0 body decoded as 2.0")
        } catch {
            guard case .wrongVersion(let declared, _) = error else {
                Issue.record("expected wrongVersion, got \(error)")
                return
            }
            #expect(declared == .v2)
        }
    }

    @Test func emptyAndMetadataOnlyRequestsStayValid() throws {
        #expect(try decode(Snappy.compress([]), version: .v1).series.isEmpty)
        #expect(try decode(Snappy.compress([]), version: .v2).series.isEmpty)
        let metadata = RemoteWriteEncoder.compressedBody([], version: .v1, metadata: [EncodedMetadata(type: .gauge, familyName: "up", help: "h")])
        #expect(try decode(metadata, version: .v1).metadataCount == 1)
        // Unknown fields beside real series are still skipped.
        var writer = ProtobufWriter()
        writer.writeStringField(9, "future")
        var bytes = writer.bytes
        bytes += RemoteWriteEncoder.encode(Self.series, version: .v1)
        #expect(try decode(Snappy.compress(bytes), version: .v1).series.count == 1)
    }
}
