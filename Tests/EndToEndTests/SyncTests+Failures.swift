import Foundation
import Testing
import WorkspaceTestSupport

/// Sync runs that meet a push that does not go through: a remote that refuses (the team's
/// too), one that cannot be reached, one that moves meanwhile.
extension SyncTests {
    /// A workflow edit the application accepted but the team remote refuses (a server-side
    /// hook) is a failure on every run, with the remote's reason, until the team reopens.
    @Test func pushedAheadRefusedByTheTeamRemoteFailsUntilItIsReopened() throws {
        let f = try TwoRemotes("sync-ahead-refused")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage from the app") }
        let before = try f.heads()
        try f.refuseTeamPushes()
        for _ in 1...2 {
            let synced = try f.sync()
            #expect(synced.status == 1, "\(synced)")
            let record = try f.record(synced)
            #expect(record["outcome"] as? String == "refused", "\(record)")
            let failed = try #require(record["failedPush"] as? [String: Any], "\(record)")
            #expect(failed["remote"] as? String == "origin")
            #expect(failed["ref"] as? String == "refs/heads/main")
            #expect(failed["commit"] as? String == before.workspace)
            #expect(failed["summary"] as? String == "[remote rejected]")
            #expect(failed["reason"] as? String == "pre-receive hook declined")
            #expect((failed["output"] as? [String])?.contains("remote: closed for maintenance") == true, "\(failed)")
            #expect(synced.stderr.hasPrefix("sync main: refused: origin refused"), "\(synced)")
            #expect(synced.stderr.contains("\n    remote: closed for maintenance\n"), "\(synced)")
            // Nothing lost: the workspace keeps the app's commit.
            #expect(try f.heads() == before)
        }
        // Once the team remote takes pushes again, the next run delivers it.
        try f.reopenTeam()
        let again = try f.sync()
        #expect(again.status == 0, "\(again)")
        #expect(try f.record(again)["outcome"] as? String == "pushed-ahead")
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        #expect(heads.team == before.workspace)
    }

    /// A team remote that cannot be reached for a push (its push URL is gone; fetching
    /// still works) is the transient `push-failed`, exit 4, like fetch-failed.
    @Test func pushedAheadToAnUnreachableTeamRemoteIsPushFailed() throws {
        let f = try TwoRemotes("sync-push-failed")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage from the app") }
        let before = try f.heads()
        try #require(try f.dev.git("remote", "set-url", "--push", "origin", f.ws.scratch.path("gone.git")).status == 0)
        let synced = try f.sync()
        #expect(synced.status == 4, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "push-failed", "\(record)")
        let failed = try #require(record["failedPush"] as? [String: Any])
        #expect(failed["exitStatus"] as? Int == 128)
        #expect(failed["summary"] is NSNull)
        #expect(synced.stderr.contains("retried next run"), "\(synced)")
        #expect(try f.heads() == before)
    }

    /// A workspace whose store is busy (another writer holds it past the busy timeout) is
    /// a transient `push-failed`, exit 4, not a refusal; the next run delivers.
    @Test func aBusyWorkspaceIsPushFailedAndTheNextRunDelivers() throws {
        let f = try TwoRemotes("sync-busy")
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage by Alice") }
        let before = try f.heads()
        let lock = try HeldWriteLock(store: f.ws.store)
        let synced = try f.dev.run(["git", "workspace", "sync", "--json"], extraEnvironment: ["GIT_WORKSPACE_BUSY_TIMEOUT": "0.2"])
        lock.release()
        #expect(synced.status == 4, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "push-failed", "\(record)")
        let failed = try #require(record["failedPush"] as? [String: Any], "\(record)")
        let reason = failed["reason"] as? String ?? ""
        #expect(reason.hasPrefix("busy: ") && reason.contains(" is busy: "), "\(failed)")
        #expect(try f.heads() == before)
        let again = try f.sync()
        #expect(try f.record(again)["outcome"] as? String == "fast-forwarded", "\(again)")
    }

    /// The merge reached the workspace but the team remote refuses it: a failure, the
    /// workspace keeps the merge (nothing lost), and the next run after reopening pushes it.
    @Test func mergedButRefusedByTheTeamRemoteIsAFailureThatKeepsTheMerge() throws {
        let f = try TwoRemotes("sync-merged-refused")
        try f.appEdit { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        let workspaceBefore = try #require(try f.heads().workspace)
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "https://example.com/a", with: "https://example.com/b") }
        let teamBefore = try #require(try f.heads().team)
        try f.refuseTeamPushes()
        let synced = try f.sync()
        #expect(synced.status == 1, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "refused", "\(record)")
        #expect((record["failedPush"] as? [String: Any])?["remote"] as? String == "origin", "\(record)")
        let merge = try #require(record["mergeCommit"] as? String)
        let heads = try f.heads()
        #expect(heads.team == teamBefore && heads.workspace == merge, "\(heads)")
        #expect(synced.stderr.contains("ws holds the merge"), "\(synced)")
        try #require(try f.dev.git("fetch", "-q", "ws").status == 0)
        #expect(try f.dev.git("merge-base", "--is-ancestor", workspaceBefore, merge).status == 0)
        #expect(try f.dev.git("merge-base", "--is-ancestor", teamBefore, merge).status == 0)

        try f.reopenTeam()
        let again = try f.sync()
        #expect(again.status == 0, "\(again)")
        #expect(try f.record(again)["outcome"] as? String == "pushed-ahead")
        let level = try f.heads()
        #expect(level.team == merge && level.workspace == merge, "\(level)")
    }

    /// conflict-escaped's last push, of the merge to the team remote, refused: the run is a
    /// failure that still names the branch holding the workspace side.
    @Test func conflictEscapedWhoseTeamPushIsRefusedIsAFailure() throws {
        let f = try TwoRemotes("sync-conflict-refused")
        try f.appEdit { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        let workspaceBefore = try #require(try f.heads().workspace)
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "channel: alerts", with: "channel: pager") }
        let teamBefore = try #require(try f.heads().team)
        // The team remote takes new conflicts/ branches but refuses updates of main.
        try f.refuseTeamPushes(only: "refs/heads/main")
        let synced = try f.sync()
        #expect(synced.status == 1, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "refused", "\(record)")
        let branch = try #require(record["conflictBranch"] as? String)
        let saved = try f.ws.run.run(["git", "--git-dir", f.team, "rev-parse", branch]).stdout
        #expect(saved.trimmingCharacters(in: .whitespacesAndNewlines) == workspaceBefore)
        let heads = try f.heads()
        #expect(heads.team == teamBefore)
        #expect(heads.workspace == record["mergeCommit"] as? String)
        #expect("\(try f.ws.show("triage"))".contains("pager"))

        try f.reopenTeam()
        let again = try f.sync()
        #expect(again.status == 0, "\(again)")
        #expect(try f.record(again)["outcome"] as? String == "pushed-ahead")
        let level = try f.heads()
        #expect(level.team == level.workspace)
    }

    /// A push refused because its remote moved since the fetch starts the run over: here the
    /// application edits the workspace while sync pushes the team's commit into it (from a
    /// pre-push hook, the moment before the push), so the push meets `fetch first` and the
    /// second attempt merges.
    @Test func aRemoteThatMovesDuringTheRunStartsItOver() throws {
        let f = try TwoRemotes("sync-race-restart")
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "https://example.com/a", with: "https://example.com/b") }
        let document = f.ws.scratch.path("app-edit.yml")
        try TwoRemotes.workflow.replacingOccurrences(of: "channel: alerts", with: "channel: oncall")
            .write(toFile: document, atomically: true, encoding: .utf8)
        let marker = f.ws.scratch.path("moved")
        let hook = f.dev.directory.appendingPathComponent(".git/hooks/pre-push").path
        try """
        #!/bin/sh
        cat >/dev/null
        [ -e '\(marker)' ] && exit 0
        touch '\(marker)'
        git workspace app put '\(f.ws.store)#main' --file '\(document)' --author 'App User <app@example.com>' >/dev/null

        """.write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let synced = try f.sync()
        #expect(synced.status == 0, "\(synced)")
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try f.record(synced)["outcome"] as? String == "merged", "\(synced)")
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        let merged = try f.teamFile("main")
        #expect(merged.contains("channel: oncall") && merged.contains("https://example.com/b"), "\(merged)")
    }
}
