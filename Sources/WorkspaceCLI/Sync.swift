import ArgumentParser
import Foundation
import Git
import WorkspaceSync
import YAML

extension GitWorkspace {
    /// `git workspace sync`: reconcile a team branch with a workspace branch, one outcome per run.
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile a branch of the team remote with the workspace remote.",
            discussion: """
            Fetches both sides with explicit refspecs, then ends in exactly one outcome: \
            in-sync, fast-forwarded (team commits pushed into the workspace), pushed-ahead \
            (workspace commits pushed to the team remote), rebased (both moved without a \
            conflict: the workspace's commits are replayed onto the team branch), \
            conflict-escaped (both changed a resource differently: the workspace side is saved \
            on conflicts/<UTC> on the team remote and a merge commit taking the team's side \
            brings the workspace level), fetch-failed, busy (another sync holds the lock) or \
            refused (a remote refused a push). One line on stderr; --json prints a record.

            Exit status: 0 in-sync, fast-forwarded, pushed-ahead, rebased; 1 refused; \
            2 could not run; 3 conflict-escaped; 4 fetch-failed; 5 busy; 64 usage error.
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
            try ParsableCommandRunner.run {
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
                Output.err(report.line + "\n")
                for warning in report.warnings { Output.err("warning: \(warning)\n") }
                if options.json { Output.json(report.jsonValue) }
                return report.outcome.exitStatus
            }
        }
    }
}

/// How a sync run ended.
enum SyncOutcome: String, Sendable {
    case inSync = "in-sync"
    case fastForwarded = "fast-forwarded"
    case pushedAhead = "pushed-ahead"
    case rebased
    case conflictEscaped = "conflict-escaped"
    case fetchFailed = "fetch-failed"
    case busy
    case refused

    /// One exit status per outcome class (git-workspace(1), "sync").
    var exitStatus: Int32 {
        switch self {
        case .inSync, .fastForwarded, .pushedAhead, .rebased: return 0
        case .refused: return 1
        case .conflictEscaped: return 3
        case .fetchFailed: return 4
        case .busy: return 5
        }
    }
}

/// What a sync run did, for the stderr line and `--json`.
struct SyncReport {
    var outcome: SyncOutcome
    var branch: String
    var team: String
    var workspace: String
    var before: (team: ObjectID?, workspace: ObjectID?) = (nil, nil)
    var after: (team: ObjectID?, workspace: ObjectID?) = (nil, nil)
    /// Commits that moved to the other side (pushed or replayed).
    var commits = 0
    var conflictBranch: String?
    var conflicts: [TreeMerge.Conflict] = []
    var warnings: [String] = []
    var detail = ""

    var line: String { "sync \(branch): \(outcome.rawValue)" + (detail.isEmpty ? "" : ": \(detail)") }

    var jsonValue: Value {
        func id(_ value: ObjectID?) -> Value { value.map { .string($0.hex) } ?? .null }
        var record: [String: Value] = [
            "outcome": .string(outcome.rawValue),
            "exitStatus": .int(Int(outcome.exitStatus)),
            "branch": .string(branch),
            "teamRemote": .string(team),
            "workspaceRemote": .string(workspace),
            "before": .object(["team": id(before.team), "workspace": id(before.workspace)]),
            "after": .object(["team": id(after.team), "workspace": id(after.workspace)]),
            "commits": .int(commits),
            "conflicts": .array(conflicts.map { .object(["path": .string($0.path), "details": .array($0.details.map { .string($0) })]) }),
            "warnings": .array(warnings.map { .string($0) }),
            "message": .string(line),
        ]
        record["conflictBranch"] = conflictBranch.map { .string($0) } ?? .null
        return .object(record)
    }
}

/// The reconciliation state machine behind `git workspace sync` (DESIGN.md section 4, Sync).
///
/// Under an exclusive lock on `$GIT_DIR/workspace-sync.lock` (a second run exits `busy`):
/// fetch both sides into `refs/remotes/<remote>/<branch>` with explicit refspecs, compare the
/// two tips, and move whichever side is behind with ordinary pushes whose exit statuses are
/// checked. A push refused because a side moved meanwhile starts the run over (three tries).
/// Nothing is ever force-pushed except the workspace branch in `rebased`, with a lease on
/// the value just fetched, so an application edit made meanwhile is never overwritten.
final class Reconciler {
    let repository: Repository
    let team: String
    let workspace: String
    let branch: String
    var now: () -> Date = Date.init
    static let attempts = 3

    init(repository: Repository, team: String, workspace: String, branch: String) {
        self.repository = repository
        self.team = team
        self.workspace = workspace
        self.branch = branch
    }

    var ref: String { "refs/heads/\(branch)" }

    func run() throws -> SyncReport {
        var report = SyncReport(outcome: .inSync, branch: branch, team: team, workspace: workspace)
        guard let lock = try SyncLock(path: repository.gitDir + "workspace-sync.lock") else {
            report.outcome = .busy
            report.detail = "another sync is running in this repository; nothing changed"
            return report
        }
        defer { lock.release() }
        for attempt in 1...Self.attempts {
            report = SyncReport(outcome: .inSync, branch: branch, team: team, workspace: workspace)
            if try attemptOnce(&report) { return report }
            if attempt == Self.attempts {
                report.outcome = .busy
                report.detail = "a remote kept moving during \(Self.attempts) tries; nothing lost, run again"
            }
        }
        return report
    }

    enum Tip { case at(ObjectID), absent, failed(String) }

    /// One pass; false when a side moved under it and the pass must start over.
    func attemptOnce(_ report: inout SyncReport) throws -> Bool {
        let teamTip = try fetch(team), workspaceTip = try fetch(workspace)
        var tips: (team: ObjectID?, workspace: ObjectID?) = (nil, nil)
        for (remote, tip) in [(team, teamTip), (workspace, workspaceTip)] {
            if case .failed(let why) = tip {
                report.outcome = .fetchFailed
                report.detail = "cannot fetch \(branch) from \(remote): \(why); nothing changed, retried next run"
                return true
            }
        }
        if case .at(let id) = teamTip { tips.team = id }
        if case .at(let id) = workspaceTip { tips.workspace = id }
        report.before = tips
        report.after = tips
        switch tips {
        case (nil, nil):
            report.detail = "\(branch) exists on neither remote"
            return true
        case let (t?, w?) where t == w:
            report.detail = "\(team) and \(workspace) are both at \(t.hex.prefix(7))"
            return true
        case let (t?, nil):
            return try fastForward(to: t, from: nil, &report)
        case let (nil, w?):
            return try pushAhead(w, &report)
        case let (t?, w?):
            if try repository.isDescendant(t, of: w) { return try fastForward(to: t, from: w, &report) }
            if try repository.isDescendant(w, of: t) { return try pushAhead(w, &report) }
            return try reconcileDiverged(team: t, workspace: w, &report)
        }
    }

    // MARK: - outcomes

    func fastForward(to tip: ObjectID, from old: ObjectID?, _ report: inout SyncReport) throws -> Bool {
        let pushed = try push(tip, to: workspace)
        guard pushed.status == 0 else { return refusedOrRaced(pushed, remote: workspace, &report) }
        report.outcome = .fastForwarded
        report.commits = try repository.commits(from: [tip], hiding: old.map { [$0] } ?? []).count
        report.after.workspace = tip
        report.detail = "pushed \(plural(report.commits, "commit")) from \(team)/\(branch) into \(workspace) (\(old.map { "\($0.hex.prefix(7)).." } ?? "")\(tip.hex.prefix(7)))"
        return true
    }

    func pushAhead(_ tip: ObjectID, _ report: inout SyncReport) throws -> Bool {
        report.outcome = .pushedAhead
        report.commits = try repository.commits(from: [tip], hiding: report.before.team.map { [$0] } ?? []).count
        let pushed = try push(tip, to: team)
        if pushed.status != 0 && raced(pushed) { return false }
        if pushed.status == 0 {
            report.after.team = tip
            report.detail = "pushed \(plural(report.commits, "workspace commit")) to \(team)/\(branch) (\(tip.hex.prefix(7)))"
        } else {
            // The workspace is ahead and keeps its commits; the next run pushes them again.
            report.detail = "\(workspace) is \(plural(report.commits, "commit")) ahead; pushing to \(team) failed, retried next run"
            report.warnings.append("push to \(team) failed: \(firstLine(pushed.stderr))")
        }
        return true
    }

    func reconcileDiverged(team t: ObjectID, workspace w: ObjectID, _ report: inout SyncReport) throws -> Bool {
        let overall = try TreeMerge(repository: repository).merge(commit: t, with: w, labels: ("base", team, workspace))
        guard overall.isClean else {
            return try escape(team: t, workspace: w, merged: overall, &report)
        }
        let commits = try repository.commits(from: [w], hiding: [t])
        let replayed = try replay(commits, onto: t)
        // When the whole merges cleanly but the commits do not replay one by one (an edit made
        // and undone on one side while the other changed it), the merge itself is recorded.
        let tip = try replayed ?? mergeCommit(tree: overall.tree, parents: [w, t],
                                              message: "Sync \(branch): merge \(workspace) with \(team)\n")
        // Replayed commits replace the workspace's (with a lease); a merge descends from them.
        let pushed = try push(tip, to: workspace, lease: replayed == nil ? nil : w)
        guard pushed.status == 0 else { return refusedOrRaced(pushed, remote: workspace, &report) }
        report.outcome = .rebased
        report.after.workspace = tip
        if replayed != nil {
            report.commits = try repository.commits(from: [tip], hiding: [t]).count
            report.detail = "replayed \(plural(report.commits, "workspace commit")) onto \(team)/\(branch) (\(tip.hex.prefix(7)))"
        } else {
            report.commits = commits.count
            report.detail = "merged \(plural(report.commits, "workspace commit")) with \(team)/\(branch) (they do not replay one by one; \(tip.hex.prefix(7)))"
        }
        pushTeam(tip, &report)
        return true
    }

    /// Pushes the reconciled commit to the team remote; a failure is a warning (next run retries).
    func pushTeam(_ commit: ObjectID, _ report: inout SyncReport) {
        do {
            let pushed = try push(commit, to: team)
            if pushed.status == 0 {
                report.after.team = commit
                return
            }
            report.warnings.append("push to \(team) failed: \(firstLine(pushed.stderr)); retried next run")
        } catch {
            report.warnings.append("push to \(team) failed: \(error); retried next run")
        }
    }

    /// A commit by the sync identity, written into the repository.
    func mergeCommit(tree: ObjectID, parents: [ObjectID], message: String) throws -> ObjectID {
        let identity = try syncIdentity()
        let commit = CommitData(tree: tree, parents: parents, author: identity, committer: identity, message: message)
        return try repository.write(RawObject(type: .commit, data: commit.serialize()))
    }

    /// Saves the workspace side on `conflicts/<UTC>` on the team remote, then levels the
    /// workspace with a merge commit (never a forced push) whose tree is the merge of both
    /// sides with the team's version of every conflicting resource.
    func escape(team t: ObjectID, workspace w: ObjectID, merged: TreeMerge.Result, _ report: inout SyncReport) throws -> Bool {
        let conflicts = merged.conflicts
        let name = "conflicts/" + Self.timestamp(now())
        let saved = try push(w, to: team, as: "refs/heads/\(name)")
        guard saved.status == 0 else {
            report.outcome = .fetchFailed
            report.detail = "cannot save the workspace side on \(team) as \(name): \(firstLine(saved.stderr)); nothing changed, retried next run"
            return true
        }
        var message = "Sync \(branch): take \(team) over conflicting workspace edits\n\n"
        message += "The workspace side is saved on \(name) on \(team).\n"
        message += "\nConflicts (the team's version kept):\n" + conflicts.map { "  \($0.path): \($0.details.joined(separator: "; "))\n" }.joined()
        let mergeID = try mergeCommit(tree: merged.tree, parents: [w, t], message: message)
        let pushed = try push(mergeID, to: workspace)
        guard pushed.status == 0 else { return refusedOrRaced(pushed, remote: workspace, &report) }
        report.outcome = .conflictEscaped
        report.conflictBranch = name
        report.conflicts = conflicts
        report.after.workspace = mergeID
        report.detail = "\(plural(conflicts.count, "resource")) changed on both sides (\(conflicts.map(\.path).joined(separator: ", "))); "
            + "workspace edits saved on \(team)/\(name), the team's version kept (\(mergeID.hex.prefix(7)))"
        pushTeam(mergeID, &report)
        return true
    }

    /// Replays `commits` (oldest first) onto `tip`, each as its change against its first
    /// parent, keeping authors and messages. Nil when one of them does not apply cleanly.
    func replay(_ commits: [ObjectID], onto tip: ObjectID) throws -> ObjectID? {
        let merger = TreeMerge(repository: repository)
        let identity = try syncIdentity()
        var current = tip
        for id in commits {
            let commit = try repository.commit(id)
            let base = try commit.parents.first.map { try repository.treeID(ofCommit: $0) }
            let result = try merger.merge(base: base, ours: try repository.treeID(ofCommit: current), theirs: commit.tree)
            guard result.isClean else { return nil }
            if result.tree == (try repository.treeID(ofCommit: current)) { continue }
            let copy = CommitData(tree: result.tree, parents: [current], author: commit.author, committer: identity,
                                  message: commit.message)
            current = try repository.write(RawObject(type: .commit, data: copy.serialize()))
        }
        return current
    }

    // MARK: - git

    func fetch(_ remote: String) throws -> Tip {
        let fetched = try Remotes.fetch(remote, branch: branch)
        if fetched.status == 0 { return .at(try repository.commitID(Remotes.tracking(remote, branch: branch))) }
        let listed = try Subprocess.git(["ls-remote", "--exit-code", remote, ref])
        if listed.status == 2 { return .absent }
        return .failed(firstLine(fetched.stderr))
    }

    func push(_ commit: ObjectID, to remote: String, as destination: String? = nil, lease: ObjectID? = nil) throws -> Subprocess.Result {
        let target = destination ?? ref
        var arguments = ["push", "--quiet"]
        if let lease { arguments.append("--force-with-lease=\(target):\(lease.hex)") }
        arguments += [remote, "\(commit.hex):\(target)"]
        let result = try Subprocess.git(arguments)
        if result.status == 0, destination == nil {
            // Keep the remote-tracking ref in step with what the remote now holds (the next
            // fetch would repair it; a failure here is only worth a line).
            let tracking = Remotes.tracking(remote, branch: branch)
            let updated = try Subprocess.git(["update-ref", tracking, commit.hex])
            if updated.status != 0 {
                Output.err("warning: cannot update \(tracking): \(firstLine(updated.stderr))\n")
            }
        }
        return result
    }

    /// A refused push: a race (the remote moved) starts over, anything else is `refused`.
    func refusedOrRaced(_ result: Subprocess.Result, remote: String, _ report: inout SyncReport) -> Bool {
        if raced(result) { return false }
        report.outcome = .refused
        report.detail = "\(remote) refused the push; nothing lost"
        report.warnings += result.stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("hint:") && !$0.isEmpty }
        return true
    }

    /// True when a push was refused because the remote moved since the fetch.
    func raced(_ result: Subprocess.Result) -> Bool {
        ["(fetch first)", "(non-fast-forward)", "(stale info)"].contains { result.stderr.contains($0) }
    }

    /// `1 commit`, `2 commits`.
    func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    func firstLine(_ text: String) -> String {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("hint:") } ?? "no message"
    }

    /// Who commits replays and escape merges: git's committer identity, else a fixed one.
    func syncIdentity() throws -> Signature {
        let ident = try Subprocess.git(["var", "GIT_COMMITTER_IDENT"])
        if ident.status == 0, let signature = CommitData.parseSignature(ident.text) { return signature }
        return Signature(name: "git-workspace sync", email: "sync@workspace.invalid", time: Int64(now().timeIntervalSince1970))
    }

    /// `20261121T093000Z`: UTC, sortable, valid in a ref name.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}

/// An exclusive, non-blocking `flock` on a file; released on `release()` or process exit,
/// so a crashed run never leaves a stale lock behind.
final class SyncLock {
    let descriptor: Int32

    /// Nil when another process holds the lock; an error when the file cannot be opened.
    init?(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CommandFailure(message: "cannot open the sync lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
