import Foundation
import Git
import WorkspaceStore

/// Running other programs (`git`, a chained hook, `git workspace sync`) with their exit
/// status checked by the caller: nothing here decides that a non-zero status is fine.
///
/// The one runner of subprocesses in the package: the sync state machine runs git
/// through it, and so do the `git workspace` commands and hooks.
public enum Subprocess {
    /// How a finished program ended and what it printed (stdout captured; stderr captured
    /// or passed through to ours).
    public struct Result: Sendable {
        /// The exit status (a signal's number plus 128 is not folded in: see `Process`).
        public var status: Int32
        /// Everything the program wrote to stdout, as bytes.
        public var stdout: Data
        /// Everything it wrote to stderr, as text; empty when stderr was ours.
        public var stderr: String

        /// A result as a program would leave it (for callers that build one).
        public init(status: Int32, stdout: Data, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }

        /// stdout as text with the final newline removed (git prints one value per line).
        public var text: String {
            var text = String(decoding: stdout, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            return text
        }

        /// stderr's non-empty lines, trailing blanks removed: what to quote to a person.
        /// Nothing decides anything from them; exit statuses and machine output do.
        public var stderrLines: [String] {
            stderr.split(separator: "\n").map { line in
                var text = String(line)
                while let last = text.last, last.isWhitespace { text.removeLast() }
                return text
            }.filter { !$0.isEmpty }
        }
    }

    /// Where a child's stdin comes from.
    public enum Input: Sendable {
        /// Our own stdin, untouched (the child reads what git gave us).
        case inherit
        /// These bytes, then end of file (a replayed hook input).
        case bytes(Data)
        /// Nothing: end of file at once.
        case none
    }

    /// A program that could not be started at all (not one that failed: see `Result.status`).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What could not be run and why.
        public var message: String
        public var description: String { message }
    }

    /// Runs `program` (looked up on `PATH`, or a path) with `arguments`. With
    /// `capture: false` the child's stdout and stderr are ours, so it talks to the user
    /// directly; the result then holds only the status. `environment` is added to ours.
    public static func run(_ program: String, _ arguments: [String], input: Input = .none,
                           capture: Bool = true, environment: [String: String] = [:]) throws -> Result {
        // A child that exits without reading its stdin must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        // Looked up on the PATH the child is given.
        guard let path = program.contains("/") ? program : locate(program, path: environment["PATH"]) else {
            throw Failure(message: "cannot run \(program): not found on PATH")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let inPipe = Pipe()
        switch input {
        case .inherit: process.standardInput = FileHandle.standardInput
        case .bytes, .none: process.standardInput = inPipe
        }
        let outPipe = Pipe(), errPipe = Pipe()
        if capture {
            process.standardOutput = outPipe
            process.standardError = errPipe
        }
        let exit: ProcessExit
        do {
            exit = try ProcessExit(starting: process)
        } catch {
            throw Failure(message: "cannot run \(program): \(error.localizedDescription)")
        }
        if case .bytes(let data) = input {
            // The child may stop reading early; what it did not read is its business.
            try? inPipe.fileHandleForWriting.write(contentsOf: data)
        }
        if case .inherit = input {} else { try? inPipe.fileHandleForWriting.close() }
        guard capture else {
            exit.wait()
            return Result(status: process.terminationStatus, stdout: Data(), stderr: "")
        }
        // Read both pipes at once so that neither fills up and blocks the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        exit.wait()
        return Result(status: process.terminationStatus, stdout: outData,
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The first executable file named `program` in a directory of `PATH` (an empty entry
    /// is the current directory), as a shell finds it. Looked up here rather than through
    /// `/usr/bin/env`, which is a second program started for every one we run (about a
    /// millisecond each; `git workspace status` runs four).
    /// `path` nil: ours.
    static func locate(_ program: String, path: String? = nil) -> String? {
        let path = path ?? Environment.value("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// `git <arguments>` with output captured; any status is returned for the caller to judge.
    public static func git(_ arguments: [String]) throws -> Result {
        try run("git", arguments)
    }
}
