import Testing
import AIOpsCore

@Suite struct HTTPDateTests {
    /// RFC 9110's example instant in its three forms (784,111,777 s after the epoch).
    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ])
    func threeFormsOfOneInstant(text: String) {
        #expect(TimeFormat.parseHTTPDate(text) == 784_111_777_000)
    }

    @Test func twoDigitYearsBelow70AreThisCentury() {
        #expect(TimeFormat.parseHTTPDate("Friday, 01-Mar-24 00:00:00 GMT") == 1_709_251_200_000)
    }

    @Test(arguments: [
        "", "120", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT", "Sun Nov  6 08:49 1994", "1994-11-06T08:49:37Z",
    ])
    func rejects(text: String) {
        #expect(TimeFormat.parseHTTPDate(text) == nil)
    }
}
