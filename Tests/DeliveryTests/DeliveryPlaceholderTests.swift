import Testing
@testable import Delivery

@Test func DeliveryModuleLinks() {
    #expect(Bool(true))
}
