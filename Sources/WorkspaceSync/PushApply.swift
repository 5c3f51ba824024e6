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
    /// `read` holds blobs already read from the client; the others are read here.
    func apply(_ changes: Changes, tx: any WorkspaceWriting, plan: inout PushPlan, read: [ObjectID: RawObject] = [:]) throws {
        // Blobs are read here (a repository is used from one thread); parsing, checking and
        // rendering each document is pure and runs on every core (`Parallel`).
        var written: [FileChange] = [], pending: [Pending] = []
        for change in changes.files {
            guard let path = change.newPath, let blob = change.newBlob, let id = change.newID else { continue }
            written.append(change)
            // The size from the blob's header first: a document over the YAML limit is refused unread.
            let size = try read[blob]?.data.count ?? client.objectHeader(blob)?.size ?? 0
            let bytes = (try? YAMLParser.checkSize(size)) == nil ? nil : try read[blob]?.data ?? client.blob(blob)
            pending.append(Pending(kind: change.kind, path: path, id: id, blob: blob, size: size, bytes: bytes))
        }
        let results = Parallel.map(pending) { item in
            // The parsed document is dropped: a push of 100 000 files would hold every tree of nodes.
            var result = ResourceLoader.load(byteCount: item.size, read: { item.bytes ?? [] }, path: item.path,
                                             kind: item.kind, expectedID: item.id)
            result.node = nil
            return result
        }
        let loaded = zip(written, results).map { (change: $0, result: $1) }
        // The stored resource each changed or removed file had, by its place in `changes.files`.
        var mappings: [Int: Mapping] = [:]
        for (index, change) in changes.files.enumerated() {
            if let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID) {
                mappings[index] = mapping
            }
        }
        let judge = StoreJudge(tx: tx, manifest: changes.manifest, touched: Set(mappings.values.map(\.uuid)))
        plan.warnings += try judge.judge(loaded.map { ($0.change.newPath ?? "", $0.result) }, errors: changes.errors)

        let removals = changes.files.filter { $0.newID == nil }
        let liveBefore = Dictionary(grouping: removals, by: { $0.kind.name }).values.contains { $0.count >= ArchiveGuard.minimum }
            ? try liveCounts(tx) : [:]
        var archived: [String: [String]] = [:]
        for (index, change) in changes.files.enumerated() where change.newID == nil {
            guard let mapping = mappings[index], let resource = try tx.resource(uuid: mapping.uuid), !resource.archived else { continue }
            try tx.setArchived(uuid: mapping.uuid, true)
            plan.steps.append(.archive(kind: change.kind.name, id: mapping.sourceID))
            archived[change.kind.name, default: []].append(mapping.sourceID)
        }
        // What writing a judged document needs that depends on it alone (its rendering, its
        // JSON text and name rows) is made on other cores a chunk ahead of the writes, which
        // stay on this thread.
        let documents = zip(pending, loaded).map { item, load in load.result.spec.map { (spec: $0, kind: item.kind, blob: item.blob) } }
        try Parallel.pipeline(documents, chunk: Self.writeChunk, { document in
            document.map { ResourceWriter.prepare($0.spec, kind: $0.kind, pushed: $0.blob) }
        }) { index, prepared in
            let item = loaded[index]
            guard let spec = item.result.spec, let path = item.change.newPath else { return }
            let written = try ResourceWriter.write(spec, kind: item.change.kind, previousID: item.change.oldID, path: path,
                                                   prepared: prepared, tx: tx)
            plan.steps.append(written.step)
            options.progress?(index + 1, loaded.count)
        }
        if !options.allowMassArchive {
            try refuseMassArchive(archived, liveBefore: liveBefore, plan: plan)
        }
    }

    /// Documents whose stored form is made at once, ahead of their writes (`Parallel.pipeline`).
    static let writeChunk = 1024

    /// A changed file's blob as read for `apply`: `bytes` is nil when `size` is over the
    /// YAML limit (the loader then refuses it unread).
    struct Pending: Sendable {
        var kind: any ResourceKind.Type
        var path: String
        var id: String
        var blob: ObjectID
        var size: Int
        var bytes: [UInt8]?
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
