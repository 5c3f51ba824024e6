import Testing
import WorkspaceSpec
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

/// A document in the form a store writes it: `readsBack` says what reading the written
/// resource back would say, and its name rows are `NameIndex.rows` of its kind.
@Suite struct StoredSpecTests {
    @Test(arguments: [
        Value.object(["title": .string("t"), "n": .int(3), "r": .double(0.1)]), .array([.null, .bool(true)]),
        .string("\u{7F}\u{FEFF}\u{1F600}"),
    ])
    func aDocumentThatReadsBackIsSaidTo(value: Value) throws {
        let stored = StoredSpec(kind: "workflow", value: value)
        #expect(stored.readsBack)
        #expect(try SpecJSON.decode(stored.json) == value)
        // The hash is made from the stored text's bytes; it is the value's spec hash.
        #expect(stored.hash == SpecHash.of(value))
    }

    /// NaN is not equal to itself, so a document holding it never reads back as itself:
    /// reading the resource back said so before `readsBack` did, and a push refuses it.
    @Test func aDocumentWithNaNDoesNotReadBack() {
        #expect(!StoredSpec(kind: "workflow", value: .object(["x": .double(.nan)])).readsBack)
    }

    /// Whether writing a document over a stored spec would change it is answered from the
    /// text alone (a push keeps no value tree per document): equal values only.
    @Test func isStoredAsSaysWhetherTheSpecWouldChange() {
        let value: Value = .object(["title": .string("t"), "n": .int(3), "list": .array([.double(0.5), .null])])
        let stored = StoredSpec(kind: "workflow", value: value)
        #expect(stored.isStored(as: value))
        #expect(!stored.isStored(as: .object(["title": .string("t"), "n": .int(4), "list": .array([.double(0.5), .null])])))
        #expect(!stored.isStored(as: .object(["title": .string("t")])))
        #expect(!stored.isStored(as: .string("t")))
        let nan: Value = .object(["x": .double(.nan)])
        #expect(!StoredSpec(kind: "workflow", value: nan).isStored(as: nan))
    }

    @Test func namesAreTheKindsRows() throws {
        let value: Value = .object(["type": .string("workflow"), "alias": .string("triage"), "definition": .object([
            "title": .string("T"),
            "actions": .array([.object(["ref": .string("a"), "action": .string("core.noop"),
                                        "args": .object(["x": .string("${{ VARS.v.x }}")])])]),
        ])])
        let stored = StoredSpec(kind: "workflow", value: value)
        #expect(stored.names.map(\.role) == [.offers, .uses])
        #expect(stored.names.map(\.key) == NameIndex.rows(kind: "workflow", spec: value).map(\.key))
        // Findings the caller already has (`ResourceLoader.Result.specFindings`) make the same rows.
        let given = StoredSpec(kind: "workflow", value: value, findings: CrossCheck.findings(kind: "workflow", spec: value))
        #expect(given.names.map(\.role) == stored.names.map(\.role) && given.names.map(\.key) == stored.names.map(\.key))
        #expect(try stored.names(as: "variable").map(\.key) == NameIndex.rows(kind: "variable", spec: value).map(\.key))
    }
}
