import Testing
@testable import WorkspaceStore
import YAML

/// The stored-spec JSON reader: exact for everything the canonical emitter writes.
@Suite struct SpecJSONTests {
    @Test(arguments: [
        Value.int(0), .int(-7), .double(1.0), .double(-2.5e-300), .double(1e16), .double(0.1),
        .string(""), .string("\u{7F}\u{80}\u{9F}\u{FEFF}\u{1F600}"), .string("\u{1}\u{1F}\u{8}\u{C}\r\n\t\"\\/"),
        .array([.null, .array([.object(["": .null])])]), .object(["b": .int(1), "a": .double(2)]),
    ])
    func canonicalTextReadsBackEqual(value: Value) throws {
        let text = SpecJSON.encode(value)
        let back = try SpecJSON.decode(text)
        #expect(back == value)
        #expect(SpecJSON.encode(back) == text, "re-encoding gives the same bytes")
    }

    @Test func nonFiniteDoublesSurvive() throws {
        let back = try SpecJSON.decode(SpecJSON.encode(.array([.double(.nan), .double(.infinity), .double(-.infinity)])))
        guard case .array(let items) = back, items.count == 3,
              case .double(let nan) = items[0], case .double(let inf) = items[1], case .double(let negInf) = items[2]
        else { Issue.record("got \(back)"); return }
        #expect(nan.isNaN)
        #expect(inf == .infinity && negInf == -.infinity)
    }

    @Test func ordinaryJSONWhitespaceAndEscapesAreRead() throws {
        let back = try SpecJSON.decode(#" { "a" : [ 1 , 2.0 , "\u00e9\ud83d\ude00" ] , "b" : null } "#)
        #expect(back == .object(["a": .array([.int(1), .double(2), .string("é😀")]), "b": .null]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,\"a\":2}", "1 2", "\"\u{1}\"", "\"\\ud800\"", "01x", "99999999999999999999", "nul",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func damagedTextIsCorrupt(text: String) {
        expectStoreError(.corrupt) { _ = try SpecJSON.decode(text) }
    }
}
