import YAML

/// A database holding one or more workspaces, and everything each of them has.
///
/// Every operation names one workspace and touches only that workspace's rows
/// (invariant 9). All of a workspace's state — resources, mappings, git objects, the branch
/// head, the cursor and the change log — changes only inside `write`, in one transaction
/// (invariant 3). `SQLiteStore` is the embedded implementation; a PostgreSQL store follows
/// the same contract and runs the same contract tests.
public protocol WorkspaceStore: AnyObject, Sendable {
    /// Every workspace's name, sorted by UTF-8 bytes.
    func workspaceNames() throws -> [String]

    /// Creates an empty workspace: no resources, no head (an unborn branch), cursor 0.
    ///
    /// Throws `workspaceExists` when the name is taken (ignoring case), `invalidArgument` when it cannot be a
    /// branch name (see `WorkspaceName`).
    func createWorkspace(_ name: String) throws

    /// Runs `body` on one consistent snapshot of the workspace; nothing it reads can change under it.
    func read<T>(_ workspace: String, _ body: (any WorkspaceReading) throws -> T) throws -> T

    /// One transaction under the workspace's write lock: all of body's writes commit together
    /// or not at all (a thrown error rolls back everything).
    ///
    /// Writers to the same workspace never interleave, also across processes: a second
    /// writer waits for the first (up to the store's busy timeout) and then sees its result.
    /// The accessor is valid only inside `body`; do not call the store again from inside it.
    func write<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T

    /// `write`, but only when the workspace's write lock is free now: nil, without waiting
    /// and without running `body`, when another writer holds it. For work a reader does on
    /// the way (applying outbox rows before a fetch), so that readers never wait for writers.
    func writeIfFree<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T?

    /// One transaction over several workspaces at once (an atomic push of several
    /// branches): every workspace's writes commit together or none do. Same rules as `write`.
    func write<T>(_ workspaces: [String], _ body: ([any WorkspaceWriting]) throws -> T) throws -> T
    /// The outbox rows an application wrote (`workspace_outbox`), oldest first: those of
    /// `workspace` (every workspace's, also names no workspace has, when nil) whose state is
    /// one of `states`. A snapshot read; never waits for a writer.
    func outbox(workspace: String?, states: Set<OutboxEntry.State>) throws -> [OutboxEntry]

    /// Deterministic text of every row of the workspace, for byte-for-byte before/after checks.
    ///
    /// Rows are ordered by their keys; text is JSON-quoted and bytes are hex, so equal
    /// states give equal dumps and any difference in any row shows.
    func dump(_ workspace: String) throws -> String
}

/// What a transaction may read of one workspace.
///
/// `head` and `cursor` are the values at the start of the transaction, updated by the
/// transaction's own writes.
public protocol WorkspaceReading {
    var name: String { get }
    /// The branch head commit (40 hex digits), or nil while the branch is unborn.
    var head: String? { get }
    /// The mutation sequence number the head covers; starts at 0 and only grows.
    var cursor: Int { get }

    func resource(uuid: String) throws -> StoredResource?
    /// Resources in insertion order (`createdSeq`); archived ones only when asked.
    func resources(includeArchived: Bool) throws -> [StoredResource]
    /// The live resources that offer (or use) any of the names `keys` (`NameTable.key`
    /// values), in insertion order: the name index (`NameIndex`), kept by every write. With
    /// `unwrittenHere`, only those this transaction has not written (inserted, updated,
    /// archived or restored): a push, which writes its documents as it reads them, judges
    /// them against the others.
    func liveResources(naming keys: Set<String>, role: NameRole, unwrittenHere: Bool) throws -> [StoredResource]
    /// The UUIDs whose name index rows differ from what their stored documents say (for
    /// `git workspace fsck`; rows of archived or missing resources included).
    func staleNameIndex() throws -> [String]
    /// The mapping of `sourceID` within `kind`, ignoring case.
    func mapping(kind: String, sourceID: String) throws -> Mapping?
    func mapping(uuid: String) throws -> Mapping?
    /// Every mapping, ordered by kind, then source id ignoring case.
    func mappings() throws -> [Mapping]
    /// The stored objects among `oids`, by id (an id not stored is absent): one question
    /// per few thousand ids, so a clone reads its objects a tree level at a time. Without
    /// `blobContent`, a blob the store keeps compressed comes without its content: its
    /// stream (`deflated`) and its size (`omittedSize`) are all a pack needs.
    func objects(_ oids: [String], blobContent: Bool) throws -> [String: GitObject]
    func hasObject(_ oid: String) throws -> Bool
    /// Which of `oids` the workspace stores: one question for many, so a push asks once per
    /// tree it visits, not once per entry (a bounded number of round trips to a server).
    func storedObjects(among oids: [String]) throws -> Set<String>
    /// The change log entries with `seq` greater than `seq`, oldest first.
    func changes(after seq: Int) throws -> [Change]
    /// True when an application left outbox rows for this workspace that are still pending.
    func hasPendingOutbox() throws -> Bool
}

extension WorkspaceReading {
    /// `liveResources(naming:role:unwrittenHere:)`, written here or not.
    public func liveResources(naming keys: Set<String>, role: NameRole) throws -> [StoredResource] {
        try liveResources(naming: keys, role: role, unwrittenHere: false)
    }

    public func object(_ oid: String) throws -> GitObject? {
        try objects([oid])[oid]
    }

    /// `objects(_:blobContent:)` with every content.
    public func objects(_ oids: [String]) throws -> [String: GitObject] {
        try objects(oids, blobContent: true)
    }
}

/// What a transaction may change in one workspace.
public protocol WorkspaceWriting: WorkspaceReading {
    /// Stores a new resource under a new UUID and the next sequence number; returns the UUID.
    func insertResource(_ spec: StoredSpec) throws -> String
    /// Makes the resource's name index rows what its stored document says (none when it is
    /// archived or gone): `git workspace fsck --repair`.
    func reindexNames(uuid: String) throws
    /// Replaces the resource's document; its UUID, kind and creation order stay.
    func updateResource(uuid: String, _ spec: StoredSpec) throws
    /// Archives (deletes, restorably) or restores the resource; its mapping is kept either way.
    func setArchived(uuid: String, _ archived: Bool) throws
    /// Creates or replaces the mapping of `mapping.uuid`.
    ///
    /// Throws `sourceIDTaken` when another resource of the kind has the source id (ignoring
    /// case), `invalidArgument` for a source id `SourceID` rejects, `notFound` for an unknown UUID.
    func setMapping(_ mapping: Mapping) throws
    /// Stores objects; ones already present are left as they are.
    ///
    /// `deltaBases` names, per object id, an object (stored, or earlier in `objects`) that
    /// the object probably differs from by little: the tree at the same path in the previous
    /// head. The store may then keep it as a delta against that object (`ObjectCodec`);
    /// what `object(_:)` returns is the same either way.
    func putObjects(_ objects: [GitObject], deltaBases: [String: String]) throws
    /// Compare-and-swap of the branch head: throws `staleHead` when the head is not `expected`.
    ///
    /// `new` must be a commit already stored in the workspace, or nil to unborn the branch.
    func moveHead(from expected: String?, to new: String?) throws
    /// Adds one to the cursor and returns the new value.
    @discardableResult
    func advanceCursor() throws -> Int
    /// Appends to the change log under the next sequence number, which it returns.
    @discardableResult
    func appendChange(_ change: Change) throws -> Int
    /// Records the commit that carries change `seq`.
    func setChangeCommit(seq: Int, commit: String) throws
    /// The oldest pending outbox row of this workspace, or nil when there is none.
    func nextPendingOutbox() throws -> OutboxEntry?
    /// Settles a pending outbox row: `applied` with the commit that carries it (nil when it
    /// changed nothing), or `rejected` with why. Throws `notFound` when the row is not a
    /// pending row of this workspace (someone else settled it).
    func settleOutbox(id: Int64, state: OutboxEntry.State, commit: String?, error: String?) throws
}

extension WorkspaceWriting {
    /// Stores objects with no delta base named: each is kept whole (compressed when that helps).
    public func putObjects(_ objects: [GitObject]) throws {
        try putObjects(objects, deltaBases: [:])
    }
}
