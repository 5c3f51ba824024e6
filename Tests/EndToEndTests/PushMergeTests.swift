import Foundation
import Testing
import WorkspaceTestSupport

/// `git push -o merge`: when the workspace branch moved since the clone's base, the remote
/// merges per resource instead of refusing, and refuses only true conflicts.
struct PushMergeTests {
    static let workflow = triageWorkflow

    /// A store whose `triage` workflow was changed on the app side after the clone `c` was made.
    func moved(_ label: String, appEdit: (String) -> String) throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture(label)
        try ws.put(Self.workflow)
        let clone = try ws.clone("c")
        try ws.put(appEdit(Self.workflow))
        return (ws, clone)
    }

    func commit(_ ws: WorkspaceFixture, _ clone: Runner, _ edit: (String) -> String) throws {
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, edit(try ws.read(clone, path)))
        try #require(try clone.git("commit", "-qam", "Edit triage in git").status == 0)
    }

    @Test func editsToDifferentActionsMergeOnTheServer() throws {
        let (ws, clone) = try moved("pm-clean") { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        try commit(ws, clone) { $0.replacingOccurrences(of: "https://example.com/a", with: "https://example.com/b") }
        let pushed = try clone.git("-c", "core.abbrev=40", "push", "-o", "merge", "origin", "main")
        #expect(pushed.status == 0, "\(pushed)")
        let shown = try ws.show("triage")
        let text = "\(shown)"
        #expect(text.contains("https://example.com/b"), "\(shown)")
        #expect(text.contains("oncall"), "\(shown)")

        // The branch is a merge commit: the app's head first, the pushed commit second; git
        // recorded it as the remote-tracking value and has its objects.
        let tracking = try #require(try clone.git("rev-parse", "origin/main").stdout.split(separator: "\n").first.map(String.init))
        let listed = try clone.git("ls-remote", "origin", "refs/heads/main").stdout
        #expect(listed.hasPrefix(tracking), "\(listed) vs \(tracking)")
        let parents = try clone.git("rev-list", "--parents", "-n1", "origin/main").stdout.split(separator: " ").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let local = try clone.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(parents.count == 3 && parents[2] == local, "\(parents)")
        // git's status line shows the branch moving from the app's head to the merge commit.
        let appHead = parents[1]
        #expect(pushed.stderr.contains("   \(appHead)..\(tracking)  main -> main\n"), "\(pushed)")

        // The clone fast-forwards to it, and the merged document is valid and canonical.
        #expect(try clone.git("merge", "--ff-only", "-q", "origin/main").status == 0)
        #expect(try clone.run(["git", "workspace", "validate"]).status == 0)
        let merged = try ws.read(clone, "workflows/triage/definition.yml")
        #expect(merged.contains("https://example.com/b") && merged.contains("channel: oncall"), "\(merged)")
        // A second fetch brings nothing new: the merge is what the workspace holds.
        let fetched = try clone.git("fetch", "origin")
        #expect(fetched.status == 0 && fetched.stderr.isEmpty, "\(fetched)")
        #expect(try clone.git("status", "-sb").stdout.hasPrefix("## main...origin/main\n"))
    }

    @Test func theSameKeyChangedBothWaysIsRefusedNamingItAndChangesNothing() throws {
        let (ws, clone) = try moved("pm-conflict") { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        let before = try ws.dump()
        try commit(ws, clone) { $0.replacingOccurrences(of: "channel: alerts", with: "channel: pager") }
        let pushed = try clone.git("push", "-o", "merge", "origin", "main")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [remote rejected] main -> main (merge conflict in 1 resource: workflows/triage/definition.yml)"), "\(pushed)")
        // The diagnostic points at the key in the pushed file.
        #expect(pushed.stderr.contains("""
            workflows/triage/definition.yml:14:7: error: definition.actions[ref=notify].args.channel changed on both sides: \
            workspace "oncall", pushed "pager"
            """), "\(pushed)")
        #expect(try ws.dump() == before)

        // The refused merge copied the workspace's commits into the clone, but that is not a
        // fetch: a forced push still may not overwrite them, and -o merge still reaches the remote.
        let forced = try clone.git("push", "--force", "origin", "main")
        #expect(forced.status == 1, "\(forced)")
        #expect(forced.stderr.contains("(fetch first)"), "\(forced)")
        let again = try clone.git("push", "-o", "merge", "origin", "main")
        #expect(again.stderr.contains("(merge conflict in 1 resource"), "\(again)")
        #expect(try ws.dump() == before)
    }

    @Test func withoutTheOptionAMovedWorkspaceIsStillRefused() throws {
        let (ws, clone) = try moved("pm-plain") { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        let before = try ws.dump()
        try commit(ws, clone) { $0.replacingOccurrences(of: "https://example.com/a", with: "https://example.com/b") }
        let pushed = try clone.git("push", "origin", "main")
        #expect(pushed.status == 1)
        #expect(pushed.stderr.contains("(fetch first)"), "\(pushed)")
        #expect(try ws.dump() == before)
    }

    @Test func aDryRunMergeChangesNothing() throws {
        let (ws, clone) = try moved("pm-dry") { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        let before = try ws.dump()
        try commit(ws, clone) { $0.replacingOccurrences(of: "https://example.com/a", with: "https://example.com/b") }
        let pushed = try clone.git("push", "--dry-run", "-o", "merge", "origin", "main")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("workspace main: would update  workflow triage"), "\(pushed)")
        #expect(try ws.dump() == before)
    }
}
