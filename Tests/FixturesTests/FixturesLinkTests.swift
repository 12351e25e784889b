import Testing
@testable import Fixtures

@Test func fixturesModuleLinks() {
    #expect(FixtureFormat(fileExtension: "csv") == .csv)
}
