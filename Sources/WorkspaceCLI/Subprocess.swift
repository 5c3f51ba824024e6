import Foundation

/// Running other programs (`git`, a chained hook, `git workspace sync`) with their exit
/// status checked by the caller: nothing here decides that a non-zero status is fine.
enum Subprocess {
    /// How a finished program ended and what it printed (stdout captured; stderr captured
    /// or passed through to ours).
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        /// stdout as text with the final newline removed (git prints one value per line).
        var text: String {
            var text = String(decoding: stdout, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }

    /// Where a child's stdin comes from.
    enum Input {
        /// Our own stdin, untouched (the child reads what git gave us).
        case inherit
        /// These bytes, then end of file (a replayed pre-push list).
        case bytes(Data)
        /// Nothing: end of file at once.
        case none
    }

    /// Runs `program` (looked up on `PATH`, or a path) with `arguments`. With
    /// `capture: false` the child's stdout and stderr are ours, so it talks to the user
    /// directly; the result then holds only the status. `environment` is added to ours.
    static func run(_ program: String, _ arguments: [String], input: Input = .none,
                    capture: Bool = true, environment: [String: String] = [:]) throws -> Result {
        // A child that exits without reading its stdin must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
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
        do {
            try process.run()
        } catch {
            throw CommandFailure(message: "cannot run \(program): \(error.localizedDescription)")
        }
        if case .bytes(let data) = input {
            // The child may stop reading early; what it did not read is its business.
            try? inPipe.fileHandleForWriting.write(contentsOf: data)
        }
        if case .inherit = input {} else { try? inPipe.fileHandleForWriting.close() }
        guard capture else {
            process.waitUntilExit()
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
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: outData,
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `git <arguments>` with output captured; any status is returned for the caller to judge.
    static func git(_ arguments: [String]) throws -> Result {
        try run("git", arguments)
    }

    /// `git <arguments>`'s output, which must exit 0; otherwise a failure quoting git's message.
    static func gitOutput(_ arguments: [String], status: Int32 = ExitStatus.failure) throws -> String {
        let result = try git(arguments)
        guard result.status == 0 else {
            let said = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandFailure(message: "git \(arguments.joined(separator: " ")) failed (exit \(result.status))"
                                 + (said.isEmpty ? "" : ": \(said)"), status: status)
        }
        return result.text
    }
}

/// Reading and writing git configuration through `git config`, so that its values mean
/// exactly what they mean to git (`--bool` accepts yes/on/1, a bad value is an error).
enum GitConfigCommand {
    /// The value of `key`, or nil when it is unset (`git config` exit 1). With `bool`, git
    /// normalises it to `true` or `false`; with `local`, only `.git/config` is read. Any
    /// other failure (a bad boolean) is an error.
    static func get(_ key: String, bool: Bool = false, local: Bool = false) throws -> String? {
        let result = try Subprocess.git(["config"] + (local ? ["--local"] : []) + (bool ? ["--bool"] : []) + ["--get", key])
        switch result.status {
        case 0: return result.text
        case 1: return nil
        default:
            let said = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandFailure(message: "cannot read \(key): \(said.isEmpty ? "git config exit \(result.status)" : said)")
        }
    }

    /// True only when `key` is set to a value git reads as true.
    static func isTrue(_ key: String) throws -> Bool {
        try get(key, bool: true) == "true"
    }

    /// Every `remote.<name>.url`, in configuration order.
    static func remoteURLs() throws -> [(name: String, url: String)] {
        let result = try Subprocess.git(["config", "--get-regexp", #"^remote\..*\.url$"#])
        guard result.status == 0 || result.status == 1 else {
            throw CommandFailure(message: "cannot list remotes: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.text.split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " ") else { return nil }
            let key = line[..<space]
            guard key.hasPrefix("remote."), key.hasSuffix(".url") else { return nil }
            return (String(key.dropFirst("remote.".count).dropLast(".url".count)), String(line[line.index(after: space)...]))
        }
    }

    /// Sets `key` in the repository's own config (`.git/config`).
    static func setLocal(_ key: String, _ value: String) throws {
        _ = try Subprocess.gitOutput(["config", "--local", key, value])
    }

    /// Removes `key` from the repository's own config; unsetting an unset key is no error.
    static func unsetLocal(_ key: String) throws {
        let result = try Subprocess.git(["config", "--local", "--unset", key])
        guard result.status == 0 || result.status == 5 else {
            throw CommandFailure(message: "cannot unset \(key): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
