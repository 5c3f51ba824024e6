import Foundation
import Testing
import WorkspaceTestSupport

/// Whole-corpus adoption, workspace isolation, dry runs and atomic pushes
/// (issue 3, done-when 9, 10 and 11).
@Suite struct StoreScopeTests {
    /// Every corpus workflow that validates, wrapped as a canonical document's content
    /// (bare DSL or `definition:`-wrapped), written in its own hand-made layout.
    static func corpusDocuments() throws -> [(id: String, text: String)] {
        var documents: [(String, String)] = []
        for url in TestPaths.corpusWorkflows() where !url.lastPathComponent.hasSuffix("_expected.yml") {
            let id = url.deletingPathExtension().lastPathComponent
            var body = try String(contentsOf: url, encoding: .utf8)
            if !body.hasPrefix("definition:") {
                body = "definition:\n" + body.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
            }
            documents.append((id, "version: 1\ntype: workflow\nid: \(id)\n" + body))
        }
        return documents
    }

    @Test func theWholeCorpusIsAdoptedInOnePush() throws {
        let ws = try WorkspaceFixture("corpus")
        let clone = try ws.clone("c")
        let documents = try Self.corpusDocuments()
        #expect(documents.count == 30)
        for (id, text) in documents { try ws.write(clone, "workflows/\(id)/definition.yml", text) }
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "Adopt the corpus")
        let push = try clone.git("push", "-u", "origin", "HEAD:main")
        #expect(push.status == 0, "\(push)")
        #expect(try clone.git("fetch").stdout.isEmpty)
        #expect(try clone.git("rev-parse", "origin/main").stdout == clone.git("rev-parse", "HEAD").stdout)

        let report = try clone.run(["git", "workspace", "validate", "--json", "HEAD"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let pushed = try #require(object["resources"] as? [[String: Any]])
        #expect(pushed.count == 30)
        for resource in pushed {
            let id = try #require(resource["id"] as? String)
            let stored = try ws.show(id)
            #expect(stored["last_synced_spec_hash"] as? String == resource["spec_hash"] as? String, "\(id)")
            #expect(stored["spec_hash"] as? String == resource["spec_hash"] as? String, "\(id)")
        }
    }

    @Test func twoWorkspacesAreTwoBranchesThatNeverTouchEachOther() throws {
        let ws = try WorkspaceFixture("iso", workspaces: ["main", "staging"])
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        try ws.put(appWorkflow(alias: "triage", title: "Triage in staging"), workspace: "staging")
        let remote = try ws.run.run(["git", "ls-remote", ws.url])
        #expect(remote.lines.map { String($0.split(separator: "\t").last!) } == ["refs/heads/main", "refs/heads/staging", "HEAD"])

        let clone = try ws.clone("c")
        let stagingBefore = try ws.dump("staging")
        let mainBefore = try ws.dump("main")
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Triage", with: "title: Triage 2"))
        try clone.git("commit", "-qam", "Edit main")
        #expect(try clone.git("push", "-q").status == 0)
        #expect(try ws.dump("staging") == stagingBefore)
        #expect(try ws.dump("main") != mainBefore)
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() throws {
        let ws = try WorkspaceFixture("dry")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        try ws.put(appWorkflow(title: "Old"))
        let clone = try ws.clone("c")
        let before = try ws.dump()
        // A document unlike 'old', so git does not pair the two as a rename.
        let corpus = try #require(try Self.corpusDocuments().first { $0.id == "unit_ordering_kite" })
        try ws.write(clone, "workflows/fresh/definition.yml", corpus.text.replacingOccurrences(of: "id: unit_ordering_kite", with: "id: fresh"))
        try clone.git("rm", "-q", "workflows/old/definition.yml")
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Triage", with: "title: Triage 2"))
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "Three changes")
        let dry = try clone.git("push", "--dry-run")
        #expect(dry.status == 0, "\(dry)")
        for line in ["workspace main: would create  workflow fresh", "workspace main: would update  workflow triage",
                     "workspace main: would archive workflow old"] {
            #expect(dry.stderr.contains(line), "\(line) in \(dry.stderr)")
        }
        #expect(try ws.dump() == before)
        #expect(try clone.git("push", "-q").status == 0)
        #expect(try ws.dump() != before)
    }

    @Test func atomicPushOfTwoBranchesAppliesBothOrNeither() throws {
        let ws = try WorkspaceFixture("atomic", workspaces: ["main", "staging"])
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        try ws.put(appWorkflow(alias: "triage", title: "Triage"), workspace: "staging")
        let clone = try ws.clone("c")
        try clone.git("fetch", "-q", "origin", "staging:staging")
        let mainBefore = try ws.dump("main"), stagingBefore = try ws.dump("staging")

        // main gets a valid change, staging an invalid one: neither lands.
        try ws.write(clone, "workflows/good/definition.yml", Self.corpusWorkflow(id: "good"))
        try clone.git("add", "-A"); try clone.git("commit", "-qm", "good")
        try clone.git("checkout", "-q", "staging")
        try ws.write(clone, "workflows/bad/definition.yml", "version: 1\ntype: workflow\nid: bad\n")
        try clone.git("add", "-A"); try clone.git("commit", "-qm", "bad")
        let failed = try clone.git("push", "--atomic", "origin", "main", "staging")
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("workflows/bad/definition.yml:1:1: error: the workflow document needs 'definition'"), "\(failed)")
        #expect(try ws.dump("main") == mainBefore)
        #expect(try ws.dump("staging") == stagingBefore)

        // Fixed, both land together.
        try ws.write(clone, "workflows/bad/definition.yml", Self.corpusWorkflow(id: "bad"))
        try clone.git("commit", "-qam", "fixed")
        let ok = try clone.git("push", "--atomic", "origin", "main", "staging")
        #expect(ok.status == 0, "\(ok)")
        #expect(try ws.show("good")["archived"] as? Bool == false)
        #expect(try ws.show("bad", workspace: "staging")["archived"] as? Bool == false)
    }

    @Test func pushingMainIntoANewWorkspacePromotesUnderItsOwnUUIDs() throws {
        let ws = try WorkspaceFixture("promote", workspaces: ["main", "staging"])
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        let push = try clone.git("push", "origin", "main:staging")
        #expect(push.status == 0, "\(push)")
        let main = try ws.show("triage"), staging = try ws.show("triage", workspace: "staging")
        #expect(staging["spec_hash"] as? String == main["spec_hash"] as? String)
        #expect(staging["uuid"] as? String != main["uuid"] as? String)
        #expect(try clone.git("ls-remote", "origin", "refs/heads/staging").stdout.hasPrefix(clone.git("rev-parse", "main").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Promoting again carries later changes into the other workspace, which keeps its own
    /// UUIDs for the resources it already has.
    @Test func promotingAgainUpdatesUnderTheSameUUIDs() throws {
        let ws = try WorkspaceFixture("promote2", workspaces: ["main", "staging"])
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        try #require(try clone.git("push", "origin", "main:staging").status == 0)
        let stagingUUID = try ws.show("triage", workspace: "staging")["uuid"] as? String
        try ws.put("id: triage\n" + appWorkflow(alias: "triage", title: "Triage v2"))
        try #require(try clone.git("pull", "-q").status == 0)
        let push = try clone.git("push", "origin", "main:staging")
        #expect(push.status == 0, "\(push)")
        let main = try ws.show("triage"), staging = try ws.show("triage", workspace: "staging")
        #expect(staging["uuid"] as? String == stagingUUID)
        #expect(staging["spec_hash"] as? String == main["spec_hash"] as? String)
        #expect("\(staging)".contains("Triage v2"))
    }

    static func corpusWorkflow(id: String) -> String {
        "version: 1\ntype: workflow\nid: \(id)\ndefinition:\n  title: \(id)\n  actions:\n    - ref: a\n      action: core.noop\n"
    }
}
