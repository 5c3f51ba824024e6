import Foundation
import Testing
import WorkspaceTestSupport

/// A password written into a store URL reaches no output of ours, on any error path a user
/// can reach: every door (the remote helper under `git ls-remote`, `clone`, `fetch`, `push`,
/// and each `git workspace` command that takes a store) against every way a store can fail
/// (wrong password, no server, no database, a database without a store, no such workspace,
/// a store migrated by a newer build, a busy workspace, refused input, a fetch-first push).
///
/// git itself writes a remote's URL as it was given in three lines of its own, `From URL`,
/// `To URL` and `error: failed to push some refs to 'URL'`; those are the only lines the
/// password may appear in, and git-remote-workspace(1) says to keep passwords out of URLs
/// for that reason.
@Suite(.enabled(if: TestStore.isPostgres, "a PostgreSQL test server"))
struct PasswordRedactionTests {
    let secret = "Sw0rdfish-" + UUID().uuidString.prefix(12)

    /// `store` with `password` (and, when given, another port or database) in its URL.
    func url(_ store: String, password: String, port: Int? = nil, database: String? = nil) throws -> String {
        var components = try #require(URLComponents(string: store))
        components.password = password
        if let port { components.port = port }
        if let database { components.path = "/" + database }
        return try #require(components.string)
    }

    /// Lines of `result` holding `password` that are not one of git's own two URL lines.
    func leaks(_ result: RunResult, _ password: String) -> [String] {
        (result.stdout + "\n" + result.stderr).split(separator: "\n").map(String.init).filter { line in
            line.contains(password)
                && !line.hasPrefix("From workspace::") && !line.hasPrefix("To workspace::")
                && !line.hasPrefix("error: failed to push some refs to 'workspace::")
        }
    }

    /// Runs every door against `store` (with its password in it): each must fail when
    /// `fails` (but those in `succeeds`), and none may print the password outside git's
    /// own URL lines.
    func everyDoor(_ store: String, password: String, fails: Bool, succeeds: Set<String> = [], situation: String,
                   _ ws: WorkspaceFixture, clone: Runner, environment: [String: String] = [:],
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let env = environment.merging(["PGPASSWORD": "", "PGPASSFILE": "/nonexistent"]) { $1 }
        let target = "refs/heads/main"
        let runs: [(String, Runner, [String], String?)] = [
            ("ls-remote", ws.run, ["git", "ls-remote", "workspace::" + store], nil),
            ("clone", ws.run, ["git", "clone", "-q", "workspace::" + store, "clone-\(UUID().uuidString.prefix(8))"], nil),
            ("fetch", clone, ["git", "fetch", "workspace::" + store, target], nil),
            ("push", clone, ["git", "push", "workspace::" + store, "HEAD:" + target], nil),
            ("app put", ws.run, ["git", "workspace", "app", "put", store, "--file", "-"], appWorkflow(title: "Redacted \(UUID())")),
            ("app rm", ws.run, ["git", "workspace", "app", "rm", store, "no-such-resource"], nil),
            ("app ls", ws.run, ["git", "workspace", "app", "ls", store], nil),
            ("app show", ws.run, ["git", "workspace", "app", "show", store, "no-such-resource"], nil),
            ("app dump", ws.run, ["git", "workspace", "app", "dump", store], nil),
            ("app outbox", ws.run, ["git", "workspace", "app", "outbox", store], nil),
            ("fsck", ws.run, ["git", "workspace", "fsck", store], nil),
            ("fsck --repair", ws.run, ["git", "workspace", "fsck", "--repair", store], nil),
        ]
        for (door, runner, arguments, stdin) in runs {
            let result = try runner.run(arguments, stdin: stdin, extraEnvironment: env)
            if fails && !succeeds.contains(door) {
                #expect(result.status != 0, "\(situation), \(door): \(result)", sourceLocation: sourceLocation)
            }
            #expect(leaks(result, password).isEmpty, "\(situation), \(door): \(leaks(result, password))",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func aURLPasswordReachesNoOutputOnAnyErrorPath() throws {
        let ws = try WorkspaceFixture("pg-redact-all")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("clone")
        let password = try #require(try TestStore.server().password)

        // The store cannot be reached: the password is the secret one, never the server's.
        try everyDoor(try url(ws.store, password: secret), password: secret, fails: true,
                      situation: "wrong password", ws, clone: clone)
        try everyDoor(try url(ws.store, password: secret, port: 1), password: secret, fails: true,
                      situation: "no server", ws, clone: clone)
        try everyDoor(try url(ws.store, password: secret, database: "ws_missing_\(UUID().uuidString.prefix(8))"),
                      password: secret, fails: true, situation: "no database", ws, clone: clone)
        let empty = try TestStore.newDatabase(in: ws.scratch)
        try everyDoor(try url(empty, password: secret), password: secret, fails: true,
                      situation: "no store, wrong password", ws, clone: clone)

        // Reached with the right password, then refused: the server's password is the one to hide.
        try everyDoor(try url(empty, password: password), password: password, fails: true,
                      situation: "a database without a store", ws, clone: clone)
        // (`app outbox` lists the rows kept for a workspace not created yet: none here.)
        try everyDoor(try url(ws.store, password: password) + "#nope", password: password, fails: true,
                      succeeds: ["app outbox"], situation: "no such workspace", ws, clone: clone)
        let newer = try WorkspaceFixture("pg-redact-newer")
        newer.skipFsckAtEnd("this build refuses the store it leaves")
        _ = try newer.sql("INSERT INTO workspace_migrations (name) VALUES ('v99')")
        try everyDoor(try url(newer.store, password: password), password: password, fails: true,
                      situation: "a newer schema", ws, clone: clone)

        // Input refused by a store that works.
        let good = try url(ws.store, password: password)
        let env = ["PGPASSWORD": "", "PGPASSFILE": "/nonexistent"]
        let refusals: [(String, Runner, [String], String?)] = [
            ("app put of a broken document", ws.run, ["git", "workspace", "app", "put", good, "--file", "-"], "title: [\n"),
            ("app put of an unknown kind", ws.run, ["git", "workspace", "app", "put", good, "--file", "-"], "kind: nothing\n"),
            ("app rm of an unknown resource", ws.run, ["git", "workspace", "app", "rm", good, "no-such-resource"], nil),
            ("init of an existing workspace", ws.run, ["git", "workspace", "init", good], nil),
            ("an unknown option", ws.run, ["git", "workspace", "app", "ls", good, "--no-such-option"], nil),
        ]
        for (situation, runner, arguments, stdin) in refusals {
            let result = try runner.run(arguments, stdin: stdin, extraEnvironment: env)
            #expect(result.status != 0, "\(situation): \(result)")
            #expect(leaks(result, password).isEmpty, "\(situation): \(leaks(result, password))")
        }
        try ws.write(clone, "workflows/triage/definition.yml", "title: [\n")
        try clone.git("commit", "-qam", "broken")
        let invalid = try clone.run(["git", "push", "workspace::" + good, "HEAD:refs/heads/main"], extraEnvironment: env)
        #expect(invalid.status != 0 && invalid.stderr.contains("workflows/triage/definition.yml:"), "\(invalid)")
        #expect(leaks(invalid, password).isEmpty, "a refused push: \(leaks(invalid, password))")
        try clone.git("reset", "-q", "--hard", "HEAD~1")
        try ws.put(appWorkflow(title: "Moved on"))
        try ws.write(clone, "workflows/triage/definition.yml",
                     try ws.read(clone, "workflows/triage/definition.yml").replacingOccurrences(of: "Triage", with: "Triaged"))
        try clone.git("commit", "-qam", "behind")
        let behind = try clone.run(["git", "push", "workspace::" + good, "HEAD:refs/heads/main"], extraEnvironment: env)
        #expect(behind.status != 0, "\(behind)")
        #expect(leaks(behind, password).isEmpty, "a fetch-first push: \(leaks(behind, password))")

        // A busy workspace: every writer says who holds it, without the password.
        let released = try PostgresTests().holdLock(ws, seconds: 6)
        try everyDoor(good, password: password, fails: false, situation: "busy", ws, clone: clone,
                      environment: ["GIT_WORKSPACE_BUSY_TIMEOUT": "0.2"])
        let busy = try ws.run.run(["git", "workspace", "app", "put", good, "--file", "-"], stdin: appWorkflow(title: "Busy"),
                                  extraEnvironment: env.merging(["GIT_WORKSPACE_BUSY_TIMEOUT": "0.2"]) { $1 })
        #expect(busy.status == 5 && busy.stderr.contains("is busy"), "\(busy)")
        released.wait()

        // The statement log names no password either.
        let log = ws.scratch.path("sql.log")
        let logged = try ws.run.run(["git", "workspace", "app", "ls", good],
                                    extraEnvironment: env.merging(["GIT_WORKSPACE_SQL_LOG": log]) { $1 })
        #expect(logged.status == 0, "\(logged)")
        #expect(!(try String(contentsOfFile: log, encoding: .utf8)).contains(password))
    }
}
