import Testing
import WorkspaceSpec
import YAML

/// Canonical bytes and spec hashes depend on what a document says, not how it is written.
@Suite struct DeterminismTests {
    static let plain = """
    version: 1
    type: workflow
    id: t
    definition:
      title: T
      actions:
        - ref: a
          action: core.noop
    """

    /// The same document: other key order, comments, flow style, quoting, explicit defaults and nulls.
    static let reworded = """
    # a comment
    definition:
      actions:
        - {action: "core.noop", ref: 'a', depends_on: [], join_strategy: all, args: {}, retry_policy: {max_attempts: 1}}
      config: {scheduler: dynamic}   # the default
      triggers: []
      title: "T"
      description: null
    id: t
    tags: []
    type: workflow
    version: 1
    """

    func spec(_ text: String) throws -> ResourceSpec {
        let result = ResourceLoader.load(Array(text.utf8), path: "x", kind: WorkflowKind.self, expectedID: "t")
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        return try #require(result.spec)
    }

    @Test func rewordingChangesNothing() throws {
        let a = try spec(Self.plain), b = try spec(Self.reworded)
        #expect(a.value == b.value)
        #expect(a.canonicalText() == b.canonicalText())
        #expect(a.specHash == b.specHash)
    }

    /// The v1 hash is SHA-256 over sorted, whitespace-free JSON; this value was computed
    /// independently (Python's hashlib over the JSON text) and must never change for v1.
    @Test func hashIsTheDocumentedV1Hash() throws {
        let a = try spec(Self.plain)
        #expect(String(decoding: JSONEmitter.canonical(a.value), as: UTF8.self)
            == #"{"definition":{"actions":[{"action":"core.noop","ref":"a"}],"title":"T"},"id":"t","type":"workflow","version":1}"#)
        #expect(a.specHash == "v1:6cbd2c5569db104b177042cad1f6135a18dae3fb7507142e928f70a664b258ba")
    }

    @Test func canonicalTextIsTheExpectedBytes() throws {
        #expect(try spec(Self.reworded).canonicalText() == """
        version: 1
        type: workflow
        id: t
        definition:
          title: T
          actions:
          - ref: a
            action: core.noop

        """)
    }

    @Test func aChangedValueChangesTheHash() throws {
        let a = try spec(Self.plain)
        let b = try spec(Self.plain.replacingOccurrences(of: "core.noop", with: "core.other"))
        #expect(a.specHash != b.specHash)
        #expect(a.specHash.hasPrefix("v1:") && a.specHash.count == 3 + 64)
    }
}
