import Foundation
import Testing
import WorkspaceTestSupport

/// What only a PostgreSQL store has: a server's locks, passwords, databases without a store.
@Suite(.enabled(if: TestStore.isPostgres, "a PostgreSQL test server"))
struct PostgresTests {
    /// The store URL with `password` in it.
    func url(_ store: String, password: String) throws -> String {
        var components = try #require(URLComponents(string: store))
        components.password = password
        return try #require(components.string)
    }

    /// Holds the advisory lock of workspace `main` from a psql session named `holder-psql`
    /// for `seconds`, in the background; returns once the lock is held.
    func holdLock(_ ws: WorkspaceFixture, seconds: Int) throws -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let run = ws.run, store = ws.store
        DispatchQueue.global().async {
            _ = try? run.run(["psql", "-X", "-q", store,
                              "-c", "SELECT pg_advisory_lock(1465057281, (SELECT id FROM workspaces WHERE name = 'main')::int)",
                              "-c", "SELECT pg_sleep(\(seconds))"], extraEnvironment: ["PGAPPNAME": "holder-psql"])
            done.signal()
        }
        for _ in 0..<100 {
            let held = try ws.sql("""
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE a.application_name = 'holder-psql' AND a.datname = current_database()
                  AND l.locktype = 'advisory' AND l.classid = 1465057281 AND l.granted
                """)
            if held == "1\n" { return done }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("psql never took the lock")
        return done
    }

    @Test func readersCarryOnWhileAWriterHoldsTheLockAndWritersAreBusyNamingIt() throws {
        let ws = try WorkspaceFixture("pg-busy")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let before = try ws.dump()
        let released = try holdLock(ws, seconds: 4)
        let listed = try ws.run.run(["git", "ls-remote", ws.url])
        #expect(listed.status == 0 && listed.stdout.contains("refs/heads/main"), "\(listed)")
        let put = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"],
                                 stdin: appWorkflow(title: "Enrich"), extraEnvironment: ["GIT_WORKSPACE_BUSY_TIMEOUT": "0.5"])
        #expect(put.status == 5, "\(put)")
        #expect(put.stderr.contains("the workspace 'main' in \(ws.store) is busy: `holder-psql` (server process "), "\(put)")
        #expect(put.stderr.contains("nothing was changed: retry"), "\(put)")
        #expect(try ws.dump() == before)
        released.wait()
        let again = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"], stdin: appWorkflow(title: "Enrich"))
        #expect(again.status == 0, "\(again)")
    }

    @Test func aPasswordInAURLIsNeverShown() throws {
        let ws = try WorkspaceFixture("pg-redact")
        let secret = "Sw0rdfish-\(UUID().uuidString.prefix(8))"
        let wrong = try url(ws.store, password: secret)
        for arguments in [["git", "ls-remote", "workspace::" + wrong],
                          ["git", "workspace", "app", "ls", wrong],
                          ["git", "workspace", "init", wrong + "-missing"]] {
            let failed = try ws.run.run(arguments, extraEnvironment: ["PGPASSWORD": ""])
            #expect(failed.status != 0, "\(failed)")
            #expect(!failed.stdout.contains(secret) && !failed.stderr.contains(secret), "\(failed)")
            #expect(failed.stderr.contains(":***@"), "\(failed)")
        }
        // With the right password in the URL, a refusal shows the URL without it.
        let right = try url(ws.store, password: try #require(try TestStore.server().password))
        let missing = try ws.run.run(["git", "workspace", "app", "ls", right + "#nope"])
        #expect(missing.status != 0 && missing.stderr.contains("no workspace named 'nope'"), "\(missing)")
        let password = try #require(try TestStore.server().password)
        #expect(missing.stderr.contains(":***@") && !missing.stderr.contains(password), "\(missing)")
    }

    @Test func thePasswordComesFromGitsCredentialHelperWhichLearnsWhetherItWorked() throws {
        let ws = try WorkspaceFixture("pg-credential")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let server = try TestStore.server()
        let stored = ws.scratch.path("credentials")
        let helper = ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "credential.helper",
                      "GIT_CONFIG_VALUE_0": "store --file \(stored)", "PGPASSWORD": "", "PGPASSFILE": "/nonexistent"]
        let database = String(try #require(URLComponents(string: ws.store)).path.dropFirst())
        func remember(_ password: String) throws {
            let approved = try ws.run.run(["git", "credential", "approve"], stdin: """
                protocol=postgres\nhost=\(server.host):\(server.port)\npath=\(database)\nusername=\(server.user)\npassword=\(password)\n\n
                """, extraEnvironment: helper)
            try #require(approved.status == 0, "\(approved)")
        }
        // No password anywhere: the server's refusal says where one may come from.
        let none = try ws.run.run(["git", "ls-remote", ws.url], extraEnvironment: ["PGPASSWORD": "", "PGPASSFILE": "/nonexistent"])
        #expect(none.status != 0 && none.stderr.contains("the server wants a password"), "\(none)")

        try remember(try #require(server.password))
        let listed = try ws.run.run(["git", "ls-remote", ws.url], extraEnvironment: helper)
        #expect(listed.status == 0 && listed.stdout.contains("refs/heads/main"), "\(listed)")

        try remember("not-the-password")
        let refused = try ws.run.run(["git", "ls-remote", ws.url], extraEnvironment: helper)
        #expect(refused.status != 0, "\(refused)")
        #expect(!refused.stderr.contains("not-the-password"), "\(refused)")
        // Rejected: the helper forgot it.
        #expect(!(try String(contentsOfFile: stored, encoding: .utf8)).contains("not-the-password"))
    }

    @Test func aDatabaseWithoutAStoreIsRefusedEverywhereButInit() throws {
        let scratch = try ScratchDirectory("pg-empty")
        let run = Runner(scratch: scratch)
        let empty = try TestStore.newDatabase(in: scratch)
        let listed = try run.run(["git", "ls-remote", "workspace::" + empty])
        #expect(listed.status != 0 && listed.stderr.contains("no workspace store in the database \(empty)"), "\(listed)")
        let shown = try run.run(["git", "workspace", "app", "ls", empty])
        #expect(shown.status == 2 && shown.stderr.contains("create one with: git workspace init \(empty)"), "\(shown)")
        #expect(try TestStore.query(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", runner: run) == "0\n")
        let created = try run.run(["git", "workspace", "init", empty])
        #expect(created.status == 0 && created.stderr.contains("(git clone workspace::\(empty))"), "\(created)")
        #expect(try run.run(["git", "ls-remote", "workspace::" + empty]).status == 0)
    }

    @Test func aStoreMigratedByANewerBuildIsRefused() throws {
        let ws = try WorkspaceFixture("pg-newer")
        ws.skipFsckAtEnd("this build refuses the store it leaves")
        _ = try ws.sql("INSERT INTO workspace_migrations (name) VALUES ('v99')")
        let shown = try ws.run.run(["git", "workspace", "app", "ls", ws.store])
        #expect(shown.status == 2 && shown.stderr.contains("was migrated by a newer git-remote-workspace"), "\(shown)")
    }
}
