import Git
import WorkspaceSpec
import WorkspaceStore
import YAML

/// The judgement of a change to a stored workspace, shared by a push and the application
/// API (`app put`/`app rm`): the changed documents as loaded from their files, then the
/// rules between resources (`CrossCheck`) against the live resources the change leaves
/// alone. Any error refuses the whole change.
///
/// An application edit is judged before anything is written (`judge`). A push writes each
/// document once it is judged alone and its source id is known not to collide
/// (`CrossCheck.CaseCheck`, before the write), and judges the names of all of them at the end
/// (`names`, with `written`): it then holds only a little of each of 100 000 documents, and
/// its transaction, rolled back on any error, is what keeps a refused push from changing
/// anything.
struct StoreJudge: CrossCheck.Others {
    let tx: any WorkspaceReading
    let manifest: Manifest
    /// The UUIDs of the stored resources the change rewrites, renames or archives.
    let touched: Set<String>
    /// True when the change's documents are already written in `tx`: the resources left
    /// alone are then those the transaction has not written, besides the touched ones.
    var written = false

    /// Judges the changed `documents`, with `found` (what loading them said, and problems
    /// found before, such as misplaced paths); returns the warnings, or throws
    /// `SyncError.invalid` with every error sorted for the report.
    func judge(_ documents: [CrossCheck.Document], found: [Diagnostic] = []) throws -> [Diagnostic] {
        try Self.verdict(found + CrossCheck.check(documents, removed: try offeredByTouched(), others: self))
    }

    /// The rules between resources but source ids (`CrossCheck.names`) for `documents`;
    /// `removed` is `offeredByTouched()` as it was before the change was written.
    func names(_ documents: [CrossCheck.Document], removed: Set<String>) throws -> [Diagnostic] {
        try CrossCheck.names(documents, removed: removed, others: self)
    }

    /// The warnings among `diagnostics`, or `SyncError.invalid` with every error sorted for
    /// the report.
    static func verdict(_ diagnostics: [Diagnostic]) throws -> [Diagnostic] {
        let found = diagnostics.filter { $0.severity == .error }
        guard found.isEmpty else {
            throw SyncError(.invalid, "invalid definitions: \(found.count) error\(found.count == 1 ? "" : "s")",
                            diagnostics: found.sortedForReport())
        }
        return diagnostics.filter { $0.severity == .warning }
    }

    /// The names the touched resources offer now, before the change.
    func offeredByTouched() throws -> Set<String> {
        var offered: Set<String> = []
        for uuid in touched {
            guard let resource = try tx.resource(uuid: uuid), !resource.archived else { continue }
            offered.formUnion(CrossCheck.findings(kind: resource.kind, spec: resource.spec).exports
                .map { NameTable.key($0.namespace, $0.name) })
        }
        return offered
    }

    func caseTwin(kind: String, of id: String) throws -> String? {
        guard let mapping = try tx.mapping(kind: kind, sourceID: id), mapping.sourceID != id,
              !touched.contains(mapping.uuid), try tx.resource(uuid: mapping.uuid)?.archived == false else { return nil }
        return mapping.sourceID
    }

    func offering(_ keys: Set<String>) throws -> [CrossCheck.Other] {
        try others(tx.liveResources(naming: keys, role: .offers, unwrittenHere: written))
    }

    func using(_ keys: Set<String>) throws -> [CrossCheck.Other] {
        try others(tx.liveResources(naming: keys, role: .uses, unwrittenHere: written))
    }

    /// `resources` (found through the name index) but the touched ones, as the rules see them.
    private func others(_ resources: [StoredResource]) throws -> [CrossCheck.Other] {
        try resources.filter { !touched.contains($0.uuid) }.map { resource in
            let id = try tx.mapping(uuid: resource.uuid)?.sourceID ?? resource.uuid
            let path = ResourceKinds.named(resource.kind).map { manifest.path(kind: $0, sourceID: id) } ?? id
            return CrossCheck.Other(owner: "\(resource.kind) \(id)", path: path,
                                    findings: CrossCheck.findings(kind: resource.kind, spec: resource.spec))
        }
    }
}

/// Writing one resource as its document says it, the same way for a push and an
/// application edit: the UUID is kept when the resource is known (by its previous source
/// id, else its current one), nothing is written when its spec did not change (a change is
/// a change in spec space only), and the postcondition is checked.
enum ResourceWriter {
    /// Writes the document `prepared` (`prepare(spec)`) of the resource `newID` for the
    /// resource known as `previousID` (nil: look it up by the new id); `path` names the file
    /// in messages. A push prepares all its documents on every core before judging them and
    /// keeps only this of each. Returns what happened and the resource's UUID.
    static func write(_ prepared: Result<Prepared, SyncError>, sourceID newID: String, kind: any ResourceKind.Type,
                      previousID: String?, path: String, tx: any WorkspaceWriting) throws -> (step: PushPlan.Step, uuid: String) {
        let made = try prepared.get()
        let hash = made.hash, projected = made.projected
        let mapping = try previousID.flatMap { try tx.mapping(kind: kind.name, sourceID: $0) }
            ?? tx.mapping(kind: kind.name, sourceID: newID)
        var step = PushPlan.Step.create(kind: kind.name, id: newID)
        let uuid: String
        if let mapping, let resource = try tx.resource(uuid: mapping.uuid) {
            uuid = resource.uuid
            let renamed = mapping.sourceID != newID
            let sameSpec = made.stored.isStored(as: resource.spec)
            if !resource.archived && !renamed && sameSpec && mapping.lastSyncedSpecHash == hash {
                return (.unchanged(kind: kind.name, id: newID), uuid)
            }
            let document = try holdable(made, path: path)
            if !sameSpec { try tx.updateResource(uuid: uuid, document) }
            if resource.archived { try tx.setArchived(uuid: uuid, false) }
            step = resource.archived ? .restore(kind: kind.name, id: newID)
                : renamed ? .rename(kind: kind.name, from: mapping.sourceID, to: newID) : .update(kind: kind.name, id: newID)
        } else {
            uuid = try tx.insertResource(holdable(made, path: path))
        }
        do {
            try tx.setMapping(Mapping(kind: kind.name, sourceID: newID, uuid: uuid,
                                      lastSyncedSpecHash: hash, lastProjectedSpecHash: projected))
        } catch let error as StoreError where error.code == StoreError.Code.sourceIDTaken {
            throw SyncError(.invalid, "\(path): source id '\(newID)' is taken by another \(kind.name) (an archived one keeps its id; restore it, or pick another id)")
        }
        return (step, uuid)
    }

    /// The document as the store will write it, once the postcondition holds: the workspace
    /// holds exactly what the file says. Its stored text reads back as the spec
    /// (`StoredSpec.readsBack`), and the workspace renders it as a document that reads as the
    /// same spec (`Prepared.projected`). Both are known before anything is written.
    private static func holdable(_ made: Prepared, path: String) throws -> StoredSpec {
        guard made.stored.readsBack, made.projected == made.hash else {
            throw SyncError(.invalid, "\(path): the workspace cannot hold this document as written (its projection differs)")
        }
        return made.stored
    }

    /// What writing `spec` needs that depends on the document alone: its spec hash, its
    /// projected hash (`projectedHash`) and the form the store writes (`StoredSpec`). `pushed`
    /// is the blob it was read from, if a push brought it. Pure, so a push makes it for its
    /// documents on every core.
    struct Prepared: Sendable {
        var projected: String
        var stored: StoredSpec
        /// The spec hash (`StoredSpec.hash`).
        var hash: String { stored.hash }
    }

    static func prepare(_ spec: ResourceSpec, kind: any ResourceKind.Type, pushed: ObjectID? = nil,
                        findings: KindFindings? = nil) -> Result<Prepared, SyncError> {
        // The hash comes from the stored text's bytes: the canonical JSON is made once.
        let stored = StoredSpec(kind: kind.name, value: spec.value, findings: findings)
        do {
            return .success(Prepared(projected: try projectedHash(spec, kind: kind, read: pushed.map { ($0, stored.hash) }),
                                     stored: stored))
        } catch {
            return .failure(error as? SyncError ?? SyncError.corrupt("\(error)"))
        }
    }

    /// The hash of the resource as the workspace would render it: canonical text, read back.
    ///
    /// `read` is the blob the spec was loaded from and the hash that load gave: when the
    /// canonical text is that very blob (its git id is the same), reading it back would load
    /// the same bytes again, so that hash is the answer without a second parse and check. A
    /// push of files a workspace wrote (every clone's, and most edits') takes this path.
    static func projectedHash(_ spec: ResourceSpec, kind: any ResourceKind.Type,
                              read: (blob: ObjectID, hash: String)? = nil) throws -> String {
        let text = Array(spec.canonicalText().utf8)
        if let read, RawObject(type: .blob, data: text).id == read.blob { return read.hash }
        guard let reread = ResourceLoader.load(text, path: "", kind: kind, expectedID: spec.sourceID).spec else {
            throw SyncError.corrupt("the canonical text of \(spec.sourceID) cannot be read back")
        }
        return reread.specHash
    }
}
