import Foundation
import GRDB

/// The embedded store: one SQLite file holding any number of workspaces.
///
/// The file runs in WAL mode, so readers never wait for the writer: a read sees the last
/// committed state while a write is under way. Opening the store only reads when the file
/// is already a current store (see `StoreSchema.prepare`), so `git ls-remote`, fetch, clone
/// and `app ls` work while another process writes. Every `write` is a `BEGIN IMMEDIATE`
/// transaction: it takes SQLite's single write lock before reading anything, so two
/// writers — threads or processes — never interleave, and one that finds the lock taken
/// waits up to `busyTimeout` before failing with a `busy` error that names the holder when
/// it can be found (`WriteLockHolder`). The lock covers the whole file, which makes it
/// (more than) the per-workspace write lock the contract asks for.
public final class SQLiteStore: WorkspaceStore {
    /// The absolute path of the database file.
    public let path: String
    /// How long a writer waits for another's write lock before failing with `busy`.
    public let busyTimeout: TimeInterval
    private let queue: DatabaseQueue

    /// The busy timeout when none is given: long enough for any one push or application
    /// change to finish, short enough that a stuck writer is reported.
    public static let defaultBusyTimeout: TimeInterval = 10

    /// Opens the SQLite store at `path`, creating it when missing, and migrates it when needed.
    ///
    /// A relative path is taken from the current directory. The parent directory must
    /// exist: a mistyped directory should fail, not scatter new stores around.
    public init(path: String, busyTimeout: TimeInterval = SQLiteStore.defaultBusyTimeout) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let absolute = url.path
        var isDirectory: ObjCBool = false
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(.invalidArgument,
                             "cannot create the store \(absolute): the directory \(parent) does not exist; create it first")
        }
        self.path = absolute
        self.busyTimeout = busyTimeout
        // A new store is readable by its owner only: it holds a team's definitions and an
        // application's history. SQLite gives its -wal and -shm files the same mode.
        let created = open(absolute, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 { close(created) }
        var configuration = Configuration()
        // No `journalMode = .wal`: GRDB would then write on every open whose WAL file is
        // empty, waiting for any writer. WAL mode is set once, persistently, by `prepare`.
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "WorkspaceStore"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -\(Self.readCache)")
        }
        let failure = SQLiteFailure(path: absolute, busyTimeout: busyTimeout)
        do {
            queue = try DatabaseQueue(path: absolute, configuration: configuration)
            try StoreSchema.prepare(queue, path: absolute)
        } catch let error as DatabaseError {
            throw failure.storeError(error, operation: "open the store")
        }
    }

    public func workspaceNames() throws -> [String] {
        let names = try translating("list the workspaces") {
            try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM workspaces") }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func createWorkspace(_ name: String) throws {
        if let problem = WorkspaceName.problem(with: name) {
            throw StoreError(.invalidArgument, "'\(name)' cannot be a workspace name: \(problem)")
        }
        try immediate("create workspace '\(name)'") { db in
            if let existing = try String.fetchOne(db, sql: "SELECT name FROM workspaces WHERE name = ? COLLATE NOCASE",
                                                  arguments: [name]) {
                throw StoreError(.workspaceExists,
                                 "a workspace named '\(existing)' already exists (names are compared ignoring case); "
                                 + "pick another name or use that one")
            }
            try db.execute(sql: "INSERT INTO workspaces (name) VALUES (?)", arguments: [name])
        }
    }

    public func read<T>(_ workspace: String, _ body: (any WorkspaceReading) throws -> T) throws -> T {
        try translating("read workspace '\(workspace)'") {
            try queue.read { db in
                try body(SQLiteWorkspace(db: db, name: workspace, storePath: path))
            }
        }
    }

    /// The connection's page cache, in KiB (taken only as pages are used): a clone reads
    /// every object row by its id, in no order the file keeps, and SQLite's default 2 MB held
    /// too few of the index's pages (at 10 000 workflows a clone read each page of the file
    /// four times over).
    static let readCache = 16 << 10
    /// Page cache of a write transaction, in KiB, the connection's own restored after: a
    /// large write (an initial push inserts hundreds of thousands of rows under random keys)
    /// missed the default on nearly every insert. 32 MiB, not more: the pages it holds count
    /// in the helper's peak memory (a 100 000-workflow initial push peaked 40 MB lower than
    /// with 64 MiB), and halving it changed no measured push time at 10 000 or 100 000.
    static let writeCache = 32 << 10

    public func write<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T {
        try immediate("change workspace '\(workspace)'") { db in
            try body(SQLiteWorkspace(db: db, name: workspace, storePath: path))
        }
    }

    public func writeIfFree<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T? {
        try translating("change workspace '\(workspace)'") {
            try queue.writeWithoutTransaction { db -> T? in
                // No waiting for this one transaction: SQLite answers SQLITE_BUSY at once
                // when another connection holds the write lock.
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(busyTimeout * 1000))") }
                do {
                    try db.execute(sql: "BEGIN IMMEDIATE")
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    return nil
                }
                do {
                    let result = try body(SQLiteWorkspace(db: db, name: workspace, storePath: path))
                    try db.execute(sql: "COMMIT")
                    return result
                } catch {
                    try? db.execute(sql: "ROLLBACK")
                    throw error
                }
            }
        }
    }

    public func write<T>(_ workspaces: [String], _ body: ([any WorkspaceWriting]) throws -> T) throws -> T {
        let names = workspaces.map { "'\($0)'" }.joined(separator: ", ")
        return try immediate("change workspaces \(names)") { db in
            try body(workspaces.map { try SQLiteWorkspace(db: db, name: $0, storePath: path) })
        }
    }

    public func outbox(workspace: String?, states: Set<OutboxEntry.State>) throws -> [OutboxEntry] {
        try translating("read the outbox") {
            try queue.read { db in
                let marks = Array(repeating: "?", count: states.count).joined(separator: ", ")
                var arguments = StatementArguments(states.map(\.rawValue).sorted())
                var sql = SQLiteWorkspace.outboxQuery + " WHERE state IN (\(marks))"
                if let workspace {
                    sql += " AND workspace = ?"
                    arguments += [workspace]
                }
                return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map(SQLiteWorkspace.outboxEntry(from:))
            }
        }
    }

    public func dump(_ workspace: String) throws -> String {
        try translating("dump workspace '\(workspace)'") {
            try queue.read { db in try StoreDump.text(of: SQLiteWorkspace(db: db, name: workspace, storePath: path)) }
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction, committed when it returns and rolled back when it throws.
    private func immediate<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try translating(operation) {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writeCache)")
                defer { try? db.execute(sql: "PRAGMA cache_size = -\(Self.readCache)") }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else {
                    throw StoreError(.databaseError, "a transaction on \(path) committed without a result; "
                                     + "this is a bug in git-remote-workspace, please report it")
                }
                return result
            }
        }
    }

    /// Turns SQLite's errors into `StoreError`s that say what failed and what to do; lets
    /// all others through. `operation` says what was being done ("read workspace 'main'").
    private func translating<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw SQLiteFailure(path: path, busyTimeout: busyTimeout).storeError(error, operation: operation)
        }
    }
}
