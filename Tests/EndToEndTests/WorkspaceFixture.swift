import Foundation
import Testing
import WorkspaceTestSupport

/// A store with workspaces and clones of it, driven through the real `git` and the built tools.
///
/// When the test is done with it (the last reference goes, at the end of the test body, on
/// the test's own task), `git workspace fsck` checks every workspace of the store, and
/// anything it finds is recorded as an issue of that test, pointing at where the fixture was
/// made. A test that leaves its store damaged on purpose says so with `skipFsckAtEnd`.
final class WorkspaceFixture: @unchecked Sendable {
    let scratch: ScratchDirectory
    let run: Runner
    /// The store's address: a SQLite file path, or a PostgreSQL URL (without its password).
    let store: String
    /// Where the test made the fixture, for the end-of-test fsck's issue.
    private let madeAt: SourceLocation
    private let lock = NSLock()
    private var skipReason: String?

    init(_ label: String = "ws", workspaces: [String] = ["main"],
         sourceLocation: SourceLocation = #_sourceLocation) throws {
        scratch = try ScratchDirectory(label)
        run = Runner(scratch: scratch)
        madeAt = sourceLocation
        // A SQLite file, or a fresh PostgreSQL database when the suite runs on one (TestStore).
        store = try TestStore.fresh(in: scratch)
        for name in workspaces { try addWorkspace(name) }
    }

    /// Skips the end-of-test fsck: the test leaves the store damaged (or unreadable) on purpose.
    func skipFsckAtEnd(_ reason: String) {
        lock.withLock { skipReason = reason }
    }

    deinit {
        fsckAtEnd()
    }

    /// `git workspace fsck STORE` (every workspace, read-only), recording an issue unless clean.
    private func fsckAtEnd() {
        guard lock.withLock({ skipReason }) == nil else { return }
        // No store was ever made here (or the test took it away).
        if TestStore.isSQLite && !FileManager.default.fileExists(atPath: store) { return }
        let checked: RunResult
        do { checked = try run.run(["git", "workspace", "fsck", store]) } catch {
            Issue.record("git workspace fsck of the test's store could not run: \(error)", sourceLocation: madeAt)
            return
        }
        if checked.status == 0 { return }
        if TestStore.isPostgres && checked.status == 2 && checked.stderr.contains("no workspace store in the database") { return }
        Issue.record("""
            git workspace fsck of the test's store at the end of the test (exit \(checked.status)); \
            if the test damages the store on purpose, call skipFsckAtEnd:
            \(checked.stdout)\(checked.stderr)
            """, sourceLocation: madeAt)
    }

    /// `git workspace init <store> --workspace <name>`: a new workspace with an unborn branch.
    func addWorkspace(_ name: String) throws {
        let created = try run.run(["git", "workspace", "init", store, "--workspace", name])
        try #require(created.status == 0, "\(created)")
    }

    var url: String { "workspace::" + store }

    /// One SQL statement on the store (sqlite3 or psql), its rows with fields joined by `|`.
    func sql(_ statement: String) throws -> String {
        try TestStore.query(store, statement, runner: run)
    }

    /// `git workspace app put` of `document` by `author`; returns (uuid, source id).
    @discardableResult
    func put(_ document: String, author: String = "App User <app@example.com>", workspace: String = "main") throws -> (uuid: String, id: String) {
        let result = try run.run(["git", "workspace", "app", "put", "\(store)#\(workspace)", "--file", "-", "--author", author], stdin: document)
        try #require(result.status == 0, "\(result)")
        let words = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (words[0], words[1])
    }

    /// `git clone workspace::<store> <name>`.
    func clone(_ name: String, branch: String? = nil) throws -> Runner {
        var arguments = ["git", "clone", "-q"]
        if let branch { arguments += ["-b", branch] }
        let result = try run.run(arguments + [url, name])
        try #require(result.status == 0, "\(result)")
        var runner = run
        runner.directory = scratch.url.appendingPathComponent(name)
        return runner
    }

    /// Every row of a workspace, as text: equal dumps mean an unchanged store.
    func dump(_ workspace: String = "main") throws -> String {
        let result = try run.run(["git", "workspace", "app", "dump", "\(store)#\(workspace)"])
        try #require(result.status == 0, "\(result)")
        return result.stdout
    }

    /// `app show --json` as a dictionary.
    func show(_ id: String, workspace: String = "main") throws -> [String: Any] {
        let result = try run.run(["git", "workspace", "app", "show", "\(store)#\(workspace)", id, "--json"])
        try #require(result.status == 0, "\(result)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// A file's contents in a clone.
    func read(_ clone: Runner, _ path: String) throws -> String {
        try String(contentsOf: clone.directory.appendingPathComponent(path), encoding: .utf8)
    }

    /// `git mv` of workflow `from`'s directory to `to` in `clone`, its `id` rewritten to match.
    func renameWorkflow(in clone: Runner, from: String, to: String) throws {
        try #require(try clone.git("mv", "workflows/\(from)", "workflows/\(to)").status == 0)
        let path = "workflows/\(to)/definition.yml"
        try write(clone, path, try read(clone, path).replacingOccurrences(of: "id: \(from)\n", with: "id: \(to)\n"))
    }

    func write(_ clone: Runner, _ path: String, _ text: String) throws {
        try write(clone, path, bytes: Array(text.utf8))
    }

    func write(_ clone: Runner, _ path: String, bytes: [UInt8]) throws {
        let url = clone.directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

/// The workflow `triage` with two actions, `fetch` (an `args.url`) and `notify` (an
/// `args.channel`), for tests that edit one action on one side and another on the other.
let triageWorkflow = """
version: 1
type: workflow
id: triage
definition:
  title: Triage
  actions:
    - ref: fetch
      action: core.http_request
      args:
        url: https://example.com/a
    - ref: notify
      action: core.noop
      args:
        channel: alerts

"""

/// A workflow document for the application side (no `id`: the store derives it).
func appWorkflow(alias: String? = nil, title: String, actions: [String] = ["a"]) -> String {
    var text = "type: workflow\n"
    if let alias { text += "alias: \(alias)\n" }
    text += "definition:\n  title: \(title)\n  actions:\n"
    for ref in actions { text += "    - ref: \(ref)\n      action: core.noop\n" }
    return text
}

extension RunResult {
    /// Output lines, trimmed.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}
