import Foundation
import Testing
import WorkspaceTestSupport

/// `git workspace status`: one story per class, each built for it, through real git and a
/// real store (an application edit is `app put`).
@Suite struct StatusTests {
    static let path = "workflows/triage/definition.yml"

    /// The application's version of `triage`, two actions whose arguments the stories edit.
    static func triage(method: String = "GET", channel: String = "general", title: String = "Triage") -> String {
        """
        id: triage
        type: workflow
        definition:
          title: \(title)
          actions:
            - ref: fetch
              action: core.http_request
              args: {url: "https://example.com/alerts", method: \(method)}
            - ref: notify
              action: core.noop
              depends_on: [fetch]
              args: {channel: \(channel)}

        """
    }

    /// A store with `triage` and a second workflow, and a clone `c` of it.
    func cloned() throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture("status")
        try ws.put(Self.triage())
        try ws.put(appWorkflow(title: "Enrich"))
        return (ws, try ws.clone("c"))
    }

    /// Edits the clone's copy of `triage` (not committed).
    func edit(_ ws: WorkspaceFixture, _ clone: Runner, _ change: (String) -> String) throws {
        try ws.write(clone, Self.path, change(try ws.read(clone, Self.path)))
    }

    func status(_ clone: Runner, _ arguments: String...) throws -> RunResult {
        try clone.run(["git", "workspace", "status"] + arguments)
    }

    @Test func aCloneIsInSync() throws {
        let (_, clone) = try cloned()
        let result = try status(clone)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "everything is in sync\n")
    }

    @Test func aLocalEditIsLocalDirtyCommittedOrNot() throws {
        let (ws, clone) = try cloned()
        try edit(ws, clone) { $0.replacingOccurrences(of: "method: GET", with: "method: POST") }
        let unstaged = try status(clone)
        #expect(unstaged.status == 0, "\(unstaged)")
        #expect(unstaged.stdout == "local_dirty  \(Self.path)\n1 local_dirty\n")
        try clone.git("add", "-A")
        #expect(try status(clone).stdout == unstaged.stdout)
        try clone.git("commit", "-qm", "POST")
        #expect(try status(clone).stdout == unstaged.stdout)
        // A new file nobody has added yet is part of the work tree too.
        try ws.write(clone, "workflows/fresh/definition.yml", "version: 1\ntype: workflow\nid: fresh\ndefinition:\n  title: Fresh\n  actions:\n  - ref: a\n    action: core.noop\n")
        #expect(try status(clone).stdout == "local_dirty  workflows/fresh/definition.yml\nlocal_dirty  \(Self.path)\n2 local_dirty\n")
    }

    @Test func anApplicationEditAfterTheCloneIsRemoteAhead() throws {
        let (ws, clone) = try cloned()
        try ws.put(Self.triage(channel: "alerts"))
        let result = try status(clone)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "remote_ahead  \(Self.path)\n1 remote_ahead\n")
    }

    @Test func editsToDifferentActionsOnBothSidesAreDiverged() throws {
        let (ws, clone) = try cloned()
        try edit(ws, clone) { $0.replacingOccurrences(of: "method: GET", with: "method: POST") }
        try ws.put(Self.triage(channel: "alerts"))
        let result = try status(clone)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "diverged  \(Self.path)\n1 diverged\n")
    }

    @Test func theSameKeyEditedBothWaysIsConflicted() throws {
        let (ws, clone) = try cloned()
        try edit(ws, clone) { $0.replacingOccurrences(of: "channel: general", with: "channel: ours") }
        try clone.git("commit", "-qam", "ours")
        try ws.put(Self.triage(channel: "app"))
        let result = try status(clone)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == """
            conflicted  \(Self.path)
                definition.actions[ref=notify].args.channel: ours "ours", theirs "app"
            1 conflicted

            """)
    }

    @Test func theSameChangeInOtherWordsIsClean() throws {
        let (ws, clone) = try cloned()
        try ws.put(Self.triage(title: "Triage alerts"))
        // Our words: a comment, quotes, flow style, a spelled-out default, our own key order.
        try edit(ws, clone) { _ in """
            # Retitled by hand.
            version: 1
            id: triage
            type: workflow
            definition:
              actions:
              - {ref: fetch, action: core.http_request, args: {method: GET, url: "https://example.com/alerts"}}
              - ref: notify
                action: core.noop
                join_strategy: all
                depends_on: [fetch]
                args: {channel: general}
              title: "Triage alerts"

            """ }
        let result = try status(clone)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "clean  \(Self.path)\neverything is in sync\n")
    }

    @Test func aRenameIsOneResourceRemovedAndOneAdded() throws {
        let (ws, clone) = try cloned()
        try clone.git("mv", "workflows/triage", "workflows/triage-v2")
        let moved = "workflows/triage-v2/definition.yml"
        try ws.write(clone, moved, try ws.read(clone, moved).replacingOccurrences(of: "id: triage", with: "id: triage-v2"))
        let result = try status(clone, "--json")
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let resources = try #require(object["resources"] as? [[String: Any]])
        // In path order (bytes: '-' sorts before '/').
        #expect(resources.map { [$0["status"] as? String, $0["path"] as? String, ($0["details"] as? [String])?.first] } == [
            ["local_dirty", moved, "added in the repository"],
            ["local_dirty", Self.path, "deleted in the repository"],
        ])
    }

    @Test func jsonSaysWhereEverythingStands() throws {
        let (ws, clone) = try cloned()
        try edit(ws, clone) { $0.replacingOccurrences(of: "channel: general", with: "channel: ours") }
        try ws.put(Self.triage(channel: "app"))
        let result = try status(clone, "--json")
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("warning"), "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["branch", "remote", "tracking_ref", "fetched", "commits", "resources", "counts", "in_sync"])
        #expect(object["branch"] as? String == "main")
        #expect(object["remote"] as? String == "origin")
        #expect(object["tracking_ref"] as? String == "refs/remotes/origin/main")
        #expect(object["fetched"] as? Bool == true)
        #expect(object["in_sync"] as? Bool == false)
        func rev(_ name: String) throws -> String { try clone.git("rev-parse", name).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        let commits = try #require(object["commits"] as? [String: Any])
        #expect(commits["local"] as? String == (try rev("HEAD")))
        #expect(commits["remote"] as? String == (try rev("origin/main")))
        #expect(commits["base"] as? String == (try rev("HEAD")))
        #expect(commits["remote"] as? String != commits["base"] as? String)
        let resources = try #require(object["resources"] as? [[String: Any]])
        #expect(resources.count == 1)
        #expect(resources.first?["path"] as? String == Self.path)
        #expect(resources.first?["kind"] as? String == "workflow")
        #expect(resources.first?["id"] as? String == "triage")
        #expect(resources.first?["status"] as? String == "conflicted")
        #expect(resources.first?["details"] as? [String] == [#"definition.actions[ref=notify].args.channel: ours "ours", theirs "app""#])
        #expect(object["counts"] as? [String: Int] == ["clean": 0, "local_dirty": 0, "remote_ahead": 0, "diverged": 0, "conflicted": 1])
    }

    @Test func noFetchReadsTheLastFetchedStateAndAFailedFetchFallsBackToIt() throws {
        let (ws, clone) = try cloned()
        try ws.put(Self.triage(channel: "alerts"))
        #expect(try status(clone, "--no-fetch").stdout == "everything is in sync\n")
        #expect(try status(clone).stdout == "remote_ahead  \(Self.path)\n1 remote_ahead\n")
        #expect(try status(clone, "--no-fetch").stdout == "remote_ahead  \(Self.path)\n1 remote_ahead\n")

        // The store goes away: the fetch fails, status says so and reports the last fetched state.
        ws.skipFsckAtEnd("the store is taken away")
        try TestStore.takeAway(ws.store, runner: ws.run)
        let offline = try status(clone, "--json")
        #expect(offline.status == 0, "\(offline)")
        #expect(offline.stderr.contains("warning: fetching main from origin failed (exit 128)"), "\(offline)")
        #expect(offline.stderr.contains("using the last fetched state of refs/remotes/origin/main"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(offline.stdout.utf8)) as? [String: Any])
        #expect(object["fetched"] as? Bool == false)
        #expect((object["counts"] as? [String: Int])?["remote_ahead"] == 1)
    }

    @Test func theRemoteIsTheArgumentTheConfigOrTheOnlyWorkspaceRemote() throws {
        let (ws, clone) = try cloned()
        let plain = try ScratchDirectory("status-plain")
        let repository = Runner(scratch: plain)
        try repository.git("init", "-q")
        let none = try repository.run(["git", "workspace", "status"])
        #expect(none.status == 2, "\(none)")
        #expect(none.stderr.contains("no workspace remote: no remote's URL starts with workspace::"), "\(none)")
        #expect(none.stdout.isEmpty)

        try clone.git("remote", "add", "staging", ws.url)
        let several = try status(clone)
        #expect(several.status == 2)
        #expect(several.stderr.contains("several workspace remotes (origin, staging)"), "\(several)")
        #expect(try status(clone, "origin").stdout == "everything is in sync\n")
        try clone.git("config", "workspace.remote", "origin")
        #expect(try status(clone).stdout == "everything is in sync\n")
        let unknown = try status(clone, "nowhere")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no remote named 'nowhere'"))
        #expect(try status(clone, "--bogus").status == 64)
        // Set twice, the last value counts (as `git config --get` says), and it must name a remote.
        try clone.git("config", "--add", "workspace.remote", "gone")
        let gone = try status(clone)
        #expect(gone.status == 2 && gone.stderr.contains("no remote named 'gone' (from workspace.remote)"), "\(gone)")
    }

    @Test func aDetachedHeadNeedsABranch() throws {
        let (_, clone) = try cloned()
        try clone.git("checkout", "-q", "--detach")
        let detached = try status(clone)
        #expect(detached.status == 2)
        #expect(detached.stderr.contains("HEAD is detached"))
        #expect(try status(clone, "--branch", "main").stdout == "everything is in sync\n")
    }
}
