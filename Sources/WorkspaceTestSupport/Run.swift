import Foundation

/// What a finished process said and how it ended.
public struct RunResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs executables with an isolated git environment: no user or system config,
/// fixed identities and dates, and the built tools first on `PATH`.
public struct Runner: Sendable {
    public var directory: URL
    public var environment: [String: String]
    /// Keeps a scratch directory alive as long as a runner working in it exists.
    private let scratch: ScratchDirectory?

    /// A runner working in `scratch`, which stays on disk while the runner is in use.
    public init(scratch: ScratchDirectory) {
        self.init(directory: scratch.url, keeping: scratch)
    }

    public init(directory: URL, home: URL? = nil) {
        self.init(directory: directory, home: home, keeping: nil)
    }

    private init(directory: URL, home: URL? = nil, keeping scratch: ScratchDirectory?) {
        self.scratch = scratch
        self.directory = directory
        let inherited = ProcessInfo.processInfo.environment
        let homeDir = (home ?? directory).path
        environment = [
            "PATH": TestPaths.binDirectory.path + ":" + (inherited["PATH"] ?? "/usr/bin:/bin"),
            "HOME": homeDir,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "Test Author",
            "GIT_AUTHOR_EMAIL": "author@example.com",
            "GIT_COMMITTER_NAME": "Test Committer",
            "GIT_COMMITTER_EMAIL": "committer@example.com",
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
            "LANG": "C.UTF-8",
            "TMPDIR": inherited["TMPDIR"] ?? "/tmp",
        ].merging(TestStore.environment) { $1 }
        // A suite built with a sanitizer runs tools built with it too: their options pass through.
        for key in Self.sanitizerVariables { if let value = inherited[key] { environment[key] = value } }
    }

    /// The sanitizers' settings and the Swift runtime's backtracer switch (README, "Sanitizers").
    static let sanitizerVariables = ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS", "SWIFT_BACKTRACE"]

    /// Runs `arguments[0]` (looked up on `PATH`) with the rest as arguments.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, in subdirectory: String? = nil,
                    extraEnvironment: [String: String] = [:]) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = subdirectory.map { directory.appendingPathComponent($0) } ?? directory
        process.environment = environment.merging(extraEnvironment) { $1 }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills and blocks the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        Self.log(arguments, outData, errData)
        return RunResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// With `WORKSPACE_TEST_OUTPUT_LOG` set, every command's output is appended to that file,
    /// so a run can check afterwards that no output of the suite held something it must
    /// not (the test server's password: test.sh greps for it).
    static func log(_ arguments: [String], _ stdout: Data, _ stderr: Data) {
        guard let path = ProcessInfo.processInfo.environment["WORKSPACE_TEST_OUTPUT_LOG"], !path.isEmpty else { return }
        // The command line is input, not output: a test may hand a tool a URL with a
        // password on purpose (to show the tool never repeats it), so it is logged without.
        let command = arguments.joined(separator: " ")
            .replacingOccurrences(of: "://([^/:@ ]*):[^@ ]*@", with: "://$1:***@", options: .regularExpression)
        let record = Data("$ \(command)\n".utf8) + stdout + stderr
        logLock.withLock {
            guard let handle = FileHandle(forWritingAtPath: path) ?? {
                FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)
            }() else { return }
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: record)
        }
    }

    private static let logLock = NSLock()

    /// Runs `git` with `arguments`.
    @discardableResult
    public func git(_ arguments: String..., stdin: String? = nil, in subdirectory: String? = nil) throws -> RunResult {
        try run(["git"] + arguments, stdin: stdin, in: subdirectory)
    }
}
