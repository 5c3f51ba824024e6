import Foundation
import Testing
import WorkspaceSpec
import WorkspaceTestSupport
import YAML

/// The 42 corpus workflow files, each wrapped into the canonical workflow document.
@Suite struct CorpusWorkflowTests {
    /// Files ending `_expected.yml` are recorded run results (top-level `ACTIONS`/`TRIGGER`),
    /// not workflows: they have no title and no actions, and must be refused for exactly that.
    static let expectedFailures: Set<String> = ["missing-field:definition needs 'title'",
                                                 "missing-field:definition needs 'actions'"]

    /// Wraps a corpus file (bare DSL, or `definition:`-wrapped) into a workflow document;
    /// with `alias`, one made from its id (so that it offers a name too).
    static func wrap(_ url: URL, alias: Bool = false) throws -> (id: String, text: String) {
        let node = try YAMLParser.parse(Array(try Data(contentsOf: url)))
        var dsl = node.value
        if dsl["title"] == nil, let inner = dsl["definition"] { dsl = inner }
        let id = url.deletingPathExtension().lastPathComponent
        var members: [String: Value] = ["version": .int(1), "type": .string("workflow"), "id": .string(id), "definition": dsl]
        if alias { members["alias"] = .string(id.replacingOccurrences(of: "-", with: "_")) }
        return (id, CanonicalText.render(.object(members), schema: WorkflowKind.schema))
    }

    @Test func corpusHas42WorkflowFiles() {
        #expect(TestPaths.corpusWorkflows().count == 42)
    }

    @Test(arguments: TestPaths.corpusWorkflows())
    func eachWorkflowValidatesOrFailsAsListed(_ url: URL) throws {
        let (id, text) = try Self.wrap(url)
        let result = ResourceLoader.load(Array(text.utf8), path: "workflows/\(id)/definition.yml",
                                         kind: WorkflowKind.self, expectedID: id)
        let errors = Set(result.diagnostics.filter { $0.severity == .error }.map { "\($0.rule):\($0.message)" })
        if id.hasSuffix("_expected") {
            #expect(errors == Self.expectedFailures, "\(id): \(errors)")
        } else {
            #expect(errors.isEmpty, "\(id): \(result.diagnostics)")
            #expect(result.spec != nil)
        }
    }

    @Test(arguments: TestPaths.corpusWorkflows().filter { !$0.lastPathComponent.hasSuffix("_expected.yml") })
    func canonicalTextRoundTrips(_ url: URL) throws {
        let (id, text) = try Self.wrap(url)
        let first = try #require(ResourceLoader.load(Array(text.utf8), path: "x", kind: WorkflowKind.self, expectedID: id).spec)
        let rendered = first.canonicalText()
        let second = try #require(ResourceLoader.load(Array(rendered.utf8), path: "x", kind: WorkflowKind.self, expectedID: id).spec)
        #expect(second.value == first.value)
        #expect(second.specHash == first.specHash)
        #expect(second.canonicalText() == rendered)
        #expect(rendered.hasSuffix("\n") && !rendered.hasSuffix("\n\n"))
        #expect(rendered.hasPrefix("version: 1\ntype: workflow\nid: \(id)\n"))
    }

    /// A push hands the store the findings loading made (`ResourceLoader.Result.specFindings`)
    /// instead of running the kind's check again for the name index: they must be what the
    /// check finds in the stored spec itself (what fsck and every later reader compute), in
    /// the names and namespaces the index keeps.
    @Test func loadingsFindingsAreTheStoredSpecsWhenGiven() throws {
        func names(_ findings: KindFindings) -> [Set<String>] {
            [Set(findings.exports.map { "\($0.namespace) \($0.name)" }), Set(findings.references.map { "\($0.namespace) \($0.name)" })]
        }
        var given = 0
        for url in TestPaths.corpusWorkflows() where !url.lastPathComponent.hasSuffix("_expected.yml") {
            let (id, text) = try Self.wrap(url, alias: true)
            let result = ResourceLoader.load(Array(text.utf8), path: "workflows/\(id)/definition.yml", kind: WorkflowKind.self, expectedID: id)
            let spec = try #require(result.spec, "\(id)")
            guard let findings = result.specFindings else { continue }
            given += 1
            #expect(names(findings) == names(CrossCheck.findings(kind: "workflow", spec: spec.value)), "\(id)")
            #expect(!findings.exports.isEmpty, "\(id)")
        }
        #expect(given >= 10, "only \(given) corpus workflows came with their findings (17 of 30 when written)")
    }

    /// Nulls inside free-form data (`default: null` and the like) are data and survive normalization.
    @Test func freeFormNullsAreKept() throws {
        let text = """
        version: 1
        type: workflow
        id: t
        alias: null
        definition:
          title: T
          entrypoint: {ref: a, expects: {x: {type: str, default: null}}}
          actions:
            - ref: a
              action: core.noop
              run_if: null
              args: {value: null, empty: "", list: [3, 1, 2]}
        """
        let loaded = ResourceLoader.load(Array(text.utf8), path: "x", kind: WorkflowKind.self, expectedID: "t")
        let spec = try #require(loaded.spec)
        #expect(spec.value["alias"] == nil)
        // Normalizing dropped members, so loading's findings are not handed on as the spec's.
        #expect(loaded.specFindings == nil)
        let action = spec.value["definition"]?["actions"]?.arrayValue?.first
        #expect(action?["run_if"] == nil)
        #expect(action?["args"] == .object(["value": .null, "empty": .string(""), "list": .array([.int(3), .int(1), .int(2)])]))
        #expect(spec.value["definition"]?["entrypoint"]?["expects"]?["x"]?["default"] == .null)
    }
}
