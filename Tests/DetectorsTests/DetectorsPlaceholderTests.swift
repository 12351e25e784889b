import Testing
@testable import Detectors

@Test func DetectorsModuleLinks() {
    #expect(Bool(true))
}
