import Foundation
import WorkspaceSync
import Git

/// The post-merge hook: with `workspace.autosync` true, a merge into a branch of the team
/// repository flows back into the workspace through `git workspace sync`.
///
/// A merge has already happened when this runs, and git ignores the hook's status, so
/// nothing here blocks: every reason not to sync is one line on stderr. The sync runs with
/// `GIT_WORKSPACE_AUTOSYNC_RUNNING=1` in its environment, and the hook does nothing when it
/// finds that variable, so a merge made by the sync itself does not start another sync.
enum PostMerge {
    /// The environment variable that marks a sync started by this hook.
    static let runningVariable = "GIT_WORKSPACE_AUTOSYNC_RUNNING"

    static func run(squash: Bool) throws {
        guard try GitConfigCommand.isTrue("workspace.autosync") else { return }
        if ProcessInfo.processInfo.environment[runningVariable] != nil { return }
        if squash {
            Output.err("post-merge: a squash merge commits nothing, so nothing was synced; run git workspace sync after committing it\n")
            return
        }
        let repository = try GitWorkspace.Validate.openRepository()
        guard let branch = try GitWorkspace.Validate.gitCall({ try repository.currentBranch() }) else {
            Output.err("post-merge: HEAD is detached, so there is no branch to sync; run git workspace sync --branch <branch> to sync one\n")
            return
        }
        guard let remote = try workspaceRemote() else { return }
        let arguments = ["workspace", "sync", "--workspace-remote", remote, "--branch", branch]
        Output.err("post-merge: workspace.autosync: git \(arguments.joined(separator: " "))\n")
        let sync = try Subprocess.run("git", arguments, capture: false, environment: [runningVariable: "1"])
        if sync.status != 0 {
            Output.err("post-merge: git workspace sync ended with status \(sync.status); the merge stands; run it again once the cause is fixed\n")
        }
    }

    /// `workspace.remote`, else the one remote whose URL starts with `workspace::`; nil (and
    /// a line saying why) when there are none or several.
    static func workspaceRemote() throws -> String? {
        switch try Remotes.resolveWorkspace() {
        case .named(let name):
            return name
        case .none:
            Output.err("post-merge: workspace.autosync is on but no remote's URL starts with workspace::, so nothing was synced; add one, or set workspace.remote to the remote to sync with\n")
        case .several(let candidates):
            Output.err("post-merge: workspace.autosync is on and several remotes are workspaces (\(candidates.joined(separator: ", "))), so nothing was synced; set workspace.remote to the one to sync with\n")
        }
        return nil
    }
}
