import Foundation
import Testing
import WorkspaceTestSupport

/// The hook suite as a team uses it: `git workspace install-hooks` in a clone, then plain
/// `git commit`, `git push` to a bare team repository and `git merge`, with the real git.
@Suite struct HookTests {
    static let good = ValidateCommandTests.good
    static let bad = ValidateCommandTests.bad
    static let path = "workflows/triage/definition.yml"
    static let diagnostic = "workflows/triage/definition.yml:9:20: error: action 'a' depends on unknown action 'zzz'"
    static let names = ["pre-commit", "pre-push", "post-merge", "post-rewrite"]

    /// A repository on `main` whose first commit holds a valid workflow, with a bare team
    /// repository as remote `team` that has that commit; hooks not installed yet.
    struct Team {
        let scratch: ScratchDirectory
        let git: Runner
        var teamPath: String { scratch.path("team.git") }
        var hooks: URL { git.directory.appendingPathComponent(".git/hooks") }

        init(_ label: String = "hooks") throws {
            scratch = try ScratchDirectory(label)
            let top = Runner(scratch: scratch)
            try #require(try top.git("init", "-q", "--bare", "team.git").status == 0)
            try #require(try top.git("init", "-q", "-b", "main", "work").status == 0)
            var git = top
            git.directory = scratch.url.appendingPathComponent("work")
            self.git = git
            try write("workspace.json", #"{"version": 1, "resources": {"workflows": "workflows/"}}"#)
            try write(HookTests.path, HookTests.good)
            try git.git("add", "-A")
            try #require(try git.git("commit", "-qm", "Add triage").status == 0)
            try #require(try git.git("remote", "add", "team", teamPath).status == 0)
            try #require(try git.git("push", "-q", "team", "main").status == 0)
        }

        func write(_ relative: String, _ text: String) throws {
            try scratch.write("work/" + relative, text)
        }

        func read(_ relative: String) -> String? {
            FileManager.default.contents(atPath: git.directory.appendingPathComponent(relative).path)
                .map { String(decoding: $0, as: UTF8.self) }
        }

        func commit(_ message: String, _ text: String, verify: Bool = true) throws -> RunResult {
            try write(HookTests.path, text)
            try git.git("add", "-A")
            return try git.run(["git", "commit", "-qm", message] + (verify ? [] : ["--no-verify"]))
        }

        /// Every ref of the team repository with its commit.
        func teamRefs() throws -> String {
            try git.run(["git", "--git-dir", teamPath, "for-each-ref"]).stdout
        }

        func head(_ revision: String = "HEAD") throws -> String {
            try git.git("rev-parse", revision).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func install(_ extra: String...) throws -> RunResult {
            try git.run(["git", "workspace", "install-hooks"] + extra)
        }

        /// A foreign hook that appends its arguments and stdin to `<name>.log` beside the
        /// repository and fails when a file `<name>.fail` exists there.
        func writeForeignHook(_ name: String) throws {
            let log = scratch.path("\(name).log"), fail = scratch.path("\(name).fail")
            try write(".git/hooks/\(name)", """
            #!/bin/sh
            echo "args: $*" >> '\(log)'
            cat >> '\(log)'
            [ -e '\(fail)' ] && exit 7
            exit 0

            """)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks.appendingPathComponent(name).path)
        }
    }

    // MARK: The scripts

    /// One source of truth: the files shipped in `hooks/` are what install-hooks writes.
    @Test func shippedScriptsAreWhatInstallHooksWrites() throws {
        let team = try Team("shipped")
        #expect(try team.install().status == 0)
        for name in Self.names {
            let shipped = TestPaths.packageRoot.appendingPathComponent("hooks/\(name)")
            let installed = team.hooks.appendingPathComponent(name)
            #expect(FileManager.default.contents(atPath: shipped.path) == FileManager.default.contents(atPath: installed.path),
                    "hooks/\(name) differs from what install-hooks writes: copy \(installed.path) over it")
            #expect(FileManager.default.isExecutableFile(atPath: shipped.path))
            let mode = try FileManager.default.attributesOfItem(atPath: installed.path)[.posixPermissions] as? Int
            #expect(mode == 0o755)
        }
    }

    /// Without git-workspace on PATH the scripts say how to install it; the blocking hooks
    /// fail closed and post-merge and post-rewrite let the merge or rebase be.
    @Test func scriptsWithoutTheToolPrintTheInstallHint() throws {
        let scratch = try ScratchDirectory("nopath")
        let empty = scratch.url.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let runner = Runner(scratch: scratch)
        for (name, status) in [("pre-commit", Int32(1)), ("pre-push", 1), ("post-merge", 0), ("post-rewrite", 0)] {
            let script = TestPaths.packageRoot.appendingPathComponent("hooks/\(name)").path
            let result = try runner.run(["/bin/sh", script, "origin", "url"], stdin: "",
                                        extraEnvironment: ["PATH": empty.path])
            #expect(result.status == status, "\(name): \(result)")
            #expect(result.stderr.contains("git-workspace is not on PATH"), "\(name): \(result)")
            #expect(result.stderr.contains("./install.sh"), "\(name): \(result)")
        }

        // Through git: a commit is refused, and --no-verify still works.
        let team = try Team("nopath-git")
        #expect(try team.install().status == 0)
        try #require(!FileManager.default.isExecutableFile(atPath: "/usr/bin/git-workspace"))
        try team.write(Self.path, Self.good + "# edited\n")
        let plain = ["PATH": "/usr/bin:/bin"]
        let refused = try team.git.run(["git", "commit", "-qam", "edit"], extraEnvironment: plain)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("pre-commit: install git-remote-workspace (./install.sh"), "\(refused)")
        #expect(try team.git.run(["git", "commit", "-qam", "edit", "--no-verify"], extraEnvironment: plain).status == 0)
    }

    @Test func unknownHookIsAUsageError() throws {
        let team = try Team("unknown")
        let result = try team.git.run(["git", "workspace", "hook", "pre-rebase"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("unknown hook 'pre-rebase' (known: pre-commit, pre-push, post-merge, post-rewrite)"))
    }

    // MARK: pre-commit

    @Test func preCommitBlocksAnInvalidWorkflowAndNoVerifyBypasses() throws {
        let team = try Team("precommit")
        #expect(try team.install().status == 0)
        let before = try team.head()

        let refused = try team.commit("Break triage", Self.bad)
        #expect(refused.status != 0)
        #expect(refused.stderr.split(separator: "\n").contains { $0 == Self.diagnostic }, "\(refused)")
        #expect(refused.stderr.contains("commit blocked"))
        #expect(try team.head() == before)

        let bypassed = try team.git.run(["git", "commit", "-qm", "Break triage", "--no-verify"])
        #expect(bypassed.status == 0, "\(bypassed)")
        #expect(try team.head() != before)

        // A valid commit passes.
        #expect(try team.commit("Fix triage", Self.good).status == 0)
    }

    /// `git commit -a` stages into a temporary index (GIT_INDEX_FILE): that is what is checked.
    @Test func preCommitChecksWhatCommitAllStages() throws {
        let team = try Team("commitall")
        #expect(try team.install().status == 0)
        try team.write(Self.path, Self.bad)
        let refused = try team.git.run(["git", "commit", "-qam", "Break triage"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(Self.diagnostic), "\(refused)")

        // And the other way round: a bad index with a good file on disk, committed with -a.
        try team.git.git("add", "-A")
        try team.write(Self.path, Self.good + "# fixed\n")
        let passed = try team.git.run(["git", "commit", "-qam", "Edit triage"])
        #expect(passed.status == 0, "\(passed)")
    }

    // MARK: pre-push

    /// pre-push judges what the push makes true: the tip. A broken commit that a later one
    /// fixed does not block (it is counted, not judged); a broken tip does.
    @Test func prePushJudgesTheTipNotTheCommitsBeforeIt() throws {
        let team = try Team("prepush")
        #expect(try team.install().status == 0)
        #expect(try team.commit("Retitle", Self.good.replacingOccurrences(of: "title: W", with: "title: V")).status == 0)
        #expect(try team.commit("Break triage", Self.bad, verify: false).status == 0)
        #expect(try team.commit("Fix triage", Self.good).status == 0)
        let fixed = try team.git.run(["git", "push", "team", "main"])
        #expect(fixed.status == 0, "\(fixed)")
        #expect(fixed.stderr.contains("pre-push: 1 pushed tip valid; 2 earlier commits not judged"), "\(fixed)")
        #expect(!fixed.stderr.contains("error:"), "\(fixed)")
        #expect(try team.teamRefs().contains(try team.head()))

        // A broken tip blocks, even after a valid commit, and names itself.
        #expect(try team.commit("Retitle again", Self.good.replacingOccurrences(of: "title: W", with: "title: U")).status == 0)
        #expect(try team.commit("Break triage again", Self.bad, verify: false).status == 0)
        let broken = try team.head()
        let refsBefore = try team.teamRefs()
        let refused = try team.git.run(["git", "push", "team", "main"])
        #expect(refused.status != 0)
        let lines = refused.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("pre-push: commit \(broken.prefix(7)) Break triage again (refs/heads/main -> refs/heads/main) is invalid:"), "\(refused)")
        #expect(lines.contains(Self.diagnostic), "\(refused)")
        #expect(refused.stderr.contains("push blocked: 1 of 1 pushed tip invalid"), "\(refused)")
        #expect(try team.teamRefs() == refsBefore)

        let bypassed = try team.git.run(["git", "push", "-q", "--no-verify", "team", "main"])
        #expect(bypassed.status == 0, "\(bypassed)")
        #expect(try team.teamRefs().contains(try team.head()))

        // A valid push goes through, judging only the new tip.
        #expect(try team.commit("Retitle once more", Self.good.replacingOccurrences(of: "title: W", with: "title: T")).status == 0)
        let valid = try team.git.run(["git", "push", "team", "main"])
        #expect(valid.status == 0, "\(valid)")
        #expect(valid.stderr.contains("pre-push: 1 pushed tip valid\n"), "\(valid)")
        #expect(try team.teamRefs().contains(try team.head()))
    }

    /// A new branch is checked from where the remote's tracking references end: the invalid
    /// commit already on team/main (pushed with --no-verify) is not the new branch's fault.
    @Test func prePushOfANewBranchChecksOnlyCommitsTheRemoteLacks() throws {
        let team = try Team("newbranch")
        #expect(try team.install().status == 0)
        #expect(try team.commit("Break triage", Self.bad, verify: false).status == 0)
        #expect(try team.git.run(["git", "push", "-q", "--no-verify", "team", "main"]).status == 0)

        try team.git.git("checkout", "-q", "-b", "fix")
        #expect(try team.commit("Fix triage", Self.good).status == 0)
        let fixed = try team.git.run(["git", "push", "team", "fix"])
        #expect(fixed.status == 0, "\(fixed)")
        #expect(fixed.stderr.contains("pre-push: 1 pushed tip valid\n"), "\(fixed)")

        // The same through the team repository's URL instead of its name.
        try team.git.git("checkout", "-q", "-b", "bad", "main")
        #expect(try team.commit("Break more", Self.bad + "# again\n", verify: false).status == 0)
        let refsBefore = try team.teamRefs()
        let refused = try team.git.run(["git", "push", team.teamPath, "bad"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("pre-push: commit \(try team.head().prefix(7)) Break more (refs/heads/bad -> refs/heads/bad) is invalid:"), "\(refused)")
        #expect(refused.stderr.contains("push blocked: 1 of 1 pushed tip invalid"), "\(refused)")
        #expect(try team.teamRefs() == refsBefore)

        // Deleting a branch pushes no commit.
        #expect(try team.git.run(["git", "push", "-q", "team", ":fix"]).status == 0)
    }

    // MARK: install-hooks and uninstall-hooks

    @Test func installIsIdempotent() throws {
        let team = try Team("idempotent")
        let first = try team.install()
        #expect(first.status == 0, "\(first)")
        #expect(first.stderr.contains("install-hooks: installed in"))
        func snapshot() throws -> [String?] {
            try Self.names.map { team.read(".git/hooks/\($0)") } + [team.read(".gitattributes"),
                team.git.git("config", "--local", "--get-regexp", "^merge\\.").stdout]
        }
        let after = try snapshot()
        #expect(after[4] == """
        # >>> git-remote-workspace: spec-aware merge of resource files (git workspace install-hooks; it created this file)
        workflows/*/definition.yml merge=workspace
        # <<< git-remote-workspace

        """)
        #expect(after[5] == "merge.workspace.name git-remote-workspace spec-aware merge\nmerge.workspace.driver git workspace merge-driver %O %A %B %P\n")
        #expect(try team.git.git("check-attr", "merge", "--", Self.path).stdout == "\(Self.path): merge: workspace\n")

        let second = try team.install()
        #expect(second.status == 0)
        #expect(second.stderr.contains("install-hooks: nothing to change"), "\(second)")
        #expect(!second.stderr.contains(": installed\n"))
        #expect(try snapshot() == after)
    }

    /// The attribute lines follow the manifest's roots, nested ones included, and are refreshed in place.
    @Test func attributesFollowTheManifest() throws {
        let team = try Team("manifest")
        try team.write(".gitattributes", "*.png binary\n")
        try team.write("workspace.json", #"{"version": 1, "resources": {"workflows": "sync/flows/", "variables": "sync/vars/"}}"#)
        #expect(try team.install().status == 0)
        let block = { (lines: String) in
            "*.png binary\n# >>> git-remote-workspace: spec-aware merge of resource files (git workspace install-hooks)\n\(lines)# <<< git-remote-workspace\n"
        }
        #expect(team.read(".gitattributes") == block("sync/flows/*/definition.yml merge=workspace\nsync/vars/*.yml merge=workspace\n"))
        let attributes = try team.git.git("check-attr", "merge", "--", "sync/flows/a/definition.yml", "sync/vars/v.yml", "sync/flows/a/notes.yml")
        #expect(attributes.stdout == "sync/flows/a/definition.yml: merge: workspace\nsync/vars/v.yml: merge: workspace\nsync/flows/a/notes.yml: merge: unspecified\n")

        try team.write("workspace.json", #"{"version": 1, "resources": {"workflows": "flows/"}}"#)
        try team.write(".gitattributes", team.read(".gitattributes")! + "*.pdf binary\n")
        #expect(try team.install().status == 0)
        #expect(team.read(".gitattributes") == block("flows/*/definition.yml merge=workspace\n") + "*.pdf binary\n")
    }

    @Test func installHonoursCoreHooksPath() throws {
        let team = try Team("hookspath")
        try team.git.git("config", "core.hooksPath", "shared-hooks")
        try team.write("sub/dir/keep", "")
        let installed = try team.git.run(["git", "workspace", "install-hooks"], in: "sub/dir")
        #expect(installed.status == 0, "\(installed)")
        for name in Self.names {
            #expect(team.read("shared-hooks/\(name)")?.contains("# git-remote-workspace hook\n") == true)
            #expect(team.read(".git/hooks/\(name)") == nil)
        }
        #expect(team.read(".gitattributes") != nil)
        let refused = try team.commit("Break triage", Self.bad)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(Self.diagnostic), "\(refused)")
    }

    @Test func foreignPrePushIsChainedWithTheSameArgumentsAndStdin() throws {
        let team = try Team("chain")
        try team.writeForeignHook("pre-push")
        let installed = try team.install()
        #expect(installed.status == 0)
        #expect(installed.stderr.contains("pre-push: the existing hook was moved to pre-push.legacy and is chained"), "\(installed)")
        #expect(team.read(".git/hooks/pre-push.legacy")?.contains("cat >>") == true)

        // Our check passes, then the foreign hook runs with git's arguments and stdin.
        let base = try team.head()
        #expect(try team.commit("Retitle", Self.good.replacingOccurrences(of: "title: W", with: "title: V")).status == 0)
        let pushed = try team.git.run(["git", "push", "team", "main"])
        #expect(pushed.status == 0, "\(pushed)")
        let log = team.scratch.path("pre-push.log")
        let expected = "args: team \(team.teamPath)\nrefs/heads/main \(try team.head()) refs/heads/main \(base)\n"
        #expect(try String(contentsOfFile: log, encoding: .utf8) == expected)

        // Its failure blocks the push.
        try FileManager.default.removeItem(atPath: log)
        try team.scratch.write("pre-push.fail", "")
        #expect(try team.commit("Retitle again", Self.good.replacingOccurrences(of: "title: W", with: "title: U")).status == 0)
        let refsBefore = try team.teamRefs()
        let blocked = try team.git.run(["git", "push", "team", "main"])
        #expect(blocked.status != 0, "\(blocked)")
        #expect(try team.teamRefs() == refsBefore)
        #expect(FileManager.default.fileExists(atPath: log))

        // When our check fails, the foreign hook does not run.
        try FileManager.default.removeItem(atPath: log)
        #expect(try team.commit("Break", Self.bad, verify: false).status == 0)
        let invalid = try team.git.run(["git", "push", "team", "main"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains(Self.diagnostic))
        #expect(!FileManager.default.fileExists(atPath: log))
    }

    @Test func foreignPreCommitIsChainedAndItsFailureBlocks() throws {
        let team = try Team("chain-commit")
        try team.writeForeignHook("pre-commit")
        #expect(try team.install().status == 0)
        #expect(try team.commit("Edit", Self.good + "# one\n").status == 0)
        #expect(try String(contentsOfFile: team.scratch.path("pre-commit.log"), encoding: .utf8) == "args: \n")
        try team.scratch.write("pre-commit.fail", "")
        let before = try team.head()
        let blocked = try team.commit("Edit again", Self.good + "# two\n")
        #expect(blocked.status != 0)
        #expect(try team.head() == before)
    }

    @Test func installRefusesWhenLegacyExistsAndForceReplaces() throws {
        let team = try Team("legacy")
        try team.writeForeignHook("pre-commit")
        try team.write(".git/hooks/pre-commit.legacy", "#!/bin/sh\nexit 0\n")
        let refused = try team.install()
        #expect(refused.status == 1, "\(refused)")
        let hooks = team.hooks.path
        #expect(refused.stderr.contains("\(hooks)/pre-commit is not ours and \(hooks)/pre-commit.legacy exists too"), "\(refused)")
        #expect(refused.stderr.contains("git workspace install-hooks --force"))
        #expect(refused.stderr.contains("nothing was changed"))
        #expect(team.read(".git/hooks/pre-push") == nil)
        #expect(team.read(".gitattributes") == nil)
        #expect(try team.git.git("config", "--get", "merge.workspace.driver").status == 1)

        let forced = try team.install("--force")
        #expect(forced.status == 0, "\(forced)")
        #expect(team.read(".git/hooks/pre-commit")?.contains("exec git workspace hook pre-commit") == true)
        #expect(team.read(".git/hooks/pre-commit.legacy") == "#!/bin/sh\nexit 0\n")
        #expect(team.read(".git/hooks/pre-push") != nil)
    }

    @Test func uninstallRestoresTheForeignHookAndRemovesOurSettings() throws {
        let team = try Team("uninstall")
        try team.writeForeignHook("post-merge")
        let foreign = team.read(".git/hooks/post-merge")
        try team.write(".gitattributes", "*.png binary\n")
        #expect(try team.install().status == 0)
        #expect(team.read(".gitattributes") != "*.png binary\n")

        let removed = try team.git.run(["git", "workspace", "uninstall-hooks"])
        #expect(removed.status == 0, "\(removed)")
        #expect(team.read(".git/hooks/post-merge") == foreign)
        #expect(FileManager.default.isExecutableFile(atPath: team.hooks.appendingPathComponent("post-merge").path))
        #expect(team.read(".git/hooks/post-merge.legacy") == nil)
        #expect(team.read(".git/hooks/pre-commit") == nil)
        #expect(team.read(".git/hooks/pre-push") == nil)
        #expect(team.read(".git/hooks/post-rewrite") == nil)
        #expect(team.read(".gitattributes") == "*.png binary\n")
        #expect(try team.git.git("config", "--local", "--get-regexp", "^merge\\.").stdout == "")

        let again = try team.git.run(["git", "workspace", "uninstall-hooks"])
        #expect(again.status == 0)
        #expect(again.stderr.contains("uninstall-hooks: nothing to remove"), "\(again)")

        // A .gitattributes that install-hooks created goes away with its block.
        try FileManager.default.removeItem(atPath: team.git.directory.appendingPathComponent(".gitattributes").path)
        #expect(try team.install().status == 0)
        #expect(try team.git.run(["git", "workspace", "uninstall-hooks"]).status == 0)
        #expect(team.read(".gitattributes") == nil)
        #expect(team.read(".git/hooks/post-merge") == foreign)
    }

    // MARK: post-merge

    /// With workspace.autosync unset or false, a merge runs our hook and it does nothing:
    /// git's own trace shows no `git workspace sync`.
    @Test func postMergeWithoutAutosyncDoesNothing() throws {
        let team = try Team("postmerge")
        #expect(try team.install().status == 0)
        try team.git.git("remote", "add", "ws", "workspace::" + team.scratch.path("store.db"))
        for setting in [nil, "false"] {
            if let setting { try team.git.git("config", "workspace.autosync", setting) }
            try team.git.git("checkout", "-q", "-B", "topic", "main")
            #expect(try team.commit("Topic \(setting ?? "unset")", Self.good + "# \(setting ?? "unset")\n").status == 0)
            try team.git.git("checkout", "-q", "main")
            let trace = team.scratch.path("trace-\(setting ?? "unset")")
            let merged = try team.git.run(["git", "merge", "-q", "--no-edit", "--no-ff", "topic"], extraEnvironment: ["GIT_TRACE": trace])
            #expect(merged.status == 0, "\(merged)")
            #expect(!merged.stderr.contains("post-merge"), "\(merged)")
            let traced = try String(contentsOfFile: trace, encoding: .utf8)
            #expect(traced.contains("git-workspace hook post-merge 0"), "the hook did not run:\n\(traced)")
            #expect(!traced.contains("workspace sync"), "a sync was attempted:\n\(traced)")
        }
    }

    @Test func postMergeSaysWhyItCannotSync() throws {
        let team = try Team("nosync")
        #expect(try team.install().status == 0)
        try team.git.git("config", "workspace.autosync", "true")
        let hook = ["git", "workspace", "hook", "post-merge", "0"]

        let none = try team.git.run(hook)
        #expect(none.status == 0)
        #expect(none.stderr.contains("no remote's URL starts with workspace::, so nothing was synced; add one, or set workspace.remote"), "\(none)")

        // post-rewrite after a rebase shares the logic, and says so under its own name.
        let rebased = try team.git.run(["git", "workspace", "hook", "post-rewrite", "rebase"], stdin: "")
        #expect(rebased.status == 0)
        #expect(rebased.stderr.contains("post-rewrite: workspace.autosync is on but no remote's URL starts with workspace::"), "\(rebased)")

        try team.git.git("remote", "add", "ws1", "workspace::" + team.scratch.path("a.db"))
        try team.git.git("remote", "add", "ws2", "workspace::" + team.scratch.path("b.db"))
        let several = try team.git.run(hook)
        #expect(several.status == 0)
        #expect(several.stderr.contains("several remotes are workspaces (ws1, ws2), so nothing was synced; set workspace.remote"), "\(several)")

        let squash = try team.git.run(["git", "workspace", "hook", "post-merge", "1"])
        #expect(squash.status == 0)
        #expect(squash.stderr.contains("a squash merge commits nothing"), "\(squash)")

        try team.git.git("checkout", "-q", "--detach")
        let detached = try team.git.run(hook)
        #expect(detached.status == 0)
        #expect(detached.stderr.contains("HEAD is detached"), "\(detached)")

        try team.git.git("config", "workspace.autosync", "maybe")
        let badValue = try team.git.run(hook)
        #expect(badValue.status == 0)
        #expect(badValue.stderr.contains("workspace.autosync"), "\(badValue)")
    }

    // MARK: post-rewrite

    /// After `git commit --amend` our post-rewrite runs and syncs nothing, autosync or not
    /// (git's trace shows no `git workspace sync`); a chained post-rewrite still gets git's
    /// argument and its list of rewritten commits on stdin.
    @Test func postRewriteAfterAnAmendDoesNotSyncAndChainsItsInput() throws {
        let team = try Team("postrewrite")
        try team.writeForeignHook("post-rewrite")
        #expect(try team.install().status == 0)
        try team.git.git("remote", "add", "ws", "workspace::" + team.scratch.path("store.db"))
        try team.git.git("config", "workspace.autosync", "true")
        let before = try team.head()
        try team.write(Self.path, Self.good + "# amended\n")
        try team.git.git("add", "-A")
        let trace = team.scratch.path("trace-amend")
        let amended = try team.git.run(["git", "commit", "-q", "--amend", "--no-edit"], extraEnvironment: ["GIT_TRACE": trace])
        #expect(amended.status == 0, "\(amended)")
        #expect(!amended.stderr.contains("post-rewrite"), "\(amended)")
        let traced = try String(contentsOfFile: trace, encoding: .utf8)
        #expect(traced.contains("git-workspace hook post-rewrite amend"), "the hook did not run:\n\(traced)")
        #expect(!traced.contains("workspace sync"), "a sync was attempted:\n\(traced)")
        let log = try String(contentsOfFile: team.scratch.path("post-rewrite.log"), encoding: .utf8)
        #expect(log == "args: amend\n\(before) \(try team.head())\n")
    }
}
