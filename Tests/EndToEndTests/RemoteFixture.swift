import Foundation
import Testing
import WorkspaceTestSupport

/// A scratch directory holding a SQLite store (`store.db`, workspace `main`) and whatever
/// clones a test makes beside it, for driving `git-remote-workspace` through real git.
///
/// The store is always addressed by its absolute path: git hands a `workspace::` URL to the
/// helper as written, and the helper resolves a relative one against its own working
/// directory, which differs between `git clone` and later commands run inside the clone.
///
/// Its store is `base`'s, so it is checked by `git workspace fsck` when the test ends
/// (see `WorkspaceFixture`).
struct RemoteFixture {
    /// The store and scratch directory, shared with the other end-to-end suites.
    let base: WorkspaceFixture
    var scratch: ScratchDirectory { base.scratch }
    var runner: Runner { base.run }
    /// The SQLite store's absolute path.
    var store: String { base.store }
    /// The URL git uses for the store.
    var url: String { base.url }

    /// A store whose workspace `main` is unborn (`empty`), or holds one app-side commit
    /// creating the workflow `triage` titled "Triage".
    init(empty: Bool = false) throws {
        base = try WorkspaceFixture("t5801")
        if !empty { try appPut(title: "Triage") }
    }

    /// A valid workflow document `triage` with `title`.
    static func triage(title: String) -> String {
        """
        version: 1
        type: workflow
        id: triage
        definition:
          title: \(title)
          actions:
            - ref: a
              action: core.noop

        """
    }

    /// Skips the end-of-test fsck: the test leaves the store damaged on purpose.
    func skipFsckAtEnd(_ reason: String) {
        base.skipFsckAtEnd(reason)
    }

    /// Creates a workspace with no commits (an unborn branch).
    func initWorkspace(_ name: String) throws {
        try base.addWorkspace(name)
    }

    /// An application-side edit: puts `triage` with `title` into `workspace`, one commit.
    func appPut(title: String, workspace: String = "main") throws {
        try base.put(Self.triage(title: title), workspace: workspace)
    }

    /// The title the store holds for `triage` in `workspace` (from `app show`).
    func appTitle(workspace: String = "main") throws -> String? {
        let shown = try runner.run(["git", "workspace", "app", "show", "\(store)#\(workspace)", "triage"])
        try #require(shown.status == 0, "\(shown)")
        return shown.stdout.split(separator: "\n")
            .first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("title:") }
            .map { String($0.trimmingCharacters(in: .whitespaces).dropFirst("title:".count)).trimmingCharacters(in: .whitespaces) }
    }

    /// `git clone workspace::<store> <directory>`, required to succeed.
    @discardableResult
    func clone(_ directory: String = "local") throws -> RunResult {
        let cloned = try runner.git("clone", url, directory)
        try #require(cloned.status == 0, "\(cloned)")
        return cloned
    }

    /// Writes `triage` with `title` in the clone `directory` and commits it.
    func commitTitle(_ title: String, in directory: String = "local", message: String? = nil) throws {
        try scratch.write("\(directory)/workflows/triage/definition.yml", Self.triage(title: title))
        let committed = try runner.git("commit", "-qam", message ?? "retitle: \(title)", in: directory)
        try #require(committed.status == 0, "\(committed)")
    }

    /// `git rev-parse --verify <ref>` in `directory`; nil when it does not resolve.
    func rev(_ ref: String, in directory: String = "local") throws -> String? {
        let parsed = try runner.git("rev-parse", "--verify", "-q", ref, in: directory)
        return parsed.status == 0 ? parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// What the store advertises, ref -> id, via `git ls-remote` (run outside any repository).
    func remoteRefs() throws -> [String: String] {
        let listed = try runner.git("ls-remote", url)
        try #require(listed.status == 0, "\(listed)")
        var refs: [String: String] = [:]
        for line in listed.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { refs[String(parts[1])] = String(parts[0]) }
        }
        return refs
    }

    /// Runs the helper by hand with `transcript` on stdin, under `timeout` so a hang fails.
    func helper(_ arguments: [String], transcript: String, gitDir: String? = nil,
                environment: [String: String] = [:]) throws -> RunResult {
        var extra = environment
        if let gitDir { extra["GIT_DIR"] = scratch.path(gitDir) }
        return try runner.run(["timeout", "60", "git-remote-workspace"] + arguments, stdin: transcript,
                              extraEnvironment: extra)
    }
}
