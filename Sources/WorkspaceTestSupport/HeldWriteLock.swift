import Foundation

/// Another process holding a SQLite store's write lock: a `sqlite3` shell inside
/// `BEGIN IMMEDIATE`, kept alive by its open stdin until `release()`.
///
/// The shell runs with `-bail`, so a `BEGIN IMMEDIATE` that fails ends it; `init` returns
/// only once the shell has printed that it holds the lock, and throws otherwise.
public final class HeldWriteLock: @unchecked Sendable {
    /// The shell's process id (what a busy message should name).
    public let pid: Int32
    private let process: Process
    private let input: Pipe
    private var released = false

    /// Why the lock could not be taken.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `sqlite3 -bail <store>` and waits (up to `timeout` seconds) until it holds the write lock.
    public init(store: String, timeout: TimeInterval = 20) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", "-bail", store]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        pid = process.processIdentifier
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\n.print locked\n".utf8))

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
        input.fileHandleForWriting.write(Data("ROLLBACK;\n".utf8))
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
