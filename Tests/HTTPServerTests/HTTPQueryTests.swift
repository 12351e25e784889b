import HTTPServer
import Testing

@Suite struct HTTPQueryTests {
    @Test func formDecodingWithRepeatedNames() {
        let query = "match%5B%5D=%7B__name__%3D~%22aiops_.%2B%22%7D&match[]=up+x&flag&bad=%zz%4"
        let pairs = HTTPQuery.parse(query)
        #expect(pairs.map(\.name) == ["match[]", "match[]", "flag", "bad"])
        #expect(HTTPQuery.values("match[]", in: query) == [#"{__name__=~"aiops_.+"}"#, "up x"])
        #expect(pairs[2].value == "" && pairs[3].value == "%zz%4")
        #expect(HTTPQuery.parse("").isEmpty)
        #expect(HTTPQuery.values("q", in: "q=%C3%A9") == ["é"])
    }
}
