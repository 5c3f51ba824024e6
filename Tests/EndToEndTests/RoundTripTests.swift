import Foundation
import Testing
import WorkspaceTestSupport

/// The cycle a team lives in: clone, edit, push, an application edit, pull, again and again,
/// without wedging, duplicating or going dirty (issue 3, done-when 1-5 and 8).
@Suite struct RoundTripTests {
    /// A store where two people made three workflows through the application.
    func seeded() throws -> WorkspaceFixture {
        let ws = try WorkspaceFixture("roundtrip")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"), author: "Ada Lovelace <ada@example.com>")
        try ws.put(appWorkflow(title: "Enrich Indicators"), author: "Bob Hope <bob@example.com>")
        try ws.put(appWorkflow(title: "Close Stale Cases"), author: "Ada Lovelace <ada@example.com>")
        return ws
    }

    @Test func cloneGivesTheManifestTheFilesAndOneCommitPerChange() throws {
        let ws = try seeded()
        let clone = try ws.clone("c")
        let files = try clone.git("ls-files").lines
        #expect(files == ["workflows/close-stale-cases/definition.yml", "workflows/enrich-indicators/definition.yml",
                          "workflows/triage/definition.yml", "workspace.json"])
        let log = try clone.git("log", "--format=%an <%ae>|%s").lines
        #expect(log == ["Ada Lovelace <ada@example.com>|Create workflow close-stale-cases",
                        "Bob Hope <bob@example.com>|Create workflow enrich-indicators",
                        "Ada Lovelace <ada@example.com>|Create workflow triage"])
        #expect(try ws.read(clone, "workflows/triage/definition.yml").hasPrefix("version: 1\ntype: workflow\nid: triage\nalias: triage\n"))
        // No store UUID leaks into any projected file (invariant 5).
        let uuid = try ws.show("triage")["uuid"] as? String
        #expect(uuid != nil)
        #expect(try clone.git("grep", "-q", uuid!).status == 1)
    }

    @Test func pushMovesTheBranchToThePushedCommitAndFetchBringsNothing() throws {
        let ws = try seeded()
        let clone = try ws.clone("c")
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Triage", with: "title: Triage everything"))
        try clone.git("commit", "-qam", "Retitle triage")
        let push = try clone.git("push")
        #expect(push.status == 0, "\(push)")
        // One summary line per workspace; no per-resource lines without -v.
        #expect(push.stderr.contains("workspace main: 1 updated\n"), "\(push)")
        #expect(!push.stderr.contains("update  workflow triage"), "\(push)")
        let spec = try ws.show("triage")["spec"] as? [String: Any]
        #expect((spec?["definition"] as? [String: Any])?["title"] as? String == "Triage everything")

        let fetch = try clone.git("fetch", "-v")
        #expect(fetch.status == 0)
        #expect(fetch.stderr.contains("[up to date]"), "\(fetch)")
        #expect(try clone.git("rev-parse", "origin/main").stdout == clone.git("rev-parse", "HEAD").stdout)
    }

    @Test func anApplicationEditArrivesAsExactlyOneCommitTouchingOneFile() throws {
        let ws = try seeded()
        let clone = try ws.clone("c")
        let before = try clone.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try ws.put("id: enrich-indicators\n" + appWorkflow(title: "Enrich Indicators", actions: ["a", "b"]), author: "Cy Young <cy@example.com>")
        let pull = try clone.git("pull", "-q")
        #expect(pull.status == 0, "\(pull)")
        #expect(try clone.git("rev-list", "\(before)..HEAD").lines.count == 1)
        #expect(try clone.git("diff", "--name-only", before, "HEAD").lines == ["workflows/enrich-indicators/definition.yml"])
        #expect(try clone.git("log", "-1", "--format=%an|%s").stdout == "Cy Young|Update workflow enrich-indicators\n")
    }

    @Test func aLaterCloneHasTheSameCommitIDs() throws {
        let ws = try seeded()
        let first = try ws.clone("first")
        try ws.put("id: triage\n" + appWorkflow(alias: "triage", title: "Triage v2"), author: "Ada Lovelace <ada@example.com>")
        try first.git("pull", "-q")
        let second = try ws.clone("second")
        #expect(try first.git("rev-list", "HEAD").stdout == second.git("rev-list", "HEAD").stdout)
        #expect(try first.git("rev-list", "HEAD").lines.count == 4)
    }

    @Test func aHandWrittenFileStaysAsWrittenAndIsNotDirty() throws {
        let ws = try seeded()
        let clone = try ws.clone("c")
        let handWritten = """
        # Our own layout: comments, our key order, optional keys left out.
        definition:
          actions:
            - action: core.http_request   # fetch first
              ref: fetch
              args: {url: "https://example.com", method: GET}
            - ref: notify
              depends_on: [fetch]
              action: core.noop
          title: Hand written
        type: workflow
        id: hand
        version: 1

        """
        try ws.write(clone, "workflows/hand/definition.yml", handWritten)
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "Add a hand-written workflow")
        #expect(try clone.git("push", "-q").status == 0)
        let afterPush = try clone.git("rev-parse", "HEAD").stdout
        #expect(try clone.git("fetch").stdout.isEmpty)
        #expect(try clone.git("rev-parse", "origin/main").stdout == afterPush)

        let shown = try ws.show("hand")
        #expect(shown["spec_hash"] as? String == shown["last_synced_spec_hash"] as? String)
        #expect(shown["last_projected_spec_hash"] as? String == shown["last_synced_spec_hash"] as? String)
        let actions = ((shown["spec"] as? [String: Any])?["definition"] as? [String: Any])?["actions"] as? [[String: Any]]
        #expect(actions?.map { $0["ref"] as? String } == ["fetch", "notify"])

        // An application edit of another resource leaves the hand-written bytes alone.
        try ws.put("id: triage\n" + appWorkflow(alias: "triage", title: "Triage, edited in the app"))
        #expect(try clone.git("pull", "-q").status == 0)
        #expect(try ws.read(clone, "workflows/hand/definition.yml") == handWritten)
        #expect(try clone.git("status", "--porcelain").stdout.isEmpty)
    }

    @Test func removalArchivesRevertRestoresTheSameUUIDAndRenamesKeepIt() throws {
        let ws = try seeded()
        let clone = try ws.clone("c")
        let uuid = try #require(ws.show("enrich-indicators")["uuid"] as? String)
        try clone.git("rm", "-q", "workflows/enrich-indicators/definition.yml")
        try clone.git("commit", "-qm", "Remove enrich")
        #expect(try clone.git("push", "-q").status == 0)
        #expect(try ws.show("enrich-indicators")["archived"] as? Bool == true)
        #expect(try ws.run.run(["git", "workspace", "app", "ls", ws.store]).stdout.contains(uuid) == false)

        try clone.git("revert", "--no-edit", "HEAD")
        let restore = try clone.git("push", "-v")
        #expect(restore.status == 0, "\(restore)")
        #expect(restore.stderr.contains("workspace main: restore workflow enrich-indicators\nworkspace main: 1 restored\n"), "\(restore)")
        let restored = try ws.show("enrich-indicators")
        #expect(restored["uuid"] as? String == uuid)
        #expect(restored["archived"] as? Bool == false)

        try clone.git("mv", "workflows/enrich-indicators", "workflows/enrich")
        let path = "workflows/enrich/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "id: enrich-indicators", with: "id: enrich"))
        try clone.git("commit", "-qam", "Rename enrich")
        let rename = try clone.git("push", "-v")
        #expect(rename.status == 0, "\(rename)")
        #expect(rename.stderr.contains("rename  workflow enrich-indicators -> enrich"), "\(rename)")
        #expect(try ws.show("enrich")["uuid"] as? String == uuid)
        let listed = try ws.run.run(["git", "workspace", "app", "ls", ws.store, "--archived"]).lines
        #expect(listed.count == 3, "\(listed)")
    }

    /// Without --author, the acting user comes from `git config workspace.author`.
    @Test func theConfiguredAuthorActsWhenNoneIsGiven() throws {
        let ws = try WorkspaceFixture("author")
        try ws.run.git("init", "-q")
        try ws.run.git("config", "workspace.author", "Configured Person <conf@example.com>")
        let put = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"], stdin: appWorkflow(title: "Configured"))
        #expect(put.status == 0, "\(put)")
        let clone = try ws.clone("c")
        #expect(try clone.git("log", "-1", "--format=%an <%ae>").stdout == "Configured Person <conf@example.com>\n")
        let bad = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-", "--author", "no email"], stdin: appWorkflow(title: "X"))
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("author 'no email' is not 'Name <email>'"))
    }
}
