import Foundation
import Testing
import WorkspaceTestSupport

/// git's own remote-helper test script (t/t5801-remote-helpers.sh), carried over to
/// `git-remote-workspace`: a fetch/push helper (no import/export, marks, tags or `refspec`
/// capability), driven through real git and, for the protocol's exact bytes, by hand.
/// Each test names the t5801 case it adapts, or says it is our own.
@Suite struct RemoteHelperProtocolTests {
    static let zeros = String(repeating: "0", count: 40)

    // MARK: - Cloning and listing

    // t5801 "setup repository" + "cloning from local repo".
    @Test func cloneChecksOutTheWorkspace() throws {
        let f = try RemoteFixture()
        try f.clone()
        let file = try String(contentsOfFile: f.scratch.path("local/workflows/triage/definition.yml"), encoding: .utf8)
        #expect(file.contains("title: Triage"), "\(file)")
        let head = try #require(try f.rev("HEAD"))
        #expect(try f.remoteRefs()["refs/heads/main"] == head)
        #expect(try f.rev("refs/remotes/origin/main") == head)
        let author = try f.runner.git("log", "-1", "--format=%an <%ae>", in: "local")
        #expect(author.stdout == "App User <app@example.com>\n")
        #expect(try f.runner.git("symbolic-ref", "HEAD", in: "local").stdout == "refs/heads/main\n")
    }

    // Our own (t5801 has no empty-remote case): an unborn workspace clones as an empty repository.
    @Test func cloneOfUnbornWorkspaceIsEmptyRepository() throws {
        let f = try RemoteFixture(empty: true)
        let cloned = try f.clone("empty")
        #expect(cloned.stderr.contains("You appear to have cloned an empty repository."), "\(cloned)")
        #expect(try f.rev("HEAD", in: "empty") == nil)
        #expect(try f.remoteRefs().isEmpty)
        // The first app-side change then arrives with a plain fetch.
        try f.appPut(title: "Later")
        let fetched = try f.runner.git("fetch", in: "empty")
        #expect(fetched.status == 0, "\(fetched)")
        let remote = try #require(try f.remoteRefs()["refs/heads/main"])
        #expect(try f.rev("refs/remotes/origin/main", in: "empty") == remote)
    }

    // t5801 "clone with remote.*.vcs config": the helper is chosen by config, the URL is a bare path.
    @Test func cloneWithRemoteVcsConfig() throws {
        let f = try RemoteFixture()
        let cloned = try f.runner.run(["git", "clone", "-c", "remote.origin.vcs=workspace", f.store, "vcs-clone"],
                                      extraEnvironment: ["GIT_TRACE": "1"])
        #expect(cloned.status == 0, "\(cloned)")
        #expect(cloned.stderr.contains("git-remote-workspace"), "the trace should show the helper being run")
        #expect(try f.rev("HEAD", in: "vcs-clone") == f.remoteRefs()["refs/heads/main"])
    }

    // t5801 "fetch with configured remote.*.vcs".
    @Test func fetchWithConfiguredRemoteVcs() throws {
        let f = try RemoteFixture()
        try #require(try f.runner.git("init", "-q", "vcs-fetch").status == 0)
        try f.runner.git("config", "remote.origin.vcs", "workspace", in: "vcs-fetch")
        try f.runner.git("config", "remote.origin.url", f.store, in: "vcs-fetch")
        let fetched = try f.runner.run(["git", "fetch", "origin"], in: "vcs-fetch", extraEnvironment: ["GIT_TRACE": "1"])
        #expect(fetched.status == 0, "\(fetched)")
        #expect(fetched.stderr.contains("git-remote-workspace"))
        #expect(try f.rev("FETCH_HEAD", in: "vcs-fetch") == f.remoteRefs()["refs/heads/main"])
    }

    // Our own: `git ls-remote workspace::…` with no repository anywhere (the helper gets no GIT_DIR).
    @Test func lsRemoteOutsideAnyRepository() throws {
        let f = try RemoteFixture()
        try f.initWorkspace("staging")  // unborn: not listed
        let listed = try f.runner.run(["git", "ls-remote", f.url], extraEnvironment: [
            "GIT_CEILING_DIRECTORIES": f.scratch.url.deletingLastPathComponent().path,
        ])
        #expect(listed.status == 0, "\(listed)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(listed)")
        let oid = try #require(lines.first?.split(separator: "\t").first.map(String.init))
        #expect(oid.count == 40)
        #expect(lines == ["\(oid)\trefs/heads/main", "\(oid)\tHEAD"])
    }

    // MARK: - Fetching and pulling

    // t5801 "create new commit on remote" + our own fetch check: an app-side change is fetched as a commit.
    @Test func fetchAfterAppSideChange() throws {
        let f = try RemoteFixture()
        try f.clone()
        let before = try #require(try f.rev("HEAD"))
        try f.appPut(title: "Triage two")
        let fetched = try f.runner.git("fetch", in: "local")
        #expect(fetched.status == 0, "\(fetched)")
        #expect(fetched.stderr.contains("main       -> origin/main"), "\(fetched)")
        let after = try #require(try f.rev("refs/remotes/origin/main"))
        #expect(after != before)
        #expect(after == (try f.remoteRefs()["refs/heads/main"]))
        #expect(try f.rev("refs/remotes/origin/main~1") == before)
    }

    // t5801 "pulling from local repo".
    @Test func pullBringsAppSideChange() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "Pulled title")
        let pulled = try f.runner.git("pull", in: "local")
        #expect(pulled.status == 0, "\(pulled)")
        let file = try String(contentsOfFile: f.scratch.path("local/workflows/triage/definition.yml"), encoding: .utf8)
        #expect(file.contains("title: Pulled title"), "\(file)")
        #expect(try f.rev("HEAD") == f.remoteRefs()["refs/heads/main"])
    }

    // t5801 "fetch new branch": a workspace that appears later is fetched by name into FETCH_HEAD.
    @Test func fetchNewBranchByName() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("staging")
        try f.appPut(title: "Staging only", workspace: "staging")
        let fetched = try f.runner.git("fetch", "origin", "staging", in: "local")
        #expect(fetched.status == 0, "\(fetched)")
        let staging = try #require(try f.remoteRefs()["refs/heads/staging"])
        #expect(try f.rev("FETCH_HEAD") == staging)
    }

    // t5801 "fetch multiple branches".
    @Test func fetchMultipleBranches() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("staging")
        try f.appPut(title: "Staging only", workspace: "staging")
        try f.appPut(title: "Main moved")
        let fetched = try f.runner.git("fetch", in: "local")
        #expect(fetched.status == 0, "\(fetched)")
        let refs = try f.remoteRefs()
        #expect(refs["refs/heads/main"] != nil && refs["refs/heads/staging"] != nil)
        #expect(try f.rev("refs/remotes/origin/main") == refs["refs/heads/main"])
        #expect(try f.rev("refs/remotes/origin/staging") == refs["refs/heads/staging"])
    }

    // Our own: one fetch of two workspaces whose new commits share history (staging was
    // branched from main's new commit), into a clone that has main's older commit and into a
    // new clone (which also asks for HEAD: a second line for main's commit). The pack holds
    // each object once and the repositories are whole.
    @Test func fetchOfWorkspacesSharingNewHistory() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "Main moved")
        try f.initWorkspace("staging")
        try f.clone("writer")
        try #require(try f.runner.git("push", "-q", "origin", "main:staging", in: "writer").status == 0)
        try f.appPut(title: "Staging only", workspace: "staging")
        let refs = try f.remoteRefs()
        let main = try #require(refs["refs/heads/main"]), staging = try #require(refs["refs/heads/staging"])

        let fetched = try f.runner.git("fetch", in: "local")
        #expect(fetched.status == 0, "\(fetched)")
        #expect(try f.rev("\(staging)^") == main)
        try f.clone("fresh")
        for directory in ["local", "fresh"] {
            #expect(try f.rev("refs/remotes/origin/main", in: directory) == main)
            #expect(try f.rev("refs/remotes/origin/staging", in: directory) == staging)
            let fsck = try f.runner.git("fsck", "--full", "--strict", "--no-dangling", in: directory)
            #expect(fsck.status == 0 && fsck.stdout.isEmpty, "\(directory): \(fsck)")
        }
        // The clone's one pack: as many objects as its refs reach, none twice.
        let reached = try f.runner.git("rev-list", "--objects", "--all", in: "fresh").stdout.split(separator: "\n").count
        let counted = try f.runner.git("count-objects", "-v", in: "fresh").stdout
        #expect(counted.contains("in-pack: \(reached)\n") && counted.contains("packs: 1\n"), "\(counted) (\(reached) reached)")
    }

    // t5801 "fetch HEAD".
    @Test func fetchHead() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "More")
        let fetched = try f.runner.git("fetch", "origin", "HEAD", in: "local")
        #expect(fetched.status == 0, "\(fetched)")
        #expect(try f.rev("FETCH_HEAD") == f.remoteRefs()["refs/heads/main"])
    }

    // t5801 "fetch url": fetching by URL rather than by remote name.
    @Test func fetchByURL() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "More")
        let fetched = try f.runner.git("fetch", f.url, in: "local")
        #expect(fetched.status == 0, "\(fetched)")
        #expect(try f.rev("FETCH_HEAD") == f.remoteRefs()["refs/heads/main"])
    }

    // Our own: `git fetch --progress` shows the helper's progress; `--quiet` prints nothing.
    @Test func fetchProgressAndQuiet() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "Progress")
        let loud = try f.runner.git("fetch", "--progress", in: "local")
        #expect(loud.status == 0, "\(loud)")
        #expect(loud.stderr.contains("Receiving objects: 100%"), "\(loud)")
        #expect(loud.stderr.contains(", done.\n"), "\(loud)")
        #expect(try f.rev("refs/remotes/origin/main") == f.remoteRefs()["refs/heads/main"])

        try f.appPut(title: "Quiet")
        let quiet = try f.runner.git("fetch", "--quiet", in: "local")
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stderr == "", "\(quiet)")
        #expect(quiet.stdout == "")
        #expect(try f.rev("refs/remotes/origin/main") == f.remoteRefs()["refs/heads/main"])
    }

    // t5801 "proper failure checks for fetching": a fetch that cannot reach the store fails loudly.
    @Test func fetchFailureIsReported() throws {
        let f = try RemoteFixture()
        try f.clone()
        let before = try f.rev("refs/remotes/origin/main")
        f.skipFsckAtEnd("the store is taken away")
        try TestStore.takeAway(f.store, runner: f.runner)
        let fetched = try f.runner.run(["timeout", "60", "git", "fetch"], in: "local")
        #expect(fetched.status != 0 && fetched.status != 124, "\(fetched)")
        let said = TestStore.isPostgres ? "cannot connect to the PostgreSQL store \(f.store)" : "no workspace store at '\(f.store)'"
        #expect(fetched.stderr.contains(said), "\(fetched)")
        #expect(try f.rev("refs/remotes/origin/main") == before)
    }

    // MARK: - Pushing

    // t5801 "pushing to local repo".
    @Test func pushImportsTheCommit() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.commitTitle("Triage three")
        let pushed = try f.runner.git("push", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("main -> main"), "\(pushed)")
        let head = try f.rev("HEAD")
        #expect(try f.remoteRefs()["refs/heads/main"] == head)
        #expect(try f.appTitle() == "Triage three")
    }

    // t5801 "push update refs" (its private refs are export-only; here: the remote-tracking ref moves).
    @Test func pushUpdatesRemoteTrackingRef() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.commitTitle("Tracked")
        #expect(try f.runner.git("push", "origin", "main", in: "local").status == 0)
        #expect(try f.rev("refs/remotes/origin/main") == f.rev("HEAD"))
    }

    // t5801 "push when remote has extra refs".
    @Test func pushWhenStoreHasOtherWorkspaces() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("staging")
        try f.appPut(title: "Staging only", workspace: "staging")
        try f.commitTitle("Main only")
        let pushed = try f.runner.git("push", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        let refs = try f.remoteRefs()
        #expect(refs["refs/heads/main"] == (try f.rev("HEAD")))
        #expect(try f.appTitle(workspace: "staging") == "Staging only")
    }

    // t5801 "push new branch by name": a branch needs its workspace, made with `init --workspace`.
    @Test func pushNewBranchByName() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("new-name")
        try #require(try f.runner.git("checkout", "-q", "-b", "new-name", in: "local").status == 0)
        try f.commitTitle("Seven", in: "local")
        let pushed = try f.runner.git("push", "origin", "new-name", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("[new branch]"), "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/new-name"] == f.rev("HEAD"))
        #expect(try f.appTitle(workspace: "new-name") == "Seven")
        #expect(try f.appTitle() == "Triage")
    }

    // t5801 "push new branch with old:new refspec".
    @Test func pushNewBranchWithOldNewRefspec() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("staging")
        let pushed = try f.runner.git("push", "origin", "main:staging", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/staging"] == f.rev("main"))
    }

    // t5801 "push new branch with HEAD:new refspec".
    @Test func pushNewBranchWithHeadRefspec() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("staging")
        try f.commitTitle("From HEAD")
        let pushed = try f.runner.git("push", "origin", "HEAD:refs/heads/staging", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/staging"] == f.rev("HEAD"))
        #expect(try f.appTitle(workspace: "staging") == "From HEAD")
    }

    // Our own (also the failing half of t5801 "push new branch by name"): no such workspace.
    @Test func pushToMissingWorkspaceIsRefusedPerRef() throws {
        let f = try RemoteFixture()
        try f.clone()
        let before = try f.remoteRefs()
        let pushed = try f.runner.git("push", "origin", "main:refs/heads/nosuch", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [remote rejected] main -> nosuch (no workspace 'nosuch' in this store"), "\(pushed)")
        #expect(!pushed.stderr.contains("fatal"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
    }

    // t5801 "push delete branch": deleting a workspace branch is refused, the branch stays.
    @Test func pushDeleteBranchIsRefused() throws {
        let f = try RemoteFixture()
        try f.clone()
        let before = try f.remoteRefs()
        let pushed = try f.runner.git("push", "origin", ":main", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [remote rejected] main (deleting a workspace branch is not supported)"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "Triage")
    }

    // t5801 "forced push": an amended commit replaces the branch with --force.
    @Test
    func forcedPush() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.commitTitle("Eight")
        #expect(try f.runner.git("push", "origin", "main", in: "local").status == 0)
        try f.scratch.write("local/workflows/triage/definition.yml", RemoteFixture.triage(title: "Eight modified"))
        #expect(try f.runner.git("commit", "-qa", "--amend", "-m", "eight-modified", in: "local").status == 0)
        let pushed = try f.runner.git("push", "--force", "origin", "main", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("(forced update)"), "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/main"] == f.rev("HEAD"))
        #expect(try f.appTitle() == "Eight modified")

        // A forced push never overwrites workspace history the pusher has not fetched.
        try f.scratch.write("other.yml", RemoteFixture.triage(title: "App side"))
        #expect(try f.runner.run(["git", "workspace", "app", "put", f.store, "--file", f.scratch.path("other.yml")]).status == 0)
        try f.scratch.write("local/workflows/triage/definition.yml", RemoteFixture.triage(title: "Nine"))
        #expect(try f.runner.git("commit", "-qa", "-m", "nine", in: "local").status == 0)
        let blind = try f.runner.git("push", "--force", "origin", "main", in: "local")
        #expect(blind.status != 0)
        #expect(blind.stderr.contains("(fetch first)"), "\(blind)")
        #expect(try f.appTitle() == "App side")
    }

    // t5801 "push all with existing object": --all pushes a branch whose commit the store already has.
    @Test func pushAllWithExistingObject() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("dup2")
        try f.runner.git("branch", "dup2", "main", in: "local")
        let pushed = try f.runner.git("push", "origin", "--all", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/dup2"] == f.rev("dup2"))
        #expect(try f.appTitle(workspace: "dup2") == "Triage")
    }

    // t5801 "push ref with existing object".
    @Test func pushRefWithExistingObject() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("dup")
        try f.runner.git("branch", "dup", "main", in: "local")
        let pushed = try f.runner.git("push", "origin", "dup", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/dup"] == f.rev("dup"))
    }

    // t5801 "push signed tag" (tags are not supported here): a tag push is refused per ref, cleanly.
    @Test func pushTagIsRefused() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.runner.git("tag", "v1.0", in: "local")
        let pushed = try f.runner.git("push", "origin", "v1.0", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [remote rejected] v1.0 -> v1.0 (only branches (refs/heads/<workspace>) can be pushed)"), "\(pushed)")
        #expect(!pushed.stderr.contains("fatal"), "\(pushed)")
    }

    // t5801 "push messages": "[new branch]" on the first push to a workspace, not on the next.
    @Test func pushMessages() throws {
        let f = try RemoteFixture(empty: true)
        try f.clone("local")
        try f.commitTitleInFreshClone("First")
        let first = try f.runner.git("push", "origin", "main", in: "local")
        #expect(first.status == 0, "\(first)")
        #expect(first.stderr.contains("* [new branch]      main -> main"), "\(first)")
        try #require(try f.runner.git("fetch", "origin", in: "local").status == 0)
        try f.commitTitle("Second")
        let second = try f.runner.git("push", "origin", "main", in: "local")
        #expect(second.status == 0, "\(second)")
        #expect(!second.stderr.contains("[new branch]"), "\(second)")
        #expect(second.stderr.contains("main -> main"), "\(second)")
    }

    // t5801 "proper failure checks for pushing" (its marks are export-only): a refused import changes nothing.
    @Test func invalidPushChangesNothing() throws {
        let f = try RemoteFixture()
        try f.clone()
        let before = try f.remoteRefs()
        try f.scratch.write("local/workflows/triage/definition.yml", "version: 1\ntype: workflow\nid: other\n")
        try #require(try f.runner.git("commit", "-qam", "broken", in: "local").status == 0)
        let pushed = try f.runner.git("push", "origin", "main", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [remote rejected] main -> main ("), "\(pushed)")
        #expect(pushed.stderr.contains("workflows/triage/definition.yml"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "Triage")
        // t5801 "push update refs failure": the remote-tracking ref did not move.
        #expect(try f.rev("refs/remotes/origin/main") == before["refs/heads/main"])
    }

    // Our own: the workspace moved on the app side; git shows its "fetch first" rejection.
    @Test func nonFastForwardPushShowsFetchFirst() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "App side")
        let before = try f.remoteRefs()
        try f.commitTitle("Repo side")
        let pushed = try f.runner.git("push", "origin", "main", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [rejected]        main -> main (fetch first)"), "\(pushed)")
        #expect(pushed.stderr.contains("changed in the workspace since your base: workflow triage"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "App side")
    }

    // Our own: --dry-run checks and prints the plan but changes nothing.
    @Test func dryRunChangesNothing() throws {
        let f = try RemoteFixture()
        try f.clone()
        let before = try f.remoteRefs()
        let listedBefore = try f.runner.run(["git", "workspace", "app", "ls", f.store, "--json"])
        try f.commitTitle("Dry")
        let pushed = try f.runner.git("push", "--dry-run", "origin", "main", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("workspace main: would update"), "\(pushed)")
        #expect(pushed.stderr.contains("workflow triage"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "Triage")
        #expect(try f.runner.run(["git", "workspace", "app", "ls", f.store, "--json"]).stdout == listedBefore.stdout)
        #expect(try f.rev("refs/remotes/origin/main") == before["refs/heads/main"])
        // The real push afterwards goes through.
        #expect(try f.runner.git("push", "origin", "main", in: "local").status == 0)
        #expect(try f.appTitle() == "Dry")
    }

    // Our own: --force-with-lease whose lease no longer holds gets git's "stale info". git sends the
    // lease as `option cas` but can already judge it from the listed value; `cQuotedOptionValues`
    // checks the helper's own stale answer.
    @Test func forceWithLeaseStaleIsRefused() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.appPut(title: "App moved it")
        let before = try f.remoteRefs()
        try f.commitTitle("Leased")
        let pushed = try f.runner.git("push", "--force-with-lease", "origin", "main", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("! [rejected]        main -> main (stale info)"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "App moved it")
    }

    // Our own: --force-with-lease whose lease holds (a fast-forward) goes through.
    @Test func forceWithLeaseHoldingIsAccepted() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.commitTitle("Lease holds")
        let pushed = try f.runner.git("push", "--force-with-lease", "origin", "main", in: "local")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/main"] == f.rev("HEAD"))
    }

    // Our own: --atomic, one ref refused before import (no such workspace) refuses both.
    @Test func atomicPushWithMissingWorkspaceRefusesBoth() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.commitTitle("Atomic")
        let before = try f.remoteRefs()
        let pushed = try f.runner.git("push", "--atomic", "origin", "main", "main:refs/heads/nosuch", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("main -> main (atomic push failed)"), "\(pushed)")
        #expect(pushed.stderr.contains("main -> nosuch (no workspace 'nosuch'"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "Triage")
    }

    // Our own: --atomic, one ref refused during import (the workspace moved) rolls the other back.
    @Test func atomicPushWithStaleWorkspaceRefusesBoth() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.initWorkspace("staging")
        try #require(try f.runner.git("push", "origin", "main:staging", in: "local").status == 0)
        // staging moves on the app side; this clone does not fetch it.
        try f.appPut(title: "Staging app edit", workspace: "staging")
        try f.commitTitle("Atomic both")
        let before = try f.remoteRefs()
        let pushed = try f.runner.git("push", "--atomic", "origin", "main", "main:staging", in: "local")
        #expect(pushed.status == 1, "\(pushed)")
        #expect(pushed.stderr.contains("main -> staging (fetch first)"), "\(pushed)")
        #expect(pushed.stderr.contains("main -> main (atomic push failed)"), "\(pushed)")
        #expect(try f.remoteRefs() == before)
        #expect(try f.appTitle() == "Triage")
        #expect(try f.appTitle(workspace: "staging") == "Staging app edit")
    }

    // Our own: unknown push options are accepted with a note (including a value git C-quotes), like a
    // git server accepts options only its hooks read, and the push goes through.
    @Test func pushOptionAccepted() throws {
        let f = try RemoteFixture()
        try f.clone()
        try f.commitTitle("With option")
        let pushed = try f.runner.run(["git", "push", "-o", "x", "-o", "tab\there", "origin", "main"], in: "local",
                                      extraEnvironment: ["GIT_REMOTE_WORKSPACE_TRACE": "1"])
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("< option push-option x\nworkspace: ignoring push option 'x' (this remote acts on: merge, archive)\n> ok\n"), "\(pushed)")
        #expect(pushed.stderr.contains("< option push-option \"tab\\there\"\nworkspace: ignoring push option 'tab\there'"), "\(pushed)")
        #expect(try f.remoteRefs()["refs/heads/main"] == f.rev("HEAD"))
    }

    // MARK: - The protocol by hand

    // Our own: `capabilities`, `list` and `list for-push`, then a blank line: exact bytes, exit 0.
    // Without a repository (no GIT_DIR) the client has no head, so `list for-push` leaves it unknown.
    @Test func handTranscriptExactBytes() throws {
        let f = try RemoteFixture()
        try f.initWorkspace("staging")  // unborn: not listed
        let head = try #require(try f.remoteRefs()["refs/heads/main"])
        let result = try f.helper(["origin", f.store], transcript: "capabilities\nlist\nlist for-push\n\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == """
            fetch
            push
            option
            check-connectivity

            \(head) refs/heads/main
            @refs/heads/main HEAD

            ? refs/heads/main
            @refs/heads/main HEAD


            """, "\(result)")
        #expect(result.stderr == "")
    }

    // Our own: an empty store lists nothing: just the terminating blank line.
    @Test func handTranscriptEmptyStore() throws {
        let f = try RemoteFixture(empty: true)
        let result = try f.helper(["origin", f.store], transcript: "list\n\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "\n")
    }

    // Our own: options the helper does not know answer `unsupported`; known ones `ok`.
    @Test func unknownOptionIsUnsupported() throws {
        let f = try RemoteFixture()
        let result = try f.helper(["origin", f.store], transcript: """
            option frobnicate true
            option verbosity 2
            option followtags true
            option verbosity loud
            option progress true


            """)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "unsupported\nok\nunsupported\nerror verbosity must be a number\nok\n", "\(result)")
    }

    // Our own: C-quoted option values are unquoted (an octal escape inside a `cas` value).
    @Test func cQuotedOptionValues() throws {
        let f = try RemoteFixture()
        try f.clone()
        let head = try #require(try f.rev("HEAD"))
        try f.commitTitle("Quoted")
        // The expected id with its first hex digit written as a three-digit octal escape.
        let first = head.unicodeScalars.first!.value
        let octal = String(first, radix: 8)
        let escaped = "\\" + String(repeating: "0", count: 3 - octal.count) + octal + head.dropFirst()
        let wrong = String(head.reversed())
        let stale = try f.helper(["origin", f.url], transcript: """
            option cas "refs/heads/main:\(wrong)"
            push refs/heads/main:refs/heads/main


            """, gitDir: "local/.git")
        #expect(stale.stdout == "ok\nerror refs/heads/main stale info\n\n", "\(stale)")
        #expect(try f.remoteRefs()["refs/heads/main"] == head)
        let good = try f.helper(["origin", f.url], transcript: """
            option cas "refs/heads/main:\(escaped)"
            option push-option "a\\"b\\tc"
            push refs/heads/main:refs/heads/main


            """, gitDir: "local/.git")
        #expect(good.stdout == "ok\nok\nok refs/heads/main\noption old-oid \(head)\n\n", "\(good)")
        #expect(try f.remoteRefs()["refs/heads/main"] == f.rev("HEAD"))
    }

    // Our own: a `cas` value whose expected id is not an object id is an error at once, not a
    // silent "the ref must not exist" that later reads as stale info.
    @Test
    func malformedCasValueIsAnError() throws {
        let f = try RemoteFixture()
        let result = try f.helper(["origin", f.store], transcript: "option cas refs/heads/main:not-an-id\n\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("error "), "\(result)")
    }

    // Our own: both argv forms (`<remote> <url>`, and `<url>` alone) name the same store.
    @Test func bothArgumentForms() throws {
        let f = try RemoteFixture()
        let head = try #require(try f.remoteRefs()["refs/heads/main"])
        let expected = "\(head) refs/heads/main\n@refs/heads/main HEAD\n\n"
        let twoArgs = try f.helper(["origin", f.url], transcript: "list\n\n")
        let twoArgsBare = try f.helper(["origin", f.store], transcript: "list\n\n")
        let urlAlone = try f.helper([f.url], transcript: "list\n\n")
        #expect(twoArgs.status == 0 && twoArgs.stdout == expected, "\(twoArgs)")
        #expect(twoArgsBare.status == 0 && twoArgsBare.stdout == expected, "\(twoArgsBare)")
        #expect(urlAlone.status == 0 && urlAlone.stdout == expected, "\(urlAlone)")
        // A remote name alone is looked up in remote.<name>.url of the repository.
        try f.clone()
        let nameAlone = try f.helper(["origin"], transcript: "list\n\n", gitDir: "local/.git")
        #expect(nameAlone.status == 0 && nameAlone.stdout == expected, "\(nameAlone)")
    }

    // Our own: a store that does not exist gives one clear error, a non-zero exit and no hang.
    @Test func missingStoreFailsClearly() throws {
        let f = try RemoteFixture()
        let missing = f.scratch.path("nowhere/missing.db")
        let byHand = try f.helper(["origin", "workspace::" + missing], transcript: "capabilities\nlist\n\n")
        #expect(byHand.status == 128, "\(byHand)")
        #expect(byHand.stderr.contains("no workspace store at '\(missing)'"), "\(byHand)")
        #expect(byHand.stdout == "fetch\npush\noption\ncheck-connectivity\n\n", "\(byHand)")
        let cloned = try f.runner.run(["timeout", "60", "git", "clone", "workspace::" + missing, "gone"])
        #expect(cloned.status != 0 && cloned.status != 124, "\(cloned)")
        #expect(cloned.stderr.contains("no workspace store at '\(missing)'"), "\(cloned)")
        #expect(!FileManager.default.fileExists(atPath: f.scratch.path("gone/.git")))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    // Our own: an unknown command ends the session with an error instead of hanging.
    @Test func unknownCommandEndsSession() throws {
        let f = try RemoteFixture()
        let result = try f.helper(["origin", f.store], transcript: "import refs/heads/main\n\n")
        #expect(result.status == 128, "\(result)")
        #expect(result.stderr.contains("unknown command 'import refs/heads/main'"), "\(result)")
        #expect(result.stdout == "")
    }
}

extension RemoteFixture {
    /// In a clone of an unborn workspace: writes `triage` with `title`, adds and commits it.
    func commitTitleInFreshClone(_ title: String, in directory: String = "local") throws {
        // A clone of an empty repository starts on git's default branch name; use main.
        try #require(try runner.git("symbolic-ref", "HEAD", "refs/heads/main", in: directory).status == 0)
        try scratch.write("\(directory)/workflows/triage/definition.yml", Self.triage(title: title))
        try #require(try runner.git("add", "-A", in: directory).status == 0)
        let committed = try runner.git("commit", "-qm", "first: \(title)", in: directory)
        try #require(committed.status == 0, "\(committed)")
    }
}
