import Foundation
import Testing
import WorkspaceTestSupport

/// "Busy is busy": while another process holds the store's write lock, readers carry on,
/// writers fail within the busy timeout saying who holds it and to retry, the store is
/// unchanged, and the same write succeeds once the lock is free. No message ever calls a
/// busy store corrupt or names a command that does not exist.
@Suite(.enabled(if: TestStore.isSQLite, "SQLite's own locking; the PostgreSQL store has its own concurrency tests"))
struct StoreBusyTests {
    /// `runner` with `GIT_WORKSPACE_BUSY_TIMEOUT` set to `seconds`.
    static func waiting(_ seconds: String, _ runner: Runner) -> Runner {
        var runner = runner
        runner.environment["GIT_WORKSPACE_BUSY_TIMEOUT"] = seconds
        return runner
    }

    /// What every message about a busy store says, and what none says.
    static func expectBusy(_ text: String, holder lock: HeldWriteLock, store: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(text.contains("the store \(store) is busy: the sqlite3 shell (pid \(lock.pid)) has held its write lock"),
                "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains("nothing was changed: retry"), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("corrupt") && !text.contains("fsck"), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func readersSucceedWhileAnotherProcessHoldsTheWriteLock() throws {
        let ws = try WorkspaceFixture("busy-read", workspaces: ["main", "staging"])
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let old = try ws.clone("old")
        let second = try ws.put(appWorkflow(title: "Enrich"))
        let before = try ws.dump()

        let lock = try HeldWriteLock(store: ws.store)
        defer { lock.release() }
        // A zero timeout: any wait for the lock would fail at once instead of passing slowly.
        let run = Self.waiting("0", ws.run)
        let listed = try run.run(["git", "ls-remote", ws.url])
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.lines.contains { $0.hasSuffix("\trefs/heads/main") }, "\(listed)")
        let cloned = try run.run(["git", "clone", "-q", ws.url, "new"])
        #expect(cloned.status == 0, "\(cloned)")
        #expect(FileManager.default.fileExists(atPath: ws.scratch.path("new/workflows/enrich/definition.yml")))
        let head = listed.lines.first { $0.hasSuffix("\trefs/heads/main") }.map { String($0.prefix(40)) }
        let fetched = try Self.waiting("0", old).run(["git", "fetch", "-q"])
        #expect(fetched.status == 0, "\(fetched)")
        #expect(try old.git("rev-parse", "origin/main").stdout.hasPrefix(try #require(head)), "\(fetched)")
        let status = try Self.waiting("0", old).run(["git", "workspace", "status"])
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("remote_ahead  workflows/enrich/definition.yml"), "\(status)")
        let listing = try run.run(["git", "workspace", "app", "ls", ws.store])
        #expect(listing.status == 0 && listing.stdout.contains(" workflow \(second.id)"), "\(listing)")
        let shown = try run.run(["git", "workspace", "app", "show", "\(ws.store)#main", "triage"])
        #expect(shown.status == 0 && shown.stdout.contains("id: triage"), "\(shown)")
        let dumped = try run.run(["git", "workspace", "app", "dump", ws.store])
        #expect(dumped.status == 0 && dumped.stdout == before, "\(dumped)")
    }

    @Test func aPushWhileTheLockIsHeldIsRefusedAsBusyAndGoesThroughOnceItIsFree() throws {
        let ws = try WorkspaceFixture("busy-push")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Triage", with: "title: Triage 2"))
        try clone.git("commit", "-qam", "Retitle triage")
        let before = try ws.dump()

        let lock = try HeldWriteLock(store: ws.store)
        let started = Date()
        let push = try Self.waiting("0.5", clone).run(["git", "push"])
        let waited = Date().timeIntervalSince(started)
        #expect(push.status != 0, "\(push)")
        #expect(waited < 8, "the push waited \(waited) s: the shortened busy timeout was not used")
        #expect(push.stderr.contains("! [remote rejected] main -> main (busy: the store \(ws.store) is busy: "), "\(push)")
        Self.expectBusy(push.stderr, holder: lock, store: ws.store)
        // The helper answered the refusal and ended cleanly (no session failure, no crash).
        #expect(!push.stderr.contains("git-remote-workspace:") && !push.stderr.contains("fatal:"), "\(push)")
        #expect(!push.stderr.contains("Fatal error"), "\(push)")
        // The same refusal straight from the helper: a protocol reply, then a clean exit.
        let helper = try clone.run(["git-remote-workspace", "origin", ws.url],
                                   stdin: "push refs/heads/main:refs/heads/main\n\n",
                                   extraEnvironment: ["GIT_DIR": clone.directory.appendingPathComponent(".git").path,
                                                      "GIT_WORKSPACE_BUSY_TIMEOUT": "0.2"])
        #expect(helper.status == 0, "\(helper)")
        #expect(helper.stdout.hasPrefix("error refs/heads/main busy: the store \(ws.store) is busy: the sqlite3 shell"),
                "\(helper)")
        #expect(helper.stdout.hasSuffix("\n\n"), "\(helper)")
        #expect(try ws.dump() == before)
        lock.release()

        #expect(try ws.dump() == before)
        let again = try clone.git("push", "-q")
        #expect(again.status == 0, "\(again)")
        #expect(try clone.git("rev-parse", "origin/main").stdout == (try clone.git("rev-parse", "HEAD").stdout))
        #expect(try ws.dump() != before)
    }

    @Test func anAppPutWhileTheLockIsHeldIsBusyAndChangesNothing() throws {
        let ws = try WorkspaceFixture("busy-put")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let before = try ws.dump()
        let document = appWorkflow(title: "Enrich")

        let lock = try HeldWriteLock(store: ws.store)
        let started = Date()
        let put = try Self.waiting("0.5", ws.run).run(
            ["git", "workspace", "app", "put", ws.store, "--file", "-", "--author", "App User <app@example.com>"],
            stdin: document)
        #expect(Date().timeIntervalSince(started) < 8)
        // Busy has its own exit status, the same as sync's: nothing changed, retry.
        #expect(put.status == 5, "\(put)")
        #expect(put.stderr.hasPrefix("git-workspace: the store \(ws.store) is busy"), "\(put)")
        #expect(put.stderr.contains("(0.5 s); could not change workspace 'main'"), "\(put)")
        Self.expectBusy(put.stderr, holder: lock, store: ws.store)
        let removed = try Self.waiting("0.2", ws.run).run(["git", "workspace", "app", "rm", ws.store, "triage"])
        #expect(removed.status == 5, "\(removed)")
        Self.expectBusy(removed.stderr, holder: lock, store: ws.store)
        lock.release()

        #expect(try ws.dump() == before)
        #expect(try ws.put(document).id == "enrich")
    }

    @Test func aCorruptStoreIsCalledCorruptOnlyByItsIntegrityCheck() throws {
        let ws = try WorkspaceFixture("damage")
        ws.skipFsckAtEnd("the store file is overwritten")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        // Keep page 1 (header and schema); overwrite every other page of the closed store.
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: ws.store)))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        try #require(bytes.count > 2 * pageSize)
        for index in pageSize..<bytes.count { bytes[index] = 0xA5 }
        try Data(bytes).write(to: URL(fileURLWithPath: ws.store))

        let listed = try ws.run.run(["git", "ls-remote", ws.url])
        #expect(listed.status != 0)
        #expect(listed.stderr.contains("integrity check (PRAGMA quick_check) failed"), "\(listed)")
        #expect(listed.stderr.contains("restore it from a backup") && !listed.stderr.contains("fsck"), "\(listed)")
        let shown = try ws.run.run(["git", "workspace", "app", "ls", ws.store])
        #expect(shown.status == 2)
        #expect(shown.stderr.contains("is corrupt, its integrity check"), "\(shown)")

        // A file that is no database at all is not "corrupt" either: it is not a store.
        let other = try ws.scratch.write("notes.db", String(repeating: "plain text ", count: 100))
        let foreign = try ws.run.run(["git", "workspace", "app", "ls", other])
        #expect(foreign.status == 2)
        #expect(foreign.stderr.contains("the file is not an SQLite database"), "\(foreign)")
        #expect(!foreign.stderr.contains("corrupt") && !foreign.stderr.contains("fsck"), "\(foreign)")
    }

    /// Every `git workspace <command>` a message in Sources/ names is a command of this build.
    @Test func everyHintNamesACommandThatExists() throws {
        let help = try WorkspaceFixture("busy-help").run.run(["git-workspace", "--help"])
        let appHelp = try WorkspaceFixture("busy-help").run.run(["git-workspace", "app", "--help"])
        func subcommands(_ text: String) -> Set<String> {
            var names: Set<String> = []
            var inSection = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
                if inSection && !line.hasPrefix(" ") { inSection = false }
                if inSection, let word = line.split(separator: " ").first { names.insert(String(word)) }
            }
            return names
        }
        let commands = subcommands(help.stdout), appCommands = subcommands(appHelp.stdout)
        try #require(commands.contains("init") && commands.contains("app") && appCommands.contains("put"), "\(help)\n\(appHelp)")

        let pattern = try NSRegularExpression(pattern: "git workspace ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")
        var missing: [String] = []
        let sources = TestPaths.packageRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let first = Range(match.range(at: 1), in: text).map({ String(text[$0]) }) else { continue }
                if !commands.contains(first) {
                    missing.append("\(file.lastPathComponent): git workspace \(first)")
                } else if first == "app", let second = Range(match.range(at: 2), in: text).map({ String(text[$0]) }),
                          !appCommands.contains(second) {
                    missing.append("\(file.lastPathComponent): git workspace app \(second)")
                }
            }
        }
        #expect(missing.isEmpty, "hints naming commands that do not exist: \(missing)")
    }
}
