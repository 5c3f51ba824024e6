import Foundation
import Testing
import WorkspaceTestSupport

/// `STORE[#WORKSPACE]` when the store's own file name holds a `#`: the longest part of the
/// argument that names an existing file is the store, what follows its `#` the workspace.
@Suite struct StoreArgumentTests {
    /// A scratch directory holding the store `a#b.db` (relative name) with `main` and `staging`.
    static func hashStore() throws -> WorkspaceFixture {
        let ws = try WorkspaceFixture("hash", workspaces: [])
        for name in ["main", "staging"] {
            let created = try ws.run.run(["git", "workspace", "init", "a#b.db", "--workspace", name])
            try #require(created.status == 0, "\(created)")
        }
        return ws
    }

    static func put(_ ws: WorkspaceFixture, _ target: String, title: String) throws -> RunResult {
        try ws.run.run(["git", "workspace", "app", "put", target, "--file", "-", "--author", "App User <app@example.com>"],
                       stdin: appWorkflow(title: title))
    }

    static func ids(_ ws: WorkspaceFixture, _ target: String) throws -> [String] {
        let listed = try ws.run.run(["git", "workspace", "app", "ls", target])
        try #require(listed.status == 0, "\(listed)")
        return listed.lines.map { String($0.split(separator: " ")[2]) }
    }

    @Test func aStoreWhoseFileNameHasAHashOpensWhenThatFileExists() throws {
        let ws = try Self.hashStore()
        #expect(FileManager.default.fileExists(atPath: ws.scratch.path("a#b.db")))
        #expect(try Self.put(ws, "a#b.db", title: "In main").status == 0)
        #expect(try Self.put(ws, "a#b.db#staging", title: "In staging").status == 0)

        #expect(try Self.ids(ws, "a#b.db") == ["in-main"])
        #expect(try Self.ids(ws, "a#b.db#staging") == ["in-staging"])
        // A trailing '#' or '#main' says explicitly that the whole path is the store.
        #expect(try Self.ids(ws, "a#b.db#") == ["in-main"])
        #expect(try Self.ids(ws, "a#b.db#main") == ["in-main"])
        // The same store by absolute path, and as a git remote.
        #expect(try Self.ids(ws, ws.scratch.path("a#b.db") + "#staging") == ["in-staging"])
        let listed = try ws.run.run(["git", "ls-remote", "workspace::" + ws.scratch.path("a#b.db")])
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.lines.filter { $0.contains("\trefs/heads/") }.count == 2, "\(listed)")
        let cloned = try ws.run.run(["git", "clone", "-q", "-b", "staging", "workspace::" + ws.scratch.path("a#b.db"), "c"])
        #expect(cloned.status == 0, "\(cloned)")
        #expect(FileManager.default.fileExists(atPath: ws.scratch.path("c/workflows/in-staging/definition.yml")))
    }

    @Test func aWorkspaceNameMayHoldAHashToo() throws {
        let ws = try WorkspaceFixture("hash-ws", workspaces: ["main", "team#1"])
        #expect(try Self.put(ws, "\(ws.store)#team#1", title: "Team one").status == 0)
        #expect(try Self.ids(ws, "\(ws.store)#team#1") == ["team-one"])
        #expect(try Self.ids(ws, ws.store).isEmpty)
    }

    /// Files `s.db` and `s.db#staging` both exist: the plain argument means the second,
    /// a `file://` URL (whose first `#` always starts the workspace) the first's `staging`.
    @Test(.enabled(if: TestStore.isSQLite, "files and file:// URLs are SQLite stores"))
    func aFileURLIsTheExplicitForm() throws {
        let ws = try WorkspaceFixture("hash-url", workspaces: ["main", "staging"])
        let created = try ws.run.run(["git", "workspace", "init", "store.db#staging"])
        try #require(created.status == 0, "\(created)")
        #expect(try Self.put(ws, "store.db#staging", title: "Other store").status == 0)
        #expect(try Self.put(ws, "file://\(ws.store)#staging", title: "Staging").status == 0)

        #expect(try Self.ids(ws, "store.db#staging") == ["other-store"])
        #expect(try Self.ids(ws, "file://\(ws.store)#staging") == ["staging"])
        #expect(try Self.ids(ws, "store.db#staging#main") == ["other-store"])
        #expect(try Self.ids(ws, ws.store).isEmpty)

        // A URL never creates a store either.
        let missing = try ws.run.run(["git", "workspace", "app", "ls", "file://" + ws.scratch.path("new.db")])
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr.contains("no workspace store at '\(ws.scratch.path("new.db"))'"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: ws.scratch.path("new.db")))
    }

    @Test func aMissingStoreNamesEveryPathItLookedFor() throws {
        let ws = try WorkspaceFixture("hash-missing", workspaces: [])
        let listed = try ws.run.run(["git", "workspace", "app", "ls", "x#y.db#staging"])
        #expect(listed.status == 2, "\(listed)")
        #expect(listed.stderr.contains("no workspace store at any of 'x#y.db#staging', 'x#y.db', 'x'"), "\(listed)")
        #expect(listed.stderr.contains("git workspace init x#y.db"), "\(listed)")
        #expect(!FileManager.default.fileExists(atPath: ws.scratch.path("x#y.db")))

        let plain = try ws.run.run(["git", "workspace", "app", "ls", "nope.db"])
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("no workspace store at 'nope.db' (create one with: git workspace init nope.db)"), "\(plain)")

        let bare = try ws.run.run(["git", "workspace", "app", "ls", "#staging"])
        #expect(bare.status == 64, "\(bare)")
        #expect(bare.stderr.contains("no store path before the '#'"), "\(bare)")
    }
}
