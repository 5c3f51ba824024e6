import Foundation
import Git
import WorkspaceSync

/// What post-merge and post-rewrite share: with `workspace.autosync` true, a change of the
/// current branch that came from the team (a `git pull`, merging or rebasing) flows back
/// into the workspace through `git workspace sync`.
///
/// post-merge runs after a merge (`git pull`, `git pull --ff-only`, `git merge`, and
/// `git pull --rebase` when it only fast-forwards); post-rewrite with `rebase` runs after
/// a rebase (`git pull --rebase` with local commits, `git rebase`); post-rewrite with
/// `amend` changes nothing the team remote or the workspace holds, so it never syncs.
///
/// The branch has already changed when this runs, and git ignores these hooks' statuses,
/// so nothing here blocks: every reason not to sync is one line on stderr. The sync runs
/// with `GIT_WORKSPACE_AUTOSYNC_RUNNING=1` in its environment, and the hooks do nothing
/// when they find that variable, so git run by the sync itself does not start another sync.
enum Autosync {
    /// The environment variable that marks a sync started by one of these hooks.
    static let runningVariable = "GIT_WORKSPACE_AUTOSYNC_RUNNING"

    /// What happened to the branch, for the hook's messages.
    enum Trigger {
        /// post-merge; `squash` is git's flag (a squash merge commits nothing yet).
        case merge(squash: Bool)
        /// post-rewrite rebase.
        case rebase

        var hook: HookName {
            switch self {
            case .merge: return .postMerge
            case .rebase: return .postRewrite
            }
        }

        var noun: String {
            switch self {
            case .merge: return "merge"
            case .rebase: return "rebase"
            }
        }
    }

    /// The hook's argument list as git passes it, as a trigger; nil when nothing should sync
    /// (post-rewrite after `git commit --amend`, or an argument git does not send).
    static func trigger(_ hook: HookName, arguments: [String]) -> Trigger? {
        switch hook {
        case .postMerge: return .merge(squash: arguments.first == "1")
        case .postRewrite: return arguments.first == "rebase" ? .rebase : nil
        case .preCommit, .prePush: return nil
        }
    }

    /// Runs `git workspace sync` for the current branch when autosync is on and nothing
    /// stands in the way; otherwise says why on stderr.
    static func run(after trigger: Trigger) throws {
        guard try GitConfigCommand.isTrue("workspace.autosync") else { return }
        if Environment.value(runningVariable) != nil { return }
        let hook = trigger.hook.rawValue
        if case .merge(squash: true) = trigger {
            Output.err("\(hook): a squash merge commits nothing, so nothing was synced; run git workspace sync after committing it\n")
            return
        }
        let repository = try GitWorkspace.Validate.openRepository()
        guard let branch = try GitWorkspace.Validate.gitCall({ try repository.currentBranch() }) else {
            Output.err("\(hook): HEAD is detached, so there is no branch to sync; run git workspace sync --branch <branch> to sync one\n")
            return
        }
        guard let remote = try workspaceRemote(hook) else { return }
        let arguments = ["workspace", "sync", "--workspace-remote", remote, "--branch", branch]
        Output.err("\(hook): workspace.autosync: git \(arguments.joined(separator: " "))\n")
        let sync = try Subprocess.run("git", arguments, capture: false, environment: [runningVariable: "1"])
        if sync.status != 0 {
            Output.err("\(hook): git workspace sync ended with status \(sync.status); the \(trigger.noun) stands; run it again once the cause is fixed\n")
        }
    }

    /// `workspace.remote`, else the one remote whose URL starts with `workspace::`; nil (and
    /// a line saying why) when there are none or several.
    static func workspaceRemote(_ hook: String) throws -> String? {
        switch try Remotes.resolveWorkspace() {
        case .named(let name):
            return name
        case .none:
            Output.err("\(hook): workspace.autosync is on but no remote's URL starts with workspace::, so nothing was synced; add one, or set workspace.remote to the remote to sync with\n")
        case .several(let candidates):
            Output.err("\(hook): workspace.autosync is on and several remotes are workspaces (\(candidates.joined(separator: ", "))), so nothing was synced; set workspace.remote to the one to sync with\n")
        }
        return nil
    }
}
