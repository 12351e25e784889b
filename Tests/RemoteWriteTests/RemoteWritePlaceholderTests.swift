import Testing
@testable import RemoteWrite

@Test func RemoteWriteModuleLinks() {
    #expect(Bool(true))
}
