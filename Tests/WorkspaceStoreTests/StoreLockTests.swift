import Foundation
import GRDB
import Testing
@testable import WorkspaceStore
import WorkspaceTestSupport

/// The store's write lock as other processes see it: readers never wait, a writer past the
/// busy timeout is told who holds the lock, and only a failed integrity check says "corrupt".
@Suite struct StoreLockTests {
    /// A store at `path` with workspace `main` holding one change, then closed.
    static func makeStore(_ path: String) throws {
        let store = try SQLiteStore(path: path)
        try store.createWorkspace("main")
        try store.write("main") { ws in _ = try ws.advanceCursor() }
    }

    /// The store's thrown `StoreError`, or a recorded issue.
    static func storeError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> StoreError? {
        do {
            try body()
            Issue.record("expected a StoreError, nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test func openingAndReadingNeverWaitForAnotherProcesssWriteLock() throws {
        let scratch = try ScratchDirectory("lock")
        let path = scratch.path("s.db")
        try Self.makeStore(path)
        let lock = try HeldWriteLock(store: path)
        defer { lock.release() }
        // A zero busy timeout turns any wait into an immediate failure.
        let store = try SQLiteStore(path: path, busyTimeout: 0)
        #expect(try store.workspaceNames() == ["main"])
        #expect(try store.read("main") { $0.cursor } == 1)
        #expect(try !store.dump("main").isEmpty)
    }

    @Test func aWriterPastTheTimeoutIsBusyAndNamesTheHolder() throws {
        let scratch = try ScratchDirectory("lock")
        let path = scratch.path("s.db")
        try Self.makeStore(path)
        let store = try SQLiteStore(path: path, busyTimeout: 0.3)
        let lock = try HeldWriteLock(store: path)
        #expect(WriteLockHolder.current(ofStoreAt: path) == WriteLockHolder(pid: lock.pid, kind: "the sqlite3 shell"))

        let started = Date()
        let error = Self.storeError { try store.write("main") { ws in _ = try ws.advanceCursor() } }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error?.code == .busy)
        let message = error?.message ?? ""
        #expect(message.contains("the store \(path) is busy: the sqlite3 shell (pid \(lock.pid)) has held its write lock"), "\(message)")
        #expect(message.contains("(0.3 s)") && message.contains("retry"), "\(message)")
        #expect(!message.contains("corrupt") && !message.contains("fsck"), "\(message)")
        #expect(try store.read("main") { $0.cursor } == 1)

        lock.release()
        #expect(WriteLockHolder.current(ofStoreAt: path) == nil)
        #expect(try store.write("main") { ws in try ws.advanceCursor() } == 2)
    }

    @Test func creatingAStoreWhileItIsLockedIsBusyNotCorrupt() throws {
        let scratch = try ScratchDirectory("lock")
        let path = scratch.path("new.db")
        // A file sqlite3 has just created: not migrated yet, so opening it must write.
        let lock = try HeldWriteLock(store: path)
        defer { lock.release() }
        let error = Self.storeError { _ = try SQLiteStore(path: path, busyTimeout: 0.2) }
        #expect(error?.code == .busy, "\(String(describing: error))")
        #expect(error?.message.contains("could not open the store") == true, "\(String(describing: error))")
    }

    @Test func corruptIsSaidOnlyAfterTheIntegrityCheckFailed() throws {
        let scratch = try ScratchDirectory("lock")
        let path = scratch.path("s.db")
        try Self.makeStore(path)   // closed: its WAL is checkpointed into the file
        // Keep page 1 (the header and schema); overwrite every other page.
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        try #require(bytes.count > 2 * pageSize)
        for index in pageSize..<bytes.count { bytes[index] = 0xA5 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let error = Self.storeError {
            let store = try SQLiteStore(path: path, busyTimeout: 0)
            _ = try store.read("main") { $0.cursor }
        }
        #expect(error?.code == .corrupt, "\(String(describing: error))")
        let message = error?.message ?? ""
        #expect(message.contains("integrity check (PRAGMA quick_check) failed"), "\(message)")
        #expect(message.contains("restore it from a backup") && !message.contains("fsck"), "\(message)")
    }

    @Test func otherFailuresSayWhatFailedWithoutClaimingCorruption() throws {
        let scratch = try ScratchDirectory("lock")
        let directory = scratch.path("a-directory.db")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let error = Self.storeError { _ = try SQLiteStore(path: directory) }
        #expect(error?.code == .databaseError, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("\(directory): cannot open the store: SQLite could not open or write the file") == true,
                "\(String(describing: error))")
        #expect(error?.message.contains("corrupt") == false)
    }

    @Test func aMissingWorkspaceHintNamesCommandsThatExist() throws {
        let scratch = try ScratchDirectory("lock")
        let path = scratch.path("s.db")
        try Self.makeStore(path)
        let error = Self.storeError { _ = try SQLiteStore(path: path).read("nope") { $0.cursor } }
        #expect(error?.code == .noSuchWorkspace)
        #expect(error?.message.contains("git ls-remote workspace::\(path)") == true, "\(String(describing: error))")
        #expect(error?.message.contains("git workspace init \(path) --workspace nope") == true, "\(String(describing: error))")
    }

    @Test func theBusyTimeoutComesFromTheEnvironment() throws {
        let variable = WorkspaceStores.busyTimeoutVariable
        #expect(variable == "GIT_WORKSPACE_BUSY_TIMEOUT")
        #expect(try WorkspaceStores.busyTimeout(nil) == SQLiteStore.defaultBusyTimeout)
        #expect(try WorkspaceStores.busyTimeout("") == SQLiteStore.defaultBusyTimeout)
        #expect(try WorkspaceStores.busyTimeout("0.5") == 0.5)
        #expect(try WorkspaceStores.busyTimeout("0") == 0)
        for bad in ["soon", "-1", "nan", "inf", "1e9"] {
            expectStoreError(.invalidArgument) { _ = try WorkspaceStores.busyTimeout(bad) }
        }
        let scratch = try ScratchDirectory("lock")
        let store = try WorkspaceStores.open(url: scratch.path("t.db"), environment: [variable: "2.5"])
        #expect((store as? SQLiteStore)?.busyTimeout == 2.5)
    }

    @Test func holdersAreNamedByProgramAndSubcommandOnly() {
        let describe = { (arguments: [String], sync: Bool) in ProcessDescription.describe(arguments, underSync: { sync }) }
        #expect(describe(["/usr/local/bin/git-workspace", "app", "put", "/srv/a.db#main", "--file", "x"], false)
                == "`git workspace app put`")
        #expect(describe(["git-workspace", "sync", "--json"], false) == "`git workspace sync`")
        #expect(describe(["git-remote-workspace", "origin", "workspace::/srv/a.db"], false) == "a push by git-remote-workspace")
        #expect(describe(["git-remote-workspace", "origin", "workspace::/srv/a.db"], true) == "a push by `git workspace sync`")
        #expect(describe(["sqlite3", "-bail", "/srv/a.db"], false) == "the sqlite3 shell")
        // Arguments (which may hold credentials) never appear; only the program's name.
        #expect(describe(["/opt/app/bin/worker", "--db", "postgres://user:secret@host/x"], false) == "`worker`")
        #expect(describe([], false) == nil)
    }

    @Test func procSaysWhatThisProcessIsAndWhoStartedIt() {
        let arguments = ProcessDescription.arguments(of: getpid())
        #expect(arguments?.isEmpty == false)
        #expect(ProcessDescription.parent(of: getpid()) == getppid())
        #expect(ProcessDescription.arguments(of: Int32.max) == nil)
    }
}
