import Foundation

/// Runs the `git` binary (for what must go through git itself: fetching and pushing via
/// remotes and their helpers, hooks, config as git resolves it). Output is captured; every
/// caller checks the exit status, and nothing goes through a shell or a pipe between commands.
struct GitCommand {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var ok: Bool { status == 0 }
        /// The first line of stdout, trimmed.
        var line: String { stdout.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
    }

    /// Runs `git <arguments>` in the current directory with the process's environment.
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        do { try process.run() } catch {
            throw CommandFailure(message: "cannot run git: \(error)")
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `git config --get <key>`; nil when unset.
    static func config(_ key: String) throws -> String? {
        let result = try run(["config", "--get", key])
        return result.ok ? result.line : nil
    }

    /// `git config --bool --get <key>`; nil when unset, an error when not a boolean.
    static func configBool(_ key: String) throws -> Bool? {
        let result = try run(["config", "--bool", "--get", key])
        if result.status == 1 { return nil }
        guard result.ok else {
            throw CommandFailure(message: "config \(key): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.line == "true"
    }
}

/// Which remotes a repository's commands talk to (documented in git-workspace(1)).
enum Remotes {
    static let workspacePrefix = "workspace::"

    /// Every remote with its URL (`remote.<name>.url`).
    static func all() throws -> [(name: String, url: String)] {
        let listed = try GitCommand.run(["config", "--get-regexp", #"^remote\..*\.url$"#])
        guard listed.ok else { return [] }
        return listed.stdout.split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " ") else { return nil }
            let key = line[..<space]
            let name = key.dropFirst("remote.".count).dropLast(".url".count)
            return (String(name), String(line[line.index(after: space)...]))
        }
    }

    /// The workspace remote: `explicit`, else `workspace.remote`, else the one remote whose
    /// URL starts with `workspace::`. Fails, saying why, when none or several qualify.
    static func workspace(_ explicit: String?) throws -> String {
        if let explicit { return explicit }
        if let configured = try GitCommand.config("workspace.remote") { return configured }
        let candidates = try all().filter { $0.url.hasPrefix(workspacePrefix) }.map(\.name)
        switch candidates.count {
        case 1: return candidates[0]
        case 0: throw CommandFailure(message: "no workspace remote: add one (git remote add ws workspace::/path/to/store.db) or set workspace.remote")
        default: throw CommandFailure(message: "several workspace remotes (\(candidates.joined(separator: ", "))): name one with --workspace-remote or set workspace.remote")
        }
    }

    /// The team remote for `branch`: `explicit`, else `workspace.teamRemote`, else the
    /// branch's upstream remote when that is not the workspace remote, else `origin`.
    static func team(_ explicit: String?, branch: String, workspaceRemote: String) throws -> String {
        if let explicit { return explicit }
        if let configured = try GitCommand.config("workspace.teamRemote") { return configured }
        if let upstream = try GitCommand.config("branch.\(branch).remote"), upstream != workspaceRemote, upstream != "." {
            return upstream
        }
        return "origin"
    }

    /// The current branch's short name; nil on a detached HEAD.
    static func currentBranch() throws -> String? {
        let result = try GitCommand.run(["symbolic-ref", "--quiet", "--short", "HEAD"])
        return result.ok ? result.line : nil
    }
}
