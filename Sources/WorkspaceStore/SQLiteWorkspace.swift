import Foundation
import GRDB
import WorkspaceSpec
import YAML

/// One workspace seen through one open SQLite transaction: reads, and writes when the transaction may write.
///
/// Made by `SQLiteStore` for the length of a `read` or `write` body and never kept: it
/// borrows the transaction's connection. Every statement is filtered by `workspace_id`,
/// so nothing here can see another workspace's rows.
final class SQLiteWorkspace: WorkspaceWriting {
    let db: Database
    let id: Int64
    let name: String
    /// The store's file path, for messages.
    let storePath: String
    private(set) var head: String?
    private(set) var cursor: Int
    /// The last sequence number when the transaction began: what it writes comes after.
    private let startSeq: Int
    /// Large trees this transaction decoded, for the next read or delta of their versions.
    private let decoded = ObjectCodec.Cache()

    /// Loads the workspace row; throws `noSuchWorkspace` when there is none.
    init(db: Database, name: String, storePath: String) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, head_commit, cursor, last_seq FROM workspaces WHERE name = ?"),
                                         arguments: [name]) else {
            throw StoreError.noSuchWorkspace(name, store: storePath)
        }
        self.db = db
        self.name = name
        self.storePath = storePath
        id = row["id"]
        head = row["head_commit"]
        cursor = row["cursor"]
        startSeq = row["last_seq"]
    }

    // MARK: Reading

    func resource(uuid: String) throws -> StoredResource? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM resources WHERE workspace_id = ? AND uuid = ?"), arguments: [id, uuid])
            .map(Self.resource(from:))
    }

    func liveResources(naming keys: Set<String>, role: NameRole, unwrittenHere: Bool) throws -> [StoredResource] {
        var found: [StoredResource] = []
        let stored = keys.map(NameIndex.stored).sorted()
        let latest = unwrittenHere ? startSeq : Int.max
        for start in stride(from: 0, to: stored.count, by: 500) {
            let chunk = Array(stored[start..<min(start + 500, stored.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            found += try Row.fetchAll(db, sql: """
                SELECT * FROM resources WHERE workspace_id = ? AND archived = 0 AND updated_seq <= ? AND uuid IN (
                    SELECT uuid FROM resource_names WHERE workspace_id = ? AND role = ? AND name_key IN (\(marks)))
                """, arguments: StatementArguments([id, latest, id, role.rawValue] as [any DatabaseValueConvertible]) + StatementArguments(chunk))
                .map(Self.resource(from:))
        }
        return Set(found).sorted { $0.createdSeq < $1.createdSeq }
    }

    /// Replaces the name index rows of one resource with `names` (none when nil: archived).
    static func indexNames(_ db: Database, workspace: Int64, uuid: String, names: NameIndex.Rows?) throws {
        try db.cachedStatement(sql: "DELETE FROM resource_names WHERE workspace_id = ? AND uuid = ?")
            .execute(arguments: [workspace, uuid])
        try addNames(db, workspace: workspace, uuid: uuid, names: names ?? [])
    }

    /// Adds name index rows of a resource that has none (a new one).
    static func addNames(_ db: Database, workspace: Int64, uuid: String, names: NameIndex.Rows) throws {
        for row in names {
            try db.cachedStatement(sql: "INSERT INTO resource_names (workspace_id, uuid, role, name_key) VALUES (?, ?, ?, ?)")
                .execute(arguments: [workspace, uuid, row.role.rawValue, row.key])
        }
    }

    func resources(includeArchived: Bool) throws -> [StoredResource] {
        let filter = includeArchived ? "" : "AND archived = 0"
        return try Row.fetchAll(db, sql: "SELECT * FROM resources WHERE workspace_id = ? \(filter) ORDER BY created_seq",
                                arguments: [id]).map(Self.resource(from:))
    }

    func mapping(kind: String, sourceID: String) throws -> Mapping? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM mappings WHERE workspace_id = ? AND kind = ? AND source_id = ?"),
                         arguments: [id, kind, sourceID]).map(Self.mapping(from:))
    }

    func mapping(uuid: String) throws -> Mapping? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM mappings WHERE workspace_id = ? AND uuid = ?"), arguments: [id, uuid])
            .map(Self.mapping(from:))
    }

    func mappings() throws -> [Mapping] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM mappings WHERE workspace_id = ? ORDER BY kind, source_id, uuid"),
                         arguments: [id]).map(Self.mapping(from:))
    }

    func objects(_ oids: [String], blobContent: Bool) throws -> [String: GitObject] {
        try ObjectCodec.objects(oids, blobContent: blobContent, cache: decoded, chains: chains)
    }

    /// The objects' rows and their delta bases, nearest first: the rows asked for in one
    /// plain question; then, only for those that are deltas (large trees), the links of
    /// their chains (`chainLinksQuery`: ids only), and the rows those links name that the
    /// first question did not bring, each once. A clone reads thousands of rows per
    /// question, almost all whole objects. The list drives each question (`CROSS JOIN`
    /// keeps that order), each id found by the primary key: `oid IN (list)` built a
    /// temporary index of the list first, a fifth of a clone's SQLite work. Versions of a
    /// tree share their chain down to one whole base (3.5 MB at 100 000 workflows): read
    /// with every chain and sorted with it (`ObjectCodec.chainsQuery`), that base went
    /// through SQLite's sorter once per version, into temporary files.
    private func chains(_ oids: [String]) throws -> [String: [ObjectRow]] {
        var chains: [String: [ObjectRow]] = [:]
        var deltas: [String: ObjectRow] = [:]
        try objectRows(oids) { row in
            if row.encoding == .delta { deltas[row.oid] = row } else { chains[row.oid] = [row] }
        }
        guard !deltas.isEmpty else { return chains }
        var links: [(start: String, oid: String)] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: Self.chainLinksQuery),
                                         arguments: [id, "[\"" + deltas.keys.joined(separator: "\",\"") + "\"]"])
        while let link = try cursor.next() { links.append((link[0], link[1])) }
        func known(_ oid: String) -> ObjectRow? { deltas[oid] ?? chains[oid]?.first }
        var bases: [String: ObjectRow] = [:]
        try objectRows(Array(Set(links.lazy.map(\.oid).filter { known($0) == nil }))) { bases[$0.oid] = $0 }
        // A chain goes under its start, a delta's id, which `known` finds in `deltas`, not
        // here. A link whose row is gone leaves its chain short: decoding it then says so.
        for link in links {
            if let row = known(link.oid) ?? bases[link.oid] { chains[link.start, default: []].append(row) }
        }
        return chains
    }

    /// The rows of `oids` (well-formed ids only; others cannot be stored) in one question,
    /// to `body` as they come.
    private func objectRows(_ oids: [String], _ body: (ObjectRow) throws -> Void) throws {
        // Only well-formed ids can be stored (and only they need no quoting in a JSON list).
        let wanted = oids.filter(GitObject.isValidID)
        guard !wanted.isEmpty else { return }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT o.oid, o.type, o.encoding, o.base_oid, o.generation, o.size, o.data
            FROM json_each(?2) AS wanted CROSS JOIN objects AS o ON o.workspace_id = ?1 AND o.oid = wanted.value
            """), arguments: [id, "[\"" + wanted.joined(separator: "\",\"") + "\"]"])
        while let row = try rows.next() { try body(Self.objectRow(row, from: 0)) }
    }

    /// The links of the delta chains that start at the ids of the JSON list `?2`: `start,
    /// oid` for each row of each chain, nearest first (the start itself included), without
    /// the rows' data.
    static let chainLinksQuery = """
        WITH RECURSIVE chain(start, depth, oid, encoding, base_oid) AS (
            SELECT o.oid, 0, o.oid, o.encoding, o.base_oid
            FROM json_each(?2) AS wanted CROSS JOIN objects AS o ON o.workspace_id = ?1 AND o.oid = wanted.value
            UNION ALL
            SELECT chain.start, chain.depth + 1, o.oid, o.encoding, o.base_oid
            FROM chain JOIN objects o ON o.workspace_id = ?1 AND o.oid = chain.base_oid
            WHERE chain.encoding = \(ObjectCodec.Encoding.delta.rawValue) AND chain.depth < \(ObjectCodec.chainLimit)
        )
        SELECT start, oid FROM chain ORDER BY start, depth
        """

    /// An `ObjectRow` from the columns `oid, type, encoding, base_oid, generation, size, data`
    /// starting at column `first`.
    private static func objectRow(_ row: Row, from first: Int) throws -> ObjectRow {
        let encoding: Int = row[first + 2]
        guard let parsed = ObjectCodec.Encoding(rawValue: encoding) else {
            throw StoreError.damaged("object \(row[first] as String) has encoding \(encoding)")
        }
        // One memcpy of SQLite's buffer (Array(Data) copies byte by byte through Sequence).
        let data = row.dataNoCopy(atIndex: first + 6).map { data in data.withUnsafeBytes { [UInt8]($0) } } ?? []
        return ObjectRow(oid: row[first], type: row[first + 1], encoding: parsed, base: row[first + 3],
                         generation: row[first + 4], size: row[first + 5], data: data)
    }

    func hasObject(_ oid: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM objects WHERE workspace_id = ? AND oid = ?)"),
                          arguments: [id, oid]) ?? false
    }

    func storedObjects(among oids: [String]) throws -> Set<String> {
        var found: Set<String> = []
        // SQLite binds at most 32 766 parameters; a few hundred per statement is plenty.
        for start in stride(from: 0, to: oids.count, by: 500) {
            let chunk = Array(oids[start..<min(start + 500, oids.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let arguments = StatementArguments([id]) + StatementArguments(chunk)
            found.formUnion(try String.fetchAll(db, sql: "SELECT oid FROM objects WHERE workspace_id = ? AND oid IN (\(marks))",
                                                arguments: arguments))
        }
        return found
    }

    func hasPendingOutbox() throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM workspace_outbox WHERE workspace = ? AND state = 'pending')"),
                          arguments: [name]) ?? false
    }

    func nextPendingOutbox() throws -> OutboxEntry? {
        try Row.fetchOne(db, sql: Self.outboxQuery + " WHERE workspace = ? AND state = 'pending' ORDER BY id LIMIT 1",
                         arguments: [name]).map(Self.outboxEntry(from:))
    }

    func settleOutbox(id entry: Int64, state: OutboxEntry.State, commit: String?, error: String?) throws {
        if let commit { try Self.requireObjectID(commit) }
        try db.cachedStatement(sql: """
            UPDATE workspace_outbox SET state = ?, commit_oid = ?, error = ?
            WHERE id = ? AND workspace = ? AND state = 'pending'
            """).execute(arguments: [state.rawValue, commit, error, entry, name])
        guard db.changesCount == 1 else {
            throw StoreError(.notFound, "no pending outbox row \(entry) for workspace '\(name)'")
        }
    }

    /// The outbox columns, `created_at` as Unix seconds whether it was written as ISO 8601
    /// text or as a number (NULL when it is neither: the row is then rejected).
    static let outboxQuery = """
        SELECT id, workspace, action, document, source_id, author_name, author_email, message,
               CASE WHEN typeof(created_at) IN ('integer', 'real') THEN CAST(created_at AS INTEGER)
                    ELSE CAST(strftime('%s', created_at) AS INTEGER) END AS created_unix,
               state, commit_oid, error
        FROM workspace_outbox
        """

    static func outboxEntry(from row: Row) throws -> OutboxEntry {
        let state: String = row["state"]
        guard let parsed = OutboxEntry.State(rawValue: state) else {
            throw StoreError.damaged("outbox row \(row["id"] as Int64) has state '\(state)'")
        }
        return OutboxEntry(id: row["id"], workspace: row["workspace"], rawAction: row["action"], document: row["document"],
                           sourceID: row["source_id"], authorName: row["author_name"], authorEmail: row["author_email"],
                           message: row["message"], createdAt: row["created_unix"] ?? Int.min, state: parsed,
                           commit: row["commit_oid"], error: row["error"])
    }

    func changes(after seq: Int) throws -> [Change] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM changes WHERE workspace_id = ? AND seq > ? ORDER BY seq"),
                         arguments: [id, seq]).map(Self.change(from:))
    }

    // MARK: Writing

    func insertResource(_ spec: StoredSpec) throws -> String {
        let seq = try nextSeq()
        let uuid = UUID().uuidString.lowercased()
        try db.cachedStatement(sql: """
            INSERT INTO resources (workspace_id, uuid, kind, spec, archived, created_seq, updated_seq)
            VALUES (?, ?, ?, ?, 0, ?, ?)
            """).execute(arguments: [id, uuid, spec.kind, spec.json, seq, seq])
        try Self.addNames(db, workspace: id, uuid: uuid, names: spec.names)
        return uuid
    }

    func updateResource(uuid: String, _ spec: StoredSpec) throws {
        let current = try requireResource(uuid)
        let seq = try nextSeq()
        try db.cachedStatement(sql: "UPDATE resources SET spec = ?, updated_seq = ? WHERE workspace_id = ? AND uuid = ?")
            .execute(arguments: [spec.json, seq, id, uuid])
        try Self.indexNames(db, workspace: id, uuid: uuid, names: current.archived ? nil : try spec.names(as: current.kind))
    }

    func setArchived(uuid: String, _ archived: Bool) throws {
        let current = try requireResource(uuid)
        let seq = try nextSeq()
        try db.cachedStatement(sql: "UPDATE resources SET archived = ?, updated_seq = ? WHERE workspace_id = ? AND uuid = ?")
            .execute(arguments: [archived, seq, id, uuid])
        // An archive only drops the rows; a restore reads the document back for its names.
        if archived {
            try Self.indexNames(db, workspace: id, uuid: uuid, names: nil)
        } else {
            try reindexNames(uuid: uuid)
        }
    }

    func reindexNames(uuid: String) throws {
        try Self.indexNames(db, workspace: id, uuid: uuid, names: NameIndex.rows(of: try resource(uuid: uuid)))
    }

    func staleNameIndex() throws -> [String] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT uuid, role, name_key FROM resource_names WHERE workspace_id = ?"),
                                    arguments: [id])
        return NameIndex.stale(resources: try resources(includeArchived: true),
                               rows: rows.map { (uuid: $0["uuid"], role: $0["role"], key: $0["name_key"]) })
    }

    func setMapping(_ mapping: Mapping) throws {
        if let problem = SourceID.problem(with: mapping.sourceID) {
            throw StoreError(.invalidArgument, "cannot map '\(mapping.sourceID)': \(problem)")
        }
        if let holder = try self.mapping(kind: mapping.kind, sourceID: mapping.sourceID), holder.uuid != mapping.uuid {
            throw StoreError(.sourceIDTaken,
                             "the \(mapping.kind) source id '\(mapping.sourceID)' is taken by '\(holder.sourceID)' "
                             + "(ids are compared ignoring case); choose another id")
        }
        // Written only for a resource of the workspace (as on PostgreSQL): no row, no resource.
        try db.cachedStatement(sql: """
            INSERT INTO mappings (workspace_id, kind, source_id, uuid, last_synced_spec_hash, last_projected_spec_hash)
            SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM resources WHERE workspace_id = ?1 AND uuid = ?4)
            ON CONFLICT (workspace_id, uuid) DO UPDATE SET
                kind = excluded.kind, source_id = excluded.source_id,
                last_synced_spec_hash = excluded.last_synced_spec_hash,
                last_projected_spec_hash = excluded.last_projected_spec_hash
            """).execute(arguments: [id, mapping.kind, mapping.sourceID, mapping.uuid,
                                     mapping.lastSyncedSpecHash, mapping.lastProjectedSpecHash])
        guard db.changesCount == 1 else {
            throw StoreError(.notFound, "no resource \(mapping.uuid) in workspace '\(name)'")
        }
    }

    func putObjects(_ objects: [GitObject], deltaBases: [String: String]) throws {
        for object in objects { try Self.requireObjectID(object.oid) }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO objects (workspace_id, oid, type, encoding, base_oid, generation, size, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (workspace_id, oid) DO NOTHING
            """)
        for row in try ObjectCodec.encode(objects, bases: deltaBases, cache: decoded, chains: chains) {
            try statement.execute(arguments: [id, row.oid, row.type, row.encoding.rawValue, row.base, row.generation,
                                              row.size, Data(row.data)])
        }
    }

    func moveHead(from expected: String?, to new: String?) throws {
        try HeadMove.check(workspace: name, head: head, expected: expected, new: new) { try object($0)?.type }
        try db.cachedStatement(sql: "UPDATE workspaces SET head_commit = ? WHERE id = ?").execute(arguments: [new, id])
        head = new
    }

    func advanceCursor() throws -> Int {
        cursor = try Int.fetchOne(db.cachedStatement(sql: "UPDATE workspaces SET cursor = cursor + 1 WHERE id = ? RETURNING cursor"),
                                  arguments: [id]) ?? 0
        return cursor
    }

    func appendChange(_ change: Change) throws -> Int {
        if let commit = change.commit { try Self.requireObjectID(commit) }
        let seq = try nextSeq()
        try db.cachedStatement(sql: """
            INSERT INTO changes (workspace_id, seq, uuid, action, author_name, author_email, time,
                                 tz_offset_minutes, message, commit_oid)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, seq, change.uuid, change.action.rawValue, change.authorName, change.authorEmail,
                                     change.time, change.tzOffsetMinutes, change.message, change.commit])
        return seq
    }

    func setChangeCommit(seq: Int, commit: String) throws {
        try Self.requireObjectID(commit)
        try db.cachedStatement(sql: "UPDATE changes SET commit_oid = ? WHERE workspace_id = ? AND seq = ?")
            .execute(arguments: [commit, id, seq])
        guard db.changesCount == 1 else {
            throw StoreError(.notFound, "no change \(seq) in workspace '\(name)'")
        }
    }

    // MARK: Helpers

    /// Takes the next number of the workspace's sequence (resources and changes share it).
    private func nextSeq() throws -> Int {
        guard let seq = try Int.fetchOne(db.cachedStatement(sql: "UPDATE workspaces SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq"),
                                         arguments: [id]) else {
            throw StoreError.noSuchWorkspace(name, store: storePath)
        }
        return seq
    }

    /// The resource's kind and archived flag (its document is not read); `notFound` when
    /// the workspace has no such resource.
    private func requireResource(_ uuid: String) throws -> (kind: String, archived: Bool) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT kind, archived FROM resources WHERE workspace_id = ? AND uuid = ?"),
                                         arguments: [id, uuid]) else {
            throw StoreError(.notFound, "no resource \(uuid) in workspace '\(name)'")
        }
        return (row["kind"], row["archived"])
    }

    static func requireObjectID(_ oid: String) throws {
        try HeadMove.requireObjectID(oid)
    }

    static func resource(from row: Row) throws -> StoredResource {
        StoredResource(uuid: row["uuid"], kind: row["kind"], spec: try SpecJSON.decode(row["spec"]),
                       archived: row["archived"], createdSeq: row["created_seq"], updatedSeq: row["updated_seq"])
    }

    static func mapping(from row: Row) -> Mapping {
        Mapping(kind: row["kind"], sourceID: row["source_id"], uuid: row["uuid"],
                lastSyncedSpecHash: row["last_synced_spec_hash"], lastProjectedSpecHash: row["last_projected_spec_hash"])
    }

    static func change(from row: Row) throws -> Change {
        let action: String = row["action"]
        guard let parsed = Change.Action(rawValue: action) else { throw StoreError.damaged("a change has action '\(action)'") }
        return Change(seq: row["seq"], uuid: row["uuid"], action: parsed, authorName: row["author_name"],
                      authorEmail: row["author_email"], time: row["time"], tzOffsetMinutes: row["tz_offset_minutes"],
                      message: row["message"], commit: row["commit_oid"])
    }
}

/// The rules every store keeps for its branch head and object ids, in one place.
enum HeadMove {
    /// Why the head may not move from `expected` to `new`, thrown: `staleHead` when the head
    /// is not `expected` (compare-and-swap), `notFound` when `new` is not stored,
    /// `invalidArgument` when it is not a commit. `storedType` gives a stored object's type.
    static func check(workspace name: String, head: String?, expected: String?, new: String?,
                      storedType: (String) throws -> GitObject.Kind?) throws {
        guard head == expected else {
            throw StoreError(.staleHead, "the branch '\(name)' is at \(head ?? "nothing (unborn)"), not at "
                             + "\(expected ?? "nothing (unborn)"); fetch first and retry on the new head")
        }
        guard let new else { return }
        try requireObjectID(new)
        guard let type = try storedType(new) else {
            throw StoreError(.notFound, "cannot move '\(name)' to \(new): the commit is not stored; put its objects first")
        }
        guard type == .commit else {
            throw StoreError(.invalidArgument, "cannot move '\(name)' to \(new): it is a \(type), not a commit")
        }
    }

    static func requireObjectID(_ oid: String) throws {
        guard GitObject.isValidID(oid) else {
            throw StoreError(.invalidArgument, "'\(oid)' is not an object id; the store takes 40 lowercase hex digits")
        }
    }
}
