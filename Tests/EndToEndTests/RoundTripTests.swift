import Foundation
import Testing
import WorkspaceTestSupport

/// On a server every statement is a round trip: a push or fetch of one change makes the
/// same number whatever the workspace's size (the store's questions are batched), counted
/// with `GIT_WORKSPACE_SQL_LOG`.
@Suite struct RoundTripTests {
    /// Round trips of a one-change push and of a fetch of one application change, in a
    /// workspace of `size` workflows.
    func roundTrips(size: Int) throws -> (push: Int, fetch: Int) {
        let ws = try WorkspaceFixture("trips-\(size)")
        // The workflows arrive as outbox rows, applied by the next command: quicker than `size` puts.
        _ = try ws.sql("""
            INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email)
            SELECT 'main', 'put', 'type: workflow' || chr(10) || 'id: flow-' || n || chr(10)
                   || 'definition: {title: Flow ' || n || ', actions: [{ref: a, action: core.noop}]}' || chr(10),
                   'App', 'app@example.com'
            FROM generate_series(1, \(size)) AS n
            """)
        try #require(try ws.run.run(["git", "workspace", "app", "ls", ws.store]).stdout.split(separator: "\n").count == size)
        let clone = try ws.clone("c")
        let path = "workflows/flow-1/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Flow 1", with: "title: Flow one"))
        try #require(try clone.git("commit", "-qam", "Retitle").status == 0)

        func counted(_ arguments: [String], log: String) throws -> Int {
            let file = ws.scratch.path(log)
            let ran = try clone.run(arguments, extraEnvironment: ["GIT_WORKSPACE_SQL_LOG": file])
            try #require(ran.status == 0, "\(ran)")
            return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count
        }
        let push = try counted(["git", "push", "-q"], log: "push.log")
        try ws.put("type: workflow\nid: flow-2\ndefinition: {title: Flow two, actions: [{ref: a, action: core.noop}]}\n")
        let fetch = try counted(["git", "fetch", "-q"], log: "fetch.log")
        #expect(try ws.read(clone, path).contains("title: Flow one"))
        #expect(try clone.git("show", "origin/main:workflows/flow-2/definition.yml").stdout.contains("title: Flow two"))
        return (push, fetch)
    }

    @Test(.enabled(if: TestStore.isPostgres, "round trips to a server"))
    func aOneChangePushAndFetchMakeAsManyRoundTripsAtAnySize() throws {
        let small = try roundTrips(size: 5)
        let large = try roundTrips(size: 200)
        print("PostgreSQL round trips: one-change push \(small.push) at 5 workflows, \(large.push) at 200; "
              + "fetch of one change \(small.fetch) and \(large.fetch)")
        #expect(small.push == large.push, "one-change push: \(small.push) round trips at 5 workflows, \(large.push) at 200")
        #expect(small.fetch == large.fetch, "fetch of one change: \(small.fetch) round trips at 5 workflows, \(large.fetch) at 200")
        #expect(small.push > 0 && small.fetch > 0)
    }
}
