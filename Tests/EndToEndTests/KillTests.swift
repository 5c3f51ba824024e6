import Foundation
import Testing
import WorkspaceTestSupport

/// Crash at any instant: every named fault point of every write path, then SIGKILL of the
/// helper at random instants of pushes and fetches. After each crash the store is at the
/// old state or the new one (byte-identical to before, or holding the change), `git
/// workspace fsck` finds it whole, the client repository passes `git fsck`, and doing the
/// operation again converges.
@Suite struct KillTests {
    /// A workspace with `triage` and a clone of it.
    func setUp(_ label: String) throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture(label)
        try ws.put(appWorkflow(alias: "triage", title: "Triage 0"))
        return (ws, try ws.clone("c"))
    }

    /// Commits a new title for `triage` in `clone`.
    func commitTitle(_ ws: WorkspaceFixture, _ clone: Runner, _ title: String) throws {
        let path = "workflows/triage/definition.yml"
        let text = try ws.read(clone, path).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("  title: ") ? "  title: \(title)" : String(line)
        }.joined(separator: "\n")
        try ws.write(clone, path, text)
        try #require(try clone.git("commit", "-qam", title).status == 0)
    }

    /// The title the store holds for `triage`.
    func title(_ ws: WorkspaceFixture) throws -> String? {
        let shown = try ws.run.run(["git", "workspace", "app", "show", ws.store, "triage"])
        return shown.stdout.split(separator: "\n").first { $0.hasPrefix("  title: ") }.map { String($0.dropFirst("  title: ".count)) }
    }

    func head(_ ws: WorkspaceFixture) throws -> String {
        try ws.run.git("ls-remote", ws.url, "refs/heads/main").stdout.split(separator: "\t").first.map(String.init) ?? ""
    }

    /// True when `git workspace fsck` finds the store's workspace `main` whole.
    func storeIsWhole(_ ws: WorkspaceFixture) throws -> Bool {
        try ws.run.run(["git", "workspace", "fsck", ws.store]).status == 0
    }

    /// The application's change of `triage` to `title`, as `app put` makes it.
    func appTitle(_ title: String) -> String {
        "type: workflow\nid: triage\nalias: triage\ndefinition: {title: \(title), actions: [{ref: a, action: core.noop}]}\n"
    }

    // MARK: Named fault points

    @Test(arguments: ["push.objects", "push.imported", "push.committed"])
    func aPushKilledAtANamedPointLeavesOneStateAndConverges(_ point: String) throws {
        let (ws, clone) = try setUp("kill-\(point)")
        try commitTitle(ws, clone, "Triage 1")
        let before = try ws.dump()
        let killed = try clone.run(["git", "push"], extraEnvironment: ["GIT_WORKSPACE_FAULT": "\(point):kill"])
        #expect(killed.status != 0, "\(killed)")
        if point == "push.committed" {
            #expect(try title(ws) == "Triage 1")
        } else {
            #expect(try ws.dump() == before)
        }
        #expect(try storeIsWhole(ws))
        #expect(try clone.git("fetch", "-q").status == 0)
        let again = try clone.git("push")
        #expect(again.status == 0, "\(again)")
        #expect(try head(ws) == clone.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try clone.git("fsck", "--strict").status == 0)
    }

    @Test(arguments: ["fetch.pack", "fetch.written"])
    func aFetchKilledAtANamedPointLeavesTheOldRefAndASoundRepository(_ point: String) throws {
        let (ws, clone) = try setUp("kill-\(point)")
        let old = try clone.git("rev-parse", "origin/main").stdout
        try ws.put(appTitle("Triage by the app"))
        let killed = try clone.run(["git", "fetch"], extraEnvironment: ["GIT_WORKSPACE_FAULT": "\(point):kill"])
        #expect(killed.status != 0, "\(killed)")
        // git never heard the fetch finish: the ref stays, and a half-written pack is ignored.
        #expect(try clone.git("rev-parse", "origin/main").stdout == old)
        let fsck = try clone.git("fsck", "--strict")
        #expect(fsck.status == 0, "\(fsck)")
        #expect(try clone.git("fetch", "-q").status == 0)
        #expect(try clone.git("rev-parse", "origin/main").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == head(ws))
        #expect(try clone.git("fsck", "--strict").status == 0)
    }

    @Test(arguments: ["change.written", "change.committed"])
    func anAppPutKilledAtANamedPointLeavesOneStateAndConverges(_ point: String) throws {
        let (ws, _) = try setUp("kill-\(point)")
        let before = try ws.dump()
        let killed = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"], stdin: appTitle("Triage 2"),
                                    extraEnvironment: ["GIT_WORKSPACE_FAULT": "\(point):kill"])
        #expect(killed.status != 0, "\(killed)")
        if point == "change.committed" {
            #expect(try title(ws) == "Triage 2")
        } else {
            #expect(try ws.dump() == before)
        }
        #expect(try storeIsWhole(ws))
        try ws.put(appTitle("Triage 2"))
        #expect(try title(ws) == "Triage 2")
        let commits = try ws.clone("after").git("log", "--format=%s").lines
        // Created, then updated once: a rolled-back change left no commit, and putting a
        // change that had committed again changes nothing.
        #expect(commits.filter { $0.contains("triage") }.count == 2, "\(commits)")
    }

    @Test(arguments: ["change.written", "outbox.committed"])
    func outboxRowsApplyOnceWhateverInstantTheirApplierDies(_ point: String) throws {
        let (ws, _) = try setUp("kill-outbox-\(point)")
        for row in 1...3 {
            _ = try ws.sql("""
                INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email, message)
                VALUES ('main', 'put', 'type: workflow\nid: row-\(row)\ndefinition: {title: Row \(row), actions: [{ref: a, action: core.noop}]}\n',
                        'App', 'app@example.com', 'row \(row)')
                """)
        }
        let killed = try ws.run.run(["git", "ls-remote", ws.url], extraEnvironment: ["GIT_WORKSPACE_FAULT": "\(point):kill"])
        #expect(killed.status != 0, "\(killed)")
        let applied = try ws.sql("SELECT count(*) FROM workspace_outbox WHERE state = 'applied'")
        #expect(applied == (point == "outbox.committed" ? "1\n" : "0\n"))
        #expect(try storeIsWhole(ws))
        #expect(try ws.run.git("ls-remote", ws.url).status == 0)
        let subjects = try ws.clone("after").git("log", "--format=%s").lines
        for row in 1...3 { #expect(subjects.filter { $0 == "row \(row)" }.count == 1, "row \(row) in \(subjects)") }
        #expect(try ws.sql("SELECT count(*) FROM workspace_outbox WHERE state = 'applied'") == "3\n")
    }

    // MARK: SIGKILL at random instants

    /// Kill points per operation (pushes, then fetches); `WORKSPACE_KILL_POINTS` changes it.
    static var killPoints: Int {
        Int(ProcessInfo.processInfo.environment["WORKSPACE_KILL_POINTS"] ?? "") ?? 100
    }

    /// Runs `git arguments` in `clone` and SIGKILLs the helper it starts `delay` seconds
    /// after the helper appears. True when the helper was killed (false: it had finished).
    @discardableResult
    static func runKillingHelper(_ clone: Runner, _ arguments: [String], after delay: TimeInterval) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = clone.directory
        process.environment = clone.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var helper: Int32?
        let deadline = Date().addingTimeInterval(30)
        while helper == nil && process.isRunning && Date() < deadline {
            helper = Self.child(of: process.processIdentifier, named: "git-remote-work")
            if helper == nil { usleep(500) }
        }
        var killed = false
        if let helper {
            // Wait out the delay, but not past the helper's end.
            let instant = Date().addingTimeInterval(delay)
            while Date() < instant && kill(helper, 0) == 0 && process.isRunning {
                usleep(useconds_t(max(0, min(0.002, instant.timeIntervalSinceNow)) * 1_000_000))
            }
            killed = Date() >= instant && Self.child(of: process.processIdentifier, named: "git-remote-work") == helper
                && kill(helper, SIGKILL) == 0
        }
        process.waitUntilExit()
        return killed
    }

    /// A descendant of `ancestor` (git runs `git remote-workspace`, which runs the helper)
    /// whose command name (`/proc/PID/stat`, 15 bytes at most) is `name`.
    static func child(of ancestor: Int32, named name: String) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        var parents: [Int32: Int32] = [:]
        var matches: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { continue }
            parents[pid] = parent
            if stat[stat.index(after: open)..<close] == name { matches.append(pid) }
        }
        return matches.first { pid in
            var current = pid
            for _ in 0..<4 {
                guard let parent = parents[current] else { return false }
                if parent == ancestor { return true }
                current = parent
            }
            return false
        }
    }

    /// How long one `arguments` run takes left alone (the helper lives for most of it): the
    /// span the random instants are drawn from.
    static func lifetime(_ clone: Runner, _ arguments: [String]) throws -> TimeInterval {
        let start = Date()
        try runKillingHelper(clone, arguments, after: 3600)   // never killed: it ends first
        return Date().timeIntervalSince(start)
    }

    @Test func pushesKilledAtRandomInstantsLeaveOneStateAndConverge() throws {
        let (ws, clone) = try setUp("kill-random-push")
        var generator = SystemRandomNumberGenerator()
        try commitTitle(ws, clone, "Warm-up")
        let span = try Self.lifetime(clone, ["git", "push", "-q"])
        var killed = 0, finished = 0, inconsistent: [String] = []
        var round = 0
        while killed < Self.killPoints && round < Self.killPoints * 3 {
            round += 1
            try commitTitle(ws, clone, "Round \(round)")
            let before = try ws.dump()
            let old = try head(ws)
            let new = try clone.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let delay = Double.random(in: 0...span, using: &generator)
            if try Self.runKillingHelper(clone, ["git", "push", "-q"], after: delay) { killed += 1 } else { finished += 1 }
            let now = try head(ws)
            if now == old {
                if try ws.dump() != before { inconsistent.append("round \(round): head unchanged but rows changed") }
            } else if now == new {
                if try title(ws) != "Round \(round)" { inconsistent.append("round \(round): new head without its change") }
            } else {
                inconsistent.append("round \(round): head \(now) is neither \(old) nor \(new)")
            }
            if round % 10 == 0, try !storeIsWhole(ws) { inconsistent.append("round \(round): git workspace fsck") }
            // Converge: fetch what the store has, push what it lacks.
            _ = try clone.git("fetch", "-q")
            let again = try clone.git("push", "-q")
            let converged = try head(ws)
            if again.status != 0 || converged != new { inconsistent.append("round \(round): did not converge: \(again)") }
            if round % 20 == 0, try clone.git("fsck", "--strict").status != 0 { inconsistent.append("round \(round): git fsck") }
        }
        print("SIGKILL test: \(killed) pushes killed at random instants up to \(Int(span * 1000)) ms after the helper started "
              + "(\(finished) finished first): \(inconsistent.count) inconsistent states")
        #expect(killed >= Self.killPoints, "only \(killed) kill points")
        #expect(inconsistent.isEmpty, "\(inconsistent)")
        #expect(try clone.git("fsck", "--strict").status == 0)
    }

    @Test func fetchesKilledAtRandomInstantsLeaveASoundRepositoryAndConverge() throws {
        let (ws, clone) = try setUp("kill-random-fetch")
        var generator = SystemRandomNumberGenerator()
        try ws.put(appTitle("Warm-up"))
        let span = try Self.lifetime(clone, ["git", "fetch", "-q"])
        var killed = 0, finished = 0, inconsistent: [String] = []
        var round = 0
        while killed < Self.killPoints && round < Self.killPoints * 3 {
            round += 1
            let old = try clone.git("rev-parse", "origin/main").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try ws.put(appTitle("Round \(round)"))
            let new = try head(ws)
            let delay = Double.random(in: 0...span, using: &generator)
            if try Self.runKillingHelper(clone, ["git", "fetch", "-q"], after: delay) { killed += 1 } else { finished += 1 }
            let now = try clone.git("rev-parse", "origin/main").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if now != old && now != new { inconsistent.append("round \(round): origin/main \(now) is neither \(old) nor \(new)") }
            if now == new, try clone.git("cat-file", "-e", "\(new)^{tree}").status != 0 {
                inconsistent.append("round \(round): origin/main moved without its objects")
            }
            _ = try clone.git("fetch", "-q")
            if try clone.git("rev-parse", "origin/main").stdout.trimmingCharacters(in: .whitespacesAndNewlines) != new {
                inconsistent.append("round \(round): did not converge")
            }
            if round % 20 == 0, try clone.git("fsck", "--strict").status != 0 { inconsistent.append("round \(round): git fsck") }
        }
        print("SIGKILL test: \(killed) fetches killed at random instants up to \(Int(span * 1000)) ms after the helper started "
              + "(\(finished) finished first): \(inconsistent.count) inconsistent states")
        #expect(killed >= Self.killPoints, "only \(killed) kill points")
        #expect(inconsistent.isEmpty, "\(inconsistent)")
        #expect(try clone.git("fsck", "--strict").status == 0)
    }
}
