import Foundation
import Testing
import WorkspaceTestSupport

/// `git workspace app put` and `app rm` judge like a push: the whole-workspace rules run,
/// diagnostics name the user's own file with its lines and columns, and a refusal leaves the
/// store byte-identical.
@Suite struct AppJudgementTests {
    /// A store holding the variable `slack` and the workflow `notify` that uses it.
    func workspace(_ label: String) throws -> WorkspaceFixture {
        let ws = try WorkspaceFixture(label)
        try ws.put("type: variable\nname: slack\nvalues:\n  default: {channel: '#alerts'}\n")
        try ws.put("""
        type: workflow
        alias: notify
        definition:
          title: Notify
          actions:
            - ref: post
              action: core.http_request
              args:
                url: ${{ VARS.slack.channel }}

        """)
        return ws
    }

    func putFile(_ ws: WorkspaceFixture, _ name: String, _ text: String) throws -> RunResult {
        try ws.scratch.write(name, text)
        return try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", name])
    }

    @Test func aReferenceToAMissingVariableIsRefusedAtItsPlaceInTheUsersFile() throws {
        let ws = try workspace("app-vars")
        let before = try ws.dump()
        let put = try putFile(ws, "triage.yml", """
        # Triage, as the application's editor saved it
        type: workflow
        alias: triage
        definition:
          title: Triage
          actions:
            - ref: fetch
              action: core.http_request
              args:
                url: ${{ VARS.missing.url }}

        """)
        #expect(put.status == 1, "\(put)")
        #expect(put.stderr.contains("triage.yml:10:14: error: variable 'missing' is not defined in this workspace"), "\(put)")
        #expect(try ws.dump() == before)
        // Every clone stays valid: nothing unjudged got in.
        let clone = try ws.clone("c")
        #expect(try clone.run(["git", "workspace", "validate"]).status == 0)
    }

    @Test func aBareDefinitionIsJudgedInItsOwnLinesAndAnUnknownTypeListsTheKinds() throws {
        let ws = try workspace("app-bare")
        let before = try ws.dump()
        let cycle = try putFile(ws, "loop.yml", """
        title: Loop
        actions:
          - ref: a
            action: core.noop
            depends_on: [a]

        """)
        #expect(cycle.status == 1, "\(cycle)")
        #expect(cycle.stderr.contains("loop.yml:3:10: error: dependency cycle: a -> a"), "\(cycle)")
        let typo = try putFile(ws, "typo.yml", "type: workfow\ndefinition: {title: T, actions: []}\n")
        #expect(typo.status == 1, "\(typo)")
        #expect(typo.stderr.contains("typo.yml:1:7: error: unknown resource type 'workfow' (known: workflow, variable)"), "\(typo)")
        let piped = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"], stdin: "type: nothing\n")
        #expect(piped.stderr.contains("<stdin>:1:7: error: unknown resource type 'nothing'"), "\(piped)")
        #expect(try ws.dump() == before)
    }

    @Test func aDuplicateAliasIsRefused() throws {
        let ws = try workspace("app-dup")
        let before = try ws.dump()
        let duplicate = try putFile(ws, "other.yml", "type: workflow\nalias: notify\ndefinition: {title: Other, actions: [{ref: a, action: core.noop}]}\n")
        #expect(duplicate.status == 1, "\(duplicate)")
        #expect(duplicate.stderr.contains("other.yml:2:8: error: workflow-alias 'notify' is already used by workflow notify"), "\(duplicate)")
        #expect(try ws.dump() == before)
    }

    @Test func archivingAResourceOthersStillUseIsRefused() throws {
        let ws = try workspace("app-rm")
        let before = try ws.dump()
        let removed = try ws.run.run(["git", "workspace", "app", "rm", ws.store, "slack"])
        #expect(removed.status == 1, "\(removed)")
        #expect(removed.stderr.contains("workflows/notify/definition.yml:1:1: error: still uses variable 'slack', which this change removes"), "\(removed)")
        #expect(try ws.dump() == before)
        // Once nothing uses it, it archives.
        #expect(try ws.run.run(["git", "workspace", "app", "rm", ws.store, "notify"]).status == 0)
        let again = try ws.run.run(["git", "workspace", "app", "rm", ws.store, "slack"])
        #expect(again.status == 0, "\(again)")
    }

    @Test func aPutThatChangesNothingInSpecSpaceMakesNoCommit() throws {
        let ws = try workspace("app-same")
        let before = try ws.dump()
        let put = try putFile(ws, "notify.yml", """
        # the same workflow, reworded
        type: workflow
        id: notify
        alias: notify
        definition:
          actions:
            - action: core.http_request
              ref: post
              args: {url: '${{ VARS.slack.channel }}'}
          title: Notify
          config: {timeout: 300}

        """)
        #expect(put.status == 0, "\(put)")
        #expect(put.stderr.hasPrefix("unchanged workflow notify"), "\(put)")
        #expect(try ws.dump() == before)
    }

    @Test func accentedTitlesBecomeReadableSourceIDs() throws {
        let ws = try WorkspaceFixture("app-accents")
        let (_, id) = try ws.put(appWorkflow(title: "Café Überwachung"))
        #expect(id == "cafe-uberwachung")
        let clone = try ws.clone("c")
        #expect(FileManager.default.fileExists(atPath: clone.directory.appendingPathComponent("workflows/cafe-uberwachung/definition.yml").path))
    }
}
