import Git
import WorkspaceSpec
import WorkspaceStore

/// Moving objects between a workspace's rows and a client repository, each side reading
/// only what the other lacks (invariant 8: cost grows with what changed).
enum Transfer {
    /// Objects reachable from `head` in the store that `client` does not have. Commits are
    /// walked back until one the client has; trees the client has are not entered.
    static func missingInClient(from head: ObjectID, store: StoreObjects, client: Repository) throws -> [RawObject] {
        var result: [RawObject] = []
        var seen: Set<ObjectID> = []
        var commits: [ObjectID] = [head]
        while let commit = commits.popLast() {
            guard seen.insert(commit).inserted, try !client.hasObject(commit) else { continue }
            let object = try store.object(commit)
            result.append(object)
            let links = try CommitData.parseLinks(object.data)
            try addTree(links.tree, store: store, client: client, seen: &seen, into: &result)
            commits += links.parents
        }
        return result
    }

    private static func addTree(_ tree: ObjectID, store: StoreObjects, client: Repository,
                                seen: inout Set<ObjectID>, into result: inout [RawObject]) throws {
        guard seen.insert(tree).inserted, try !client.hasObject(tree) else { return }
        let object = try store.object(tree)
        result.append(object)
        for entry in try TreeFormat.parse(object.data) {
            if entry.mode == TreeEntry.submodule { continue }
            if entry.isTree {
                try addTree(entry.id, store: store, client: client, seen: &seen, into: &result)
            } else if seen.insert(entry.id).inserted, try !client.hasObject(entry.id) {
                result.append(try store.object(entry.id))
            }
        }
    }

    /// Objects reachable from `tip` in the client that the store does not have.
    ///
    /// Walked level by level (a commit, its tree and parents, their entries, ...): the store
    /// is asked once per level which of that level's objects it has, and only what it lacks
    /// is read and entered. A push of one change asks a handful of questions, whatever the
    /// size of the tree (a server store answers each in one round trip).
    ///
    /// The walk also holds the pushed history to `PushLimits`, naming the path where it
    /// found the problem: a blob's size is read from its header before its content, so a
    /// 100 MB file is refused without being held, and a directory nested past the depth
    /// limit is refused before any tree walk of the import recurses into it.
    static func missingInStore(from tip: ObjectID, client: Repository, store: StoreObjects) throws -> [RawObject] {
        var result: [RawObject] = []
        var seen: Set<ObjectID> = []
        var level: [ObjectID] = [tip]
        // Where each tree and blob to read was first found: its path and directory depth.
        var found: [ObjectID: (path: [UInt8], depth: Int, isBlob: Bool)] = [:]
        var problems: [Diagnostic] = []
        while !level.isEmpty {
            let candidates = level.filter { seen.insert($0).inserted }
            let stored = try store.stored(among: candidates)
            var next: [ObjectID] = []
            for id in candidates where !stored.contains(id) {
                let place = found[id]
                if let place, place.isBlob, let header = try client.objectHeader(id),
                   header.type == .blob, header.size > PushLimits.maxBlobBytes {
                    problems.append(PushLimits.tooLarge(path: place.path, size: header.size))
                    continue
                }
                guard let object = try client.object(id) else {
                    throw SyncError.corrupt("the pushed history lacks object \(id.hex)")
                }
                result.append(object)
                switch object.type {
                case .commit:
                    let links = try CommitData.parseLinks(object.data)
                    if found[links.tree] == nil { found[links.tree] = ([], 0, false) }
                    next.append(links.tree)
                    next += links.parents
                case .tree:
                    let (path, depth) = place.map { ($0.path, $0.depth) } ?? ([], 0)
                    for entry in try TreeFormat.parse(object.data) where entry.mode != TreeEntry.submodule {
                        let entryPath = path.isEmpty ? entry.name : path + [UInt8(ascii: "/")] + entry.name
                        if entry.isTree && depth + 1 > PushLimits.maxTreeDepth {
                            problems.append(PushLimits.tooDeep(path: entryPath))
                            continue
                        }
                        if found[entry.id] == nil { found[entry.id] = (entryPath, entry.isTree ? depth + 1 : depth, !entry.isTree) }
                        next.append(entry.id)
                    }
                case .blob, .tag:
                    break
                }
            }
            // One report for every problem of a level; deeper levels are not walked.
            if !problems.isEmpty {
                throw SyncError(.invalid, "over the workspace's limits: \(problems.count) error\(problems.count == 1 ? "" : "s")",
                                diagnostics: problems.sortedForReport())
            }
            level = next
        }
        return result
    }
}

extension Transfer {
    /// For each pushed tree, the tree at the same path in the first parent of a pushed
    /// commit that has it: the delta base the store may keep it against
    /// (`WorkspaceWriting.putObjects`). Only subtrees whose ids differ are entered, and only
    /// pushed ones, so a push of one change reads a handful of trees.
    static func deltaBases(of objects: [RawObject], client: Repository) throws -> [String: String] {
        var pushed: [ObjectID: RawObject] = [:]
        for object in objects { pushed[object.id] = object }
        func read(_ id: ObjectID) throws -> RawObject? { try pushed[id] ?? client.object(id) }
        var bases: [String: String] = [:]
        func pair(_ new: ObjectID, _ old: ObjectID) throws {
            guard new != old, bases[new.hex] == nil, let tree = pushed[new], tree.type == .tree,
                  let oldTree = try read(old), oldTree.type == .tree else { return }
            bases[new.hex] = old.hex
            var oldSubtrees: [[UInt8]: ObjectID] = [:]
            for entry in try TreeFormat.parse(oldTree.data) where entry.isTree { oldSubtrees[entry.name] = entry.id }
            for entry in try TreeFormat.parse(tree.data) where entry.isTree {
                if let previous = oldSubtrees[entry.name] { try pair(entry.id, previous) }
            }
        }
        for object in objects where object.type == .commit {
            let links = try CommitData.parseLinks(object.data)
            guard let parent = links.parents.first, let parentCommit = try read(parent), parentCommit.type == .commit else { continue }
            try pair(links.tree, try CommitData.parseLinks(parentCommit.data).tree)
        }
        return bases
    }
}

/// What a pushed history may hold beyond what its resources need. Every pushed object is
/// kept in the store (the application's database) and served back to every clone, so a
/// push may not make it hold files it cannot sensibly serve, or trees git cannot check out.
public enum PushLimits {
    /// The largest file (blob) a push may add, anywhere in the pushed commits: 16 MiB.
    /// Resource documents stay within YAML's own limit (`YAMLLimits.maxBytes`, 8 MiB).
    public static let maxBlobBytes = 16 << 20
    /// The deepest directory nesting a pushed tree may have: a file may sit below at most
    /// this many directories. git itself fails to check out trees a few thousand deep, and
    /// every clone would meet them.
    public static let maxTreeDepth = 1024

    static func tooLarge(path: [UInt8], size: Int) -> Diagnostic {
        Diagnostic(.error, "file-too-large",
                   "the file is \(size) bytes, more than the \(maxBlobBytes) a workspace keeps; keep large files out of the workspace's repository",
                   path: String(decoding: path, as: UTF8.self), at: nil)
    }

    static func tooDeep(path: [UInt8]) -> Diagnostic {
        Diagnostic(.error, "tree-too-deep",
                   "directories nest more than \(maxTreeDepth) deep here; a workspace keeps no deeper tree",
                   path: String(decoding: path, as: UTF8.self), at: nil)
    }
}
