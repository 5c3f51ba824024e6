import Foundation
import Git

/// The reconciliation state machine behind `git workspace sync` (DESIGN.md section 4, Sync):
/// one branch of the team remote and the same branch of the workspace remote, brought to
/// one commit, ending in exactly one `SyncOutcome`.
///
/// Under an exclusive lock on `$GIT_DIR/workspace-sync.lock` (a second run ends `busy`) it
/// fetches both sides into `refs/remotes/<remote>/<branch>` with explicit refspecs, compares
/// the two tips and moves whichever side is behind with ordinary pushes.
///
/// Invariants:
/// - Nothing published is rewritten: every push is a fast-forward of its remote (no force,
///   no lease). When both sides moved, sync writes one merge commit whose first parent is
///   the workspace's tip and second the team's, and pushes it to both; the workspace's
///   clones see a fast-forward and every commit keeps its id.
/// - Push results come from `git push --porcelain` and git's exit status, never from
///   stderr text. A push refused because its remote moved since the fetch (`fetch first`,
///   `non-fast-forward`, `stale info`) starts the run over, at most `attempts` times.
/// - A push that fails otherwise ends the run: `refused` when the remote (or the pre-push
///   hook) refused it, `push-failed` when git could not reach the remote. Pushes to the
///   team remote are no exception: a team that refuses is never reported as success.
/// - Nothing is lost: a failed push leaves its commits where they were (the workspace keeps
///   a merge it already took), and the next run picks up from there.
public final class Reconciler {
    /// The repository whose remotes are synced (its objects hold fetched and merged commits).
    public let repository: Repository
    /// The team remote's name.
    public let team: String
    /// The workspace remote's name.
    public let workspace: String
    /// The branch, named alike on both remotes.
    public let branch: String
    /// The clock that names `conflicts/<UTC>` branches.
    public var now: () -> Date = Date.init
    /// How many times a run starts over when a side moved under it.
    public static let attempts = 3

    /// A conflict escape made earlier in this run, kept across attempts so that a run that
    /// starts over still reports the branch it saved.
    struct Escape {
        var branch: String
        var conflicts: [TreeMerge.Conflict]
        /// True once the workspace took the merge that sets its conflicting edits aside.
        var leveled = false
        var detail = ""
    }
    var escape: Escape?

    /// A state machine for `branch` between the remotes `team` and `workspace` of `repository`.
    public init(repository: Repository, team: String, workspace: String, branch: String) {
        self.repository = repository
        self.team = team
        self.workspace = workspace
        self.branch = branch
    }

    var ref: String { "refs/heads/\(branch)" }

    /// Runs to one outcome. Errors are for what could not be run at all (git missing, an
    /// unreadable object, an unopenable lock file); every remote's answer is an outcome.
    public func run() throws -> SyncReport {
        var report = SyncReport(outcome: .inSync, branch: branch, team: team, workspace: workspace)
        guard let lock = try SyncLock(path: repository.gitDir + "workspace-sync.lock") else {
            report.outcome = .busy
            report.detail = "another sync is running in this repository; nothing changed"
            return report
        }
        defer { lock.release() }
        escape = nil
        for attempt in 1...Self.attempts {
            report = SyncReport(outcome: .inSync, branch: branch, team: team, workspace: workspace)
            if try attemptOnce(&report) { return finish(report) }
            if attempt == Self.attempts {
                report.outcome = .busy
                report.detail = "a remote kept moving during \(Self.attempts) tries; nothing lost, run again"
            }
        }
        return finish(report)
    }

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
            report.detail = "\(team) and \(workspace) are both at \(t.short)"
            return true
        case let (t?, nil):
            return try fastForward(to: t, from: nil, &report)
        case let (nil, w?):
            return try pushAhead(w, &report)
        case let (t?, w?):
            if try repository.isDescendant(t, of: w) { return try fastForward(to: t, from: w, &report) }
            if try repository.isDescendant(w, of: t) { return try pushAhead(w, &report) }
            return try merge(team: t, workspace: w, &report)
        }
    }

    /// Folds an escape made by an earlier attempt into the final report: the run is
    /// `conflict-escaped` when it ended level after the workspace took the escape merge.
    func finish(_ report: SyncReport) -> SyncReport {
        guard let escape else { return report }
        var report = report
        report.conflictBranch = escape.branch
        report.conflicts = escape.conflicts
        guard report.outcome != .conflictEscaped else { return report }
        if !escape.leveled {
            report.warnings.append("\(team)/\(escape.branch) was saved during an attempt that had to start over; "
                                   + "the workspace's edits were not set aside, so it is only a copy")
        } else if report.outcome.exitStatus == 0 {
            report.detail = escape.detail + "; then \(report.outcome.rawValue): " + report.detail
            report.outcome = .conflictEscaped
        } else {
            report.warnings.append("before this, \(escape.detail)")
        }
        return report
    }

    /// Ends an attempt on a push that did not go through; nil when it did. `consequence`
    /// says what the failure leaves behind (`nothing changed`, what already moved).
    func ended(_ result: PushResult, _ report: inout SyncReport, consequence: String) -> Bool? {
        switch result {
        case .pushed:
            return nil
        case .raced:
            return false
        case .refused(let failure):
            report.outcome = .refused
            report.failedPush = failure
            report.detail = "\(failure.remote) refused \(failure.commit.short) on \(failure.ref): \(failure.why); "
                + "\(consequence); it stays refused until the reason is dealt with"
            return true
        case .failed(let failure):
            report.outcome = .pushFailed
            report.failedPush = failure
            report.detail = "cannot push \(failure.commit.short) to \(failure.remote) \(failure.ref): \(failure.why); "
                + "\(consequence), retried next run"
            return true
        }
    }

    /// `1 commit`, `2 commits`.
    func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}

/// The moves of the state machine: each pushes, judges the push, and fills the report.
extension Reconciler {
    /// The team is ahead (or the workspace branch is unborn): its commits go into the
    /// workspace, a validated import.
    func fastForward(to tip: ObjectID, from old: ObjectID?, _ report: inout SyncReport) throws -> Bool {
        if let over = ended(try push(tip, to: workspace, &report), &report, consequence: "nothing changed") { return over }
        report.outcome = .fastForwarded
        report.commits = try repository.commits(from: [tip], hiding: old.map { [$0] } ?? []).count
        report.after.workspace = tip
        report.detail = "pushed \(plural(report.commits, "commit")) from \(team)/\(branch) into \(workspace) "
            + "(\(old.map { "\($0.short).." } ?? "")\(tip.short))"
        return true
    }

    /// The workspace is ahead (application edits): its commits go to the team remote with
    /// their real authors. A team remote that refuses them ends the run `refused`.
    func pushAhead(_ tip: ObjectID, _ report: inout SyncReport) throws -> Bool {
        let commits = try repository.commits(from: [tip], hiding: report.before.team.map { [$0] } ?? []).count
        let kept = "nothing lost: \(workspace) keeps \(plural(commits, "commit")) and the next run pushes again"
        if let over = ended(try push(tip, to: team, &report), &report, consequence: kept) { return over }
        report.outcome = .pushedAhead
        report.commits = commits
        report.after.team = tip
        report.detail = "pushed \(plural(commits, "workspace commit")) to \(team)/\(branch) (\(tip.short))"
        return true
    }

    /// Both moved. Without a conflicting resource: one merge commit (workspace first) that
    /// both sides fast-forward to. With one: `escape`.
    func merge(team t: ObjectID, workspace w: ObjectID, _ report: inout SyncReport) throws -> Bool {
        let merged = try TreeMerge(repository: repository).merge(commit: t, with: w, labels: ("base", team, workspace))
        guard merged.isClean else { return try escape(team: t, workspace: w, merged: merged, &report) }
        let message = "Sync \(branch): merge \(team)/\(branch) into \(workspace)/\(branch)\n\n"
            + "Both sides moved and no resource changed on both to different specs; git workspace sync\n"
            + "pushes this merge to both remotes, so each of them fast-forwards to it.\n"
        let mergeID = try mergeCommit(tree: merged.tree, parents: [w, t], message: message)
        let counts = (toTeam: try repository.commits(from: [w], hiding: [t]).count,
                      toWorkspace: try repository.commits(from: [t], hiding: [w]).count)
        if let over = ended(try push(mergeID, to: workspace, &report), &report, consequence: "nothing changed") { return over }
        report.after.workspace = mergeID
        report.mergeCommit = mergeID
        report.commits = counts.toTeam + counts.toWorkspace
        let summary = "merged \(plural(counts.toWorkspace, "team commit")) into \(workspace) and "
            + "\(plural(counts.toTeam, "workspace commit")) into \(team) (merge \(mergeID.short), the workspace's tip its first parent)"
        let kept = "\(summary); nothing lost: \(workspace) holds the merge and the next run pushes it again"
        if let over = ended(try push(mergeID, to: team, &report), &report, consequence: kept) { return over }
        report.after.team = mergeID
        report.outcome = .merged
        report.detail = summary + "; both fast-forwarded to it"
        return true
    }

    /// Saves the workspace side on `conflicts/<UTC>` on the team remote, then levels the
    /// workspace with a merge commit (never a forced push) whose tree is the merge of both
    /// sides with the team's version of every conflicting resource, and pushes that merge
    /// to the team remote too.
    func escape(team t: ObjectID, workspace w: ObjectID, merged: TreeMerge.Result, _ report: inout SyncReport) throws -> Bool {
        let conflicts = merged.conflicts
        let name = "conflicts/" + Self.timestamp(now())
        let saved = try push(w, to: team, as: "refs/heads/\(name)", &report)
        if let over = ended(saved, &report, consequence: "nothing changed") { return over }
        escape = Escape(branch: name, conflicts: conflicts)
        var message = "Sync \(branch): take \(team) over conflicting workspace edits\n\n"
        message += "The workspace side is saved on \(name) on \(team).\n"
        message += "\nConflicts (the team's version kept):\n"
            + conflicts.map { "  \($0.path): \($0.details.joined(separator: "; "))\n" }.joined()
        let mergeID = try mergeCommit(tree: merged.tree, parents: [w, t], message: message)
        let counts = (toTeam: try repository.commits(from: [w], hiding: [t]).count,
                      toWorkspace: try repository.commits(from: [t], hiding: [w]).count)
        let savedOnly = "the workspace side is saved on \(team)/\(name); nothing else changed"
        if let over = ended(try push(mergeID, to: workspace, &report), &report, consequence: savedOnly) { return over }
        report.after.workspace = mergeID
        report.mergeCommit = mergeID
        report.commits = counts.toTeam + counts.toWorkspace
        report.conflictBranch = name
        report.conflicts = conflicts
        let summary = "\(plural(conflicts.count, "resource")) changed on both sides (\(conflicts.map(\.path).joined(separator: ", "))); "
            + "workspace edits saved on \(team)/\(name), the team's version kept (merge \(mergeID.short))"
        escape?.leveled = true
        escape?.detail = summary
        let kept = "\(summary); nothing lost: \(workspace) holds the merge and the next run pushes it again"
        if let over = ended(try push(mergeID, to: team, &report), &report, consequence: kept) { return over }
        report.after.team = mergeID
        report.outcome = .conflictEscaped
        report.detail = summary
        return true
    }
}

extension ObjectID {
    /// The 7-digit abbreviation used in sync's messages.
    var short: String { String(hex.prefix(7)) }
}
