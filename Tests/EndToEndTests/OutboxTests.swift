import Foundation
import Testing
import WorkspaceTestSupport

/// The application outbox on the embedded store: an application written in Python inserts
/// rows with plain SQL in its own transaction, and every operation on the workspace turns
/// them into commits by their authors; a bad row is rejected with its reason and never
/// blocks the rows after it.
@Suite struct OutboxTests {
    /// Runs a Python program as an application would (`OutboxApplication`).
    func python(_ ws: WorkspaceFixture, _ program: String) throws {
        let ran = try OutboxApplication.run(ws, program)
        try #require(ran.status == 0, "\(ran)")
    }

    /// An application's own save and its outbox rows, in one transaction.
    static let application = """
    with connect() as db:  # one transaction: the application's own row and its outbox rows commit together
        db.execute("CREATE TABLE IF NOT EXISTS app_audit (note TEXT)")
        db.execute("INSERT INTO app_audit VALUES ('saved triage')")
        db.execute(
            "INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email, created_at)"
            " VALUES (?, 'put', ?, ?, ?, ?)",
            ("main", "type: workflow\\nalias: triage\\ndefinition:\\n  title: Triage\\n  actions:\\n    - {ref: a, action: core.noop}\\n",
             "Ada Lovelace", "ada@example.com", "2026-03-01T09:30:00Z"))
        db.execute(
            "INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email, message)"
            " VALUES ('main', 'put', ?, 'Bob Hope', 'bob@example.com', 'Broken on purpose')",
            ("type: workflow\\ndefinition:\\n  title: Loop\\n  actions:\\n    - {ref: a, action: core.noop, depends_on: [a]}\\n",))
        db.execute(
            "INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email, message, created_at)"
            " VALUES ('main', 'put', ?, 'Cy Young', 'cy@example.com', 'Report weekly', '2026-01-01T00:00:00Z')",
            ("type: workflow\\ndefinition:\\n  title: Weekly report\\n  actions:\\n    - {ref: a, action: core.noop}\\n",))
    """

    @Test func rowsAnApplicationWroteBecomeCommitsByTheirAuthorsAndABadOneIsRejected() throws {
        let ws = try WorkspaceFixture("outbox")
        try python(ws, Self.application)
        // The clone's listing applies the rows first.
        let clone = try ws.clone("c")
        let log = try clone.git("log", "--reverse", "--format=%an <%ae>|%aI|%s")
        #expect(log.lines == ["Ada Lovelace <ada@example.com>|2026-03-01T09:30:00+00:00|Create workflow triage",
                              "Cy Young <cy@example.com>|2026-01-01T00:00:00+00:00|Report weekly"], "\(log)")
        let listed = try ws.run.run(["git", "workspace", "app", "outbox", ws.store + "#main"])
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.hasPrefix("2 rejected main put - Bob Hope <bob@example.com> "), "\(listed)")
        #expect(listed.stdout.contains("    outbox row 2:5:13: error: dependency cycle: a -> a"), "\(listed)")
        // Applied rows carry their commit; the rejected one stays for the application to read.
        let json = try ws.run.run(["git", "workspace", "app", "outbox", ws.store, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? Int } == [2])
        let states = try ws.sql("SELECT id, state, CASE WHEN commit_oid IS NULL THEN 0 ELSE 1 END FROM workspace_outbox ORDER BY id")
        #expect(states == "1|applied|1\n2|rejected|0\n3|applied|1\n", "\(states)")
    }

    @Test func archiveAndUpdateBySourceIDAndEveryCommandDrainsFirst() throws {
        let ws = try WorkspaceFixture("outbox-archive")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        try ws.put(appWorkflow(title: "Enrich"))
        let clone = try ws.clone("c")
        try python(ws, """
        with connect() as db:
            db.execute("INSERT INTO workspace_outbox (workspace, action, source_id, author_name, author_email)"
                       " VALUES ('main', 'archive', 'enrich', 'Ada', 'ada@example.com')")
            db.execute("INSERT INTO workspace_outbox (workspace, action, source_id, document, author_name, author_email)"
                       " VALUES ('main', 'put', 'triage', ?, 'Ada', 'ada@example.com')",
                       ("type: workflow\\nalias: triage\\ndefinition: {title: Triage v2, actions: [{ref: a, action: core.noop}]}\\n",))
        """)
        // `app ls` (a reader) applies them before it lists.
        let listed = try ws.run.run(["git", "workspace", "app", "ls", ws.store])
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.lines.count == 1 && listed.stdout.contains(" workflow triage"), "\(listed)")
        let pulled = try clone.git("pull", "-q")
        #expect(pulled.status == 0, "\(pulled)")
        #expect(try clone.git("log", "-2", "--format=%s").lines == ["Update workflow triage", "Archive workflow enrich"])
        #expect(try ws.read(clone, "workflows/triage/definition.yml").contains("title: Triage v2"))
    }

    @Test func rowsForAnUnknownWorkspaceStayPendingAndAreListed() throws {
        let ws = try WorkspaceFixture("outbox-unknown")
        try python(ws, """
        with connect() as db:
            db.execute("INSERT INTO workspace_outbox (workspace, action, source_id, author_name, author_email)"
                       " VALUES ('staging', 'archive', 'x', 'Ada', 'ada@example.com')")
            db.execute("INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email)"
                       " VALUES ('main', 'put', 'type: workflow', 'Ada <evil>', 'ada@example.com')")
        """)
        let listed = try ws.run.run(["git", "workspace", "app", "outbox", ws.store])
        #expect(listed.stdout.contains("1 pending staging archive x Ada <ada@example.com>"), "\(listed)")
        #expect(listed.stdout.contains("2 rejected main put - Ada <evil> <ada@example.com>"), "\(listed)")
        #expect(listed.stdout.contains("author_name and author_email must name a person"), "\(listed)")
        // Creating the workspace applies (here: rejects) what was waiting for it.
        let created = try ws.run.run(["git", "workspace", "init", ws.store, "--workspace", "staging"])
        #expect(created.status == 0, "\(created)")
        #expect(created.stderr.contains("outbox row 1 rejected"), "\(created)")
        #expect(created.stderr.contains("no resource 'x' in workspace 'staging'"), "\(created)")
    }

    @Test func aReaderNeverWaitsToApplyRowsWhileAWriterHoldsTheStore() throws {
        let ws = try WorkspaceFixture("outbox-busy")
        try ws.put(appWorkflow(title: "Triage"))
        let before = try ws.run.git("ls-remote", ws.url)
        try python(ws, """
        with connect() as db:
            db.execute("INSERT INTO workspace_outbox (workspace, action, source_id, author_name, author_email)"
                       " VALUES ('main', 'archive', 'triage', 'Ada', 'ada@example.com')")
        """)
        let lock = try HeldWriteLock(store: ws.store)
        var waiting = ws.run
        waiting.environment["GIT_WORKSPACE_BUSY_TIMEOUT"] = "0"
        let listed = try waiting.git("ls-remote", ws.url)
        lock.release()
        #expect(listed.status == 0 && listed.stdout == before.stdout, "\(listed)")
        // Once the store is free, the next operation applies the row.
        let after = try ws.run.git("ls-remote", ws.url)
        #expect(after.stdout != before.stdout, "\(after)")
    }
}
