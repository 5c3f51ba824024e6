import Foundation

/// Another process holding a store's write lock, kept alive by its open stdin until
/// `release()`: for a SQLite file a `sqlite3` shell inside `BEGIN IMMEDIATE` (the whole
/// file's lock), for a PostgreSQL store a `psql` session (application name `held-lock`)
/// holding workspace `main`'s advisory lock.
///
/// The shell stops at the first error, so a lock it cannot take ends it; `init` returns
/// only once the shell has printed that it holds the lock, and throws otherwise.
public final class HeldWriteLock: @unchecked Sendable {
    /// The shell's process id (what a busy message should name).
    public let pid: Int32
    private let process: Process
    private let input: Pipe
    private var released = false
    /// What gives the lock back.
    private let rollback: String

    /// Why the lock could not be taken.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts the shell on `store` and waits (up to `timeout` seconds) until it holds the write lock.
    public init(store: String, timeout: TimeInterval = 20) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let postgres = store.hasPrefix("postgres://") || store.hasPrefix("postgresql://")
        process.arguments = postgres ? ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", store] : ["sqlite3", "-bail", store]
        process.environment = ProcessInfo.processInfo.environment.merging(TestStore.environment) { $1 }
            .merging(["PGAPPNAME": "held-lock"]) { $1 }
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        pid = process.processIdentifier
        let take = postgres
            ? "SELECT FROM (SELECT pg_advisory_lock(1465057281, id::int) FROM workspaces WHERE name = 'main') AS held;\n\\echo locked\n"
            : "BEGIN IMMEDIATE;\n.print locked\n"
        rollback = postgres ? "SELECT pg_advisory_unlock_all();\n" : "ROLLBACK;\n"
        input.fileHandleForWriting.write(Data(take.utf8))

        // Read until the shell says "locked", or it ends (it failed), or time runs out.
        nonisolated(unsafe) var seen = Data()
        let said = DispatchSemaphore(value: 0)
        let reader = output.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
                if String(decoding: seen, as: UTF8.self).contains("locked\n") { break }
            }
            said.signal()
        }
        guard said.wait(timeout: .now() + timeout) == .success else {
            process.terminate()
            throw Failure(description: "sqlite3 did not take the write lock of \(store) within \(timeout) s")
        }
        let text = String(decoding: seen, as: UTF8.self)   // the reader has finished with it
        guard text.contains("locked\n") else {
            process.waitUntilExit()
            throw Failure(description: "sqlite3 did not take the write lock of \(store): \(text)")
        }
    }

    /// Rolls the transaction back and waits for the shell to end: the lock is free afterwards.
    public func release() {
        guard !released else { return }
        released = true
        input.fileHandleForWriting.write(Data(rollback.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if !released, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
