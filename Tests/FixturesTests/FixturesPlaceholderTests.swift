import Testing
@testable import Fixtures

@Test func FixturesModuleLinks() {
    #expect(Bool(true))
}
