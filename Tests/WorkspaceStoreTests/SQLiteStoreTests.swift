import Foundation
import GRDB
import Testing
@testable import WorkspaceStore
import WorkspaceTestSupport

/// What only the SQLite store has: the file, its lock, its schema, opening by path.
@Suite struct SQLiteStoreTests {
    /// Results gathered from several threads.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        private var errors: [String] = []
        func add(_ value: Int) { lock.withLock { values.append(value) } }
        func fail(_ error: String) { lock.withLock { errors.append(error) } }
        var snapshot: (values: [Int], errors: [String]) { lock.withLock { (values, errors) } }
    }

    @Test func twoWritersOnOneFileNeverInterleave() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("shared.db")
        let stores: [any WorkspaceStore] = [try SQLiteStore(path: path), try SQLiteStore(path: path)]
        try stores[0].createWorkspace("main")
        let collected = Collected()
        let group = DispatchGroup()
        for store in stores {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for _ in 0..<50 {
                    do {
                        try store.write("main") { ws in
                            let before = ws.cursor          // read
                            Thread.sleep(forTimeInterval: 0.0005)  // widen the window a racing writer would use
                            let after = try ws.advanceCursor()  // increment and write
                            if after != before + 1 { collected.fail("read \(before), then wrote \(after)") }
                            collected.add(after)
                        }
                    } catch {
                        collected.fail("\(error)")
                    }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        let (values, errors) = collected.snapshot
        #expect(errors.isEmpty, "\(errors.count) transactions failed, the first with: \(errors.first ?? "")")
        #expect(values.sorted() == Array(1...100))
        #expect(try SQLiteStore(path: path).read("main") { $0.cursor } == 100)
    }

    /// A store written by the first release (schema v1 only) gains the outbox and the name
    /// index on open, keeps every row, and its live resources' names are indexed; its
    /// `resources` table becomes a rowid table (v5) under the same foreign keys.
    @Test func aVersionOneStoreGainsTheOutboxAndTheNameIndexAndKeepsItsRows() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("old.db")
        let old = try DatabaseQueue(path: path)
        let aliased = SpecJSON.encode(.object(["type": .string("workflow"), "alias": .string("triage"), "definition": workflowSpec("Triage")]))
        try old.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1')")
            try db.execute(sql: StoreSchema.v1)
            try db.execute(sql: "INSERT INTO workspaces (name, last_seq) VALUES ('main', 2)")
            try db.execute(sql: "INSERT INTO resources VALUES (1, 'live', 'workflow', ?, 0, 1, 1)", arguments: [aliased])
            try db.execute(sql: "INSERT INTO resources VALUES (1, 'gone', 'workflow', ?, 1, 2, 2)", arguments: [aliased])
            try db.execute(sql: "INSERT INTO mappings VALUES (1, 'workflow', 'triage', 'live', NULL, NULL)")
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        #expect(try store.workspaceNames() == ["main"])
        #expect(try store.outbox(workspace: nil, states: Set(OutboxEntry.State.allCases)).isEmpty)
        let offering = try store.read("main") { try $0.liveResources(naming: ["workflow-alias\u{0}triage"], role: .offers) }
        #expect(offering.map(\.uuid) == ["live"])
        let (kept, mapped) = try store.read("main") { ws in
            (try ws.resources(includeArchived: true).map { "\($0.uuid) \($0.archived) \($0.createdSeq)" }, try ws.mapping(kind: "workflow", sourceID: "triage")?.uuid)
        }
        #expect(kept == ["live false 1", "gone true 2"])
        #expect(mapped == "live")
        let (schema, broken, indexes) = try DatabaseQueue(path: path).read { db in
            (try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'resources'") ?? "",
             try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'resources' ORDER BY name"))
        }
        #expect(!schema.uppercased().contains("WITHOUT ROWID"), "\(schema)")
        #expect(broken == 0)
        #expect(indexes == ["resources_order", "sqlite_autoindex_resources_1"])
        // The rebuilt table's keys still hold: a mapping needs its resource, a sequence
        // number is used once per workspace.
        let check = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) {
            try check.write { try $0.execute(sql: "INSERT INTO mappings VALUES (1, 'workflow', 'orphan', 'none', NULL, NULL)") }
        }
        #expect(throws: DatabaseError.self) {
            try check.write { try $0.execute(sql: "INSERT INTO resources VALUES (1, 'again', 'workflow', '{}', 0, 1, 3)") }
        }
        try check.close()
    }

    /// A process that opens a store another has just migrated to v5 (it read the applied
    /// migrations before the other committed) finds the rebuilt table and copies nothing.
    @Test func theRowidRebuildRunsOnceWhenItsRecordIsMissing() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("twice.db")
        let store = try SQLiteStore(path: path)
        try store.createWorkspace("main")
        try store.write("main") { ws in _ = try ws.insertResource(kind: "workflow", spec: .object(["definition": workflowSpec("Once")])) }
        let queue = try DatabaseQueue(path: path)
        let rootBefore = try queue.read { try Int.fetchOne($0, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'resources'") }
        try queue.write { try $0.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5'") }
        try queue.close()
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.read("main") { try $0.resources(includeArchived: true).count } == 1)
        let (rootAfter, applied) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'resources'"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"))
        }
        #expect(rootAfter == rootBefore)
        #expect(applied.last == "v5")
    }

    @Test func migrationsAreRecordedOnce() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("m.db")
        _ = try SQLiteStore(path: path)
        _ = try SQLiteStore(path: path)
        let applied = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["v1", "v2", "v3", "v4", "v5"])
        let mode = try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func aStoreFromANewerBuildIsRefused() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("new.db")
        _ = try SQLiteStore(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        expectStoreError(.schemaTooNew) { _ = try SQLiteStore(path: path) }
    }

    @Test func aForeignDatabaseIsNotTakenOver() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("other.db")
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        expectStoreError(.notAStore) { _ = try SQLiteStore(path: path) }
        let garbage = try scratch.write("garbage.db", String(repeating: "not sqlite ", count: 200))
        expectStoreError(.notAStore) { _ = try SQLiteStore(path: garbage) }
    }

    @Test func aNewStoreAndItsWriteAheadLogAreForItsOwnerOnly() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("private.db")
        let store = try SQLiteStore(path: path)
        try store.createWorkspace("main")
        try store.write("main") { try $0.putObjects([commit(1)]) }
        for file in [path, path + "-wal", path + "-shm"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
        }
    }

    @Test func openTakesPathsAndRefusesOtherSchemes() throws {
        let scratch = try ScratchDirectory("store")
        let absolute = try WorkspaceStores.open(url: scratch.path("a.db"))
        try absolute.createWorkspace("main")
        #expect(try WorkspaceStores.open(url: "file://" + scratch.path("a.db")).workspaceNames() == ["main"])
        // A relative path, taken from the current directory (tests run in parallel: no chdir).
        let depth = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
            .pathComponents.count - 1
        let relative = String(repeating: "../", count: depth) + scratch.path("a.db").dropFirst()
        #expect(try WorkspaceStores.open(url: relative).workspaceNames() == ["main"])
        #expect((try WorkspaceStores.open(url: relative) as? SQLiteStore)?.path == scratch.path("a.db"))
        expectStoreError(.unsupported) { _ = try WorkspaceStores.open(url: "https://example.com/x.db") }
        expectStoreError(.invalidArgument) { _ = try WorkspaceStores.open(url: "") }
        expectStoreError(.invalidArgument) { _ = try WorkspaceStores.open(url: scratch.path("no/such/dir/x.db")) }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("no")))
    }
}
