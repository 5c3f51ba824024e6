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
    ///
    /// Documents are read a chunk at a time (`Parallel.pipeline`): this thread reads a
    /// chunk's blobs from the client (a repository is used from one thread); on every core
    /// each document is parsed, checked and made ready to write (`ResourceWriter.prepare`),
    /// and its blob compressed for the store when it is among `unstored` (the pushed blobs
    /// the store lacks); then, back on this thread, each is judged alone and against the
    /// source ids before it (`CrossCheck.CaseCheck`) and written while nothing has been found
    /// wrong, as the next chunk is made. The rules between names are judged once all are read
    /// (`StoreJudge.names`, against the resources the push has not written). Of a document
    /// only the names it offers and uses are kept past its write, so a push of 100 000 files
    /// holds neither all its blobs nor all its documents.
    ///
    /// Any error refuses the push, and the transaction it runs in is rolled back: the first
    /// error stops the writes, but every document is still read, so the refusal names every
    /// problem, and a document that could not be written (a taken source id) is reported
    /// after the other errors, as when all were judged before any write.
    func apply(_ changes: Changes, tx: any WorkspaceWriting, plan: inout PushPlan, unstored: inout Unstored) throws {
        // The stored resource each changed or removed file had, by its place in `changes.files`.
        var mappings: [Int: Mapping] = [:]
        for (index, change) in changes.files.enumerated() {
            if let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID) {
                mappings[index] = mapping
            }
        }
        var judge = StoreJudge(tx: tx, manifest: changes.manifest, touched: Set(mappings.values.map(\.uuid)))
        let removed = try judge.offeredByTouched()

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

        let files = changes.files.filter { $0.newPath != nil && $0.newBlob != nil && $0.newID != nil }
        var found = changes.errors
        var refused = found.contains { $0.severity == .error }
        var unwritable: SyncError?
        var cases = CrossCheck.CaseCheck()
        var documents: [CrossCheck.Document] = [], storing: [GitObject] = []
        var afterwards: [(index: Int, prepared: Result<ResourceWriter.Prepared, SyncError>, id: String, path: String)] = []
        /// Writes one judged document; a write the store cannot take is held for the report.
        func write(_ index: Int, _ prepared: Result<ResourceWriter.Prepared, SyncError>, _ id: String, _ path: String) throws {
            do {
                let written = try ResourceWriter.write(prepared, sourceID: id, kind: files[index].kind, previousID: files[index].oldID,
                                                       path: path, tx: tx)
                plan.steps.append(written.step)
                options.progress?(index + 1, files.count)
            } catch let error as SyncError {
                unwritable = error
                refused = true
            }
        }
        documents.reserveCapacity(files.count)
        try Parallel.pipeline(count: files.count, chunk: Self.chunk, input: { range in
            try range.map { index in
                let change = files[index]
                // Both are known from the filter above.
                let path = change.newPath ?? "", id = change.newID ?? "", blob = change.newBlob ?? ObjectID.zero
                // The size from the blob's header first: a document over the YAML limit is refused unread.
                let size = try unstored.size(of: blob) ?? client.objectHeader(blob)?.size ?? 0
                let bytes = (try? YAMLParser.checkSize(size)) == nil ? nil : try client.pushed(blob).data
                return Pending(kind: change.kind, path: path, id: id, blob: blob, size: size, bytes: bytes,
                               store: bytes != nil && unstored.take(blob))
            }
        }, { item in
            let result = ResourceLoader.load(byteCount: item.size, read: { item.bytes ?? [] }, path: item.path,
                                             kind: item.kind, expectedID: item.id)
            let clean = !result.diagnostics.contains { $0.severity == .error }
            return Loaded(document: CrossCheck.Document(path: item.path, result: result), diagnostics: result.diagnostics,
                          prepared: clean ? result.spec.map { ResourceWriter.prepare($0, kind: item.kind, pushed: item.blob,
                                                                                     findings: result.specFindings) } : nil,
                          stored: item.store ? item.bytes.map { GitObject(RawObject(id: item.blob, type: .blob, data: $0)).compressedForStore(deltaBase: nil) } : nil)
        }) { index, loaded in
            found += loaded.diagnostics
            let collision = try cases.check(loaded.document, others: judge)
            if let collision { found.append(collision) }
            documents.append(loaded.document)
            if let object = loaded.stored { storing.append(object) }
            if storing.count >= Self.chunk {
                try tx.putObjects(storing, deltaBases: [:])
                storing = []
            }
            refused = refused || collision != nil || loaded.diagnostics.contains { $0.severity == .error }
            // Clean documents are prepared, and read far enough to know their source id.
            guard !refused, let prepared = loaded.prepared, let id = loaded.document.resource?.sourceID else { return }
            let change = files[index]
            // A new file whose id (ignoring case) names a resource another change of this push
            // takes (renames away, rewrites or archives) is written after all the others: the
            // writer would otherwise adopt that resource, and the other change would then move
            // it on, leaving this document without one.
            if change.oldID == nil, !judge.touched.isEmpty, let mapping = try tx.mapping(kind: change.kind.name, sourceID: id),
               judge.touched.contains(mapping.uuid) {
                afterwards.append((index, prepared, id, loaded.document.path))
                return
            }
            try write(index, prepared, id, loaded.document.path)
        }
        for (index, prepared, id, path) in afterwards where !refused { try write(index, prepared, id, path) }
        try tx.putObjects(storing, deltaBases: [:])
        judge.written = true
        plan.warnings += try StoreJudge.verdict(found + judge.names(documents, removed: removed))
        if let unwritable { throw unwritable }
        if !options.allowMassArchive {
            try refuseMassArchive(archived, liveBefore: liveBefore, plan: plan)
        }
    }

    /// Documents read, made ready and their blobs stored at once (`Parallel.pipeline`).
    static let chunk = 1024

    /// A changed file's blob as read for `apply`: `bytes` is nil when `size` is over the
    /// YAML limit (the loader then refuses it unread); `store` when the store lacks the blob
    /// and this document stores it.
    struct Pending: Sendable {
        var kind: any ResourceKind.Type
        var path: String
        var id: String
        var blob: ObjectID
        var size: Int
        var bytes: [UInt8]?
        var store: Bool
    }

    /// A changed file as made on another core: the document as the judgement sees it, what
    /// loading it said, its stored form (nil when it has errors) and its blob as the store
    /// keeps it (nil when the store has it, or another document stores it).
    struct Loaded: Sendable {
        var document: CrossCheck.Document
        var diagnostics: [Diagnostic]
        var prepared: Result<ResourceWriter.Prepared, SyncError>?
        var stored: GitObject?
    }

    /// The pushed blobs the store lacks and nothing has stored yet, in the order the walk met
    /// them, with the sizes the walk read from their headers.
    struct Unstored {
        private let order: [ObjectID]
        private var pending: Set<ObjectID>
        private let sizes: [ObjectID: Int]

        init(_ blobs: [(id: ObjectID, size: Int?)]) {
            order = blobs.map(\.id)
            pending = Set(order)
            var sizes: [ObjectID: Int] = [:]
            for blob in blobs { sizes[blob.id] = blob.size }
            self.sizes = sizes
        }

        /// True (once) when the store lacks `blob`: the caller stores it.
        mutating func take(_ blob: ObjectID) -> Bool { pending.remove(blob) != nil }

        /// The size of a blob the walk met, so its header is not read twice.
        func size(of blob: ObjectID) -> Int? { sizes[blob] }

        /// Those no document took.
        var remaining: [ObjectID] { order.filter(pending.contains) }
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
