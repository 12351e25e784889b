import Testing
@testable import Incidents

@Test func IncidentsModuleLinks() {
    #expect(Bool(true))
}
