import Foundation
import Testing
import WorkspaceTestSupport

/// `git workspace merge-driver` as git runs it: two people edit one workflow on two branches
/// and `git merge` decides key by key, the way `git workspace install-hooks` configures it.
@Suite struct MergeDriverTests {
    static let path = "workflows/triage/definition.yml"

    /// A workflow with two actions whose arguments the tests edit.
    static let workflow = """
    version: 1
    type: workflow
    id: triage
    definition:
      title: Triage
      actions:
        - ref: fetch
          action: core.http_request
          args:
            url: https://example.com/alerts
            method: GET
        - ref: notify
          action: core.noop
          depends_on: [fetch]
          args:
            channel: general

    """

    /// A repository on `main` holding the workflow and a README, with the driver configured
    /// for every path (so the README goes through it too), and a branch `theirs` beside it.
    func repository() throws -> (ScratchDirectory, Runner) {
        let scratch = try ScratchDirectory("mergedriver")
        let git = Runner(scratch: scratch)
        try #require(try git.git("init", "-q", "-b", "main").status == 0)
        try git.git("config", "merge.workspace.driver", "git workspace merge-driver %O %A %B %P")
        try scratch.write(".gitattributes", "* merge=workspace\n")
        try scratch.write("workspace.json", #"{"version": 1, "resources": {"workflows": "workflows/"}}"#)
        try scratch.write(Self.path, Self.workflow)
        try scratch.write("README.md", "# Triage\n\nOne.\n\nTwo.\n\nThree.\n")
        try git.git("add", "-A")
        try #require(try git.git("commit", "-qm", "base").status == 0)
        try #require(try git.git("branch", "theirs").status == 0)
        return (scratch, git)
    }

    /// Commits `edit` of the file at `path` on `branch`.
    func commit(_ git: Runner, _ scratch: ScratchDirectory, on branch: String, path: String = MergeDriverTests.path,
                _ edit: (String) -> String) throws {
        try #require(try git.git("checkout", "-q", branch).status == 0)
        let old = try String(contentsOfFile: scratch.path(path), encoding: .utf8)
        try scratch.write(path, edit(old))
        let committed = try git.git("commit", "-qam", "edit \(path) on \(branch)")
        try #require(committed.status == 0, "\(committed)")
    }

    func read(_ scratch: ScratchDirectory, _ path: String = MergeDriverTests.path) throws -> String {
        try String(contentsOfFile: scratch.path(path), encoding: .utf8)
    }

    @Test func editsToDifferentActionsMergeCleanlyAndValidate() throws {
        let (scratch, git) = try repository()
        try commit(git, scratch, on: "main") { $0.replacingOccurrences(of: "method: GET", with: "method: POST") }
        try commit(git, scratch, on: "theirs") { $0.replacingOccurrences(of: "channel: general", with: "channel: alerts") }
        try git.git("checkout", "-q", "main")
        let merged = try git.git("merge", "-q", "--no-edit", "theirs")
        #expect(merged.status == 0, "\(merged)")
        let text = try read(scratch)
        #expect(text.contains("method: POST") && text.contains("channel: alerts"), "\(text)")
        #expect(!text.contains("<<<<<<<"))
        // Both sides' edits combined, written canonically (the kind's key order, block style).
        #expect(text.contains("    depends_on:\n    - fetch\n"), "\(text)")
        let validated = try git.run(["git", "workspace", "validate"])
        #expect(validated.status == 0, "\(validated)")
        #expect(try git.git("status", "--porcelain").stdout.isEmpty)
    }

    @Test func theSameKeyEditedBothWaysConflictsAtThatKeyOnly() throws {
        let (scratch, git) = try repository()
        try commit(git, scratch, on: "main") { $0.replacingOccurrences(of: "channel: general", with: "channel: ours") }
        try commit(git, scratch, on: "theirs") {
            $0.replacingOccurrences(of: "channel: general", with: "channel: theirs")
                .replacingOccurrences(of: "method: GET", with: "method: POST")
        }
        try git.git("checkout", "-q", "main")
        let merged = try git.git("merge", "--no-edit", "theirs")
        #expect(merged.status != 0, "\(merged)")
        #expect(merged.stderr.contains("\(Self.path): definition.actions[ref=notify].args.channel: ours \"ours\", theirs \"theirs\""), "\(merged)")
        let text = try read(scratch)
        // Markers around the one conflicting key, labelled as git labels its own; the other
        // key of their side is merged.
        #expect(text.contains("    args:\n<<<<<<< HEAD\n      channel: ours\n=======\n      channel: theirs\n>>>>>>> theirs\n"), "\(text)")
        #expect(text.components(separatedBy: "<<<<<<<").count == 2)
        #expect(text.contains("method: POST"))
        #expect(try git.git("status", "--porcelain").stdout == "UU \(Self.path)\n")
    }

    @Test func convergedEditsInOtherWordsMergeCleanly() throws {
        let (scratch, git) = try repository()
        try commit(git, scratch, on: "main") { $0.replacingOccurrences(of: "title: Triage", with: "title: Triage alerts") }
        try commit(git, scratch, on: "theirs") {
            // The same spec: another title quoting, flow style, a comment and a spelled-out default.
            $0.replacingOccurrences(of: "title: Triage", with: "title: \"Triage alerts\"  # renamed")
                .replacingOccurrences(of: "depends_on: [fetch]", with: "depends_on:\n        - fetch\n      join_strategy: all")
        }
        try git.git("checkout", "-q", "main")
        let merged = try git.git("merge", "-q", "--no-edit", "theirs")
        #expect(merged.status == 0, "\(merged)")
        #expect(try read(scratch).contains("title: Triage alerts"))
        #expect(try git.run(["git", "workspace", "validate"]).status == 0)
    }

    @Test func aNonResourceFileMergesAsText() throws {
        let (scratch, git) = try repository()
        try commit(git, scratch, on: "main", path: "README.md") { $0.replacingOccurrences(of: "One.", with: "One, ours.") }
        try commit(git, scratch, on: "theirs", path: "README.md") { $0.replacingOccurrences(of: "Three.", with: "Three, theirs.") }
        try git.git("checkout", "-q", "main")
        let merged = try git.git("merge", "-q", "--no-edit", "theirs")
        #expect(merged.status == 0, "\(merged)")
        #expect(try read(scratch, "README.md") == "# Triage\n\nOne, ours.\n\nTwo.\n\nThree, theirs.\n")

        try commit(git, scratch, on: "main", path: "README.md") { $0.replacingOccurrences(of: "Two.", with: "Two, ours.") }
        try commit(git, scratch, on: "theirs", path: "README.md") { $0.replacingOccurrences(of: "Two.", with: "Two, theirs.") }
        try git.git("checkout", "-q", "main")
        #expect(try git.git("merge", "--no-edit", "theirs").status != 0)
        #expect(try read(scratch, "README.md").contains("<<<<<<< HEAD\nTwo, ours.\n=======\nTwo, theirs.\n>>>>>>> theirs\n"))
        #expect(try git.git("status", "--porcelain").stdout == "UU README.md\n")
    }

    /// Run by hand: a list both sides changed at different ends is one conflict at that key,
    /// and must carry markers even though its lines would merge as text.
    @Test func aListChangedAtBothEndsStillCarriesMarkers() throws {
        let (scratch, git) = try repository()
        let base = Self.workflow.replacingOccurrences(of: "id: triage\n", with: "id: triage\ntags: [b, c]\n")
        try scratch.write("o.yml", base.replacingOccurrences(of: "id: triage\ntags: [b, c]", with: "id: triage\ntags: [b, c, d]"))
        try scratch.write("b.yml", base)
        try scratch.write("t.yml", base.replacingOccurrences(of: "id: triage\ntags: [b, c]", with: "id: triage\ntags: [a, b, c]"))
        let driven = try git.run(["git", "workspace", "merge-driver", "b.yml", "o.yml", "t.yml", Self.path])
        #expect(driven.status == 1, "\(driven)")
        #expect(driven.stderr == "\(Self.path): tags: ours [\"b\",\"c\",\"d\"], theirs [\"a\",\"b\",\"c\"]\n")
        let text = try read(scratch, "o.yml")
        #expect(text.contains("tags:\n<<<<<<< ours\n- b\n- c\n- d\n=======\n- a\n- b\n- c\n>>>>>>> theirs\n"), "\(text)")
    }

    /// A side that is not even YAML merges as text; nothing crashes.
    @Test func aBrokenSideFallsBackToText() throws {
        let (scratch, git) = try repository()
        try scratch.write("b.yml", Self.workflow)
        try scratch.write("o.yml", Self.workflow.replacingOccurrences(of: "title: Triage", with: "title: [unclosed"))
        try scratch.write("t.yml", Self.workflow.replacingOccurrences(of: "channel: general", with: "channel: alerts"))
        let driven = try git.run(["git", "workspace", "merge-driver", "b.yml", "o.yml", "t.yml", Self.path])
        #expect(driven.status == 0, "\(driven)")
        let text = try read(scratch, "o.yml")
        #expect(text.contains("title: [unclosed") && text.contains("channel: alerts"))
        let missing = try git.run(["git", "workspace", "merge-driver", "nope.yml", "o.yml", "t.yml", Self.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read nope.yml"))
    }
}
