import Testing
@testable import Reports

@Test func ReportsModuleLinks() {
    #expect(Bool(true))
}
