import Foundation
import Git

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
