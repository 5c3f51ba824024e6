import Foundation
import Testing
import WorkspaceTestSupport

/// Nothing archived or rewritten by accident: the mistakes a new user makes with roots and
/// paths, each made the way a user makes it (real git, the real helper), refused with the
/// file, and the store byte-identical afterwards.
@Suite struct AccidentTests {
    /// A store with `count` workflows (`flow-1` ...) and a clone `c` of it.
    func workspace(_ label: String, count: Int = 3) throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture(label)
        for index in 1...count { try ws.put(appWorkflow(alias: "flow_\(index)", title: "Flow \(index)")) }
        return (ws, try ws.clone("c"))
    }

    /// The resource and mapping rows of a dump: what an import writes per resource.
    func resourceRows(_ dump: String) -> [String] {
        dump.split(separator: "\n").filter { $0.hasPrefix("resource ") || $0.hasPrefix("mapping ") }.map(String.init)
    }

    @Test func aMistypedRootIsRefusedEverywhereInsteadOfArchivingEveryWorkflow() throws {
        let (ws, clone) = try workspace("typo")
        let before = try ws.dump()
        try ws.write(clone, "workspace.json", #"{"version": 1, "resources": {"workflows": "flows/", "variables": "variables/"}}"# + "\n")

        let validated = try clone.run(["git", "workspace", "validate"])
        #expect(validated.status == 1, "\(validated)")
        #expect(validated.stderr.contains("workflows/flow-1/definition.yml:1:1: error: a workflow outside the workflows root 'flows/' that workspace.json declares; it would not be imported; did you mean flows/flow-1/definition.yml?"), "\(validated)")
        #expect(validated.stderr.contains("workspace.json:1:43: error: the workflows root 'flows/' holds no workflow, while the workspace has 3 live workflows: this would archive all 3"), "\(validated)")

        try #require(try clone.run(["git", "workspace", "install-hooks"]).status == 0)
        let committed = try clone.git("commit", "-qam", "typo")
        #expect(committed.status != 0, "\(committed)")
        #expect(committed.stderr.contains("pre-commit: commit blocked"), "\(committed)")

        try #require(try clone.git("commit", "-qam", "typo", "--no-verify").status == 0)
        let pushed = try clone.git("push", "--no-verify")
        #expect(pushed.status != 0, "\(pushed)")
        #expect(pushed.stderr.contains("would archive all 3"), "\(pushed)")
        #expect(pushed.stderr.contains("! [remote rejected] main -> main (invalid definitions: 4 errors)"), "\(pushed)")
        #expect(try ws.dump() == before)
    }

    @Test func aResourceMovedOffItsCanonicalPathIsRefusedWithThePathItMeant() throws {
        let cases: [(String, [String], String)] = [
            ("nested", ["mv", "workflows/flow-1", "workflows/team/flow-1"],
             "workflows/team/flow-1/definition.yml:1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported; did you mean workflows/flow-1/definition.yml?"),
            ("yaml", ["mv", "workflows/flow-1/definition.yml", "workflows/flow-1/definition.yaml"],
             "workflows/flow-1/definition.yaml:1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported; did you mean workflows/flow-1/definition.yml?"),
        ]
        for (label, move, diagnostic) in cases {
            let (ws, clone) = try workspace("move-\(label)", count: 1)
            let before = try ws.dump()
            try FileManager.default.createDirectory(at: clone.directory.appendingPathComponent("workflows/team"), withIntermediateDirectories: true)
            try #require(try clone.run(["git"] + move).status == 0)
            try #require(try clone.git("commit", "-qam", label).status == 0)
            let pushed = try clone.git("push")
            #expect(pushed.status != 0, "\(label): \(pushed)")
            #expect(pushed.stderr.contains(diagnostic), "\(label): \(pushed)")
            #expect(try ws.dump() == before, "\(label)")
        }
        // A new file next to the definitions is not silently ignored either.
        let (ws, clone) = try workspace("stray", count: 1)
        let before = try ws.dump()
        try ws.write(clone, "workflows/x.yml", "type: workflow\n")
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "stray")
        let pushed = try clone.git("push")
        #expect(pushed.status != 0, "\(pushed)")
        #expect(pushed.stderr.contains("workflows/x.yml:1:1: error: not a canonical workflow path"), "\(pushed)")
        #expect(pushed.stderr.contains("did you mean workflows/x/definition.yml?"), "\(pushed)")
        #expect(try ws.dump() == before)
    }

    @Test func movingARootWithItsFilesKeepsEveryUUIDAndRecordsNoUpdate() throws {
        let (ws, clone) = try workspace("moveroot")
        let rows = resourceRows(try ws.dump())
        try #require(try clone.git("mv", "workflows", "flows").status == 0)
        try ws.write(clone, "workspace.json", #"{"version": 1, "resources": {"workflows": "flows/", "variables": "variables/"}}"# + "\n")
        try clone.git("commit", "-qam", "Move the workflows root")
        let dry = try clone.git("push", "--dry-run")
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stderr.contains("workspace main: would unchanged workflow flow-1"), "\(dry)")
        #expect(dry.stderr.contains("workspace main: would leave no resource changed (3 unchanged)"), "\(dry)")
        let pushed = try clone.git("push")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(resourceRows(try ws.dump()) == rows)
        #expect(try ws.run.git("ls-remote", ws.url, "refs/heads/main").stdout.hasPrefix(try clone.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .newlines)))
    }

    /// One push renames `foo` to `bar` and adds a new workflow whose id differs from `foo`
    /// only by case. The store looks ids up ignoring case, so the new document, written first
    /// (it sorts first), used to adopt foo's resource, which the rename then moved on to
    /// `bar`: the push was accepted and `Foo` had no resource at all. Now each keeps its own.
    @Test func aNewFileNamedLikeARenamedOneGetsItsOwnResource() throws {
        let ws = try WorkspaceFixture("rename-and-twin")
        let original = try ws.put("id: foo\n" + appWorkflow(title: "Foo")).uuid
        let clone = try ws.clone("c")
        try ws.renameWorkflow(in: clone, from: "foo", to: "bar")
        try ws.write(clone, "workflows/Foo/definition.yml", "version: 1\ntype: workflow\nid: Foo\ndefinition:\n  title: Other\n  actions:\n    - ref: a\n      action: core.noop\n")
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "foo becomes bar; a new Foo")
        let pushed = try clone.git("push")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("1 created, 1 renamed"), "\(pushed)")
        #expect(try ws.show("bar")["uuid"] as? String == original)
        let twin = try ws.show("Foo")
        #expect(twin["uuid"] as? String != original)
        #expect((twin["spec"] as? [String: Any]).flatMap { ($0["definition"] as? [String: Any])?["title"] as? String } == "Other")
        #expect(try ws.sql("SELECT count(*) FROM resources WHERE NOT archived").trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    @Test func aChangeIsAChangeInSpecSpaceOnly() throws {
        let (ws, clone) = try workspace("specspace")
        let rows = resourceRows(try ws.dump())
        let path = "workflows/flow-1/definition.yml"
        // A comment, a file mode, a manifest rewritten with the same roots.
        try ws.write(clone, path, "# reviewed by Ada\n" + (try ws.read(clone, path)))
        try FileManager.default.setAttributes([.posixPermissions: 0o755],
                                              ofItemAtPath: clone.directory.appendingPathComponent("workflows/flow-2/definition.yml").path)
        try ws.write(clone, "workspace.json", "{\"resources\": {\"variables\": \"variables\", \"workflows\": \"workflows/\"}, \"version\": 1}\n")
        try clone.git("commit", "-qam", "Only words")
        let pushed = try clone.git("push")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("workspace main: no resource changed (2 unchanged)\n"), "\(pushed)")
        #expect(resourceRows(try ws.dump()) == rows)
        // The branch is the pushed commit itself, and a fetch brings nothing new.
        let head = try clone.git("rev-parse", "HEAD").stdout
        #expect(try clone.git("rev-parse", "origin/main").stdout == head)
        #expect(try clone.git("fetch").stderr.isEmpty)
    }

    @Test func aPushThatArchivesMuchOfAKindNeedsLeave() throws {
        let (ws, clone) = try workspace("guard", count: 8)
        let before = try ws.dump()
        for index in 1...5 { try clone.git("rm", "-rq", "workflows/flow-\(index)") }
        try clone.git("commit", "-qm", "Remove five")
        let dry = try clone.git("push", "--dry-run")
        #expect(dry.status != 0, "\(dry)")
        #expect(dry.stderr.contains("workspace main: would archive workflow flow-5"), "\(dry)")
        #expect(dry.stderr.contains("this push would archive 5 of 8 live workflows (flow-1, flow-2, flow-3, flow-4, flow-5); if that is what you mean, push again with -o archive"), "\(dry)")
        let refused = try clone.git("push")
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("! [remote rejected] main -> main (this push would archive 5 of 8 live workflows"), "\(refused)")
        #expect(try ws.dump() == before)
        let allowed = try clone.git("push", "-o", "archive")
        #expect(allowed.status == 0, "\(allowed)")
        #expect(allowed.stderr.contains("workspace main: 5 archived"), "\(allowed)")
        #expect(try ws.show("flow-1")["archived"] as? Bool == true)
    }

    @Test func archivingFewerThanFiveNeedsNoLeave() throws {
        let (_, clone) = try workspace("guard-small", count: 8)
        for index in 1...2 { try clone.git("rm", "-rq", "workflows/flow-\(index)") }
        try clone.git("commit", "-qm", "Remove two")
        let pushed = try clone.git("push")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("workspace main: 2 archived"), "\(pushed)")
    }
}
