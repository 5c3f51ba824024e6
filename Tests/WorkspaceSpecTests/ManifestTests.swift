import Testing
import WorkspaceSpec

@Suite struct ManifestTests {
    @Test func nestedRootsAndRoles() throws {
        let (manifest, diagnostics) = Manifest.parse(Array(#"{"version": 1, "resources": {"workflows": "sync/workflows", "variables": "sync/vars/"}}"#.utf8))
        #expect(diagnostics.isEmpty)
        let m = try #require(manifest)
        #expect(m.role(of: "sync/workflows/a/definition.yml") == .resource(kind: "workflow", sourceID: "a"))
        #expect(m.role(of: "sync/vars/slack.yml") == .resource(kind: "variable", sourceID: "slack"))
        #expect(m.role(of: "sync/workflowsX/a/definition.yml") == .outside)
        #expect(m.role(of: "workflows/a/definition.yml") == .outside)
        #expect(m.role(of: "sync/workflows/a/definition.yaml") == .nonCanonical(kind: "workflow", looksLikeResource: true))
        #expect(m.role(of: "sync/workflows/a/notes.md") == .outside)
        #expect(m.role(of: "workspace.json") == .manifest)
        #expect(m.path(kind: WorkflowKind.self, sourceID: "a") == "sync/workflows/a/definition.yml")
    }

    @Test func rootInsideAnotherRootIsRefused() {
        let (manifest, diagnostics) = Manifest.parse(Array("""
        {"version": 1,
         "resources": {"workflows": "sync/", "variables": "sync/variables/"}}
        """.utf8))
        #expect(manifest == nil)
        #expect(diagnostics.map(\.description) == ["workspace.json:2:51: error: the root of 'variables' (sync/variables/) is nested inside the root of 'workflows' (sync/)"])
    }

    @Test func renderIsStable() {
        #expect(Manifest.default.render() == """
        {
          "resources": {
            "variables": "variables/",
            "workflows": "workflows/"
          },
          "version": 1
        }

        """)
    }
}
