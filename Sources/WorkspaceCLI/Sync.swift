import ArgumentParser
import Foundation
import Git
import WorkspaceSync
import YAML

extension GitWorkspace {
    /// `git workspace sync`: reconcile a team branch with a workspace branch, one outcome per
    /// run. The state machine is `WorkspaceSync.Reconciler`; this is its command line:
    /// options, the remotes to use, printing and the exit status.
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Reconcile a branch of the team remote with the workspace remote.",
            discussion: """
            Fetches both sides with explicit refspecs, then ends in exactly one outcome: \
            in-sync, fast-forwarded (team commits pushed into the workspace), pushed-ahead \
            (workspace commits pushed to the team remote), merged (both moved without a \
            conflict: one merge commit, the workspace's tip its first parent, pushed to both, \
            which fast-forward to it), conflict-escaped (both changed a resource differently: \
            the workspace side is saved on conflicts/<UTC> on the team remote and a merge \
            commit taking the team's side is pushed to both), fetch-failed, push-failed (a \
            push could not reach its remote), busy (another sync holds the lock) or refused \
            (a remote, or the pre-push hook, refused a push; the team remote's refusals \
            included). Nothing is ever force-pushed. Push results are read from \
            `git push --porcelain`. One line on stderr; --json prints a record.

            Exit status: 0 in-sync, fast-forwarded, pushed-ahead, merged; 1 refused; \
            2 could not run; 3 conflict-escaped; 4 fetch-failed, push-failed; 5 busy; \
            64 usage error.
            """
        )

        @Option(name: .long, help: "The team remote (default: workspace.teamRemote, the branch's upstream remote, origin).")
        var teamRemote: String?

        @Option(name: .long, help: "The workspace remote (default: workspace.remote, the one workspace:: remote).")
        var workspaceRemote: String?

        @Option(name: .long, help: "The branch on both remotes (default: the current branch).")
        var branch: String?

        @Flag(name: .long, help: "Print a JSON record of the run on stdout.")
        var json = false

        mutating func run() throws {
            let options = self
            try ParsableCommandRunner.runStarting {
                let repository = try GitWorkspace.Validate.openRepository()
                guard let branch = try options.branch ?? GitWorkspace.Validate.gitCall({ try repository.currentBranch() }) else {
                    throw CommandFailure(message: "HEAD is detached: name the branch to sync with --branch")
                }
                let workspace = try Remotes.workspace(options.workspaceRemote)
                let team = try Remotes.team(options.teamRemote, branch: branch, workspaceRemote: workspace)
                let reconciler = Reconciler(repository: repository, team: team, workspace: workspace, branch: branch)
                let report: SyncReport
                do { report = try reconciler.run() } catch let failure as CommandFailure {
                    throw failure
                } catch {
                    throw CommandFailure(message: "sync \(branch): \(error)")
                }
                Output.err(Sync.text(report))
                if options.json { Output.json(report.jsonValue) }
                return report.outcome.exitStatus
            }
        }

        /// The outcome line, what a failed push printed (indented, quoted as git gave it),
        /// then one `warning:` line per warning.
        static func text(_ report: SyncReport) -> String {
            var text = report.line + "\n"
            if let push = report.failedPush {
                text += push.output.map { "    \($0)\n" }.joined()
            }
            text += report.warnings.map { "warning: \($0)\n" }.joined()
            return text
        }
    }
}
