import Testing
@testable import Replay

@Test func ReplayModuleLinks() {
    #expect(Bool(true))
}
