import Git
import WorkspaceSpec
import WorkspaceStore
import YAML

/// One `push` line of the remote-helper protocol: a commit for a workspace branch.
public struct PushRequest: Sendable {
    /// The pushed commit; nil asks to delete the branch.
    public var source: ObjectID?
    /// `refs/heads/<workspace>`.
    public var destination: String
    public var force: Bool

    public init(source: ObjectID?, destination: String, force: Bool) {
        self.source = source
        self.destination = destination
        self.force = force
    }

    /// The workspace a destination ref names, or nil when it is not a branch.
    public var workspace: String? {
        destination.hasPrefix("refs/heads/") ? String(destination.dropFirst("refs/heads/".count)) : nil
    }
}

/// What a push did (or, for a dry run, would do) to one workspace.
public struct PushPlan: Sendable {
    public enum Step: Sendable, CustomStringConvertible {
        case create(kind: String, id: String)
        case update(kind: String, id: String)
        case archive(kind: String, id: String)
        case restore(kind: String, id: String)
        case rename(kind: String, from: String, to: String)
        /// The file changed but its spec did not (a comment, key order, file mode, a
        /// rewritten manifest): nothing is written for it.
        case unchanged(kind: String, id: String)

        /// The verb the summary counts it under.
        var verb: String {
            switch self {
            case .create: return "created"
            case .update: return "updated"
            case .archive: return "archived"
            case .restore: return "restored"
            case .rename: return "renamed"
            case .unchanged: return "unchanged"
            }
        }

        public var description: String {
            switch self {
            case .create(let kind, let id): return "create  \(kind) \(id)"
            case .update(let kind, let id): return "update  \(kind) \(id)"
            case .archive(let kind, let id): return "archive \(kind) \(id)"
            case .restore(let kind, let id): return "restore \(kind) \(id)"
            case .rename(let kind, let from, let to): return "rename  \(kind) \(from) -> \(to)"
            case .unchanged(let kind, let id): return "unchanged \(kind) \(id)"
            }
        }
    }

    /// `2 created, 5000 updated, 1 archived`: the steps counted by verb, in a fixed order
    /// (`no resource changed` when there are none but unchanged ones).
    public var summary: String {
        let order = ["created", "updated", "renamed", "restored", "archived", "unchanged"]
        var counts: [String: Int] = [:]
        for step in steps { counts[step.verb, default: 0] += 1 }
        let parts = order.compactMap { verb in counts[verb].map { "\($0) \(verb)" } }
        if counts.keys.allSatisfy({ $0 == "unchanged" }) {
            return "no resource changed" + (parts.isEmpty ? "" : " (\(parts[0]))")
        }
        return parts.joined(separator: ", ")
    }

    public var workspace: String
    public var steps: [Step] = []
    /// Warnings found on the way (unknown keys kept as data).
    public var warnings: [Diagnostic] = []
    /// Objects copied into the store.
    public var objectCount = 0
    /// True when the workspace already was at the pushed commit.
    public var upToDate = false
    /// True when a forced push replaced history the pushed commit does not contain.
    public var forced = false
    /// The branch before and after (equal when nothing moved).
    public var previousHead: ObjectID?
    public var head: ObjectID?
    /// For a merging push (`-o merge`): the pushed commit the branch's merge commit merged.
    public var mergedFrom: ObjectID?
}

/// Reconciliation: imports a pushed commit into a workspace (DESIGN.md, section 4).
///
/// Inside one store transaction under the workspace's write lock: fast-forward check
/// against the branch as it is now (and the `cas` expectation), diff of only the changed
/// paths, parse and validate, source id -> UUID resolution (a rename keeps the UUID),
/// import, both hashes recorded, the pushed objects stored, the branch moved to the pushed
/// commit itself and the postcondition checked. Any failure rolls all of it back.
public struct PushImporter {
    public let client: Repository
    public let options: Options

    /// What the pusher asked for beyond the push itself.
    public struct Options: Sendable {
        /// `git push -o archive`: allow a push that archives more than a quarter (and at
        /// least `ArchiveGuard.minimum`) of a kind's live resources.
        public var allowMassArchive = false
        /// Called with (done, total) as resources are imported, for git's progress display.
        public var progress: (@Sendable (Int, Int) -> Void)?

        public init(allowMassArchive: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil) {
            self.allowMassArchive = allowMassArchive
            self.progress = progress
        }
    }

    public init(client: Repository, options: Options = Options()) {
        self.client = client
        self.options = options
    }

    /// Imports `commit` into the workspace `tx` writes. `expected` is a `cas` expectation
    /// (nil: none; `.some(nil)`: the branch must not exist). With `dryRun` everything is
    /// checked and then rolled back by the caller.
    ///
    /// With `force`, a commit that does not descend from the branch replaces it (a rollback
    /// to an older commit, an amended commit), but only when the repository has the
    /// branch's commit: a forced push never overwrites workspace history the pusher has not
    /// fetched. A `cas` expectation that holds (`--force-with-lease`) allows the same: git
    /// sends the lease instead of a forced refspec. Resources are reconciled from tree to
    /// tree either way; removed ones archive.
    public func importCommit(_ commit: ObjectID, into tx: any WorkspaceWriting,
                             expected: ObjectID?? = nil, force: Bool = false) throws -> PushPlan {
        let state = try WorkspaceState(tx)
        var plan = PushPlan(workspace: tx.name)
        plan.previousHead = state.head
        plan.head = state.head
        try Self.checkLease(expected, head: state.head)
        if state.head == commit {
            plan.upToDate = true
            return plan
        }
        guard try client.hasObject(commit) else { throw SyncError.corrupt("the pushed commit \(commit.hex) is not in the repository") }
        if let head = state.head {
            let fastForward = try client.hasObject(head) && client.isDescendant(commit, of: head)
            if !fastForward {
                // Fetched means reachable from one of the client's refs: objects a refused
                // `-o merge` copied into the repository do not make a forced push legitimate.
                guard try client.isReachable(head, from: client.referenceTips()) else {
                    throw SyncError(.fetchFirst, changedSince(state: state))
                }
                // A lease that holds (`--force-with-lease`, checked above) gives leave to replace.
                guard force || expected != nil else {
                    throw SyncError(.nonFastForward, "the pushed commit does not contain the workspace's \(head.hex.prefix(7)); merge or rebase onto it, or push with --force to replace it")
                }
                plan.forced = true
            }
        }
        // The pushed objects first: the walk refuses a file or a tree the store does not
        // keep (`PushLimits`) before any document is read or any tree listed. The commits and
        // trees it reads are stored a bounded batch at a time as it goes (`Batch`: at 100 000
        // workflows every version of the `workflows/` tree is 5 MB); the blobs it lists are
        // stored as they are read, the documents' by `apply`, the others after it.
        var batch = Batch()
        let blobs = try Transfer.missingInStore(from: commit, client: client, store: state.objects) { object, base in
            try batch.add(object, base: base, into: tx)
        }
        try batch.flush(into: tx)
        plan.objectCount = batch.count + blobs.count
        let newTree = try client.treeID(ofCommit: commit)
        let changes = try resourceChanges(old: state, newTree: newTree, tx: tx)
        var unstored = Unstored(blobs)
        try apply(changes, tx: tx, plan: &plan, unstored: &unstored)
        let others = unstored.remaining
        for first in stride(from: 0, to: others.count, by: Self.chunk) {
            try Self.store(others[first..<min(first + Self.chunk, others.count)].map(client.pushed), in: tx)
        }
        FaultPoint.hit("push.objects")
        try tx.moveHead(from: state.head?.hex, to: commit.hex)
        plan.head = commit
        try tx.advanceCursor()
        let data = try client.object(commit)?.data ?? []
        let author = CommitData.header("author", in: data).flatMap(CommitData.parseSignature)
            ?? Signature(name: "unknown", email: "unknown", time: 0)
        let seq = try tx.appendChange(Change(uuid: nil, action: .push, authorName: author.name, authorEmail: author.email,
                                             time: Int(author.time), tzOffsetMinutes: author.offsetMinutes,
                                             message: "push \(commit.hex)"))
        try tx.setChangeCommit(seq: seq, commit: commit.hex)
        return plan
    }

    /// Objects on their way into the store, stored (`store`) whenever `chunk` of them or
    /// `Batch.bytes` of content are held: a push holds that much of the trees it walks, not
    /// every version of every tree. A tree's delta base was stored before it, or comes in
    /// the same batch (`Transfer.Walk.objects` reads bases first).
    struct Batch {
        private var objects: [RawObject] = []
        private var bases: [String: String] = [:]
        private var held = 0
        /// How many objects were added.
        private(set) var count = 0
        /// The content held before the batch is stored: a few versions of a 100 000-entry tree.
        static let bytes = 16 << 20

        mutating func add(_ object: RawObject, base: ObjectID?, into tx: any WorkspaceWriting) throws {
            objects.append(object)
            if let base { bases[object.id.hex] = base.hex }
            held += object.data.count
            count += 1
            if objects.count >= PushImporter.chunk || held >= Self.bytes { try flush(into: tx) }
        }

        mutating func flush(into tx: any WorkspaceWriting) throws {
            guard !objects.isEmpty else { return }
            try PushImporter.store(objects, bases: bases, in: tx)
            objects = []
            bases = [:]
            held = 0
        }
    }

    /// Stores `objects`, compressed on every core first (the store writes the streams on
    /// this thread); `bases` as for `putObjects`.
    static func store(_ objects: [RawObject], bases: [String: String] = [:], in tx: any WorkspaceWriting) throws {
        try tx.putObjects(Parallel.map(objects) { GitObject($0).compressedForStore(deltaBase: bases[$0.id.hex]) }, deltaBases: bases)
    }

    /// Refuses with `stale info` when a `cas` expectation (nil: none; `.some(nil)`: the
    /// branch must not exist) differs from the branch's head.
    static func checkLease(_ expected: ObjectID??, head: ObjectID?) throws {
        if let expected, expected != head {
            throw SyncError(.stale, "the workspace branch is at \(head?.hex ?? "nothing"), not \(expected?.hex ?? "nothing") as expected")
        }
    }

    /// Which resources changed on the workspace side since the newest commit the client has.
    func changedSince(state: WorkspaceState) -> String {
        guard let head = state.head else { return "the workspace moved" }
        do {
            var base: ObjectID?
            var queue = [head], seen: Set<ObjectID> = []
            while !queue.isEmpty {
                let commit = queue.removeFirst()
                guard seen.insert(commit).inserted else { continue }
                if try client.hasObject(commit) { base = commit; break }
                queue += try state.objects.parents(commit)
            }
            let baseTree = try base.map(state.objects.tree(ofCommit:))
            let paths = try state.objects.changedPaths(from: baseTree, to: state.tree)
            var names: [String] = []
            for path in paths {
                if case .resource(let kind, let id) = state.manifest.role(of: path) { names.append("\(kind) \(id)") }
            }
            if names.isEmpty { return "the workspace moved (no resource changed)" }
            return "changed in the workspace since your base: " + names.joined(separator: ", ")
        } catch {
            return "the workspace moved"
        }
    }
}
