import Git
import WorkspaceStore

extension GitObject {
    /// The store's form of a git object.
    init(_ raw: RawObject) {
        self.init(oid: raw.id.hex, type: GitObject.Kind(rawValue: raw.type.rawValue)!, data: raw.data, deflated: raw.deflated,
                  delta: raw.delta)
        omittedSize = raw.omittedSize
    }

    /// The Git layer's form of a stored object, with the zlib stream or the delta the store
    /// keeps (for a pack). `id` is `oid` as the caller already holds it (a clone reads
    /// hundreds of thousands: no hex parsed again).
    func raw(id: ObjectID) -> RawObject? {
        guard let type = ObjectType(rawValue: type.rawValue) else { return nil }
        var object = RawObject(id: id, type: type, data: data, deflated: deflated, delta: delta)
        object.omittedSize = omittedSize
        return object
    }
}

/// Reading git objects out of a workspace's rows: commits, trees and the blobs at paths.
struct StoreObjects {
    let reader: any WorkspaceReading

    func object(_ id: ObjectID) throws -> RawObject {
        try objects([id])[0]
    }

    /// `ids`' objects in their order, read a few thousand per question
    /// (`WorkspaceReading.objects`); throws `corrupt` when one is not stored. Without
    /// `blobContent`, compressed blobs come as their streams (`RawObject.omittedSize`).
    func objects(_ ids: [ObjectID], blobContent: Bool = true) throws -> [RawObject] {
        let hexes = ids.map(\.hex)
        let stored = try reader.objects(hexes, blobContent: blobContent)
        return try zip(ids, hexes).map { id, hex in
            // Found under its own id: `hex` is `id`'s, and the store keys what it finds by the row's oid.
            guard let raw = stored[hex]?.raw(id: id) else {
                throw SyncError.corrupt("object \(id.hex) is missing from workspace '\(reader.name)'; run git workspace fsck "
                                        + "on the store to see what else is, and with --repair to rebuild what can be")
            }
            return raw
        }
    }

    /// Which of `ids` the workspace stores, asked in one question.
    func stored(among ids: [ObjectID]) throws -> Set<ObjectID> {
        guard !ids.isEmpty else { return [] }
        return Set(try reader.storedObjects(among: ids.map(\.hex)).compactMap { ObjectID(hex: $0) })
    }

    /// The tree of a commit.
    func tree(ofCommit commit: ObjectID) throws -> ObjectID {
        try CommitData.parseLinks(object(commit).data).tree
    }

    func parents(_ commit: ObjectID) throws -> [ObjectID] {
        try CommitData.parseLinks(object(commit).data).parents
    }

    func entries(_ tree: ObjectID) throws -> [TreeEntry] {
        try TreeFormat.parse(object(tree).data)
    }

    /// The blob id at `path` (segments separated by `/`) in `tree`, or nil.
    func blobID(at path: String, in tree: ObjectID) throws -> ObjectID? {
        try entryID(at: path, in: tree, wantTree: false)
    }

    /// The id of the entry at `path` in `tree` when it is a tree (`wantTree`) or a file
    /// (a blob, not a submodule); nil otherwise.
    func entryID(at path: String, in tree: ObjectID, wantTree: Bool) throws -> ObjectID? {
        guard let entry = try entry(at: path, in: tree) else { return nil }
        if wantTree { return entry.isTree ? entry.id : nil }
        return entry.isTree || entry.mode == TreeEntry.submodule ? nil : entry.id
    }

    /// The entry at `path` (segments separated by `/`) in `tree`, or nil.
    func entry(at path: String, in tree: ObjectID) throws -> TreeEntry? {
        var current = tree
        let segments = path.split(separator: "/").map { Array($0.utf8) }
        for (index, segment) in segments.enumerated() {
            guard let entry = try entries(current).first(where: { $0.name == segment }) else { return nil }
            if index == segments.count - 1 { return entry }
            guard entry.isTree else { return nil }
            current = entry.id
        }
        return nil
    }

    /// The paths of the files that differ between two trees (either may be nil: empty),
    /// visiting only subtrees whose ids differ.
    func changedPaths(from old: ObjectID?, to new: ObjectID?, prefix: String = "") throws -> [String] {
        if old == new { return [] }
        let oldEntries = try old.map(entries) ?? [], newEntries = try new.map(entries) ?? []
        var byName: [[UInt8]: (TreeEntry?, TreeEntry?)] = [:]
        for entry in oldEntries { byName[entry.name, default: (nil, nil)].0 = entry }
        for entry in newEntries { byName[entry.name, default: (nil, nil)].1 = entry }
        var paths: [String] = []
        for (name, pair) in byName {
            let path = prefix + String(decoding: name, as: UTF8.self)
            if pair.0?.id == pair.1?.id && pair.0?.mode == pair.1?.mode { continue }
            let oldTree = pair.0.flatMap { $0.isTree ? $0.id : nil }
            let newTree = pair.1.flatMap { $0.isTree ? $0.id : nil }
            if oldTree != nil || newTree != nil {
                paths += try changedPaths(from: oldTree, to: newTree, prefix: path + "/")
            }
            if (pair.0.map { !$0.isTree } ?? false) || (pair.1.map { !$0.isTree } ?? false) {
                paths.append(path)
            }
        }
        return paths.sorted()
    }
}

/// Builds new trees from an old one with some paths set or removed, returning the new root
/// and every new object. Untouched subtrees keep their ids (they are not rewritten).
struct TreeEditor {
    let objects: StoreObjects
    private(set) var created: [RawObject] = []
    /// Each rewritten tree's id, and the id of the tree it replaced at the same path: the
    /// delta base the store may keep it against (`WorkspaceWriting.putObjects`).
    private(set) var replaced: [String: String] = [:]

    init(objects: StoreObjects) { self.objects = objects }

    /// Sets `path` to `blob` (nil removes it; directories left empty disappear).
    mutating func edit(_ root: ObjectID?, path: String, blob: RawObject?) throws -> ObjectID? {
        let segments = path.split(separator: "/").map { Array($0.utf8) }
        if let blob { created.append(blob) }
        return try edit(root, segments: segments[...], blob: blob?.id)
    }

    private mutating func edit(_ tree: ObjectID?, segments: ArraySlice<[UInt8]>, blob: ObjectID?) throws -> ObjectID? {
        var entries = try tree.map(objects.entriesAnywhere(created)) ?? []
        guard let name = segments.first else { return tree }
        let existing = entries.firstIndex { $0.name == name }
        if segments.count == 1 {
            if let existing { entries.remove(at: existing) }
            if let blob { entries.append(TreeEntry(name: name, mode: TreeEntry.file, id: blob)) }
        } else {
            let child = existing.flatMap { entries[$0].isTree ? entries[$0].id : nil }
            let newChild = try edit(child, segments: segments.dropFirst(), blob: blob)
            if let existing { entries.remove(at: existing) }
            if let newChild { entries.append(TreeEntry(name: name, mode: TreeEntry.directory, id: newChild)) }
        }
        if entries.isEmpty { return nil }
        let object = RawObject(type: .tree, data: TreeFormat.serialize(entries))
        created.append(object)
        if let tree { replaced[object.id.hex] = tree.hex }
        return object.id
    }
}

extension StoreObjects {
    /// Entries of a tree that may have been created in this edit and not stored yet.
    func entriesAnywhere(_ created: [RawObject]) -> (ObjectID) throws -> [TreeEntry] {
        { id in
            if let made = created.last(where: { $0.id == id }) { return try TreeFormat.parse(made.data) }
            return try entries(id)
        }
    }
}
