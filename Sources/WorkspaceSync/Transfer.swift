import Git
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
    static func missingInStore(from tip: ObjectID, client: Repository, store: StoreObjects) throws -> [RawObject] {
        var result: [RawObject] = []
        var seen: Set<ObjectID> = []
        var level: [ObjectID] = [tip]
        while !level.isEmpty {
            let candidates = level.filter { seen.insert($0).inserted }
            let stored = try store.stored(among: candidates)
            var next: [ObjectID] = []
            for id in candidates where !stored.contains(id) {
                guard let object = try client.object(id) else {
                    throw SyncError.corrupt("the pushed history lacks object \(id.hex)")
                }
                result.append(object)
                switch object.type {
                case .commit:
                    let links = try CommitData.parseLinks(object.data)
                    next.append(links.tree)
                    next += links.parents
                case .tree:
                    for entry in try TreeFormat.parse(object.data) where entry.mode != TreeEntry.submodule {
                        next.append(entry.id)
                    }
                case .blob, .tag:
                    break
                }
            }
            level = next
        }
        return result
    }
}
