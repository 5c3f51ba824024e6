import Foundation
import Testing
import WorkspaceTestSupport

/// A team repository (bare), a workspace store, and a developer clone `dev` with both as
/// remotes: `origin` (the team) and `ws` (the workspace), in step at the start.
struct TwoRemotes {
    let ws: WorkspaceFixture
    let dev: Runner
    let team: String
    static let path = "workflows/triage/definition.yml"
    static let workflow = triageWorkflow

    init(_ label: String) throws {
        ws = try WorkspaceFixture(label)
        try ws.put(Self.workflow)
        try ws.put(appWorkflow(alias: "enrich", title: "Enrich"))
        team = ws.scratch.path("team.git")
        try #require(try ws.run.git("init", "-q", "--bare", "--initial-branch=main", team).status == 0)
        dev = try ws.clone("dev")
        try #require(try dev.git("remote", "rename", "origin", "ws").status == 0)
        try #require(try dev.git("remote", "add", "origin", team).status == 0)
        try #require(try dev.git("push", "-q", "-u", "origin", "main").status == 0)
    }

    /// Another team member's clone of the team repository.
    func teammate(_ name: String = "alice") throws -> Runner {
        let cloned = try ws.run.git("clone", "-q", team, name)
        try #require(cloned.status == 0, "\(cloned)")
        var runner = ws.run
        runner.directory = ws.scratch.url.appendingPathComponent(name)
        return runner
    }

    /// Edits a file in `clone`, commits and pushes it to the team remote.
    func teamEdit(_ clone: Runner, path: String = TwoRemotes.path, _ edit: (String) -> String) throws {
        try ws.write(clone, path, edit(try ws.read(clone, path)))
        try #require(try clone.git("commit", "-qam", "Team edit").status == 0)
        let pushed = try clone.git("push", "-q", "origin", "main")
        try #require(pushed.status == 0, "\(pushed)")
    }

    /// An application-side edit of `triage`.
    func appEdit(_ edit: (String) -> String) throws {
        try ws.put(edit(Self.workflow), author: "App User <app@example.com>")
    }

    /// Makes the team repository refuse pushes (to `only` that ref, or every one) with a
    /// server-side pre-receive hook; it stays readable.
    func refuseTeamPushes(only ref: String? = nil) throws {
        let hook = team + "/hooks/pre-receive"
        let test = ref.map { "while read old new ref; do [ \"$ref\" = \($0) ] && refuse; done\nexit 0\n" } ?? "refuse\n"
        try "#!/bin/sh\nrefuse() { echo 'closed for maintenance' >&2; exit 1; }\n\(test)"
            .write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    }

    /// Takes the hook of `refuseTeamPushes` away.
    func reopenTeam() throws {
        try FileManager.default.removeItem(atPath: team + "/hooks/pre-receive")
    }

    func sync(_ extra: [String] = []) throws -> RunResult {
        try dev.run(["git", "workspace", "sync", "--json"] + extra)
    }

    /// The team remote's and the workspace's `main`.
    func heads() throws -> (team: String?, workspace: String?) {
        func head(_ url: String) throws -> String? {
            let listed = try ws.run.git("ls-remote", url, "refs/heads/main")
            try #require(listed.status == 0, "\(listed)")
            return listed.stdout.split(separator: "\t").first.map(String.init)
        }
        return (try head(team), try head(ws.url))
    }

    /// The parents of the team remote's `main`, in order.
    func parents() throws -> [String] {
        let listed = try ws.run.run(["git", "--git-dir", team, "rev-list", "--parents", "-n1", "main"])
        try #require(listed.status == 0, "\(listed)")
        return listed.stdout.split(separator: " ").dropFirst().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func record(_ result: RunResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    /// A file as a commit of the team repository holds it.
    func teamFile(_ revision: String, _ path: String = TwoRemotes.path) throws -> String {
        let shown = try ws.run.run(["git", "--git-dir", team, "show", "\(revision):\(path)"])
        try #require(shown.status == 0, "\(shown)")
        return shown.stdout
    }
}

struct SyncTests {
    @Test func inSync() throws {
        let f = try TwoRemotes("sync-in")
        let before = try f.heads(), dumped = try f.ws.dump()
        let synced = try f.sync()
        #expect(synced.status == 0, "\(synced)")
        #expect(try f.record(synced)["outcome"] as? String == "in-sync")
        #expect(try f.ws.dump() == dumped)
        #expect(synced.stderr.hasPrefix("sync main: in-sync"), "\(synced)")
        #expect(try f.heads() == before)
        #expect(before.team == before.workspace)
    }

    @Test func fastForwardedPushesTeamCommitsIntoTheWorkspace() throws {
        let f = try TwoRemotes("sync-ff")
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage by Alice") }
        let synced = try f.sync()
        #expect(synced.status == 0, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "fast-forwarded")
        #expect(record["commits"] as? Int == 1)
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        #expect("\(try f.ws.show("triage"))".contains("Triage by Alice"))
    }

    @Test func pushedAheadBringsWorkspaceCommitsToTheTeam() throws {
        let f = try TwoRemotes("sync-ahead")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage from the app") }
        let synced = try f.sync()
        #expect(synced.status == 0, "\(synced)")
        #expect(try f.record(synced)["outcome"] as? String == "pushed-ahead")
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        #expect(try f.teamFile("main").contains("title: Triage from the app"))
        // The app's commit reaches the team with its real author.
        let author = try f.ws.run.run(["git", "--git-dir", f.team, "log", "-1", "--format=%an <%ae>", "main"])
        #expect(author.stdout == "App User <app@example.com>\n")
    }

    /// Both moved without a conflict: one merge commit, the workspace's old tip its first
    /// parent and the team's its second, that both sides fast-forward to. Nothing is
    /// rewritten: a clone of the workspace fetches a fast-forward and every application
    /// commit keeps its id and appears once in the history.
    @Test func mergedEndsBothSidesAtOneMergeOfBothOldHeads() throws {
        let f = try TwoRemotes("sync-merged")
        let watcher = try f.ws.clone("watcher")
        try f.appEdit { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        try f.ws.put("id: enrich\n" + appWorkflow(alias: "enrich", title: "Enrich from the app"))
        let workspaceBefore = try #require(try f.heads().workspace)
        try #require(try watcher.git("pull", "-q", "--ff-only").status == 0)
        let appCommits = try watcher.git("rev-list", "--author=App User", "HEAD").lines
        try #require(appCommits.count == 4, "\(appCommits)")
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "https://example.com/a", with: "https://example.com/b") }
        let teamBefore = try #require(try f.heads().team)

        let synced = try f.sync()
        #expect(synced.status == 0, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "merged", "\(record)")
        #expect(record["commits"] as? Int == 3, "\(record)")
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        #expect(record["mergeCommit"] as? String == heads.team)
        let parents = try f.parents()
        #expect(parents == [workspaceBefore, teamBefore], "\(parents)")
        let merged = try f.teamFile("main")
        #expect(merged.contains("channel: oncall") && merged.contains("https://example.com/b"), "\(merged)")
        #expect("\(try f.ws.show("triage"))".contains("example.com/b"))

        // The workspace's clone sees a fast-forward, and each app commit once, unchanged.
        let fetched = try watcher.git("fetch", "origin")
        #expect(fetched.status == 0, "\(fetched)")
        #expect(!fetched.stderr.contains("forced update"), "\(fetched)")
        let mergeID = try #require(heads.workspace)
        #expect(fetched.stderr.contains("\(workspaceBefore.prefix(7))..\(mergeID.prefix(7))  main"), "\(fetched)")
        #expect(try watcher.git("log", "--format=%H", "--author=App User", "origin/main").lines == appCommits)
        let teamLog = try f.ws.run.run(["git", "--git-dir", f.team, "log", "--format=%H", "--author=App User", "main"])
        #expect(teamLog.lines == appCommits, "\(teamLog)")
        // And the team's clone too.
        let teamFetch = try alice.git("fetch", "origin")
        #expect(teamFetch.status == 0 && !teamFetch.stderr.contains("forced update"), "\(teamFetch)")
        #expect(try f.record(try f.sync())["outcome"] as? String == "in-sync")
    }

    /// Both moved without a conflict as a whole, though the workspace's commits taken one
    /// by one would not apply (an edit made and undone while the team changed that key):
    /// the merge is of the tips, so that makes no difference.
    @Test func mergedWhenTheWorkspaceEditsWouldNotReplayOneByOne() throws {
        let f = try TwoRemotes("sync-merged-undone")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Briefly") }
        try f.appEdit { $0 }
        try f.ws.put("id: enrich\n" + appWorkflow(alias: "enrich", title: "Enrich from the app"))
        let workspaceBefore = try #require(try f.heads().workspace)
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage", with: "title: Team title") }
        let teamBefore = try #require(try f.heads().team)
        let synced = try f.sync()
        #expect(synced.status == 0, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "merged", "\(record)")
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        let parents = try f.parents()
        #expect(parents == [workspaceBefore, teamBefore], "\(parents)")
        #expect(try f.teamFile("main").contains("title: Team title"))
        #expect(try f.teamFile("main", "workflows/enrich/definition.yml").contains("Enrich from the app"))
        #expect("\(try f.ws.show("enrich"))".contains("Enrich from the app"))
    }

    @Test func conflictEscapedSavesTheWorkspaceSideAndLevelsToTheTeam() throws {
        let f = try TwoRemotes("sync-conflict")
        try f.ws.put("id: enrich\n" + appWorkflow(alias: "enrich", title: "Enrich from the app"))
        try f.appEdit { $0.replacingOccurrences(of: "channel: alerts", with: "channel: oncall") }
        let workspaceBefore = try #require(try f.heads().workspace)
        try #require(try f.dev.git("fetch", "-q", "ws").status == 0)
        let appFile = try f.dev.git("show", "ws/main:\(TwoRemotes.path)").stdout
        #expect(appFile.contains("channel: oncall"))
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "channel: alerts", with: "channel: pager") }
        let teamBefore = try #require(try f.heads().team)
        let synced = try f.sync()
        #expect(synced.status == 3, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "conflict-escaped")
        let branch = try #require(record["conflictBranch"] as? String)
        #expect(branch.range(of: #"^conflicts/\d{8}T\d{6}Z$"#, options: .regularExpression) != nil, "\(branch)")
        let conflicts = try #require(record["conflicts"] as? [[String: Any]])
        #expect(conflicts.map { $0["path"] as? String } == [TwoRemotes.path])

        // The workspace edit is on the team remote, byte for byte.
        let saved = try f.ws.run.run(["git", "--git-dir", f.team, "rev-parse", branch]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(saved == workspaceBefore)
        #expect(try f.teamFile(branch) == appFile)

        // Both sides are now the team's state, reached by a merge commit: no force push.
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
        let parents = try f.parents()
        #expect(parents == [workspaceBefore, teamBefore], "\(parents)")
        #expect(try f.teamFile("main") == f.teamFile(teamBefore))
        #expect("\(try f.ws.show("triage"))".contains("pager"))
        // The workspace edit that conflicts with nothing is kept on both sides.
        #expect(try f.teamFile("main", "workflows/enrich/definition.yml").contains("title: Enrich from the app"))
        #expect("\(try f.ws.show("enrich"))".contains("Enrich from the app"))
        // And the next run finds nothing to do.
        #expect(try f.record(try f.sync())["outcome"] as? String == "in-sync")
    }

    @Test func fetchFailedChangesNothing() throws {
        let f = try TwoRemotes("sync-fetch")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Moved") }
        let before = try f.heads(), dumped = try f.ws.dump()
        try #require(try f.dev.git("remote", "set-url", "origin", f.ws.scratch.path("gone.git")).status == 0)
        let synced = try f.sync()
        #expect(synced.status == 4, "\(synced)")
        #expect(try f.record(synced)["outcome"] as? String == "fetch-failed")
        #expect(synced.stderr.contains("cannot fetch main from origin"), "\(synced)")
        #expect(try f.heads() == before)
        #expect(try f.ws.dump() == dumped)
    }

    @Test func aTeamCommitTheWorkspaceRefusesIsReportedAndChangesNothing() throws {
        let f = try TwoRemotes("sync-refused")
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "ref: notify", with: "ref: fetch") }  // duplicate ref
        let dumped = try f.ws.dump()
        let synced = try f.sync()
        #expect(synced.status == 1, "\(synced)")
        let record = try f.record(synced)
        #expect(record["outcome"] as? String == "refused")
        let failed = try #require(record["failedPush"] as? [String: Any], "\(record)")
        #expect(failed["remote"] as? String == "ws")
        #expect(failed["summary"] as? String == "[remote rejected]")
        #expect((failed["output"] as? [String])?.contains { $0.hasPrefix("workflows/triage/definition.yml:") } == true, "\(record)")
        #expect(synced.stderr.contains("\n    workflows/triage/definition.yml:"), "\(synced)")
        #expect(try f.ws.dump() == dumped)
    }

    @Test func aSecondRunWhileTheLockIsHeldIsBusy() throws {
        let f = try TwoRemotes("sync-busy")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Moved") }
        let before = try f.heads()
        // flock(1) holds the lock while it runs sync, which must find it taken.
        let lock = f.ws.scratch.path("dev/.git/workspace-sync.lock")
        let synced = try f.dev.run(["flock", lock, "git", "workspace", "sync", "--json"])
        #expect(synced.status == 5, "\(synced)")
        #expect(try f.record(synced)["outcome"] as? String == "busy")
        #expect(try f.heads() == before)
    }

    @Test func twoConcurrentRunsLeaveBothSidesConsistent() throws {
        let f = try TwoRemotes("sync-race")
        try f.appEdit { $0.replacingOccurrences(of: "title: Triage", with: "title: Moved") }
        let results = Locked<[RunResult]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            if let result = try? f.sync() { results.mutate { $0.append(result) } }
        }
        let statuses = results.value.map(\.status).sorted()
        #expect(statuses.count == 2)
        #expect(statuses.allSatisfy { $0 == 0 || $0 == 5 }, "\(results.value)")
        #expect(statuses.contains(0))
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)
    }

    /// The team's workflow: a merge pulled from the team remote flows into the workspace by
    /// itself through the post-merge hook when workspace.autosync is on.
    @Test func pullingATeamChangeAutoSyncsItIntoTheWorkspace() throws {
        let f = try TwoRemotes("sync-auto")
        let installed = try f.dev.run(["git", "workspace", "install-hooks"])
        try #require(installed.status == 0, "\(installed)")
        try #require(try f.dev.git("config", "workspace.autosync", "true").status == 0)
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage reviewed") }
        #expect(!"\(try f.ws.show("triage"))".contains("Triage reviewed"))
        let pulled = try f.dev.git("pull", "--no-rebase", "origin", "main")
        #expect(pulled.status == 0, "\(pulled)")
        #expect(pulled.stderr.contains("sync main: fast-forwarded"), "\(pulled)")
        #expect("\(try f.ws.show("triage"))".contains("Triage reviewed"))
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)

        // With autosync off, the same kind of pull leaves the workspace alone.
        try #require(try f.dev.git("config", "workspace.autosync", "false").status == 0)
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage reviewed", with: "title: Triage again") }
        #expect(try f.dev.git("pull", "--no-rebase", "origin", "main").status == 0)
        #expect(!"\(try f.ws.show("triage"))".contains("Triage again"))
    }

    /// `git pull --rebase` over a local commit rebases, which runs post-rewrite, not
    /// post-merge: with autosync on, that syncs the team's change into the workspace. An
    /// amend rewrites too, and syncs nothing.
    @Test func pullingWithRebaseAutoSyncsAndAmendingDoesNot() throws {
        let f = try TwoRemotes("sync-auto-rebase")
        let installed = try f.dev.run(["git", "workspace", "install-hooks"])
        try #require(installed.status == 0, "\(installed)")
        try #require(try f.dev.git("config", "workspace.autosync", "true").status == 0)
        // A local commit the team does not have yet, so that the pull really rebases.
        try f.ws.write(f.dev, "NOTES.md", "local notes\n")
        try #require(try f.dev.git("add", "NOTES.md").status == 0)
        try #require(try f.dev.git("commit", "-qm", "Local notes").status == 0)
        let alice = try f.teammate()
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage reviewed") }

        let pulled = try f.dev.git("pull", "--rebase", "origin", "main")
        #expect(pulled.status == 0, "\(pulled)")
        #expect(pulled.stderr.contains("post-rewrite: workspace.autosync: git workspace sync"), "\(pulled)")
        #expect(pulled.stderr.contains("sync main: fast-forwarded"), "\(pulled)")
        #expect("\(try f.ws.show("triage"))".contains("Triage reviewed"))
        let heads = try f.heads()
        #expect(heads.team == heads.workspace)

        // The team moves again; an amend of the local commit must not carry that anywhere.
        try f.teamEdit(alice) { $0.replacingOccurrences(of: "title: Triage reviewed", with: "title: Triage again") }
        let dumped = try f.ws.dump()
        try f.ws.write(f.dev, "NOTES.md", "local notes, amended\n")
        let amended = try f.dev.git("commit", "-q", "-a", "--amend", "--no-edit")
        #expect(amended.status == 0, "\(amended)")
        #expect(!amended.stderr.contains("workspace sync"), "\(amended)")
        #expect(try f.ws.dump() == dumped)
    }

    @Test func noWorkspaceRemoteIsAClearError() throws {
        let f = try TwoRemotes("sync-none")
        try #require(try f.dev.git("remote", "remove", "ws").status == 0)
        let synced = try f.sync()
        #expect(synced.status == 2, "\(synced)")
        #expect(synced.stderr.contains("no workspace remote"), "\(synced)")
    }
}

/// A value shared between threads of a test.
final class Locked<T>: @unchecked Sendable {
    private var stored: T
    private let lock = NSLock()
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}
