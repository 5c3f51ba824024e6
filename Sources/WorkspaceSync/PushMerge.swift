import Foundation
import Git
import WorkspaceSpec
import WorkspaceStore

/// A push with `-o merge`: when the workspace branch moved since the pushed commit's base,
/// merge per resource on the server instead of refusing (DESIGN.md section 4, Push).
extension PushImporter {
    /// What a merging push did: the plan, and the merge commit when one was made.
    public struct MergeResult: Sendable {
        public var plan: PushPlan
        /// The merge commit the branch now points at (written into the client repository
        /// too, so git can record it); nil when the push was a fast-forward.
        public var mergeCommit: ObjectID?
    }

    /// Imports `commit`, merging it with the workspace branch when that branch moved.
    ///
    /// A fast-forward imports as usual. Otherwise the workspace's history is copied into the
    /// client repository, the trees are merged against the merge base (resources key by key,
    /// other files line by line), and a merge commit with the branch as first parent and the
    /// pushed commit as second is imported. The merge fails, naming each conflicting
    /// resource and key, when one changed on both sides to different specs that cannot be
    /// reconciled. The merge commit's author and committer is the pushed commit's committer,
    /// at `now`.
    public func mergeCommit(_ commit: ObjectID, into tx: any WorkspaceWriting, expected: ObjectID?? = nil,
                            now: Date = Date()) throws -> MergeResult {
        let state = try WorkspaceState(tx)
        try Self.checkLease(expected, head: state.head)
        guard let head = state.head, head != commit else {
            return MergeResult(plan: try importCommit(commit, into: tx, expected: expected), mergeCommit: nil)
        }
        guard try client.hasObject(commit) else { throw SyncError.corrupt("the pushed commit \(commit.hex) is not in the repository") }
        // The pushed objects meet the store's limits (`PushLimits`) before any file of them
        // is read for the merge, as in a push that does not merge.
        _ = try Transfer.missingInStore(from: commit, client: client, store: state.objects) { _, _ in }
        let spool = try client.packSpool()
        try Fetcher.missingObjects(from: head, in: tx, client: client, into: spool)
        try client.writePack(spool)
        if try client.isDescendant(commit, of: head) {
            return MergeResult(plan: try importCommit(commit, into: tx, expected: expected), mergeCommit: nil)
        }
        if try client.isDescendant(head, of: commit) {
            var plan = PushPlan(workspace: tx.name)
            plan.upToDate = true
            plan.previousHead = head
            plan.head = head
            return MergeResult(plan: plan, mergeCommit: nil)
        }
        let result = try TreeMerge(repository: client).merge(commit: head, with: commit, labels: ("base", "workspace", "pushed"))
        guard result.isClean else {
            let names = result.conflicts.map(\.path).joined(separator: ", ")
            throw SyncError(.conflict, "merge conflict in \(result.conflicts.count) resource\(result.conflicts.count == 1 ? "" : "s"): \(names)",
                            diagnostics: result.conflicts.flatMap(\.diagnostics))
        }
        let pushed = try client.commit(commit)
        var identity = pushed.committer
        identity.time = Int64(now.timeIntervalSince1970)
        var message = "Merge pushed \(commit.hex.prefix(7)) into workspace \(tx.name)\n"
        if !result.merged.isEmpty {
            message += "\nMerged per resource on both sides:\n" + result.merged.map { "  \($0)\n" }.joined()
        }
        let merge = CommitData(tree: result.tree, parents: [head, commit], author: identity, committer: identity, message: message)
        let mergeID = try client.write(RawObject(type: .commit, data: merge.serialize()))
        var plan = try importCommit(mergeID, into: tx, expected: expected)
        plan.mergedFrom = commit
        return MergeResult(plan: plan, mergeCommit: mergeID)
    }
}
