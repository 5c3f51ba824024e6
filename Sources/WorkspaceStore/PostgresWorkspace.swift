import Foundation
import WorkspaceSpec
import YAML

/// One workspace seen through one open PostgreSQL transaction: `SQLiteWorkspace`'s
/// statements in PostgreSQL's dialect.
///
/// Made by `PostgresStore` for the length of a `read` or `write` body and never kept. Every
/// statement is filtered by `workspace_id` (the outbox by the workspace's name), so nothing
/// here can see another workspace's rows. Where SQLite takes two statements, this takes one
/// when it can (a sequence number and the row that uses it), since each is a round trip.
final class PostgresWorkspace: WorkspaceWriting {
    private let connection: PostgresConnection
    let id: Int64
    let name: String
    /// The store's redacted URL, for messages.
    let store: String
    private(set) var head: String?
    private(set) var cursor: Int
    /// The last sequence number when the transaction began: what it writes comes after.
    private let startSeq: Int
    /// Large trees this transaction decoded, for the next read or delta of their versions.
    private let decoded = ObjectCodec.Cache()

    /// Loads the workspace row; throws `noSuchWorkspace` when there is none.
    init(_ connection: PostgresConnection, name: String, store: String) throws {
        let rows = try connection.execute("SELECT id, head_commit, cursor, last_seq FROM workspaces WHERE name = $1", [.text(name)])
        guard rows.count == 1, let id = rows.string(0, 0).flatMap({ Int64($0) }) else {
            throw StoreError.noSuchWorkspace(name, store: store)
        }
        self.connection = connection
        self.id = id
        self.name = name
        self.store = store
        head = rows.string(0, 1)
        cursor = rows.int(0, 2) ?? 0
        // Not a default: a push judges its documents against the resources written up to it.
        guard let seq = rows.int(0, 3) else { throw StoreError(.corrupt, "workspace '\(name)' has no sequence number") }
        startSeq = seq
    }

    private var key: PostgresValue { .int(id) }

    // MARK: Reading

    static let resourceColumns = "uuid, kind, spec, archived, created_seq, updated_seq"

    func resource(uuid: String) throws -> StoredResource? {
        let rows = try connection.execute("SELECT \(Self.resourceColumns) FROM resources WHERE workspace_id = $1 AND uuid = $2",
                                          [key, .text(uuid)])
        return rows.count == 0 ? nil : try Self.resource(rows, 0)
    }

    func resources(includeArchived: Bool) throws -> [StoredResource] {
        let filter = includeArchived ? "" : "AND NOT archived"
        let rows = try connection.execute("""
            SELECT \(Self.resourceColumns) FROM resources WHERE workspace_id = $1 \(filter) ORDER BY created_seq
            """, [key])
        return try (0..<rows.count).map { try Self.resource(rows, $0) }
    }

    static let mappingColumns = "kind, source_id, uuid, last_synced_spec_hash, last_projected_spec_hash"

    func mapping(kind: String, sourceID: String) throws -> Mapping? {
        let rows = try connection.execute("""
            SELECT \(Self.mappingColumns) FROM mappings WHERE workspace_id = $1 AND kind = $2 AND lower(source_id) = lower($3)
            """, [key, .text(kind), .text(sourceID)])
        return rows.count == 0 ? nil : Self.mapping(rows, 0)
    }

    func mapping(uuid: String) throws -> Mapping? {
        let rows = try connection.execute("SELECT \(Self.mappingColumns) FROM mappings WHERE workspace_id = $1 AND uuid = $2",
                                          [key, .text(uuid)])
        return rows.count == 0 ? nil : Self.mapping(rows, 0)
    }

    func mappings() throws -> [Mapping] {
        let rows = try connection.execute("""
            SELECT \(Self.mappingColumns) FROM mappings WHERE workspace_id = $1 ORDER BY kind, lower(source_id), uuid
            """, [key])
        return (0..<rows.count).map { Self.mapping(rows, $0) }
    }

    func objects(_ oids: [String], blobContent: Bool) throws -> [String: GitObject] {
        try ObjectCodec.objects(oids, blobContent: blobContent, cache: decoded, chains: chains)
    }

    /// The objects' rows and their delta bases, nearest first, in one round trip
    /// (`ObjectCodec.chainsQuery`).
    private func chains(_ oids: [String]) throws -> [String: [ObjectRow]] {
        // Only well-formed ids can be stored (and only they are safe in an array literal).
        let wanted = oids.filter(GitObject.isValidID)
        guard !wanted.isEmpty else { return [:] }
        let rows = try connection.execute(Self.chainsQuery, [key, .text("{" + wanted.joined(separator: ",") + "}")])
        return ObjectCodec.chains(try (0..<rows.count).map { row in
            guard let start = rows.string(row, 0), let oid = rows.string(row, 1), let type = rows.int(row, 2),
                  let encoding = rows.int(row, 3).flatMap(ObjectCodec.Encoding.init(rawValue:)),
                  let generation = rows.int(row, 5), let data = rows.bytes(row, 7) else {
                throw StoreError.damaged("object \(rows.string(row, 1) ?? "?") has a type, encoding or data it cannot have")
            }
            return (start, ObjectRow(oid: oid, type: type, encoding: encoding, base: rows.string(row, 4), generation: generation,
                                     size: rows.int(row, 6), data: data))
        })
    }

    private static let chainsQuery = ObjectCodec.chainsQuery(workspace: "$1", starts: "oid = ANY($2::text[])")

    func hasObject(_ oid: String) throws -> Bool {
        try !storedObjects(among: [oid]).isEmpty
    }

    func storedObjects(among oids: [String]) throws -> Set<String> {
        // Only well-formed ids can be stored (and only they are safe in an array literal).
        let wanted = Array(Set(oids.filter(GitObject.isValidID)))
        var found: Set<String> = []
        for start in stride(from: 0, to: wanted.count, by: 10_000) {
            let chunk = wanted[start..<min(start + 10_000, wanted.count)]
            let rows = try connection.execute("SELECT oid FROM objects WHERE workspace_id = $1 AND oid = ANY($2::text[])",
                                              [key, .text("{" + chunk.joined(separator: ",") + "}")])
            for row in 0..<rows.count { if let oid = rows.string(row, 0) { found.insert(oid) } }
        }
        return found
    }

    func changes(after seq: Int) throws -> [Change] {
        let rows = try connection.execute("""
            SELECT seq, uuid, action, author_name, author_email, time, tz_offset_minutes, message, commit_oid
            FROM changes WHERE workspace_id = $1 AND seq > $2 ORDER BY seq
            """, [key, .int(seq)])
        return try (0..<rows.count).map { row in
            let action = rows.string(row, 2) ?? ""
            guard let parsed = Change.Action(rawValue: action) else { throw StoreError.damaged("a change has action '\(action)'") }
            return Change(seq: rows.int(row, 0) ?? 0, uuid: rows.string(row, 1), action: parsed,
                          authorName: rows.string(row, 3) ?? "", authorEmail: rows.string(row, 4) ?? "",
                          time: rows.int(row, 5) ?? 0, tzOffsetMinutes: rows.int(row, 6) ?? 0,
                          message: rows.string(row, 7) ?? "", commit: rows.string(row, 8))
        }
    }

    func hasPendingOutbox() throws -> Bool {
        let rows = try connection.execute("""
            SELECT EXISTS (SELECT 1 FROM workspace_outbox WHERE workspace = $1 AND state = 'pending')
            """, [.text(name)])
        return rows.bool(0, 0) ?? false
    }

    /// The outbox columns, `created_at` as Unix seconds.
    static let outboxQuery = """
        SELECT id, workspace, action, document, source_id, author_name, author_email, message,
               floor(extract(epoch FROM created_at))::bigint AS created_unix, state, commit_oid, error
        FROM workspace_outbox
        """

    static func outboxEntry(_ rows: PostgresResult, _ row: Int) throws -> OutboxEntry {
        let id = Int64(rows.string(row, 0) ?? "") ?? 0
        let state = rows.string(row, 9) ?? ""
        guard let parsed = OutboxEntry.State(rawValue: state) else {
            throw StoreError.damaged("outbox row \(id) has state '\(state)'")
        }
        return OutboxEntry(id: id, workspace: rows.string(row, 1) ?? "", rawAction: rows.string(row, 2) ?? "",
                           document: rows.string(row, 3), sourceID: rows.string(row, 4),
                           authorName: rows.string(row, 5) ?? "", authorEmail: rows.string(row, 6) ?? "",
                           message: rows.string(row, 7), createdAt: rows.int(row, 8) ?? Int.min, state: parsed,
                           commit: rows.string(row, 10), error: rows.string(row, 11))
    }

    func nextPendingOutbox() throws -> OutboxEntry? {
        let rows = try connection.execute(Self.outboxQuery + " WHERE workspace = $1 AND state = 'pending' ORDER BY id LIMIT 1",
                                          [.text(name)])
        return rows.count == 0 ? nil : try Self.outboxEntry(rows, 0)
    }

    func settleOutbox(id entry: Int64, state: OutboxEntry.State, commit: String?, error: String?) throws {
        if let commit { try HeadMove.requireObjectID(commit) }
        let updated = try connection.execute("""
            UPDATE workspace_outbox SET state = $1, commit_oid = $2, error = $3
            WHERE id = $4 AND workspace = $5 AND state = 'pending'
            """, [.text(state.rawValue), .optional(commit), .optional(error), .int(entry), .text(name)])
        guard updated.affected == 1 else {
            throw StoreError(.notFound, "no pending outbox row \(entry) for workspace '\(name)'")
        }
    }

    // MARK: Writing

    /// A CTE taking the workspace's next sequence number as `next.seq`.
    private static let nextSeq = "next AS (UPDATE workspaces SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq AS seq)"

    func insertResource(_ spec: StoredSpec) throws -> String {
        let uuid = UUID().uuidString.lowercased()
        let rows = try connection.execute("""
            WITH \(Self.nextSeq)
            INSERT INTO resources (workspace_id, uuid, kind, spec, archived, created_seq, updated_seq)
            SELECT $1, $2, $3, $4, false, seq, seq FROM next RETURNING created_seq
            """, [key, .text(uuid), .text(spec.kind), .text(spec.json)])
        guard rows.int(0, 0) != nil else { throw StoreError.noSuchWorkspace(name, store: store) }
        try Self.indexNames(connection, [(id, uuid, spec.names)])
        return uuid
    }

    func updateResource(uuid: String, _ spec: StoredSpec) throws {
        let changed = try changeResource(uuid, set: "spec = $3", .text(spec.json))
        try Self.indexNames(connection, [(id, uuid, changed.archived ? nil : try spec.names(as: changed.kind))])
    }

    func setArchived(uuid: String, _ archived: Bool) throws {
        let changed = try changeResource(uuid, set: "archived = $3::boolean", .text(archived ? "true" : "false"))
        // An archive only drops the rows; a restore reads the document back for its names.
        if archived {
            try Self.indexNames(connection, [(id, uuid, nil)])
        } else {
            try reindexNames(uuid: uuid)
        }
    }

    func liveResources(naming keys: Set<String>, role: NameRole, unwrittenHere: Bool) throws -> [StoredResource] {
        guard !keys.isEmpty else { return [] }
        let rows = try connection.execute("""
            SELECT \(Self.resourceColumns) FROM resources WHERE workspace_id = $1 AND NOT archived AND updated_seq <= $4 AND uuid IN (
                SELECT uuid FROM resource_names WHERE workspace_id = $1 AND role = $2 AND name_key = ANY($3::text[]))
            ORDER BY created_seq
            """, [key, .int(role.rawValue), .array(keys.map(NameIndex.stored).sorted()), .int(unwrittenHere ? startSeq : Int.max)])
        return try (0..<rows.count).map { try Self.resource(rows, $0) }
    }

    /// Makes the name index rows of resources `names` (none when nil: archived), in one
    /// statement: `resources` as (workspace id, uuid, rows or nil).
    static func indexNames(_ connection: PostgresConnection,
                           _ resources: [(workspace: Int64, uuid: String, names: NameIndex.Rows?)]) throws {
        guard !resources.isEmpty else { return }
        var workspaces: [String] = [], uuids: [String] = [], roles: [String] = [], names: [String] = []
        for resource in resources {
            for row in resource.names ?? [] {
                workspaces.append(String(resource.workspace))
                uuids.append(resource.uuid)
                roles.append(String(row.role.rawValue))
                names.append(row.key)
            }
        }
        try connection.execute("""
            WITH wanted AS (
                SELECT * FROM unnest($3::bigint[], $4::text[], $5::smallint[], $6::text[]) AS w(workspace_id, uuid, role, name_key)),
            gone AS (
                DELETE FROM resource_names n
                USING unnest($1::bigint[], $2::text[]) AS t(workspace_id, uuid)
                WHERE n.workspace_id = t.workspace_id AND n.uuid = t.uuid
                  AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.workspace_id = n.workspace_id AND w.uuid = n.uuid
                                  AND w.role = n.role AND w.name_key = n.name_key))
            INSERT INTO resource_names (workspace_id, uuid, role, name_key)
            SELECT workspace_id, uuid, role, name_key FROM wanted ON CONFLICT DO NOTHING
            """, [.array(resources.map { String($0.workspace) }), .array(resources.map(\.uuid)),
                  .array(workspaces), .array(uuids), .array(roles), .array(names)])
    }

    /// The name index of every live resource of a store (migration v4).
    static func indexAllNames(_ connection: PostgresConnection) throws {
        let rows = try connection.execute("SELECT workspace_id, uuid, kind, spec FROM resources WHERE NOT archived")
        let resources = try (0..<rows.count).map { row in
            (workspace: Int64(rows.string(row, 0) ?? "") ?? 0, uuid: rows.string(row, 1) ?? "",
             names: Optional(NameIndex.rows(kind: rows.string(row, 2) ?? "", spec: try SpecJSON.decode(rows.string(row, 3) ?? ""))))
        }
        try indexNames(connection, resources)
    }

    func reindexNames(uuid: String) throws {
        try Self.indexNames(connection, [(id, uuid, NameIndex.rows(of: try resource(uuid: uuid)))])
    }

    func staleNameIndex() throws -> [String] {
        let rows = try connection.execute("SELECT uuid, role, name_key FROM resource_names WHERE workspace_id = $1", [key])
        return NameIndex.stale(resources: try resources(includeArchived: true), rows: (0..<rows.count).map {
            (uuid: rows.string($0, 0) ?? "", role: rows.int($0, 1) ?? -1, key: rows.string($0, 2) ?? "")
        })
    }

    /// Sets one column of the resource and its `updated_seq` to the next sequence number, in
    /// one statement; `notFound` (and no number taken) when the resource does not exist.
    /// Returns the resource's kind and archived flag as they are after the change.
    private func changeResource(_ uuid: String, set assignment: String, _ value: PostgresValue) throws -> (kind: String, archived: Bool) {
        let updated = try connection.execute("""
            WITH next AS (
                UPDATE workspaces SET last_seq = last_seq + 1
                WHERE id = $1 AND EXISTS (SELECT 1 FROM resources WHERE workspace_id = $1 AND uuid = $2)
                RETURNING last_seq AS seq)
            UPDATE resources SET \(assignment), updated_seq = next.seq FROM next
            WHERE workspace_id = $1 AND uuid = $2
            RETURNING resources.kind, resources.archived
            """, [key, .text(uuid), value])
        guard updated.count == 1, let kind = updated.string(0, 0), let archived = updated.bool(0, 1) else {
            throw StoreError(.notFound, "no resource \(uuid) in workspace '\(name)'")
        }
        return (kind, archived)
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
        let written = try connection.execute("""
            INSERT INTO mappings (workspace_id, kind, source_id, uuid, last_synced_spec_hash, last_projected_spec_hash)
            SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM resources WHERE workspace_id = $1 AND uuid = $4)
            ON CONFLICT (workspace_id, uuid) DO UPDATE SET
                kind = excluded.kind, source_id = excluded.source_id,
                last_synced_spec_hash = excluded.last_synced_spec_hash,
                last_projected_spec_hash = excluded.last_projected_spec_hash
            """, [key, .text(mapping.kind), .text(mapping.sourceID), .text(mapping.uuid),
                  .optional(mapping.lastSyncedSpecHash), .optional(mapping.lastProjectedSpecHash)])
        if written.affected != 1 { throw StoreError(.notFound, "no resource \(mapping.uuid) in workspace '\(name)'") }
    }

    func putObjects(_ objects: [GitObject], deltaBases: [String: String]) throws {
        for object in objects { try HeadMove.requireObjectID(object.oid) }
        let encoded = try ObjectCodec.encode(objects, bases: deltaBases, cache: decoded, chains: chains)
        // Many rows per statement (a round trip each), within the server's 65 535 parameters
        // and a few megabytes of data.
        var start = 0
        while start < encoded.count {
            var end = start
            var bytes = 0
            while end < encoded.count, end - start < 5_000, bytes < 8 << 20 || end == start {
                bytes += encoded[end].data.count
                end += 1
            }
            var parameters: [PostgresValue] = [key]
            var rows: [String] = []
            for row in encoded[start..<end] {
                let base = parameters.count
                rows.append("($1, $\(base + 1), $\(base + 2)::smallint, $\(base + 3)::smallint, $\(base + 4), "
                            + "$\(base + 5)::integer, $\(base + 6)::bigint, $\(base + 7)::bytea)")
                parameters += [.text(row.oid), .int(row.type), .int(row.encoding.rawValue), .optional(row.base),
                               .int(row.generation), row.size.map { .int($0) } ?? .null, .bytes(row.data)]
            }
            try connection.execute("""
                INSERT INTO objects (workspace_id, oid, type, encoding, base_oid, generation, size, data)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (workspace_id, oid) DO NOTHING
                """, parameters)
            start = end
        }
    }

    func moveHead(from expected: String?, to new: String?) throws {
        try HeadMove.check(workspace: name, head: head, expected: expected, new: new) { oid in
            let rows = try connection.execute("SELECT type FROM objects WHERE workspace_id = $1 AND oid = $2", [key, .text(oid)])
            guard rows.count == 1 else { return nil }
            guard let type = rows.int(0, 0).flatMap(GitObject.Kind.init(rawValue:)) else {
                throw StoreError.damaged("object \(oid) has type \(rows.string(0, 0) ?? "null")")
            }
            return type
        }
        try connection.execute("UPDATE workspaces SET head_commit = $2 WHERE id = $1", [key, .optional(new)])
        head = new
    }

    func advanceCursor() throws -> Int {
        let rows = try connection.execute("UPDATE workspaces SET cursor = cursor + 1 WHERE id = $1 RETURNING cursor", [key])
        cursor = rows.int(0, 0) ?? cursor
        return cursor
    }

    func appendChange(_ change: Change) throws -> Int {
        if let commit = change.commit { try HeadMove.requireObjectID(commit) }
        let rows = try connection.execute("""
            WITH \(Self.nextSeq)
            INSERT INTO changes (workspace_id, seq, uuid, action, author_name, author_email, time,
                                 tz_offset_minutes, message, commit_oid)
            SELECT $1, seq, $2, $3, $4, $5, $6, $7, $8, $9 FROM next RETURNING seq
            """, [key, .optional(change.uuid), .text(change.action.rawValue), .text(change.authorName),
                  .text(change.authorEmail), .int(change.time), .int(change.tzOffsetMinutes), .text(change.message),
                  .optional(change.commit)])
        guard let seq = rows.int(0, 0) else { throw StoreError.noSuchWorkspace(name, store: store) }
        return seq
    }

    func setChangeCommit(seq: Int, commit: String) throws {
        try HeadMove.requireObjectID(commit)
        let updated = try connection.execute("UPDATE changes SET commit_oid = $3 WHERE workspace_id = $1 AND seq = $2",
                                             [key, .int(seq), .text(commit)])
        guard updated.affected == 1 else { throw StoreError(.notFound, "no change \(seq) in workspace '\(name)'") }
    }

    // MARK: Rows

    static func resource(_ rows: PostgresResult, _ row: Int) throws -> StoredResource {
        StoredResource(uuid: rows.string(row, 0) ?? "", kind: rows.string(row, 1) ?? "",
                       spec: try SpecJSON.decode(rows.string(row, 2) ?? ""), archived: rows.bool(row, 3) ?? false,
                       createdSeq: rows.int(row, 4) ?? 0, updatedSeq: rows.int(row, 5) ?? 0)
    }

    static func mapping(_ rows: PostgresResult, _ row: Int) -> Mapping {
        Mapping(kind: rows.string(row, 0) ?? "", sourceID: rows.string(row, 1) ?? "", uuid: rows.string(row, 2) ?? "",
                lastSyncedSpecHash: rows.string(row, 3), lastProjectedSpecHash: rows.string(row, 4))
    }

    /// `StoreDump`'s text for this workspace: one line per row, tables and rows in a fixed
    /// order, text JSON-quoted, bytea as `x` and hex, NULL as `null`, the internal id left
    /// out, objects decoded (`StoreDump.objectLine`).
    func dump() throws -> String {
        var lines: [String] = []
        let queries: [(label: String, sql: String, skip: String)] = [
            ("workspace", "SELECT * FROM workspaces WHERE id = $1", "id"),
            ("resource", "SELECT * FROM resources WHERE workspace_id = $1 ORDER BY created_seq, uuid", "workspace_id"),
            ("mapping", "SELECT * FROM mappings WHERE workspace_id = $1 ORDER BY uuid", "workspace_id"),
            ("object", "SELECT oid FROM objects WHERE workspace_id = $1 ORDER BY oid", "workspace_id"),
            ("change", "SELECT * FROM changes WHERE workspace_id = $1 ORDER BY seq", "workspace_id"),
            ("outbox", "SELECT * FROM workspace_outbox WHERE workspace = (SELECT name FROM workspaces WHERE id = $1) ORDER BY id",
             "workspace"),
        ]
        for query in queries {
            let rows = try connection.execute(query.sql, [key])
            if query.label == "object" {
                // Decoded, as `StoreDump` writes them.
                for row in 0..<rows.count { lines.append(StoreDump.objectLine(try object(rows.string(row, 0) ?? ""))) }
                continue
            }
            for row in 0..<rows.count {
                var fields: [String] = []
                for column in 0..<rows.columns where rows.name(column) != query.skip {
                    fields.append("\(rows.name(column))=\(Self.text(rows, row, column))")
                }
                lines.append(query.label + " " + fields.joined(separator: " "))
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    private static func text(_ rows: PostgresResult, _ row: Int, _ column: Int) -> String {
        guard let value = rows.string(row, column) else { return "null" }
        switch rows.type(column) {
        case 16: return value == "t" ? "1" : "0"                  // boolean, as SQLite's 0/1
        case 20, 21, 23: return value                             // integers
        case 17: return "x" + value.dropFirst(2)                  // bytea: \x… → x…
        default: return String(decoding: JSONEmitter.canonical(.string(value)), as: UTF8.self)
        }
    }
}
