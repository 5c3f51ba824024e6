import Foundation
import Git
import GRDB
import Testing
@testable import WorkspaceStore
import WorkspaceTestSupport

/// How objects are kept (`ObjectCodec`, schema v3): raw, compressed or as deltas, read back
/// the same whichever way, with short chains, small growth per change, and rows written
/// before v3 still read as they were.
@Suite struct ObjectStorageTests {
    /// A tree object of `count` directory entries `wf-<n>`; the entries in `changed` get
    /// other ids (`salt` tells versions apart).
    static func tree(_ count: Int, changed: Set<Int> = [], salt: Int = 0) -> GitObject {
        let data = TreeFormat.serialize((0..<count).map { index in
            let content = changed.contains(index) ? "changed \(index) \(salt)" : "file \(index)"
            return TreeEntry(name: "wf-\(index)", mode: TreeEntry.directory, id: RawObject(type: .blob, data: Array(content.utf8)).id)
        })
        return GitObject(oid: RawObject(type: .tree, data: data).id.hex, type: .tree, data: data)
    }

    /// A store's one-question chain reader, made of a reader of one chain.
    static func batch(_ chain: @escaping (String) throws -> [ObjectRow]) -> ([String]) throws -> [String: [ObjectRow]] {
        { oids in
            var chains: [String: [ObjectRow]] = [:]
            for oid in oids { let rows = try chain(oid); if !rows.isEmpty { chains[oid] = rows } }
            return chains
        }
    }

    static func blob(_ data: [UInt8]) -> GitObject {
        GitObject(oid: RawObject(type: .blob, data: data).id.hex, type: .blob, data: data)
    }

    @Test(arguments: StoreKind.all)
    func objectsReadBackTheSameWhicheverWayTheyAreStored(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        let tiny = Self.blob([0, 255])                                                    // raw: zlib would grow it
        let text = Self.blob(Array(String(repeating: "action: core.http_request\n", count: 40).utf8))  // zlib
        let v0 = Self.tree(1_000), v1 = Self.tree(1_000, changed: [500], salt: 1)
        let v2 = Self.tree(1_000, changed: [500, 7], salt: 2)
        try store.write("main") { ws in
            try ws.putObjects([tiny, text, v0])
            // v2 names v1, which comes later in the batch: the store writes v1 first.
            try ws.putObjects([v2, v1], deltaBases: [v1.oid: v0.oid, v2.oid: v1.oid])
        }
        try store.read("main") { (ws) throws in
            for object in [tiny, text, v0, v1, v2] { #expect(try ws.object(object.oid) == object) }
            let stream = try #require(try ws.object(text.oid)?.deflated, "a compressed row comes with its stream")
            #expect(try Zlib.inflate(stream, size: text.data.count) == text.data)
            #expect(try ws.object(tiny.oid)?.deflated == nil)
            #expect(try ws.object(v2.oid)?.deflated == nil, "a delta is expanded; its stream is not the object's")
            #expect(try ws.storedObjects(among: [v1.oid, v2.oid, oid(1)]) == [v1.oid, v2.oid])
            // A delta row comes with its base and stream: v2 (version 2) is kept against version 0.
            #expect(try ws.object(v2.oid)?.delta?.base.hex == v0.oid)
            #expect(try ws.object(v1.oid)?.delta?.base.hex == v0.oid)
            // Deltas asked for together (one twice) without their base: each whole, the base
            // read for them but not handed back as if asked for.
            let deltas = try ws.objects([v2.oid, v1.oid, v2.oid])
            #expect(deltas.count == 2 && deltas[v2.oid] == v2 && deltas[v1.oid] == v1, "\(deltas.keys.sorted())")
            // For a pack: a compressed blob without its content, standing for it by its stream
            // and size; every other object as ever.
            let forPack = try ws.objects([tiny, text, v0, v2].map(\.oid), blobContent: false)
            let bare = try #require(forPack[text.oid])
            #expect(bare.data.isEmpty && bare.omittedSize == text.data.count)
            #expect(try Zlib.inflate(try #require(bare.deflated), size: text.data.count) == text.data)
            for object in [tiny, v0, v2] {
                #expect(forPack[object.oid]?.data == object.data && forPack[object.oid]?.omittedSize == nil)
            }
        }
        // Such an object is never stored as if its empty data were its content.
        var bare = Self.blob(Array("never stored without its content".utf8))
        bare.deflated = Zlib.deflate(bare.data, level: 6)
        bare.omittedSize = bare.data.count
        bare.data = []
        expectStoreError(.invalidArgument) { try store.write("main") { try $0.putObjects([bare]) } }
        try store.read("main") { (ws) throws in #expect(try ws.object(bare.oid) == nil) }
        // The dump shows content, not encoding: the same objects stored whole dump alike.
        let other = try kind.makeFixture().open()
        try other.createWorkspace("main")
        try other.write("main") { try $0.putObjects([v2, v1, v0, text, tiny]) }
        #expect(try store.dump("main") == other.dump("main"))
        #expect(try store.dump("main").contains(Data(v2.data).map { String(format: "%02x", $0) }.joined()))
    }

    /// The size fact behind "a store that stays small": one changed entry of a 10 000-entry
    /// tree (460 KB) is stored in a few dozen bytes; the whole tree once, compressed.
    @Test func aOneEntryChangeOfABigTreeAddsAFewDozenBytes() throws {
        let base = Self.tree(10_000), next = Self.tree(10_000, changed: [4_321], salt: 1)
        var stored: [String: ObjectRow] = [:]
        let chain: (String) throws -> [ObjectRow] = { oid in
            var rows: [ObjectRow] = []
            var current: String? = oid
            while let id = current, let row = stored[id] { rows.append(row); current = row.base }
            return rows
        }
        for row in try ObjectCodec.encode([base], bases: [:], cache: ObjectCodec.Cache(), chains: Self.batch(chain)) { stored[row.oid] = row }
        let rows = try ObjectCodec.encode([next], bases: [next.oid: base.oid], cache: ObjectCodec.Cache(), chains: Self.batch(chain))
        let row = try #require(rows.first)
        #expect(row.encoding == .delta && row.base == base.oid && row.generation == 1)
        #expect(row.data.count < 64, "\(row.data.count) bytes")
        #expect(stored[base.oid]?.encoding == .zlib)
        #expect((stored[base.oid]?.data.count ?? 0) < base.data.count)
        stored[row.oid] = row
        #expect(try ObjectCodec.decode(chain(next.oid), cache: ObjectCodec.Cache()) == next)
    }

    /// Versions written one after another each name the one before; reading any of them
    /// applies at most `generationBits` deltas, and a whole tree comes back every 1024.
    @Test func longHistoriesKeepDeltaChainsShort() throws {
        var stored: [String: ObjectRow] = [:]
        let chain: (String) throws -> [ObjectRow] = { oid in
            var rows: [ObjectRow] = []
            var current: String? = oid
            while let id = current, let row = stored[id] { rows.append(row); current = row.encoding == .delta ? row.base : nil }
            return rows
        }
        // 2 000 entries (92 KB); version n changes entry n's id, patched in place.
        let base = Self.tree(2_000).data
        let spans = try #require(TreeFormat.spans(base))
        var previous: GitObject?
        var longest = 0, wholes = 0, bytes = 0
        var samples: [GitObject] = []
        for version in 0..<1_100 {
            var data = base
            let span = spans[version % spans.count]
            data.replaceSubrange((span.nul + 1)..<span.end, with: RawObject(type: .blob, data: Array("v\(version)".utf8)).id.bytes)
            let tree = GitObject(oid: RawObject(type: .tree, data: data).id.hex, type: .tree, data: data)
            // A new transaction each time: nothing decoded before is at hand.
            let rows = try ObjectCodec.encode([tree], bases: previous.map { [tree.oid: $0.oid] } ?? [:],
                                              cache: ObjectCodec.Cache(), chains: Self.batch(chain))
            for row in rows { stored[row.oid] = row; bytes += row.data.count }
            let length = try chain(tree.oid).count
            longest = max(longest, length)
            if length == 1 { wholes += 1 }
            if version % 97 == 0 || version == 1_023 || version == 1_024 { samples.append(tree) }
            previous = tree
        }
        #expect(longest == ObjectCodec.generationBits + 1, "a whole tree and at most 10 deltas")
        #expect(wholes == 2, "versions 0 and 1024 are whole")
        // Read alone, and one after another sharing what they decoded (as a history walk does).
        let shared = ObjectCodec.Cache()
        for tree in samples {
            #expect(try ObjectCodec.decode(chain(tree.oid), cache: ObjectCodec.Cache()) == tree)
            #expect(try ObjectCodec.decode(chain(tree.oid), cache: shared) == tree)
        }
        #expect(bytes / 1_100 < 400, "\(bytes / 1_100) bytes per version of a 92 KB tree")
    }

    /// A delta whose base row is gone cannot be read and says so; a new object that names
    /// it as its base is stored whole instead of depending on the damage.
    @Test func aBrokenChainIsReportedAndNotBuiltOn() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("broken.db")
        let store = try SQLiteStore(path: path)
        try store.createWorkspace("main")
        let v0 = Self.tree(500), v1 = Self.tree(500, changed: [1], salt: 1), v2 = Self.tree(500, changed: [1, 2], salt: 2)
        try store.write("main") { try $0.putObjects([v0, v1], deltaBases: [v1.oid: v0.oid]) }
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "DELETE FROM objects WHERE oid = ?", arguments: [v0.oid]) }
        try store.read("main") { (ws) throws in
            expectStoreError(.deltaBaseMissing) { _ = try ws.object(v1.oid) }
            #expect(try ws.hasObject(v1.oid))
        }
        try store.write("main") { try $0.putObjects([v2], deltaBases: [v2.oid: v1.oid]) }
        #expect(try store.read("main") { try $0.object(v2.oid) } == v2)
        let encoding = try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT encoding FROM objects WHERE oid = ?", arguments: [v2.oid])
        }
        #expect(encoding == ObjectCodec.Encoding.zlib.rawValue)
    }

    /// A store written before v3 (raw rows, no encoding columns) is migrated on open and
    /// reads the same objects; new objects may be deltas against its raw rows.
    @Test func aVersionTwoStoreReadsTheSameObjectsAfterMigration() throws {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("v2.db")
        let v0 = Self.tree(500), blob = Self.blob(Array("name: old row\n".utf8)), v1 = Self.tree(500, changed: [3], salt: 1)
        let old = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(old, upTo: "v2")
        try old.write { db in
            try db.execute(sql: "INSERT INTO workspaces (name) VALUES ('main')")
            for object in [v0, blob] {
                try db.execute(sql: "INSERT INTO objects (workspace_id, oid, type, data) VALUES (1, ?, ?, ?)",
                               arguments: [object.oid, object.type.rawValue, Data(object.data)])
            }
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        try store.read("main") { (ws) throws in
            #expect(try ws.object(v0.oid) == v0)
            #expect(try ws.object(blob.oid) == blob)
        }
        try store.write("main") { try $0.putObjects([v1], deltaBases: [v1.oid: v0.oid]) }
        #expect(try store.read("main") { try $0.object(v1.oid) } == v1)
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT oid, encoding, base_oid FROM objects ORDER BY oid")
        }
        #expect(rows.map { $0["encoding"] as Int }.sorted() == [0, 0, 2], "old rows stay raw; the new tree is a delta")
        // The migrated store dumps as a store that was written by this build.
        let fresh = try SQLiteStore(path: scratch.path("v3.db"))
        try fresh.createWorkspace("main")
        try fresh.write("main") { try $0.putObjects([v1, blob, v0]) }
        #expect(try store.dump("main") == fresh.dump("main"))
    }

    /// The same on PostgreSQL: a database at schema v2 with raw rows is migrated when the
    /// store opens and reads the same objects.
    @Test(.enabled(if: TestStore.hasServer))
    func aVersionTwoPostgresStoreReadsTheSameObjectsAfterMigration() throws {
        let scratch = try ScratchDirectory("store")
        let url = try TestStore.withPassword(try TestStore.newDatabase(in: scratch, dropOnRelease: false))
        let v0 = Self.tree(500), blob = Self.blob(Array("name: old row\n".utf8)), v1 = Self.tree(500, changed: [3], salt: 1)
        do {
            let old = try PostgresConnection(url: url, settings: [])
            try old.execute(script: PostgresSchema.v1)
            try old.execute(script: PostgresSchema.v2)
            try old.execute(script: "CREATE TABLE workspace_migrations (name text PRIMARY KEY)")
            try old.execute(script: "INSERT INTO workspace_migrations VALUES ('v1'), ('v2')")
            try old.execute(script: "INSERT INTO workspaces (id, name) VALUES (1, 'main')")
            for object in [v0, blob] {
                try old.execute("INSERT INTO objects (workspace_id, oid, type, data) VALUES (1, $1, $2::smallint, $3::bytea)",
                                [.text(object.oid), .int(object.type.rawValue), .bytes(object.data)])
            }
        }
        let store = try PostgresStore(url: url, create: false)
        try store.read("main") { (ws) throws in
            #expect(try ws.object(v0.oid) == v0)
            #expect(try ws.object(blob.oid) == blob)
        }
        try store.write("main") { try $0.putObjects([v1], deltaBases: [v1.oid: v0.oid]) }
        #expect(try store.read("main") { try $0.object(v1.oid) } == v1)
        let encodings = try PostgresConnection(url: url, settings: []).execute("SELECT encoding FROM objects ORDER BY encoding")
        #expect((0..<encodings.count).map { encodings.int($0, 0) } == [0, 0, 2])
    }
}
