import Foundation
import Testing
import WorkspaceTestSupport

/// A history in which a tree comes back (a workflow created, another created and archived:
/// the last commit's tree is the first's again) moves whole in both directions. The transfer
/// enters each changed tree against its parent's and leaves out what stands unchanged; the
/// tree that comes back was first met against its later parent, and the objects only the
/// first commit accounts for (the workflow kept, the files beside it) were once left out
/// of both a push and a fetch: the store then lacked them and every clone failed with "bad
/// tree object".
@Suite struct TreeReturnTests {
    func workflow(_ id: String) -> String {
        "version: 1\ntype: workflow\nid: \(id)\ndefinition:\n  title: \(id)\n  actions:\n    - ref: a\n      action: core.noop\n"
    }

    @Test func aPushedHistoryThatReturnsToAnEarlierTreeIsStoredWhole() throws {
        let ws = try WorkspaceFixture("tree-return-push")
        let writer = try ws.clone("writer")
        try ws.write(writer, "workflows/alpha/definition.yml", workflow("alpha"))
        try ws.write(writer, "README.md", "Workflows.\n")
        try #require(try writer.git("add", "-A").status == 0)
        try #require(try writer.git("commit", "-qm", "alpha").status == 0)
        try ws.write(writer, "workflows/beta/definition.yml", workflow("beta"))
        try #require(try writer.git("add", "-A").status == 0)
        try #require(try writer.git("commit", "-qm", "beta").status == 0)
        try #require(try writer.git("rm", "-rq", "workflows/beta").status == 0)
        try #require(try writer.git("commit", "-qm", "no beta").status == 0)
        let pushed = try writer.git("push", "origin", "HEAD:main")
        try #require(pushed.status == 0, "\(pushed)")

        let reader = try ws.clone("reader")
        #expect(try reader.git("fsck", "--strict", "--no-dangling").status == 0)
        #expect(try reader.git("ls-files").lines == ["README.md", "workflows/alpha/definition.yml"])
        #expect(try reader.git("rev-parse", "HEAD").stdout == (try writer.git("rev-parse", "HEAD").stdout))
    }

    @Test func anArchiveThatRestoresAnEarlierTreeIsFetchedWhole() throws {
        let ws = try WorkspaceFixture("tree-return-fetch")
        try ws.put(workflow("alpha"))
        try ws.put(workflow("beta"))
        let removed = try ws.run.run(["git", "workspace", "app", "rm", ws.store, "beta"])
        try #require(removed.status == 0, "\(removed)")

        let reader = try ws.clone("reader")
        #expect(try reader.git("fsck", "--strict", "--no-dangling").status == 0)
        #expect(try reader.git("log", "--format=%s").lines.count == 3)
        #expect(try reader.git("ls-files").lines.contains("workflows/alpha/definition.yml"))
        #expect(try !reader.git("ls-files").lines.contains("workflows/beta/definition.yml"))
    }
}
