import Foundation
import Testing
import WorkspaceTestSupport

/// Bad pushes are refused per ref, say why per file with line and column, and leave the
/// store byte-identical (issue 3, done-when 6 and 7).
@Suite struct PushRefusalTests {
    struct BadPush: CustomStringConvertible, Sendable {
        var name: String
        var path: String
        var bytes: [UInt8]
        /// `path:line:column: error:` and a message fragment.
        var diagnostic: String
        var description: String { name }
    }

    static let valid = "version: 1\ntype: workflow\nid: NAME\ndefinition:\n  title: T\n  actions:\n    - ref: a\n      action: core.noop\n"

    static let cases: [BadPush] = [
        BadPush(name: "bad YAML", path: "workflows/bad/definition.yml",
                bytes: Array("version: 1\ntype: [workflow\n".utf8),
                diagnostic: "workflows/bad/definition.yml:3:1: error: "),
        BadPush(name: "cycle", path: "workflows/cyc/definition.yml",
                bytes: Array(valid.replacingOccurrences(of: "NAME", with: "cyc").replacingOccurrences(of: "action: core.noop", with: "action: core.noop\n      depends_on: [a]").utf8),
                diagnostic: "workflows/cyc/definition.yml:7:12: error: dependency cycle: a -> a"),
        BadPush(name: "unknown dependency", path: "workflows/dep/definition.yml",
                bytes: Array(valid.replacingOccurrences(of: "NAME", with: "dep").replacingOccurrences(of: "action: core.noop", with: "action: core.noop\n      depends_on: [nope]").utf8),
                diagnostic: "workflows/dep/definition.yml:9:20: error: action 'a' depends on unknown action 'nope'"),
        BadPush(name: "duplicate source id", path: "workflows/Triage/definition.yml",
                bytes: Array(valid.replacingOccurrences(of: "NAME", with: "Triage").utf8),
                diagnostic: "workflows/Triage/definition.yml:1:1: error: source id 'Triage' differs from 'triage' only by case"),
        BadPush(name: "unknown type", path: "workflows/typo/definition.yml",
                bytes: Array(valid.replacingOccurrences(of: "NAME", with: "typo").replacingOccurrences(of: "type: workflow", with: "type: workfow").utf8),
                diagnostic: "workflows/typo/definition.yml:2:7: error: unknown resource type 'workfow' (known: workflow, variable); a file at this path is a workflow"),
        BadPush(name: "non-UTF-8 definition", path: "workflows/latin/definition.yml",
                bytes: Array(valid.replacingOccurrences(of: "NAME", with: "latin").replacingOccurrences(of: "title: T", with: "title: T").utf8).map { $0 == UInt8(ascii: "T") ? 0xC9 : $0 },
                diagnostic: "workflows/latin/definition.yml:5:10: error: "),
    ]

    @Test(arguments: cases)
    func invalidPushIsRefusedAndChangesNothing(_ bad: BadPush) throws {
        let ws = try WorkspaceFixture("refuse")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        let before = try ws.dump()
        try ws.write(clone, bad.path, bytes: bad.bytes)
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", bad.name)
        let push = try clone.git("push")
        #expect(push.status != 0)
        #expect(push.stderr.contains("! [remote rejected] main -> main"), "\(push)")
        #expect(push.stderr.split(separator: "\n").contains { $0.hasPrefix(bad.diagnostic) }, "\(bad.name): \(push.stderr)")
        #expect(try ws.dump() == before)
        #expect(!push.stderr.contains("Fatal error"))
    }

    @Test func nonFastForwardIsRefusedNamingTheWorkspaceSideChanges() throws {
        let ws = try WorkspaceFixture("nonff")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        try ws.put(appWorkflow(title: "Enrich"))
        let clone = try ws.clone("c")
        // The application changes 'enrich' while the developer changes 'triage'.
        try ws.put("id: enrich\n" + appWorkflow(title: "Enrich more", actions: ["a", "b"]))
        let before = try ws.dump()
        let path = "workflows/triage/definition.yml"
        try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Triage", with: "title: Triage 2"))
        try clone.git("commit", "-qam", "Edit triage")
        let push = try clone.git("push")
        #expect(push.status != 0)
        #expect(push.stderr.contains("! [rejected]        main -> main (fetch first)"), "\(push)")
        #expect(push.stderr.contains("changed in the workspace since your base: workflow enrich"), "\(push)")
        #expect(try ws.dump() == before)

        // After pulling, the same change goes through.
        #expect(try clone.git("pull", "-q", "--no-rebase").status == 0)
        #expect(try clone.git("push", "-q").status == 0)
    }

    /// References between resources hold across a push: a new use must resolve, and a
    /// removal must not strand an unchanged resource that uses the name.
    @Test func crossResourceReferencesAreCheckedAgainstTheWholeWorkspace() throws {
        let ws = try WorkspaceFixture("refs")
        try ws.put("type: variable\nname: slack\nvalues:\n  default: {channel: alerts}\n")
        try ws.put(appWorkflow(title: "Other"))
        let clone = try ws.clone("c")
        let uses = { (name: String) in
            "version: 1\ntype: workflow\nid: notify\ndefinition:\n  title: Notify\n  actions:\n    - ref: a\n      action: core.noop\n      args: {to: \"${{ VARS.\(name).channel }}\"}\n"
        }
        try ws.write(clone, "workflows/notify/definition.yml", uses("teams"))
        try clone.git("add", "-A"); try clone.git("commit", "-qm", "uses an unknown variable")
        let unknown = try clone.git("push")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("workflows/notify/definition.yml:9:18: error: variable 'teams' is not defined in this workspace"), "\(unknown)")

        try ws.write(clone, "workflows/notify/definition.yml", uses("slack"))
        try clone.git("commit", "-qam", "uses the slack variable")
        #expect(try clone.git("push", "-q").status == 0)

        let before = try ws.dump()
        try clone.git("rm", "-q", "variables/slack.yml")
        try clone.git("commit", "-qm", "remove the variable")
        let stranded = try clone.git("push")
        #expect(stranded.status != 0)
        #expect(stranded.stderr.contains("workflows/notify/definition.yml:1:1: error: still uses variable 'slack', which this change removes"), "\(stranded)")
        #expect(try ws.dump() == before)
    }

    /// A document the workspace cannot take as written (renamed onto the id an archived
    /// workflow keeps) is refused, and changes nothing; when the push also has errors the
    /// judgement finds, those are what the refusal names, as when every document was judged
    /// before any was written. (The push writes each document once it is judged alone.)
    @Test func aDocumentThatCannotBeWrittenIsReportedAfterTheJudgedErrors() throws {
        let ws = try WorkspaceFixture("unwritable")
        try ws.put("id: alpha\n" + appWorkflow(title: "Alpha"))
        try ws.put("id: beta\n" + appWorkflow(title: "Beta"))
        try #require(try ws.run.run(["git", "workspace", "app", "rm", ws.store, "beta"]).status == 0)
        let clone = try ws.clone("c")
        let before = try ws.dump()
        try ws.renameWorkflow(in: clone, from: "alpha", to: "beta")
        try ws.write(clone, "workflows/gamma/definition.yml", "version: 1\ntype: workflow\nid: gamma\ndefinition: [\n")
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "alpha becomes beta, and a broken gamma")
        let both = try clone.git("push")
        #expect(both.status != 0)
        #expect(both.stderr.contains("workflows/gamma/definition.yml:"), "\(both)")
        #expect(both.stderr.contains("invalid definitions: 1 error"), "\(both)")
        #expect(!both.stderr.contains("is taken by another"), "\(both)")
        #expect(try ws.dump() == before)

        try clone.git("rm", "-rq", "workflows/gamma")
        try clone.git("commit", "-qm", "no gamma")
        let taken = try clone.git("push")
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("workflows/beta/definition.yml: source id 'beta' is taken by another workflow"), "\(taken)")
        #expect(try ws.dump() == before)
    }
}
