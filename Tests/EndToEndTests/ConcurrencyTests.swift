import Foundation
import Testing
import WorkspaceTestSupport

/// One workspace shared at once by a team and its application: eight clones pushing while
/// the application writes outbox rows. Every acknowledged change lands exactly once, and a
/// refusal is always one a user can act on (fetch first, a conflict), never a store error.
@Suite struct ConcurrencyTests {
    static let clones = 8
    static let outboxRows = 50

    /// A store with `flow-1` ... `flow-8` and eight clones of it.
    func team(_ label: String) throws -> (WorkspaceFixture, [Runner]) {
        let ws = try WorkspaceFixture(label)
        for index in 1...Self.clones { try ws.put(appWorkflow(title: "Flow \(index)")) }
        return (ws, try (1...Self.clones).map { try ws.clone("c\($0)") })
    }

    /// What one clone's attempts ended in.
    struct Attempts: Sendable {
        var pushed = false
        /// The stderr of each refused push.
        var refusals: [String] = []
        var gaveUp: String?
    }

    /// Commits `edit` in `clone`, then pushes until it goes through, pulling with rebase on
    /// "fetch first"; gives up on a rebase conflict (aborting it) or after many tries.
    static func pushUntilDone(_ clone: Runner, path: String, title: String, message: String) -> Attempts {
        var attempts = Attempts()
        do {
            let file = clone.directory.appendingPathComponent(path)
            let text = try String(contentsOf: file, encoding: .utf8)
            let edited = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix("  title: ") ? "  title: \(title)" : String(line)
            }.joined(separator: "\n")
            try edited.write(to: file, atomically: true, encoding: .utf8)
            guard try clone.git("commit", "-qam", message).status == 0 else {
                attempts.gaveUp = "commit failed"
                return attempts
            }
            for _ in 1...40 {
                let pushed = try clone.git("push", "-q")
                if pushed.status == 0 { attempts.pushed = true; return attempts }
                attempts.refusals.append(pushed.stderr)
                let pulled = try clone.git("pull", "-q", "--rebase")
                if pulled.status != 0 {
                    _ = try clone.git("rebase", "--abort")
                    attempts.gaveUp = "rebase conflict: \(pulled.stderr)"
                    return attempts
                }
            }
            attempts.gaveUp = "still refused after 40 pushes"
        } catch {
            attempts.gaveUp = "\(error)"
        }
        return attempts
    }

    /// The application: `outboxRows` rows, one transaction each, while the pushes run.
    static let application = """
    import sys, time
    for n in range(1, \(outboxRows) + 1):
        with connect() as db:
            db.execute("INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email, message)"
                       " VALUES ('main', 'put', ?, 'App', 'app@example.com', ?)",
                       ("type: workflow\\nid: app-%d\\ndefinition: {title: App %d, actions: [{ref: a, action: core.noop}]}\\n" % (n, n),
                        "app row %d" % n))
        time.sleep(0.02)
    """

    /// Runs the clones' pushes and the application at once.
    func race(_ ws: WorkspaceFixture, _ clones: [Runner], path: @escaping @Sendable (Int) -> String) throws -> [Attempts] {
        nonisolated(unsafe) var results = [Attempts](repeating: Attempts(), count: clones.count)
        nonisolated(unsafe) var application: RunResult?
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: clones.count + 1) { index in
            if index == clones.count {
                let ran = try? OutboxApplication.run(ws, Self.application)
                lock.withLock { application = ran }
                return
            }
            let attempts = Self.pushUntilDone(clones[index], path: path(index + 1), title: "Edited by clone \(index + 1)",
                                              message: "clone \(index + 1)")
            lock.withLock { results[index] = attempts }
        }
        try #require(application?.status == 0, "\(String(describing: application))")
        return results
    }

    @Test func eightClonesAndTheApplicationEachLandExactlyOnce() throws {
        let (ws, clones) = try team("race-own")
        let results = try race(ws, clones) { "workflows/flow-\($0)/definition.yml" }
        for (index, attempts) in results.enumerated() {
            #expect(attempts.pushed, "clone \(index + 1): \(attempts)")
            for refusal in attempts.refusals { #expect(refusal.contains("(fetch first)"), "clone \(index + 1): \(refusal)") }
        }
        // A last operation applies whatever the application wrote after the last push.
        try #require(try ws.run.run(["git", "workspace", "app", "ls", ws.store]).status == 0)
        let fresh = try ws.clone("fresh")
        let subjects = try fresh.git("log", "--format=%s").lines
        for index in 1...Self.clones {
            #expect(subjects.filter { $0 == "clone \(index)" }.count == 1, "clone \(index) in \(subjects)")
            #expect(try ws.read(fresh, "workflows/flow-\(index)/definition.yml").contains("title: Edited by clone \(index)"))
        }
        for row in 1...Self.outboxRows {
            #expect(subjects.filter { $0 == "app row \(row)" }.count == 1, "row \(row)")
        }
        #expect(try ws.sql("SELECT count(*) FROM workspace_outbox WHERE state = 'applied'") == "\(Self.outboxRows)\n")
        let fsck = try fresh.git("fsck", "--strict")
        #expect(fsck.status == 0, "\(fsck)")
    }

    @Test func eightClonesOnOneResourceMeetOnlyFetchFirstOrAConflict() throws {
        let (ws, clones) = try team("race-one")
        let results = try race(ws, clones) { _ in "workflows/flow-1/definition.yml" }
        #expect(results.contains { $0.pushed })
        for (index, attempts) in results.enumerated() {
            for refusal in attempts.refusals {
                #expect(refusal.contains("(fetch first)") || refusal.contains("conflict"), "clone \(index + 1): \(refusal)")
                // A store error reaches git as a rejection by the remote or a dead helper.
                for sign in ["[remote rejected]", "busy:", "database", "corrupt", "fatal:"] {
                    #expect(!refusal.contains(sign), "clone \(index + 1) met a store error: \(refusal)")
                }
            }
            if let reason = attempts.gaveUp { #expect(reason.hasPrefix("rebase conflict"), "clone \(index + 1): \(reason)") }
        }
        try #require(try ws.run.run(["git", "workspace", "app", "ls", ws.store]).status == 0)
        let fresh = try ws.clone("fresh")
        let subjects = try fresh.git("log", "--format=%s").lines
        for (index, attempts) in results.enumerated() where attempts.pushed {
            #expect(subjects.filter { $0 == "clone \(index + 1)" }.count == 1, "clone \(index + 1) in \(subjects)")
        }
        #expect(try fresh.git("fsck", "--strict").status == 0)
    }
}

/// An application written in Python, connected to the test store (sqlite3 for a SQLite
/// file, psycopg for PostgreSQL): `connect()` gives a connection whose `with` block is one
/// transaction and whose `execute` takes `?` placeholders on either.
enum OutboxApplication {
    static let prelude = """
    import sys
    def connect():
        if sys.argv[1].startswith("postgres"):
            import psycopg2
            class Connection:
                def __init__(self, url): self.raw = psycopg2.connect(url)
                def __enter__(self): self.raw.__enter__(); return self
                def __exit__(self, *error):
                    result = self.raw.__exit__(*error)
                    self.raw.close()
                    return result
                def execute(self, sql, parameters=()): self.raw.cursor().execute(sql.replace("?", "%s"), parameters)
            return Connection(sys.argv[1])
        import sqlite3
        class Connection:
            def __init__(self, path): self.raw = sqlite3.connect(path, timeout=30)
            def __enter__(self): self.raw.__enter__(); return self
            def __exit__(self, *error):
                result = self.raw.__exit__(*error)
                self.raw.close()
                return result
            def execute(self, sql, parameters=()): self.raw.execute(sql, parameters)
        return Connection(sys.argv[1])

    """

    /// Runs `program` (which calls `connect()`) with the store as its argument.
    ///
    /// Debian's own interpreter when there is one: psycopg2 comes from Debian's
    /// python3-psycopg2 (scripts/deps.sh), which another python3 on PATH may not see.
    static func run(_ ws: WorkspaceFixture, _ program: String) throws -> RunResult {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        return try ws.run.run([python, "-c", prelude + program, ws.store])
    }
}
