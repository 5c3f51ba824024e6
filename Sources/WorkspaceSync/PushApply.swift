import Git
import WorkspaceSpec
import WorkspaceStore
import YAML

/// The guard against the mistake nobody foresaw: a push that would archive more than a
/// quarter of a kind's live resources, and at least `minimum` of them, is refused unless
/// the pusher says so with `git push -o archive`.
public enum ArchiveGuard {
    public static let minimum = 5

    /// True when archiving `archived` of `live` (the kind's live resources before the push)
    /// needs `-o archive`.
    public static func needsLeave(archived: Int, live: Int) -> Bool {
        archived >= minimum && archived * 4 > live
    }
}

extension PushImporter {
    /// Judges the changed files and writes them into the workspace: archives first (so a
    /// source id freed by a removal can be taken in the same push), then every document.
    func apply(_ changes: Changes, tx: any WorkspaceWriting, plan: inout PushPlan) throws {
        var loaded: [(change: FileChange, result: ResourceLoader.Result)] = []
        for change in changes.files {
            guard let path = change.newPath, let blob = change.newBlob, let id = change.newID else { continue }
            // The size from the blob's header first: a document over the YAML limit is refused unread.
            let size = try client.objectHeader(blob)?.size ?? 0
            loaded.append((change, try ResourceLoader.load(byteCount: size, read: { try client.blob(blob) },
                                                           path: path, kind: change.kind, expectedID: id)))
        }
        var touched: Set<String> = []
        for change in changes.files {
            if let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID) {
                touched.insert(mapping.uuid)
            }
        }
        let judge = StoreJudge(tx: tx, manifest: changes.manifest, touched: touched)
        plan.warnings += try judge.judge(loaded.map { ($0.change.newPath ?? "", $0.result) }, errors: changes.errors)

        let removals = changes.files.filter { $0.newID == nil }
        let liveBefore = Dictionary(grouping: removals, by: { $0.kind.name }).values.contains { $0.count >= ArchiveGuard.minimum }
            ? try liveCounts(tx) : [:]
        var archived: [String: [String]] = [:]
        for change in removals {
            guard let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID),
                  let resource = try tx.resource(uuid: mapping.uuid), !resource.archived else { continue }
            try tx.setArchived(uuid: mapping.uuid, true)
            plan.steps.append(.archive(kind: change.kind.name, id: mapping.sourceID))
            archived[change.kind.name, default: []].append(mapping.sourceID)
        }
        for (index, item) in loaded.enumerated() {
            guard let spec = item.result.spec, let path = item.change.newPath else { continue }
            let written = try ResourceWriter.write(spec, kind: item.change.kind, previousID: item.change.oldID, path: path,
                                                   pushed: item.change.newBlob, tx: tx)
            plan.steps.append(written.step)
            options.progress?(index + 1, loaded.count)
        }
        if !options.allowMassArchive {
            try refuseMassArchive(archived, liveBefore: liveBefore, plan: plan)
        }
    }

    /// Throws `massArchive` (carrying the plan, for `--dry-run`) when a kind loses too many.
    func refuseMassArchive(_ archived: [String: [String]], liveBefore: TreeValidator.Baseline, plan: PushPlan) throws {
        var reasons: [String] = []
        for (kind, ids) in archived.sorted(by: { $0.key < $1.key }) {
            let live = liveBefore[kind] ?? ids.count
            guard ArchiveGuard.needsLeave(archived: ids.count, live: live) else { continue }
            let shown = ids.sorted().prefix(10).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
            reasons.append("\(ids.count) of \(live) live \(kind)s (\(shown))")
        }
        guard !reasons.isEmpty else { return }
        var error = SyncError(.massArchive, "this push would archive \(reasons.joined(separator: " and ")); "
                              + "if that is what you mean, push again with -o archive (git push --dry-run shows the plan)")
        error.plan = plan
        throw error
    }
}
