import Foundation
import WorkspaceSync

extension Subprocess {
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

extension ParsableCommandRunner {
    /// `run` for a command that starts other programs: a program that cannot be started
    /// at all (`Subprocess.Failure`) ends it like any other failure, with status 2.
    static func runStarting(_ body: () throws -> Int32) throws {
        try run {
            do { return try body() } catch let failure as Subprocess.Failure {
                throw CommandFailure(message: failure.message)
            }
        }
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
        remoteURLs(in: try entries(matching: remoteURLPattern))
    }

    /// The keys `remoteURLs` reads.
    static let remoteURLPattern = #"^remote\..*\.url$"#

    /// The `remote.<name>.url` entries among `entries` that have a value, in their order.
    static func remoteURLs(in entries: [(key: String, value: String?)]) -> [(name: String, url: String)] {
        entries.compactMap { entry in
            guard entry.key.hasPrefix("remote."), entry.key.hasSuffix(".url"), let url = entry.value else { return nil }
            return (String(entry.key.dropFirst("remote.".count).dropLast(".url".count)), url)
        }
    }

    /// Every entry whose key matches the extended regular expression `pattern` (git's
    /// `--get-regexp`: section and variable names lowercased), in configuration order; one
    /// `git config` run however many keys a command needs. A key written without `=` has
    /// no value (nil).
    static func entries(matching pattern: String) throws -> [(key: String, value: String?)] {
        // -z: each entry ends with NUL, its key and value split by the first newline (none
        // for a key without a value), so a value may hold any character.
        let result = try Subprocess.git(["config", "-z", "--get-regexp", pattern])
        guard result.status == 0 || result.status == 1 else {
            throw CommandFailure(message: "cannot read git configuration: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: result.stdout, as: UTF8.self).split(separator: "\0").map { entry in
            guard let newline = entry.firstIndex(of: "\n") else { return (String(entry), nil) }
            return (String(entry[..<newline]), String(entry[entry.index(after: newline)...]))
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
