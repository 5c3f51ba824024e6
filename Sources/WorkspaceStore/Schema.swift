import GRDB

/// The SQLite schema, as an ordered list of named migrations ("v1", "v2", …).
///
/// Migrations only ever append: a released one is never edited, so a file migrated by any
/// build reads the same. GRDB records applied migrations in its `grdb_migrations` table;
/// a file that has one this build does not know was written by a newer build and is
/// refused (`schemaTooNew`) rather than misread.
///
/// Every table is keyed by `workspace_id` first, so each query of one workspace is an index
/// range of its own rows and never reads another's (invariant 9).
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: v4)
            // Every live resource's names, read from its stored document.
            for row in try Row.fetchAll(db, sql: "SELECT workspace_id, uuid, kind, spec FROM resources WHERE archived = 0") {
                try SQLiteWorkspace.indexNames(db, workspace: row["workspace_id"], uuid: row["uuid"],
                                               names: NameIndex.rows(kind: row["kind"], spec: try SpecJSON.decode(row["spec"])))
            }
        }
        // Rebuilds a table that mappings and resource_names refer to: GRDB runs it with
        // foreign keys off and checks them all (`PRAGMA foreign_key_check`) before committing.
        migrator.registerMigration("v5") { db in
            // A process that waited for another's migration of the same file (GRDB reads what
            // is applied before taking the lock) finds the table already rebuilt: it copies
            // nothing, and its record of "v5" then fails and is dropped (`prepare`).
            let table = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'resources'")
            guard table?.uppercased().contains("WITHOUT ROWID") == true else { return }
            try db.execute(sql: v5)
        }
        return migrator
    }

    /// Makes the file a current store, taking the write lock only when there is work to do.
    ///
    /// Opening happens on every read (`git ls-remote`, fetch, `app ls`), so the common case —
    /// a store already in WAL mode at this build's schema — is settled by one read
    /// transaction, which in WAL mode never waits for a writer. Only a new file, an older
    /// schema or a file not yet in WAL mode goes on to write (and may then wait up to the
    /// busy timeout): WAL mode is switched on first (it persists in the file), then the
    /// migrations run. Files written by a newer build, and SQLite files that are not stores,
    /// are refused before anything is written.
    ///
    /// Two processes opening a new file at once may both try "v1"; the loser's error is
    /// dropped when the winner has left the file fully migrated.
    static func prepare(_ writer: some DatabaseWriter, path: String) throws {
        let migrator = migrator
        let current = try writer.read { db -> Bool in
            if try migrator.hasBeenSuperseded(db) {
                throw StoreError(.schemaTooNew,
                                 "the store \(path) was written by a newer git-remote-workspace; upgrade to use it")
            }
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                """)
            if !tables.isEmpty, !tables.contains("grdb_migrations") {
                throw StoreError(.notAStore, "\(path) is an SQLite database but not a workspace store; "
                                 + "give the path of a workspace store (`git workspace init` creates one at a new path)")
            }
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode")
            return try journal == "wal" && migrator.hasCompletedMigrations(db)
        }
        if current { return }
        try writer.writeWithoutTransaction { db in
            // Outside any transaction, as SQLite requires; a no-op when already in WAL mode.
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard journal == "wal" else {
                throw StoreError(.databaseError, "SQLite could not switch the store \(path) to WAL mode (it stayed in "
                                 + "'\(journal ?? "unknown")' mode); check that its directory is writable")
            }
        }
        do {
            try migrator.migrate(writer)
        } catch {
            if try writer.read({ try migrator.hasCompletedMigrations($0) }) { return }
            throw error
        }
    }

    /// Version 1: workspaces, resources, mappings, objects, changes.
    static let v1 = """
        CREATE TABLE workspaces (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            head_commit TEXT,
            cursor INTEGER NOT NULL DEFAULT 0,
            -- the per-workspace sequence counter behind created_seq, updated_seq and changes.seq
            last_seq INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        -- Names are branch names: two that differ only by case would be one ref file on a
        -- case-insensitive file system, so they may not both exist. Lookups stay exact.
        CREATE UNIQUE INDEX workspaces_folded_name ON workspaces(name COLLATE NOCASE);

        CREATE TABLE resources (
            workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
            uuid TEXT NOT NULL,
            kind TEXT NOT NULL,
            spec TEXT NOT NULL,              -- canonical JSON of the normalized document
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL,
            PRIMARY KEY (workspace_id, uuid)
        ) STRICT, WITHOUT ROWID;
        CREATE UNIQUE INDEX resources_order ON resources(workspace_id, created_seq);

        CREATE TABLE mappings (
            workspace_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL COLLATE NOCASE,  -- source ids are ASCII, so NOCASE is exact
            uuid TEXT NOT NULL,
            last_synced_spec_hash TEXT,
            last_projected_spec_hash TEXT,
            PRIMARY KEY (workspace_id, uuid),
            FOREIGN KEY (workspace_id, uuid) REFERENCES resources(workspace_id, uuid)
        ) STRICT, WITHOUT ROWID;
        CREATE UNIQUE INDEX mappings_source ON mappings(workspace_id, kind, source_id COLLATE NOCASE);

        CREATE TABLE objects (
            workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
            oid TEXT NOT NULL,
            type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 4),  -- 1 commit 2 tree 3 blob 4 tag
            data BLOB NOT NULL,                                 -- content without git's header
            PRIMARY KEY (workspace_id, oid)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE changes (
            workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
            seq INTEGER NOT NULL,
            uuid TEXT,
            action TEXT NOT NULL CHECK (action IN ('put', 'archive', 'push')),
            author_name TEXT NOT NULL,
            author_email TEXT NOT NULL,
            time INTEGER NOT NULL,              -- unix seconds
            tz_offset_minutes INTEGER NOT NULL,
            message TEXT NOT NULL,
            commit_oid TEXT,
            PRIMARY KEY (workspace_id, seq)
        ) STRICT, WITHOUT ROWID;
        """

    /// Version 4: the name index (`NameIndex`): for every live resource, the names it offers
    /// (role 0) and uses (role 1), each a JSON array `["namespace","name"]`. ("v3" is the
    /// object encoding of the same release.)
    static let v4 = """
        CREATE TABLE resource_names (
            workspace_id INTEGER NOT NULL,
            uuid TEXT NOT NULL,
            role INTEGER NOT NULL CHECK (role IN (0, 1)),
            name_key TEXT NOT NULL,
            PRIMARY KEY (workspace_id, uuid, role, name_key),
            FOREIGN KEY (workspace_id, uuid) REFERENCES resources(workspace_id, uuid)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX resource_names_by_name ON resource_names(workspace_id, role, name_key);
        """

    /// Version 5: `resources` as a rowid table. A `WITHOUT ROWID` table keeps its rows in an
    /// index b-tree, where SQLite stores at most about a quarter of a 4 KB page of a row on the
    /// page and the rest on overflow pages; a resource row (its spec a canonical JSON document,
    /// about 0.9 KB for a workflow) is just over that, so the table held 1.8 rows per page:
    /// 22 of the 36 MB of a 10 000-workflow store. As a rowid table it holds 3.6 rows a page.
    /// Same columns and constraints; the primary key becomes a unique index, which the
    /// foreign keys of mappings and resource_names refer to as before. (SQLite's documented
    /// way to change a table's kind: create the new one, copy, drop the old, rename.)
    static let v5 = """
        CREATE TABLE resources_v5 (
            workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
            uuid TEXT NOT NULL,
            kind TEXT NOT NULL,
            spec TEXT NOT NULL,              -- canonical JSON of the normalized document
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL,
            PRIMARY KEY (workspace_id, uuid)
        ) STRICT;
        INSERT INTO resources_v5 (workspace_id, uuid, kind, spec, archived, created_seq, updated_seq)
            SELECT workspace_id, uuid, kind, spec, archived, created_seq, updated_seq FROM resources ORDER BY workspace_id, created_seq;
        DROP TABLE resources;
        ALTER TABLE resources_v5 RENAME TO resources;
        CREATE UNIQUE INDEX resources_order ON resources(workspace_id, created_seq);
        """

    /// Version 2: the application outbox, a public interface (git-workspace(1), "OUTBOX").
    ///
    /// Applications insert rows with plain SQL, so the table is keyed by the workspace's
    /// name, not its row id, and is not STRICT: `created_at` may be ISO 8601 text (the
    /// default, UTC) or a number of Unix seconds. `action` and `state` are checked, so a
    /// misspelt action fails the application's own insert at once.
    static let v2 = """
        CREATE TABLE workspace_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            workspace TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('put', 'archive')),
            document TEXT,
            source_id TEXT,
            author_name TEXT NOT NULL,
            author_email TEXT NOT NULL,
            message TEXT,
            created_at NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected')),
            commit_oid TEXT,
            error TEXT
        );
        CREATE INDEX workspace_outbox_pending ON workspace_outbox(workspace, state, id);
        """

    /// Version 3: objects stored compressed or as deltas (`ObjectCodec`). Rows written
    /// before it stay valid as they are: `encoding` 0 is the raw content.
    static let v3 = """
        ALTER TABLE objects ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0 CHECK (encoding IN (0, 1, 2));
        ALTER TABLE objects ADD COLUMN base_oid TEXT;       -- delta rows: the object this is a delta against
        ALTER TABLE objects ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE objects ADD COLUMN size INTEGER;        -- the content's size; NULL on raw rows
        """
}
