import Foundation
import Testing
import WorkspaceTestSupport

/// A helper killed in the middle of a push (a fault point, debug builds) leaves the store at
/// its old state or its new one, and pushing again converges.
@Suite struct CrashTests {
    func retitled(_ label: String) throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture(label)
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Triage", with: "title: Triage v2"))
        try #require(try clone.git("commit", "-qam", "Retitle").status == 0)
        return (ws, clone)
    }

    @Test func killedBeforeTheTransactionCommitsLeavesTheOldStateAndThePushGoesThroughAgain() throws {
        let (ws, clone) = try retitled("crash-before")
        let before = try ws.dump()
        let killed = try clone.run(["git", "push"], extraEnvironment: ["GIT_WORKSPACE_FAULT": "push.imported:kill"])
        #expect(killed.status != 0, "\(killed)")
        #expect(try ws.dump() == before)
        let again = try clone.git("push")
        #expect(again.status == 0, "\(again)")
        #expect("\(try ws.show("triage"))".contains("Triage v2"))
        #expect(try clone.git("fsck", "--strict").status == 0)
    }

    @Test func killedAfterTheCommitLeavesTheNewStateAndAFetchAgrees() throws {
        let (ws, clone) = try retitled("crash-after")
        let killed = try clone.run(["git", "push"], extraEnvironment: ["GIT_WORKSPACE_FAULT": "push.committed:kill"])
        #expect(killed.status != 0, "\(killed)")
        #expect("\(try ws.show("triage"))".contains("Triage v2"))
        // git never heard `ok`; a fetch tells it the branch is its commit, and nothing is left to push.
        #expect(try clone.git("fetch", "-q").status == 0)
        #expect(try clone.git("rev-parse", "origin/main").stdout == (try clone.git("rev-parse", "HEAD").stdout))
        let again = try clone.git("push")
        #expect(again.status == 0 && again.stderr.contains("Everything up-to-date"), "\(again)")
        #expect(try clone.git("fsck", "--strict").status == 0)
    }

    /// The server ends the helper's connection (`pg_terminate_backend`) while its push's
    /// transaction is open: the server rolls it back, the push fails saying so, nothing
    /// changed, and the next push goes through.
    @Test(.enabled(if: TestStore.isPostgres, "a server connection to end"))
    func aConnectionEndedMidPushLeavesTheOldStateAndTheNextPushSucceeds() throws {
        let (ws, clone) = try retitled("lost-connection")
        let before = try ws.dump()
        nonisolated(unsafe) var push: RunResult?
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            push = try? clone.run(["git", "push"], extraEnvironment: ["GIT_WORKSPACE_FAULT": "push.imported:sleep=6"])
            done.signal()
        }
        // The helper's connection, idle inside its push's transaction at the fault point: the
        // one holding the workspace's write lock (not a read transaction on the way there).
        var ended = ""
        for _ in 0..<150 where ended.isEmpty {
            ended = try ws.sql("""
                SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
                WHERE a.datname = current_database() AND a.application_name = 'git-remote-workspace'
                  AND a.state = 'idle in transaction' AND l.locktype = 'advisory' AND l.granted
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            if ended.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(ended == "t", "no helper connection was found in its transaction")
        done.wait()
        let failed = try #require(push)
        #expect(failed.status != 0, "\(failed)")
        #expect(failed.stderr.contains("the connection to the server was lost"), "\(failed)")
        #expect(failed.stderr.contains("nothing was changed"), "\(failed)")
        #expect(try ws.dump() == before)
        let again = try clone.git("push")
        #expect(again.status == 0, "\(again)")
        #expect("\(try ws.show("triage"))".contains("Triage v2"))
    }
}
