import Git
import WorkspaceSpec
import WorkspaceStore

/// Moving objects between a workspace's rows and a client repository, each side reading
/// only what the other lacks (invariant 8: cost grows with what changed).
///
/// Both directions are one walk (`Walk`): the commits the receiving side lacks, then each
/// one's tree side by side with its first parent's, entering only entries whose id differs
/// from the parent's at the same path. Whatever stands unchanged at a path the parent also
/// had is the receiver's already: it has the parent, and with it everything the parent's
/// tree holds. So a one-resource change visits that resource's file and the trees above it,
/// whatever the size of the workspace.
enum Transfer {
    /// Objects reachable from `head` in the store that `client` does not have.
    ///
    /// They go into `spool` as the walk reads them (`Walk.collect`), so each is held only
    /// while it is read and parsed, not until the pack is written. A tree the store keeps
    /// as a delta goes in as that delta (`PackSpool.settleDeltas`).
    static func missingInClient(from head: ObjectID, store: StoreObjects, client: Repository, into spool: PackSpool) throws {
        // A client without references (the new repository of a clone) has nothing the walk
        // could leave out; asking it about every object would cost a failed lookup of a
        // loose object file each. (Were it to hold some anyway, they would only come twice.)
        let empty = try !client.hasReferences()
        // What an earlier walk of this fetch spooled counts as the client's: everything it
        // reaches is in the client or the spool already. git asks for a clone's HEAD and the
        // branch it names as two lines for one commit, and a second workspace shares history
        // with the first; without this each walked everything again (half of a clone's work).
        let has: ([ObjectID]) throws -> Set<ObjectID> = { ids in
            let spooled = Set(ids.lazy.filter(spool.contains))
            guard !empty else { return spooled }
            return spooled.union(try client.objects(among: ids.filter { !spooled.contains($0) }))
        }
        // Blobs are not entered: their stored streams go into the pack as they are.
        var walk = Walk(read: { try store.objects($0, blobContent: false) },
                        readKnown: { id in try (empty ? nil : client.object(id)) ?? store.object(id) },
                        has: has,
                        collect: { object, _ in try spool.add(object) })
        walk.readInIDOrder = true
        _ = try walk.objects(from: head)
        // Trees the store keeps as deltas go in as those deltas where the pack has the base.
        try spool.settleDeltas(whole: store.object)
    }

    /// Objects reachable from `tip` in the client that the store does not have.
    ///
    /// The store is asked once per level of the walk which of that level's objects it has
    /// (a server store answers each in one round trip).
    ///
    /// The walk also holds the pushed history to `PushLimits`, naming the path where it
    /// found the problem: a blob's size is read from its header before its content, so a
    /// 100 MB file is refused without being held, and a directory nested past the depth
    /// limit is refused before any tree walk of the import recurses into it, wherever the
    /// tree that nests it came from (a subtree used again deeper, or one the store has).
    ///
    /// The commits and trees go to `take` one at a time as they are read, each tree with the
    /// tree its first parent had at the same path (its delta base for `putObjects`), read
    /// one at a time, so a push holds none of them longer than `take` does (at 100 000
    /// workflows every version of the `workflows/` tree is 5 MB). Every base the walk reads
    /// comes before the trees it is the base of (`Walk.objects`). Blobs are listed, not read
    /// (the result): most are documents, which the import reads a chunk at a time, so a push
    /// of 100 000 files never holds them all.
    static func missingInStore(from tip: ObjectID, client: Repository, store: StoreObjects,
                               take: @escaping (RawObject, _ base: ObjectID?) throws -> Void) throws -> [Walk.Listed] {
        var walk = Walk(read: { ids in try ids.map(client.pushed) }, readKnown: client.pushed, has: store.stored(among:),
                        collect: take)
        walk.limits = Walk.Limits(header: { try client.objectHeader($0) })
        walk.listBlobs = true
        walk.batch = 1
        return try walk.objects(from: tip)
    }

    /// One direction of a transfer: `read` reads from the side that has every object (the
    /// objects of one level of the walk at once, in the order asked), `readKnown` an object
    /// the receiver is known to have (the parents' commits and trees, from whichever side
    /// reads them cheaper), `has` says which of some ids the receiver has.
    struct Walk {
        var read: ([ObjectID]) throws -> [RawObject]
        var readKnown: (ObjectID) throws -> RawObject
        var has: ([ObjectID]) throws -> Set<ObjectID>
        /// Takes each object the receiver lacks as it is read, a tree with the id of the tree
        /// the first parent had at the same path (nil: none, or not a tree).
        var collect: (RawObject, _ base: ObjectID?) throws -> Void
        /// Set for a push: `PushLimits` are checked on the way.
        var limits: Limits? = nil
        /// How many objects of a level are read at once: a store answers a batch in one
        /// question, and a clone holds at most one batch of contents.
        var batch = 2048
        /// When true, the objects of a level entered against no base are read in the order
        /// of their ids, the order a store keeps its rows in: consecutive batches then read
        /// neighbouring pages. A clone of 100 000 workflows read each object row's page from
        /// the file 1.3 times (256 000 reads of 4 KB; a level's ids come in no order the file
        /// keeps, and the page cache holds a quarter of the object table). The order of a
        /// push's walk is kept (each tree's delta base before it: `parentsFirst`).
        var readInIDOrder = false
        /// When true, the blobs the receiver lacks are listed (the walk's result), not read.
        var listBlobs = false

        /// A blob the receiver lacks, unread, with its size when `limits` read its header.
        typealias Listed = (id: ObjectID, size: Int?)

        struct Limits {
            /// An object's type and size from its header (nil: not there).
            var header: (ObjectID) throws -> (type: ObjectType, size: Int)?
        }

        /// An entry to visit: its id, the id the first parent had at the same path (when
        /// that was a tree too), its path and how many directories deep it is.
        /// Laid out in 56 bytes: a level of a 100 000-workflow walk holds a few lists of
        /// 100 000 of them.
        struct Visit {
            var id: ObjectID
            private var level: Int32
            var old: ObjectID?
            var isTree: Bool
            /// Where the entry is, for a push's refusals (`limits`); empty otherwise.
            var path: [UInt8]
            /// How many directories the entry is below the root.
            var depth: Int { Int(level) }

            init(id: ObjectID, old: ObjectID?, path: [UInt8], depth: Int, isTree: Bool) {
                self.id = id
                level = Int32(depth)
                self.old = old
                self.isTree = isTree
                self.path = path
            }
        }

        /// A tree and the base it was entered against (nil: none, every entry visited).
        struct Entered: Hashable {
            var id: ObjectID
            var old: ObjectID?
        }

        /// Gives every object reachable from `tip` that the receiver lacks to `collect`;
        /// returns the blobs among them when `listBlobs` (in the order met).
        ///
        /// The commits' trees are walked a level at a time, each level's trees in the order of
        /// their commits, parents first (`parentsFirst`). So the tree a first parent had at a
        /// path, when the walk reads it at all, is mostly read (and collected) before the trees
        /// that replace it there, and a receiver that stores each as it comes can keep the later
        /// ones as deltas against it. (A tree met again against another base is entered again
        /// ahead of its level's other trees; what it brings may then come before its base, and
        /// the store keeps that whole.)
        func objects(from tip: ObjectID) throws -> [Listed] {
            var listed: [Listed] = []
            var seen: Set<ObjectID> = []
            // Entering a tree against a base visits only the entries that differ from the
            // base's; the others are the receiver's once the base's are (it has the base, or
            // the walk sends it whole or against its own base). So a tree met again against
            // another base is entered again against that one: a commit that brings back an
            // earlier tree (an archive undoing a create) is entered against its parent, and
            // the earlier commit's entries must not rest on that. `whole`: trees the receiver
            // has, or that were entered against nothing.
            var entered: Set<Entered> = [], whole: Set<ObjectID> = []
            // The commits the receiver lacks, level by level, each with its tree and parents.
            var commits: [ObjectID: (tree: ObjectID, parents: [ObjectID])] = [:]
            var order: [ObjectID] = []
            var level = [tip]
            while !level.isEmpty {
                let candidates = level.filter { seen.insert($0).inserted }
                let had = try has(candidates)
                level = []
                for object in try read(candidates.filter { !had.contains($0) }) {
                    try collect(object, nil)
                    let links = try CommitData.parseLinks(object.data)
                    commits[object.id] = links
                    order.append(object.id)
                    level += links.parents
                }
            }
            var visits: [Visit] = []
            for commit in Self.parentsFirst(order, parents: { commits[$0]?.parents ?? [] }) {
                guard let (tree, parents) = commits[commit] else { continue }
                let base = try parents.first.map { parent in try commits[parent]?.tree ?? CommitData.parseLinks(readKnown(parent).data).tree }
                if tree != base { visits.append(Visit(id: tree, old: base, path: [], depth: 0, isTree: true)) }
            }
            var heights: [ObjectID: Int] = [:]
            while !visits.isEmpty {
                var problems: [Diagnostic] = []
                var fresh: [Visit] = []
                // Trees whose content the walk does not enter here (met before, or the receiver
                // has them) but whose depth at this place a push must still check.
                var placed: [Visit] = []
                // Trees already read, to enter again against another base (`entered`).
                var again: [Visit] = []
                for visit in visits {
                    if !visit.isTree {
                        if seen.insert(visit.id).inserted { fresh.append(visit) }
                    } else if whole.contains(visit.id) {
                        placed.append(visit)
                    } else if visit.old == nil || entered.insert(Entered(id: visit.id, old: visit.old)).inserted {
                        // A tree entered against nothing is `whole` from here on (every entry
                        // of it is visited), so `entered` holds only pairs with a base: a clone
                        // of 100 000 workflows enters 100 000 trees against nothing.
                        if visit.old == nil { whole.insert(visit.id) }
                        if seen.insert(visit.id).inserted { fresh.append(visit) } else { again.append(visit) }
                    } else {
                        placed.append(visit)
                    }
                }
                let had = try has(fresh.map(\.id))
                var next: [Visit] = []
                for visit in fresh where visit.isTree && had.contains(visit.id) { whole.insert(visit.id) }
                // A tree met twice in this level, once as one the receiver turns out to have.
                let held = Set(fresh.lazy.filter { $0.isTree && had.contains($0.id) }.map(\.id))
                var reading: [Visit] = again.filter { !held.contains($0.id) }
                placed += again.filter { held.contains($0.id) }
                // Trees entered again were read, and given to `collect`, when first met; the
                // rest of `reading` is met for the first time (`seen`), so each object is
                // collected once.
                let reentered = reading.count
                for visit in fresh {
                    if had.contains(visit.id) {
                        if visit.isTree { placed.append(visit) }
                        continue
                    }
                    var size: Int?
                    if let limits, !visit.isTree, let header = try limits.header(visit.id), header.type == .blob {
                        guard header.size <= PushLimits.maxBlobBytes else {
                            problems.append(PushLimits.tooLarge(path: visit.path, size: header.size))
                            continue
                        }
                        size = header.size
                    }
                    if listBlobs && !visit.isTree {
                        listed.append((visit.id, size))
                        continue
                    }
                    reading.append(visit)
                }
                if readInIDOrder {
                    // Trees entered again (the first `reentered`) stay first: they are not
                    // collected. Then what is entered against nothing (every blob, the trees
                    // of a first commit) in id order; then the trees entered against a base
                    // in the walk's order, so that the base a store keeps such a tree against
                    // (an earlier version at its path) still comes before it and the spool
                    // need not hold the tree whole until the end (`PackSpool.add`).
                    let rest = reading[reentered...]
                    reading = Array(reading[..<reentered]) + rest.filter { $0.old == nil }.sorted { $0.id < $1.id }
                        + rest.filter { $0.old != nil }
                }
                // Let go of this level's lists before the next one grows (100 000 entries each
                // in a 100 000-workflow walk).
                visits = []
                fresh = []
                // A level is read a batch at a time, so a clone holds at most one batch of contents.
                for first in stride(from: 0, to: reading.count, by: batch) {
                    let slice = reading[first..<min(first + batch, reading.count)]
                    for (offset, (visit, object)) in zip(slice, try read(slice.map(\.id))).enumerated() {
                        if first + offset >= reentered { try collect(object, visit.isTree ? visit.old : nil) }
                        guard visit.isTree else { continue }
                        // Only entries whose id differs from their namesake's in the old tree.
                        let before = try visit.old.map { try readKnown($0).data }
                        for (entry, old) in try TreeFormat.changed(object.data, from: before) where entry.mode != TreeEntry.submodule {
                            // Paths only name a push's problems: a clone of 100 000 workflows
                            // would hold 200 000 of them.
                            let path = limits == nil ? [] : visit.path.isEmpty ? entry.name : visit.path + [UInt8(ascii: "/")] + entry.name
                            if limits != nil && entry.isTree && visit.depth + 1 > PushLimits.maxTreeDepth {
                                problems.append(PushLimits.tooDeep(path: path))
                                continue
                            }
                            next.append(Visit(id: entry.id, old: old?.isTree == true ? old?.id : nil, path: path,
                                              depth: entry.isTree ? visit.depth + 1 : visit.depth, isTree: entry.isTree))
                        }
                    }
                }
                if limits != nil {
                    for visit in placed where visit.depth + (try height(visit.id, memo: &heights)) > PushLimits.maxTreeDepth {
                        problems.append(PushLimits.tooDeep(path: visit.path))
                    }
                }
                // One report for every problem of a level; deeper levels are not walked.
                if !problems.isEmpty {
                    throw SyncError(.invalid, "over the workspace's limits: \(problems.count) error\(problems.count == 1 ? "" : "s")",
                                    diagnostics: problems.sortedForReport())
                }
                visits = next
            }
            return listed
        }

        /// `commits` (newest first, as met from the tip) ordered so that each comes after
        /// those of its parents that are among them.
        static func parentsFirst(_ commits: [ObjectID], parents: (ObjectID) -> [ObjectID]) -> [ObjectID] {
            var ordered: [ObjectID] = []
            var placed: Set<ObjectID> = []
            var entered: Set<ObjectID> = []
            let among = Set(commits)
            for start in commits.reversed() {
                // Depth first without recursion: a commit is placed once its parents are.
                var stack = [(id: start, expanded: false)]
                while let (id, expanded) = stack.popLast() {
                    if placed.contains(id) { continue }
                    if expanded {
                        placed.insert(id)
                        ordered.append(id)
                    } else if entered.insert(id).inserted {
                        stack.append((id, true))
                        for parent in parents(id).reversed() where among.contains(parent) && !placed.contains(parent) {
                            stack.append((parent, false))
                        }
                    }
                }
            }
            return ordered
        }

        /// How many directories nest below `tree` (0: it holds no directory), each tree read
        /// once and without recursion; past the depth limit the walk stops (the answer is then
        /// more than the limit).
        func height(_ tree: ObjectID, memo: inout [ObjectID: Int]) throws -> Int {
            if let known = memo[tree] { return known }
            func frame(_ id: ObjectID) throws -> (id: ObjectID, subtrees: [ObjectID], next: Int, height: Int) {
                (id, try TreeFormat.parse(readKnown(id).data).filter(\.isTree).map(\.id), 0, 0)
            }
            var path = [try frame(tree)]
            while let top = path.last {
                let last = path.count - 1
                if top.next < top.subtrees.count {
                    let child = top.subtrees[top.next]
                    path[last].next += 1
                    if let known = memo[child] {
                        path[last].height = max(top.height, known + 1)
                    } else if path.count > PushLimits.maxTreeDepth {
                        return PushLimits.maxTreeDepth + 1
                    } else {
                        path.append(try frame(child))
                    }
                } else {
                    path.removeLast()
                    memo[top.id] = top.height
                    if !path.isEmpty { path[last - 1].height = max(path[last - 1].height, top.height + 1) }
                }
            }
            return memo[tree] ?? 0
        }
    }
}

extension Repository {
    /// An object of a pushed history, which must have it.
    func pushed(_ id: ObjectID) throws -> RawObject {
        guard let object = try object(id) else { throw SyncError.corrupt("the pushed history lacks object \(id.hex)") }
        return object
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
