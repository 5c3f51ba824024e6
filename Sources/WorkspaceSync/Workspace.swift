import Foundation
import Git
import WorkspaceSpec
import WorkspaceStore
import YAML

/// What an application change did.
public struct AppChangeResult: Sendable {
    public enum Action: String, Sendable { case created, updated, unchanged, archived, restored }
    public var action: Action
    public var uuid: String
    public var kind: String
    public var sourceID: String
    /// The commit that records the change (nil when nothing changed).
    public var commit: String?
    /// Warnings the judgement found (unknown keys kept as data), placed in the given document.
    public var warnings: [Diagnostic] = []
}

/// The application-side API: what an app linking this library calls when its users change
/// resources. Each call is one transaction that writes the resource and mapping, adds one
/// commit whose tree is the previous tree with only that resource re-projected, and
/// advances the cursor.
public struct WorkspaceApp {
    public let store: any WorkspaceStore
    public let workspace: String

    public init(store: any WorkspaceStore, workspace: String) {
        self.store = store
        self.workspace = workspace
    }

    /// Creates or updates one resource from a resource document (YAML or JSON). With an `id`,
    /// the resource with that source id is updated (or created under it); without one,
    /// `sourceID` names the resource to update (or create), else a new resource gets an id
    /// derived from its alias, title or kind. A bare workflow definition (a mapping with
    /// `title` and `actions`) is wrapped as a workflow document. `message` replaces the
    /// commit's default subject (`Update workflow triage`).
    ///
    /// The document is judged like a push: its own rules, with diagnostics placed in the
    /// given text (`path:line:column`, `path` naming the user's file), then the rules between
    /// resources against the rest of the workspace. A refusal writes nothing.
    public func put(document bytes: [UInt8], path: String = "<document>", by actor: Signature,
                    message: String? = nil, sourceID: String? = nil) throws -> AppChangeResult {
        let document = try Self.document(bytes, path: path)
        let result = try store.write(workspace) { tx in
            try Self.put(document, path: path, by: actor, message: message, sourceID: sourceID, in: tx)
        }
        FaultPoint.hit("change.committed")
        return result
    }

    /// Archives a resource, named by UUID or source id: its file leaves the tree, its row and
    /// mapping stay, so a later push of the same file restores the same UUID. Refused when a
    /// resource left alone still uses a name it offers.
    public func archive(_ identifier: String, by actor: Signature, message: String? = nil) throws -> AppChangeResult {
        let result = try store.write(workspace) { tx in try Self.archive(identifier, by: actor, message: message, in: tx) }
        FaultPoint.hit("change.committed")
        return result
    }

    /// A document read for `put`: its parsed node (positions in the given text) and its kind.
    struct Document {
        var node: Node
        var kind: any ResourceKind.Type
    }

    /// Parses `bytes` and settles what `put` writes: a bare workflow definition wrapped, the
    /// kind from `type` (an unknown one is refused, listing the kinds), `version` 1 when absent.
    static func document(_ bytes: [UInt8], path: String) throws -> Document {
        let node: Node
        do { node = try YAMLParser.parse(bytes) } catch {
            throw SyncError(.invalid, "the document cannot be read", diagnostics: [
                Diagnostic(.error, error.rule, error.message(in: bytes), path: path, at: error.mark),
            ])
        }
        var document = node
        guard node.pairs != nil else {
            throw SyncError(.invalid, "the document is invalid", diagnostics: [
                Diagnostic(.error, "type", "a resource document is a mapping", path: path, at: node.mark),
            ])
        }
        if node["type"] == nil, node["title"] != nil || node["actions"] != nil {
            document = Node(.mapping([Node.Pair(key: "type", keyMark: node.mark, value: Node(.scalar(.string(WorkflowKind.name)), at: node.mark)),
                                      Node.Pair(key: "definition", keyMark: node.mark, value: node)]), at: node.mark)
        }
        guard let kind = document["type"]?.string.flatMap(ResourceKinds.named) else {
            throw SyncError(.invalid, "the document is invalid", diagnostics: [
                ResourceKinds.unknownType(document["type"]?.string, path: path, at: document.pair("type")?.value.mark ?? node.mark),
            ])
        }
        if document["version"] == nil { document.setValue(.int(1), forKey: "version") }
        return Document(node: document, kind: kind)
    }

    /// `put` inside the transaction `tx` (which the caller commits or rolls back).
    static func put(_ document: Document, path: String, by actor: Signature, message: String?, sourceID named: String?,
                    in tx: any WorkspaceWriting) throws -> AppChangeResult {
        let kind = document.kind
        let state = try WorkspaceState(tx)
        let explicitID = document.node["id"]?.string ?? named
        let existing = try explicitID.flatMap { try tx.mapping(kind: kind.name, sourceID: $0) }
        let sourceID: String
        if let existing {
            sourceID = existing.sourceID
        } else if let explicitID {
            sourceID = explicitID
        } else {
            var allocator = SourceIDAllocator(taken: try tx.mappings().filter { $0.kind == kind.name }.map(\.sourceID))
            sourceID = allocator.allocate(SourceID.base(from: kind.sourceIDNames(document.node.value), kind: kind.name))
        }
        var placed = document.node
        placed.setValue(.string(sourceID), forKey: "id")
        let loaded = ResourceLoader.check(placed, path: path, kind: kind, expectedID: nil)
        let judge = StoreJudge(tx: tx, manifest: state.manifest, touched: Set(existing.map { [$0.uuid] } ?? []))
        let warnings = try judge.judge([CrossCheck.Document(path: path, result: loaded)], found: loaded.diagnostics)
        guard let spec = loaded.spec else { throw SyncError(.invalid, "\(path): the document is invalid") }
        let written = try ResourceWriter.write(ResourceWriter.prepare(spec, kind: kind, findings: loaded.specFindings),
                                               sourceID: spec.sourceID, kind: kind,
                                               previousID: existing?.sourceID, path: path, tx: tx)
        let action: AppChangeResult.Action
        switch written.step {
        case .unchanged:
            return AppChangeResult(action: .unchanged, uuid: written.uuid, kind: kind.name, sourceID: sourceID,
                                   commit: nil, warnings: warnings)
        case .create: action = .created
        case .restore: action = .restored
        default: action = .updated
        }
        let verb = action == .created ? "Create" : action == .restored ? "Restore" : "Update"
        let commit = try state.commit(
            path: state.manifest.path(kind: kind, sourceID: sourceID),
            blob: RawObject(type: .blob, data: Array(spec.canonicalText().utf8)),
            message: message ?? "\(verb) \(kind.name) \(sourceID)", uuid: written.uuid, action: .put, actor: actor, tx: tx)
        return AppChangeResult(action: action, uuid: written.uuid, kind: kind.name, sourceID: sourceID,
                               commit: commit, warnings: warnings)
    }

    /// `archive` inside the transaction `tx`.
    static func archive(_ identifier: String, by actor: Signature, message: String?, in tx: any WorkspaceWriting) throws -> AppChangeResult {
        let state = try WorkspaceState(tx)
        guard let mapping = try WorkspaceApp.find(identifier, in: tx),
              let resource = try tx.resource(uuid: mapping.uuid), let kind = ResourceKinds.named(mapping.kind) else {
            throw SyncError(.notFound, "no resource '\(identifier)' in workspace '\(tx.name)'")
        }
        if resource.archived {
            return AppChangeResult(action: .unchanged, uuid: resource.uuid, kind: kind.name, sourceID: mapping.sourceID, commit: nil)
        }
        // Judged like a push that deletes the file: nothing may lose a name it uses.
        _ = try StoreJudge(tx: tx, manifest: state.manifest, touched: [resource.uuid]).judge([])
        try tx.setArchived(uuid: resource.uuid, true)
        let commit = try state.commit(
            path: state.manifest.path(kind: kind, sourceID: mapping.sourceID), blob: nil,
            message: message ?? "Archive \(kind.name) \(mapping.sourceID)", uuid: resource.uuid, action: .archive, actor: actor, tx: tx)
        return AppChangeResult(action: .archived, uuid: resource.uuid, kind: kind.name, sourceID: mapping.sourceID, commit: commit)
    }

    /// The mapping for a UUID, else for a source id (of any kind; the first kind wins).
    public static func find(_ identifier: String, in reader: any WorkspaceReading) throws -> Mapping? {
        if let mapping = try reader.mapping(uuid: identifier.lowercased()) { return mapping }
        for kind in ResourceKinds.all {
            if let mapping = try reader.mapping(kind: kind.name, sourceID: identifier) { return mapping }
        }
        return nil
    }
}

/// A workspace's branch as a transaction sees it: head, tree and manifest.
struct WorkspaceState {
    let head: ObjectID?
    let tree: ObjectID?
    let manifest: Manifest
    let objects: StoreObjects
    /// True when the head tree has no manifest yet (a new workspace): the first commit adds one.
    let needsManifest: Bool

    init(_ reader: any WorkspaceReading) throws {
        objects = StoreObjects(reader: reader)
        head = try reader.head.map { hex in
            guard let id = ObjectID(hex: hex) else { throw SyncError.corrupt("head '\(hex)' is not an object id") }
            return id
        }
        tree = try head.map(objects.tree(ofCommit:))
        let reading = try Manifest.read(from: StoreTree(objects: objects, tree: tree))
        do { manifest = try reading.manifest() } catch {
            throw SyncError.corrupt("the workspace branch's \(Manifest.fileName) cannot be read: \(error.diagnostics.map(\.description).joined(separator: "; "))")
        }
        if case .implicit = reading { needsManifest = head == nil } else { needsManifest = false }
    }

    /// Writes the commit for one application change and moves the branch to it.
    func commit(path: String, blob: RawObject?, message: String, uuid: String, action: Change.Action,
                actor: Signature, tx: any WorkspaceWriting) throws -> String {
        var editor = TreeEditor(objects: objects)
        var root = try editor.edit(tree, path: path, blob: blob)
        if needsManifest {
            root = try editor.edit(root, path: Manifest.fileName,
                                   blob: RawObject(type: .blob, data: Array(manifest.render().utf8)))
        }
        let rootID: ObjectID
        if let root { rootID = root } else {
            let empty = RawObject(type: .tree, data: [])
            try tx.putObjects([GitObject(empty)])
            rootID = empty.id
        }
        let commit = RawObject(type: .commit, data: CommitData(
            tree: rootID, parents: head.map { [$0] } ?? [], author: actor, committer: actor,
            message: message).serialize())
        try tx.putObjects((editor.created + [commit]).map(GitObject.init), deltaBases: editor.replaced)
        try tx.moveHead(from: head?.hex, to: commit.id.hex)
        try tx.advanceCursor()
        let seq = try tx.appendChange(Change(uuid: uuid, action: action, authorName: actor.name, authorEmail: actor.email,
                                             time: Int(actor.time), tzOffsetMinutes: actor.offsetMinutes, message: message))
        try tx.setChangeCommit(seq: seq, commit: commit.id.hex)
        FaultPoint.hit("change.written")
        return commit.id.hex
    }
}
