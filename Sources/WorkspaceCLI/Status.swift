import ArgumentParser
import Foundation
import Git
import WorkspaceSpec
import WorkspaceSync
import YAML

extension GitWorkspace {
    /// `git workspace status [<remote>] [--branch B] [--no-fetch] [--json]`.
    ///
    /// Compares the work tree as the user sees it (HEAD plus staged and unstaged changes,
    /// untracked files included) with the workspace branch `B` as last fetched
    /// (`refs/remotes/<remote>/B`), per resource, against their merge base:
    /// - `<remote>`: the argument, else `git config workspace.remote`, else the one remote
    ///   whose URL starts with `workspace::` (none or several: exit 2);
    /// - `B`: `--branch`, else the current branch (a detached HEAD needs `--branch`);
    /// - unless `--no-fetch`, it runs `git fetch <remote> +refs/heads/B:refs/remotes/<remote>/B`
    ///   (an explicit refspec, so a narrow clone's configuration cannot hide the branch) while
    ///   it compares the work tree with HEAD, and reads the workspace side once the fetch has
    ///   finished; when that fails it warns and reads the last fetched state, as `git status`
    ///   always does.
    /// Only resource paths changed on some side are read (`WorkspaceStatus`).
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show, per resource, how the work tree and the workspace differ since they last met.",
            discussion: """
            Classes: clean (same spec on both sides), local_dirty (changed in the repository), \
            remote_ahead (changed in the workspace), diverged (changed on both sides; merges key \
            by key), conflicted (changed on both sides; does not merge). The remote is <remote>, \
            else `git config workspace.remote`, else the one remote whose URL starts with \
            workspace::. The workspace branch has the name of --branch, else of the current \
            branch. Unless --no-fetch, it is fetched first; otherwise, or when the fetch fails, \
            the last fetched state (refs/remotes/<remote>/<branch>) is used.

            Exit status: 0 reported (whatever the classes), 2 could not run, 64 usage error.
            """
        )

        @Argument(help: "The workspace remote (default: workspace.remote, else the one workspace:: remote).")
        var remote: String?

        @Option(name: .long, help: "The workspace branch (default: the current branch's name).")
        var branch: String?

        @Flag(name: .customLong("no-fetch"), help: "Use the last fetched state of the workspace branch.")
        var noFetch = false

        @Flag(name: .long, help: "Print one JSON object on stdout.")
        var json = false

        mutating func run() throws {
            let remote = self.remote, branch = self.branch, fetch = !noFetch, json = self.json
            try ParsableCommandRunner.runStarting {
                let repository = try Validate.openRepository()
                guard let workdir = repository.workdir else {
                    throw CommandFailure(message: "status compares a work tree, and this repository is bare")
                }
                let name = try Remotes.workspace(remote)
                let branchName = try Status.branchName(branch, in: repository)
                let tracking = RemoteBranch.tracking(name, branch: branchName)
                // The fetch (another process) runs while the work tree is compared with HEAD,
                // which it cannot change: the two take about as long at 10 000 resources.
                let fetching = fetch ? Background { Status.fetch(remote: name, branch: branchName, into: tracking) } : nil
                let local: LocalChanges
                do { local = try Validate.gitCall { try Status.localChanges(repository, workdir: workdir) } } catch {
                    _ = fetching?.result()  // the command ends after its child
                    throw error
                }
                let fetched = fetching?.result() ?? false
                let report = try Validate.gitCall { try Status.compute(repository, tracking: tracking, workdir: workdir, local: local) }
                if json {
                    Output.json(Status.jsonValue(report, branch: branchName, remote: name, tracking: tracking, fetched: fetched))
                } else {
                    Output.out(Status.text(report))
                }
                return ExitStatus.success
            }
        }

        /// `--branch`, else the branch HEAD names (also unborn).
        static func branchName(_ option: String?, in repository: Repository) throws -> String {
            if let option {
                guard Repository.isValidReferenceName("refs/heads/" + option) else {
                    throw CommandFailure(message: "'\(option)' is not a valid branch name", status: ExitStatus.usage)
                }
                return option
            }
            guard let current = try Validate.gitCall({ try repository.currentBranch() }) else {
                throw CommandFailure(message: "HEAD is detached: say which workspace branch to compare with --branch")
            }
            return current
        }

        /// `git fetch` of one branch with an explicit refspec; false (after a warning) when it fails.
        static func fetch(remote: String, branch: String, into tracking: String) -> Bool {
            let fetched: Subprocess.Result
            do {
                fetched = try RemoteBranch.fetch(remote, branch: branch)
            } catch {
                Output.err("git-workspace: warning: cannot run git fetch (\(error)); using the last fetched state of \(tracking)\n")
                return false
            }
            if fetched.status == 0 { return true }
            let reason = fetched.stderr.split(separator: "\n").last.map { ": \($0)" } ?? ""
            Output.err("git-workspace: warning: fetching \(branch) from \(remote) failed (exit \(fetched.status))\(reason); using the last fetched state of \(tracking)\n")
            return false
        }

        /// What the work tree says, whatever the workspace holds: HEAD, the manifest on disk and
        /// the paths under its roots that differ from HEAD.
        struct LocalChanges {
            var head: ObjectID?
            var manifest: Manifest
            var paths: [String]
        }

        static func localChanges(_ repository: Repository, workdir: String) throws -> LocalChanges {
            let head = try repository.reference("HEAD")
            let manifest = try Validate.manifest(of: DiskTree(directory: workdir))
            let headTree = try head.map { try repository.treeID(ofCommit: $0) }
            let paths = try repository.workTreeChanges(against: headTree, under: Array(Set(manifest.roots.values)))
            return LocalChanges(head: head, manifest: manifest, paths: paths)
        }

        static func compute(_ repository: Repository, tracking: String, workdir: String, local: LocalChanges) throws -> StatusReport {
            let head = local.head
            let remote = try repository.reference(tracking)
            if remote == nil {
                Output.err("git-workspace: warning: \(tracking) does not exist (the workspace branch is unborn or was never fetched); comparing with an empty workspace\n")
            }
            var base: ObjectID?
            if let head, let remote { base = try repository.mergeBase(head, remote) }
            let top = URL(fileURLWithPath: workdir)
            let workTree = WorkspaceStatus.WorkTree(paths: local.paths) { path in
                let file = top.appendingPathComponent(path).path
                guard FileManager.default.fileExists(atPath: file) else { return nil }
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure(message: "cannot read \(path)")
                }
                return Array(data)
            }
            return try WorkspaceStatus(repository: repository)
                .report(base: base, head: head, remote: remote, workTree: workTree, manifest: local.manifest)
        }

        /// `<class>  <path>` per resource (conflicting keys indented below), then a summary.
        static func text(_ report: StatusReport) -> String {
            var text = ""
            for entry in report.entries {
                text += "\(entry.state.rawValue)  \(entry.path)\n"
                if entry.state == .conflicted { text += entry.details.map { "    \($0)\n" }.joined() }
            }
            return text + summary(report) + "\n"
        }

        static func summary(_ report: StatusReport) -> String {
            if report.isInSync { return "everything is in sync" }
            let order: [StatusReport.State] = [.localDirty, .remoteAhead, .diverged, .conflicted, .clean]
            return order.filter { report.count($0) > 0 }.map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        }

        static func jsonValue(_ report: StatusReport, branch: String, remote: String, tracking: String, fetched: Bool) -> Value {
            func id(_ value: ObjectID?) -> Value { value.map { .string($0.hex) } ?? .null }
            return .object([
                "branch": .string(branch),
                "remote": .string(remote),
                "tracking_ref": .string(tracking),
                "fetched": .bool(fetched),
                "commits": .object(["base": id(report.base), "local": id(report.head), "remote": id(report.remote)]),
                "resources": .array(report.entries.map { entry in
                    .object([
                        "path": .string(entry.path),
                        "kind": .string(entry.kind),
                        "id": .string(entry.sourceID),
                        "status": .string(entry.state.rawValue),
                        "details": .array(entry.details.map { .string($0) }),
                    ])
                }),
                "counts": .object(Dictionary(uniqueKeysWithValues: StatusReport.State.allCases.map { ($0.rawValue, .int(report.count($0))) })),
                "in_sync": .bool(report.isInSync),
            ])
        }
    }
}
