import Testing
@testable import Rules

@Test func RulesModuleLinks() {
    #expect(Bool(true))
}
