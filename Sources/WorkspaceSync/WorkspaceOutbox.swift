import Foundation
import Git
import WorkspaceSpec
import WorkspaceStore

/// The application outbox: rows an application inserts into `workspace_outbox` with plain
/// SQL, in the same transaction as its own save, become commits by their authors.
///
/// Every operation on a workspace drains it first (`drain`): pending rows in `id` order,
/// each judged exactly like `git workspace app put` (or `app rm`) and written as one commit
/// authored by the row's author at its `created_at`, in one transaction with the row's
/// `applied` state and commit id. A row the judgement refuses becomes `rejected` with the
/// diagnostics in `error`, in a transaction of its own, and never blocks the rows after it.
/// A failure that is not the row's (the store itself) leaves the row pending for the next
/// operation. Nothing is lost when either side crashes: a row is pending until the
/// transaction that carries its commit has committed.
public enum WorkspaceOutbox {
    /// What happened to one row.
    public struct Outcome: Sendable {
        public var entry: OutboxEntry
        /// The change when the row applied (its commit nil when it changed nothing).
        public var result: AppChangeResult?
        /// Why the row was rejected.
        public var error: String?
    }

    /// Applies the pending rows of `workspace`. With `wait` false (readers: list, fetch,
    /// `app ls`), nothing is applied while another writer holds the workspace: that writer,
    /// or the next operation, drains it, and the reader never waits.
    @discardableResult
    public static func drain(_ store: any WorkspaceStore, workspace: String, wait: Bool = true) throws -> [Outcome] {
        guard try store.read(workspace, { try $0.hasPendingOutbox() }) else { return [] }
        var outcomes: [Outcome] = []
        while true {
            let step: Step?
            do {
                step = wait ? try store.write(workspace, applyNext) : try store.writeIfFree(workspace, applyNext) ?? nil
            } catch let refusal as RowRefusal {
                try reject(refusal, store: store, workspace: workspace)
                outcomes.append(Outcome(entry: refusal.entry, result: nil, error: refusal.text))
                continue
            }
            guard let step else { return outcomes }
            FaultPoint.hit("outbox.committed")
            outcomes.append(Outcome(entry: step.entry, result: step.result, error: nil))
        }
    }

    private struct Step {
        var entry: OutboxEntry
        var result: AppChangeResult
    }

    /// A row the judgement refused, carried out of the rolled-back transaction.
    private struct RowRefusal: Error {
        var entry: OutboxEntry
        var text: String
    }

    /// Applies the oldest pending row and settles it `applied`; nil when none is left.
    private static func applyNext(_ tx: any WorkspaceWriting) throws -> Step? {
        guard let entry = try tx.nextPendingOutbox() else { return nil }
        let result: AppChangeResult
        do {
            result = try apply(entry, in: tx)
        } catch let error as SyncError where [.invalid, .notFound].contains(error.code) {
            throw RowRefusal(entry: entry, text: error.description)
        } catch let error as RowProblem {
            throw RowRefusal(entry: entry, text: error.text)
        }
        try tx.settleOutbox(id: entry.id, state: .applied, commit: result.commit, error: nil)
        return Step(entry: entry, result: result)
    }

    /// Settles a refused row `rejected` (unless another process settled it meanwhile).
    private static func reject(_ refusal: RowRefusal, store: any WorkspaceStore, workspace: String) throws {
        do {
            try store.write(workspace) { tx in
                try tx.settleOutbox(id: refusal.entry.id, state: .rejected, commit: nil, error: refusal.text)
            }
        } catch let error as StoreError where error.code == .notFound {
            return
        }
    }

    /// What is wrong with a row before its document is read.
    struct RowProblem: Error {
        var text: String
    }

    /// One row as the change it asks for, in `tx`.
    static func apply(_ entry: OutboxEntry, in tx: any WorkspaceWriting) throws -> AppChangeResult {
        let name = "outbox row \(entry.id)"
        guard entry.createdAt != Int.min else {
            throw RowProblem(text: "\(name): created_at is not a time (write ISO 8601, such as 2026-12-02T10:00:00Z, or leave it to its default)")
        }
        // They go into a commit header as written: no brackets, line breaks or NULs.
        let unusable: (String) -> Bool = { text in
            text.trimmingCharacters(in: .whitespaces).isEmpty || text.contains { "<>\n\r\0".contains($0) }
        }
        guard !unusable(entry.authorName), !unusable(entry.authorEmail) else {
            throw RowProblem(text: "\(name): author_name and author_email must name a person (not empty; no '<', '>' or line break)")
        }
        let actor = Signature(name: entry.authorName.trimmingCharacters(in: .whitespaces),
                              email: entry.authorEmail.trimmingCharacters(in: .whitespaces),
                              time: Int64(entry.createdAt), offsetMinutes: 0)
        let message = entry.message.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        switch entry.action {
        case .put?:
            guard let text = entry.document, !text.isEmpty else {
                throw RowProblem(text: "\(name): a put needs its resource document in the document column")
            }
            let document = try WorkspaceApp.document(Array(text.utf8), path: name)
            return try WorkspaceApp.put(document, path: name, by: actor, message: message, sourceID: entry.sourceID, in: tx)
        case .archive?:
            guard let id = entry.sourceID, !id.isEmpty else {
                throw RowProblem(text: "\(name): an archive needs the source_id of the resource to archive")
            }
            return try WorkspaceApp.archive(id, by: actor, message: message, in: tx)
        case nil:
            throw RowProblem(text: "\(name): unknown action '\(entry.rawAction)' (put or archive)")
        }
    }
}
