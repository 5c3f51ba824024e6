import Testing
import WorkspaceSpec

@Suite struct ManifestTests {
    func manifest(_ text: String) throws -> Manifest {
        try Manifest.read(Array(text.utf8)).manifest()
    }

    @Test func nestedRootsAndRoles() throws {
        let m = try manifest(#"{"version": 1, "resources": {"workflows": "sync/workflows", "variables": "sync/vars/"}}"#)
        #expect(m.role(of: "sync/workflows/a/definition.yml") == .resource(kind: "workflow", sourceID: "a"))
        #expect(m.role(of: "sync/vars/slack.yml") == .resource(kind: "variable", sourceID: "slack"))
        #expect(m.role(of: "sync/workflowsX/a/definition.yml") == .outside)
        #expect(m.role(of: "docs/a/definition.yml") == .outside)
        #expect(m.role(of: "workspace.json") == .manifest)
        #expect(m.path(kind: WorkflowKind.self, sourceID: "a") == "sync/workflows/a/definition.yml")
    }

    @Test func everyFileUnderARootIsAResourceOrAMistakeWithTheCanonicalPathItMeant() throws {
        let m = try manifest(#"{"version": 1, "resources": {"workflows": "workflows/", "variables": "variables/"}}"#)
        func expected(_ path: String) -> String? {
            guard case .misplaced(_, let expected, _) = m.role(of: path) else { return "not misplaced" }
            return expected
        }
        #expect(expected("workflows/a/definition.yaml") == "workflows/a/definition.yml")
        #expect(expected("workflows/team/a/definition.yml") == "workflows/a/definition.yml")
        #expect(expected("workflows/x.yml") == "workflows/x/definition.yml")
        #expect(expected("variables/slack.yaml") == "variables/slack.yml")
        #expect(expected("variables/team/slack.yml") == "variables/slack.yml")
        #expect(expected("workflows/a/notes.md") == nil)
        #expect(expected("workflows/a/workspace.json") == nil)
        // Hidden files are never resources and may sit anywhere (.gitkeep in an empty root).
        #expect(m.role(of: "workflows/.gitkeep") == .outside)
        #expect(m.role(of: "variables/.gitkeep") == .outside)
        let problem = try #require(m.problem(with: TreeItem(path: "workflows/team/a/definition.yml")))
        #expect(problem.description == "workflows/team/a/definition.yml:1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported; did you mean workflows/a/definition.yml?")
    }

    @Test func aKindLeftUnderItsDefaultRootWhileTheManifestPutsItElsewhereIsAMistake() throws {
        let typo = try manifest(#"{"version": 1, "resources": {"workflows": "flows/", "variables": "variables/"}}"#)
        #expect(typo.role(of: "workflows/a/definition.yml")
                == .misplaced(kind: "workflow", expected: "flows/a/definition.yml",
                              reason: "a workflow outside the workflows root 'flows/' that workspace.json declares"))
        #expect(typo.role(of: "workflows/README.md") == .outside)
        let undeclared = try manifest(#"{"version": 1, "resources": {"variables": "variables/"}}"#)
        guard case .misplaced(_, nil, let reason) = undeclared.role(of: "workflows/a/definition.yml") else {
            Issue.record("an undeclared default root is not reported")
            return
        }
        #expect(reason.contains("declares no root for workflows"))
        #expect(Set(typo.listedDirectories) == ["flows/", "variables/", "workflows/"])
    }

    @Test func linksAndSubmodulesAreNotFilesButTheExecutableBitIsFine() throws {
        let m = Manifest.default
        #expect(m.problem(with: TreeItem(path: "workflows/a/definition.yml", mode: TreeItem.executable)) == nil)
        #expect(m.problem(with: TreeItem(path: "workflows/a/definition.yml", mode: TreeItem.symlink))?.rule == "not-a-file")
        #expect(m.problem(with: TreeItem(path: "variables/v.yml", mode: TreeItem.gitlink))?.rule == "not-a-file")
        #expect(m.problem(with: TreeItem(path: "docs/link", mode: TreeItem.symlink)) == nil)
        #expect(m.problem(with: TreeItem(path: [0x77, 0x6f, 0x72, 0x6b, 0x66, 0x6c, 0x6f, 0x77, 0x73, 0x2f, 0xff], mode: TreeItem.file))?.rule == "path-encoding")
    }

    @Test func rootInsideAnotherRootIsRefused() {
        let reading = Manifest.read(Array("""
        {"version": 1,
         "resources": {"workflows": "sync/", "variables": "sync/variables/"}}
        """.utf8))
        guard case .broken(let diagnostics) = reading else {
            Issue.record("a nested root was accepted")
            return
        }
        #expect(diagnostics.map { $0.description } == ["workspace.json:2:51: error: the root of 'variables' (sync/variables/) is nested inside the root of 'workflows' (sync/)"])
    }

    /// The manifest fuzz target's input (Fuzz/FuzzManifest): the variables root is inside the
    /// workflows root in git's terms (bytes), though not by Swift's character comparison.
    /// Found by FuzzManifest: a root below `workspace.json` named a directory no tree can
    /// have (the manifest is a file there), and every door then refused the manifest's own
    /// file as standing where the root belongs. Such a root is refused where it is written.
    @Test(arguments: [#"workspace.json/"/"#, "workspace.json/", "workspace.json/x/y/"])
    func aRootInsideTheManifestFileIsRefused(_ root: String) throws {
        let text = #"{"version": 1, "resources": {"workflows": "# + "\"" + root.replacingOccurrences(of: "\"", with: "\\\"") + "\"}}"
        guard case .broken(let diagnostics) = Manifest.read(Array(text.utf8)) else {
            Issue.record("a root inside workspace.json was accepted: \(text)")
            return
        }
        #expect(diagnostics.contains { $0.message.contains("must not be inside workspace.json, which is a file") }, "\(diagnostics)")
    }

    @Test func rootInsideAnotherByItsBytesIsRefused() {
        let reading = Manifest.read(Array(#"{"version": 1, "resources": {"workflows": "a/", "variables": "a/\#u{301}b/"}}"#.utf8))
        guard case .broken(let diagnostics) = reading else {
            Issue.record("a root inside another was accepted")
            return
        }
        #expect(diagnostics.map(\.rule) == ["nested-root"])
        #expect(diagnostics.first?.message == "the root of 'variables' (a/\u{301}b/) is nested inside the root of 'workflows' (a/)")
    }

    /// Roots and paths are split into segments at every `/` byte, as git splits them: a
    /// combining mark after a slash made "a/../\u{301}x/" one segment fewer by characters,
    /// and its ".." went unseen.
    @Test func aDotDotSegmentBehindACombiningMarkIsRefused() {
        let reading = Manifest.read(Array(#"{"version": 1, "resources": {"workflows": "a/../\#u{301}x/"}}"#.utf8))
        guard case .broken(let diagnostics) = reading else {
            Issue.record("a root with a '..' segment was accepted")
            return
        }
        #expect(diagnostics.map(\.rule) == ["manifest-root"])
        #expect(diagnostics.first?.message.hasSuffix("must not contain '.' or '..'") == true)
    }

    /// A file below a root is judged whatever follows the root's slash: `workflows/` and a
    /// combining mark used to be "outside" (never imported, never reported).
    @Test func aFileBelowARootIsJudgedWhateverFollowsTheSlash() throws {
        let path = "workflows/\u{301}x/definition.yml"
        #expect(Manifest.default.role(of: path) == .resource(kind: "workflow", sourceID: "\u{301}x"))
        #expect(Manifest.default.role(of: "workflows/a/\u{301}b/definition.yml")
                == .misplaced(kind: "workflow", expected: nil,
                              reason: "not a canonical workflow path (a workflow is workflows/<id>/definition.yml)"))
        let report = try TreeValidator.validate(ListedTree(files: [path: "version: 1\ntype: workflow\nid: x\n"]))
        #expect(report.diagnostics.contains { $0.path == path && $0.rule == "source-id" }, "\(report.diagnostics)")
    }

    /// Found by the manifest fuzz target (Fuzz/FuzzManifest): a root holding NEL, written as
    /// the escape `\N`, rendered raw and read back with a space in its place (YAML folds a line
    /// break inside a quoted string). Characters `render` cannot write for `read` are refused.
    @Test(arguments: [
        #"{"version":1, "resources": {"workflows": "cnïcod\NANr⍋s/"}}"#,  // the fuzzer's input
        #"{"version": 1, "resources": {"workflows": "a\u2028b/"}}"#,
        #"{"version": 1, "resources": {"workflows": "a\u009Fb/"}}"#,
        #"{"version": 1, "resources": {"workflows": "a\u007Fb/"}}"#,
        #"{"version": 1, "resources": {"workflows": "a\uFEFFb/"}}"#,
    ])
    func aRootThatCannotBeWrittenBackIsRefused(text: String) {
        guard case .broken(let diagnostics) = Manifest.read(Array(text.utf8)) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(diagnostics.map(\.rule) == ["manifest-root"])
    }

    @Test func aTreeWithoutAManifestDeclaresTheDefaultRootsAndABrokenOneIsAnError() throws {
        #expect(try Manifest.read(nil).manifest() == Manifest.default)
        #expect(throws: ManifestError.self) { try Manifest.read(Array("{".utf8)).manifest() }
    }

    @Test func equalRootsAreEqualManifestsWhateverTheirSpelling() throws {
        let spaced = try manifest("{ \"resources\": {\"workflows\": \"workflows\", \"variables\": \"variables/\"},\n \"version\": 1 }")
        #expect(spaced == Manifest.default)
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
