import Foundation
import Testing
import WorkspaceTestSupport

/// `git workspace validate` on a commit, the index, files and directories, as git users run it.
@Suite struct ValidateCommandTests {
    static let good = workflow("triage", head: "alias: triage\n")
    static let bad = workflow("triage", actions: """
        - ref: a
          action: core.noop
          depends_on: [zzz]
    """)

    /// A repository whose HEAD holds a valid workflow.
    func repository() throws -> (ScratchDirectory, Runner) {
        let scratch = try ScratchDirectory("validate")
        let git = Runner(scratch: scratch)
        try #require(try git.git("init", "-q").status == 0)
        try scratch.write("workspace.json", #"{"version": 1, "resources": {"workflows": "workflows/"}}"#)
        try scratch.write("workflows/triage/definition.yml", Self.good)
        try scratch.write("README.md", "not a resource\n")
        try git.git("add", "-A")
        try #require(try git.git("commit", "-qm", "valid").status == 0)
        return (scratch, git)
    }

    @Test func validCommitExitsZero() throws {
        let (_, git) = try repository()
        let result = try git.run(["git", "workspace", "validate", "HEAD"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("valid: 1 resource, 0 errors"))
    }

    @Test func eachModeSeesItsOwnVersion() throws {
        let (scratch, git) = try repository()
        // Stage a bad version, then put the good one back on disk: HEAD and disk are valid, the index is not.
        try scratch.write("workflows/triage/definition.yml", Self.bad)
        try git.git("add", "-A")
        try scratch.write("workflows/triage/definition.yml", Self.good)

        #expect(try git.run(["git", "workspace", "validate", "HEAD"]).status == 0)
        #expect(try git.run(["git", "workspace", "validate"]).status == 0)
        let staged = try git.run(["git", "workspace", "validate", "--staged"])
        #expect(staged.status == 1)
        #expect(staged.stderr.contains("workflows/triage/definition.yml:9:20: error: action 'a' depends on unknown action 'zzz'"), "\(staged)")

        try git.git("commit", "-qm", "bad")
        let commit = try git.run(["git", "workspace", "validate", "HEAD"])
        #expect(commit.status == 1)
        #expect(try git.run(["git", "workspace", "validate", "HEAD~1"]).status == 0)
    }

    @Test func singleFileUsesItsPathForTheExpectedID() throws {
        let (scratch, git) = try repository()
        try scratch.write("workflows/renamed/definition.yml", Self.good)
        let result = try git.run(["git", "workspace", "validate", "workflows/renamed/definition.yml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("workflows/renamed/definition.yml:3:5: error: id 'triage' does not match its path, which says 'renamed'"), "\(result)")
        #expect(try git.run(["git", "workspace", "validate", "--", "workflows/triage/definition.yml"]).status == 0)
    }

    @Test func jsonReport() throws {
        let (_, git) = try repository()
        let first = try git.run(["git", "workspace", "validate", "--json", "HEAD"])
        let second = try git.run(["git", "workspace", "validate", "--json", "HEAD"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        let resources = try #require(object["resources"] as? [[String: Any]])
        #expect(resources.count == 1)
        #expect(resources.first?["id"] as? String == "triage")
        #expect((resources.first?["spec_hash"] as? String)?.hasPrefix("v1:") == true)
    }

    @Test func sameSpecSameHashAcrossFormattings() throws {
        let (scratch, git) = try repository()
        // Same document, reordered, commented, flow style, defaults spelled out.
        try scratch.write("other/workflows/triage/definition.yml", """
        # hand-written
        definition: {actions: [{action: core.noop, ref: a, depends_on: []}], title: W}
        alias: triage
        id: triage
        tags: []
        type: workflow
        version: 1
        """)
        let a = try git.run(["git", "workspace", "validate", "--json", "HEAD"])
        let b = try git.run(["git", "workspace", "validate", "--json", "other"])
        #expect(b.status == 0, "\(b)")
        func hash(_ text: String) throws -> String? {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return (object?["resources"] as? [[String: Any]])?.first?["spec_hash"] as? String
        }
        #expect(try hash(a.stdout) != nil)
        #expect(try hash(a.stdout) == hash(b.stdout))
    }

    @Test func failuresAndUsageErrorsHaveTheirOwnStatus() throws {
        let (_, git) = try repository()
        let unknown = try git.run(["git", "workspace", "validate", "no-such-rev"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("'no-such-rev' is neither a file nor a revision"))
        let usage = try git.run(["git", "workspace", "validate", "--bogus"])
        #expect(usage.status == 64, "\(usage)")
        let both = try git.run(["git", "workspace", "validate", "--staged", "HEAD"])
        #expect(both.status == 64)
        let outside = try ScratchDirectory("outside")
        let noRepo = try Runner(directory: outside.url).run(["git-workspace", "validate", "HEAD"])
        #expect(noRepo.status == 2)
        #expect(noRepo.stderr.contains("not in a git repository"))
    }

    @Test func nonUTF8FilesOutsideTheRootsAreNotACrashAndAStrayFileUnderARootIsAnError() throws {
        let (scratch, git) = try repository()
        try scratch.write("notes/\u{00E9}t\u{00E9}.yml", bytes: [0xFF, 0xFE, 0x00])
        try git.git("add", "-A")
        try git.git("commit", "-qm", "notes")
        let outside = try git.run(["git", "workspace", "validate", "HEAD"])
        #expect(outside.status == 0, "\(outside)")
        // A file under a root that is not a resource path would not be imported: an error
        // naming the canonical path it probably meant, never a warning a push passes over.
        try scratch.write("workflows/stray.yml", "x: 1\n")
        try git.git("add", "-A")
        try git.git("commit", "-qm", "stray")
        let stray = try git.run(["git", "workspace", "validate", "HEAD"])
        #expect(stray.status == 1, "\(stray)")
        #expect(stray.stderr.contains("workflows/stray.yml:1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported; did you mean workflows/stray/definition.yml?"), "\(stray)")
    }
}
