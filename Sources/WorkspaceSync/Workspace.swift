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
    /// the resource with that source id is updated (or created under it); without one, a new
    /// resource gets an id derived from its alias, title or kind. A bare workflow definition
    /// (a mapping with `title` and `actions`) is wrapped as a workflow document.
    public func put(document bytes: [UInt8], path: String = "<document>", by actor: Signature) throws -> AppChangeResult {
        let node: Node
        do { node = try YAMLParser.parse(bytes) } catch {
            throw SyncError(.invalid, "the document cannot be read", diagnostics: [
                Diagnostic(.error, error.rule, error.message(in: bytes), path: path, at: error.mark),
            ])
        }
        var value = node.value
        if value["type"] == nil, value["title"] != nil || value["actions"] != nil {
            value = .object(["version": .int(1), "type": .string(WorkflowKind.name), "definition": value])
        }
        guard let typeName = value["type"]?.stringValue, let kind = ResourceKinds.named(typeName) else {
            let known = ResourceKinds.all.map { $0.name }.joined(separator: ", ")
            throw SyncError(.invalid, "\(path): the document needs a 'type' (one of \(known))")
        }
        if value["version"] == nil, case .object(var members) = value {
            members["version"] = .int(1)
            value = .object(members)
        }
        return try store.write(workspace) { tx in
            let state = try WorkspaceState(tx)
            let explicitID = value["id"]?.stringValue
            let existing = try explicitID.flatMap { try tx.mapping(kind: kind.name, sourceID: $0) }
            let sourceID: String
            if let existing {
                sourceID = existing.sourceID
            } else if let explicitID {
                sourceID = explicitID
            } else {
                var allocator = SourceIDAllocator(taken: try tx.mappings().filter { $0.kind == kind.name }.map(\.sourceID))
                sourceID = allocator.allocate(SourceID.base(from: kind.sourceIDNames(value), kind: kind.name))
            }
            guard case .object(var members) = value else {
                throw SyncError(.invalid, "\(path): a resource document is a mapping")
            }
            members["id"] = .string(sourceID)
            // Validate the document as it will be projected, so positions refer to what was given.
            let text = CanonicalText.render(.object(members), schema: kind.schema)
            let loaded = ResourceLoader.load(Array(text.utf8), path: state.manifest.path(kind: kind, sourceID: sourceID),
                                             kind: kind, expectedID: sourceID)
            guard !loaded.diagnostics.hasErrors, let spec = loaded.spec else {
                throw SyncError(.invalid, "\(path): the document is invalid", diagnostics: loaded.diagnostics.filter { $0.severity == .error })
            }
            let current = try existing.flatMap { try tx.resource(uuid: $0.uuid) }
            let action: AppChangeResult.Action
            let uuid: String
            if let current {
                if !current.archived && current.spec == spec.value {
                    return AppChangeResult(action: .unchanged, uuid: current.uuid, kind: kind.name, sourceID: sourceID, commit: nil)
                }
                try tx.updateResource(uuid: current.uuid, spec: spec.value)
                if current.archived { try tx.setArchived(uuid: current.uuid, false) }
                action = current.archived ? .restored : .updated
                uuid = current.uuid
            } else {
                uuid = try tx.insertResource(kind: kind.name, spec: spec.value).uuid
                action = .created
            }
            try tx.setMapping(Mapping(kind: kind.name, sourceID: sourceID, uuid: uuid,
                                      lastSyncedSpecHash: spec.specHash, lastProjectedSpecHash: spec.specHash))
            let verb = action == .created ? "Create" : action == .restored ? "Restore" : "Update"
            let commit = try state.commit(
                path: state.manifest.path(kind: kind, sourceID: sourceID),
                blob: RawObject(type: .blob, data: Array(spec.canonicalText().utf8)),
                message: "\(verb) \(kind.name) \(sourceID)", uuid: uuid, action: .put, actor: actor, tx: tx)
            return AppChangeResult(action: action, uuid: uuid, kind: kind.name, sourceID: sourceID, commit: commit)
        }
    }

    /// Archives a resource, named by UUID or source id: its file leaves the tree, its row and
    /// mapping stay, so a later push of the same file restores the same UUID.
    public func archive(_ identifier: String, by actor: Signature) throws -> AppChangeResult {
        try store.write(workspace) { tx in
            let state = try WorkspaceState(tx)
            guard let mapping = try WorkspaceApp.find(identifier, in: tx),
                  let resource = try tx.resource(uuid: mapping.uuid), let kind = ResourceKinds.named(mapping.kind) else {
                throw SyncError(.notFound, "no resource '\(identifier)' in workspace '\(tx.name)'")
            }
            if resource.archived {
                return AppChangeResult(action: .unchanged, uuid: resource.uuid, kind: kind.name, sourceID: mapping.sourceID, commit: nil)
            }
            try tx.setArchived(uuid: resource.uuid, true)
            let commit = try state.commit(
                path: state.manifest.path(kind: kind, sourceID: mapping.sourceID), blob: nil,
                message: "Archive \(kind.name) \(mapping.sourceID)", uuid: resource.uuid, action: .archive, actor: actor, tx: tx)
            return AppChangeResult(action: .archived, uuid: resource.uuid, kind: kind.name, sourceID: mapping.sourceID, commit: commit)
        }
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
        if let tree, let blob = try objects.blobID(at: Manifest.fileName, in: tree) {
            manifest = Manifest.parse(try objects.object(blob).data).0 ?? .default
            needsManifest = false
        } else {
            manifest = .default
            needsManifest = head == nil
        }
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
        try tx.putObjects((editor.created + [commit]).map(GitObject.init))
        try tx.moveHead(from: head?.hex, to: commit.id.hex)
        try tx.advanceCursor()
        let seq = try tx.appendChange(Change(uuid: uuid, action: action, authorName: actor.name, authorEmail: actor.email,
                                             time: Int(actor.time), tzOffsetMinutes: actor.offsetMinutes, message: message))
        try tx.setChangeCommit(seq: seq, commit: commit.id.hex)
        return commit.id.hex
    }
}
