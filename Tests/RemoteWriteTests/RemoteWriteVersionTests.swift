import Testing
@testable import RemoteWrite

@Suite struct RemoteWriteVersionTests {
    @Test(arguments: [
        (nil, RemoteWriteVersion.v1),
        ("", .v1),
        ("application/x-protobuf", .v1),
        ("Application/X-Protobuf", .v1),
        ("application/x-protobuf;proto=prometheus.WriteRequest", .v1),
        ("application/x-protobuf; proto=prometheus.WriteRequest", .v1),
        ("application/x-protobuf ; PROTO = \"prometheus.WriteRequest\"", .v1),
        ("application/x-protobuf;charset=utf-8", .v1),
        ("application/x-protobuf;proto=io.prometheus.write.v2.Request", .v2),
        ("application/x-protobuf; Proto=io.prometheus.write.v2.Request", .v2),
        ("application/x-protobuf;\tproto=\"io.prometheus.write.v2.Request\";", .v2),
    ] as [(String?, RemoteWriteVersion)])
    func accepted(contentType: String?, version: RemoteWriteVersion) throws {
        #expect(try RemoteWriteVersion(contentType: contentType) == version)
    }

    @Test(arguments: [
        "application/json",
        "text/plain",
        "application/x-protobuf;proto=io.prometheus.write.v3.Request",
        "application/x-protobuf;proto=IO.PROMETHEUS.WRITE.V2.REQUEST",
        "application/x-protobuf;proto",
        "application/protobuf",
        "application/x-protobufs",
    ])
    func rejected(contentType: String) {
        #expect(throws: RemoteWriteError.unsupportedContentType(contentType)) {
            try RemoteWriteVersion(contentType: contentType)
        }
        #expect(RemoteWriteError.unsupportedContentType(contentType).isUnsupportedMediaType)
    }

    /// What a sender puts on the wire selects the same version again.
    @Test(arguments: RemoteWriteVersion.allCases)
    func sendersContentTypeRoundTrips(version: RemoteWriteVersion) throws {
        #expect(try RemoteWriteVersion(contentType: version.contentType) == version)
        #expect(version.versionHeader == (version == .v1 ? "0.1.0" : "2.0.0"))
    }
}
