import Foundation
import GRDB

/// The embedded store: one SQLite file holding any number of workspaces.
///
/// The file runs in WAL mode, so readers never wait for the writer. Every `write` is a
/// `BEGIN IMMEDIATE` transaction: it takes SQLite's single write lock before reading
/// anything, so two writers — threads or processes — never interleave, and one that finds
/// the lock taken waits up to `busyTimeout` before failing. The lock covers the whole file,
/// which makes it (more than) the per-workspace write lock the contract asks for.
public final class SQLiteStore: WorkspaceStore {
    /// The absolute path of the database file.
    public let path: String
    private let queue: DatabaseQueue

    /// Opens the SQLite store at `path`, creating it when missing, and migrates it.
    ///
    /// A relative path is taken from the current directory. The parent directory must
    /// exist: a mistyped directory should fail, not scatter new stores around.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let absolute = url.path
        var isDirectory: ObjCBool = false
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(.invalidArgument,
                             "cannot create the store \(absolute): the directory \(parent) does not exist; create it first")
        }
        self.path = absolute
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "WorkspaceStore"
        do {
            queue = try DatabaseQueue(path: absolute, configuration: configuration)
            try StoreSchema.migrate(queue)
        } catch let error as DatabaseError {
            throw StoreError.corrupt("cannot open the store \(absolute): \(error.message ?? "\(error)")")
        }
    }

    public func workspaceNames() throws -> [String] {
        let names = try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM workspaces") }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func createWorkspace(_ name: String) throws {
        if let problem = WorkspaceName.problem(with: name) {
            throw StoreError(.invalidArgument, "'\(name)' cannot be a workspace name: \(problem)")
        }
        try immediate { db in
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
        try translating {
            try queue.read { db in
                try body(SQLiteWorkspace(db: db, name: workspace))
            }
        }
    }

    public func write<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T {
        try immediate { db in
            try body(SQLiteWorkspace(db: db, name: workspace))
        }
    }

    public func write<T>(_ workspaces: [String], _ body: ([any WorkspaceWriting]) throws -> T) throws -> T {
        try immediate { db in
            try body(workspaces.map { try SQLiteWorkspace(db: db, name: $0) })
        }
    }

    public func dump(_ workspace: String) throws -> String {
        try translating {
            try queue.read { db in try StoreDump.text(of: SQLiteWorkspace(db: db, name: workspace)) }
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction, committed when it returns and rolled back when it throws.
    private func immediate<T>(_ body: (Database) throws -> T) throws -> T {
        try translating {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StoreError.corrupt("a committed transaction returned nothing") }
                return result
            }
        }
    }

    /// Turns SQLite's errors into `StoreError`s that say what to do; lets all others through.
    private func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw StoreError(.busy, "the store \(path) stayed locked by another writer past the busy timeout; "
                                 + "try again when the other operation has finished")
            default:
                throw StoreError.corrupt("the store \(path) failed: \(error.message ?? "\(error)")")
            }
        }
    }
}
