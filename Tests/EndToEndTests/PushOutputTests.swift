import Foundation
import Testing
import WorkspaceTestSupport

/// What the tools say: quiet by default with progress when git asks for it, the per-resource
/// detail on request, every diagnostic naming its workspace in a push of several, and the
/// small things a user meets first (help, shallow clones).
@Suite struct PushOutputTests {
    func workspace(_ label: String, count: Int, workspaces: [String] = ["main"]) throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture(label, workspaces: workspaces)
        for index in 1...count { try ws.put(appWorkflow(title: "Flow \(index)")) }
        return (ws, try ws.clone("c"))
    }

    /// Retitles every workflow of the clone and commits.
    func retitleAll(_ ws: WorkspaceFixture, _ clone: Runner, count: Int) throws {
        for index in 1...count {
            let path = "workflows/flow-\(index)/definition.yml"
            try ws.write(clone, path, try ws.read(clone, path).replacingOccurrences(of: "title: Flow", with: "title: Renamed flow"))
        }
        try #require(try clone.git("commit", "-qam", "Retitle all").status == 0)
    }

    @Test func aPushShowsProgressThenOneSummaryLinePerWorkspace() throws {
        let (ws, clone) = try workspace("progress", count: 12)
        try retitleAll(ws, clone, count: 12)
        let pushed = try clone.git("push", "--progress")
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stderr.contains("Importing resources: 100% (12/12), done.\n"), "\(pushed)")
        #expect(pushed.stderr.contains("Importing resources:  50% (6/12)\r"), "\(pushed)")
        #expect(pushed.stderr.contains("workspace main: 12 updated\n"), "\(pushed)")
        #expect(!pushed.stderr.contains("update  workflow"), "\(pushed)")
    }

    @Test func verboseListsEveryResourceAndQuietSaysNothing() throws {
        let (ws, clone) = try workspace("verbose", count: 2)
        try retitleAll(ws, clone, count: 2)
        let verbose = try clone.git("push", "-v", "--dry-run")
        #expect(verbose.stderr.contains("workspace main: would update  workflow flow-1\nworkspace main: would update  workflow flow-2\n"), "\(verbose)")
        let quiet = try clone.git("push", "-q")
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stderr.isEmpty, "\(quiet)")
        #expect(!(try clone.git("push", "--progress").stderr.contains("Importing")))
    }

    @Test func aPushOfSeveralBranchesNamesTheWorkspaceInEachDiagnostic() throws {
        let (ws, clone) = try workspace("multi", count: 1, workspaces: ["main", "staging"])
        try #require(try clone.git("push", "-q", "origin", "main:staging").status == 0)
        try #require(try clone.git("checkout", "-qb", "staging").status == 0)
        try ws.write(clone, "workflows/broken/definition.yml", "version: 1\ntype: workflow\nid: broken\ndefinition: {title: B, actions: []}\n")
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "broken on staging")
        try #require(try clone.git("checkout", "-q", "main").status == 0)
        try ws.write(clone, "workflows/flow-1/definition.yml",
                     try ws.read(clone, "workflows/flow-1/definition.yml").replacingOccurrences(of: "title: Flow 1", with: "title: One"))
        try clone.git("commit", "-qam", "fine on main")
        let pushed = try clone.git("push", "origin", "main", "staging")
        #expect(pushed.status != 0, "\(pushed)")
        #expect(pushed.stderr.contains("workflows/broken/definition.yml:4:33: error: a workflow needs at least one action (workspace staging)"), "\(pushed)")
        #expect(pushed.stderr.contains("workspace main: 1 updated"), "\(pushed)")
    }

    @Test func validateHelpWorksLikeEveryOtherCommand() throws {
        let scratch = try ScratchDirectory("help")
        let runner = Runner(scratch: scratch)
        for flag in ["--help", "-h"] {
            let help = try runner.run(["git-workspace", "validate", flag])
            #expect(help.status == 0, "\(flag): \(help)")
            #expect(help.stdout.contains("USAGE: git-workspace validate"), "\(flag): \(help)")
        }
        // After `--`, it is a path like any other.
        let path = try runner.run(["git-workspace", "validate", "--", "--help"])
        #expect(path.status == 2, "\(path)")
        #expect(path.stderr.contains("no such file or directory: --help"), "\(path)")
    }

    @Test func aShallowCloneSaysItIsWhole() throws {
        let ws = try WorkspaceFixture("depth")
        try ws.put(appWorkflow(title: "A"))
        try ws.put(appWorkflow(title: "B"))
        let cloned = try ws.run.git("clone", "--depth", "1", ws.url, "shallow")
        #expect(cloned.status == 0, "\(cloned)")
        #expect(cloned.stderr.contains("workspace: shallow clones and fetches are not supported (--depth); this fetch brings the whole history"), "\(cloned)")
        #expect(try ws.run.git("rev-list", "--count", "HEAD", in: "shallow").stdout == "2\n")
    }

    @Test func preCommitWarnsOnlyAboutThePathsBeingCommitted() throws {
        let ws = try WorkspaceFixture("precommit-warn")
        let odd = { (id: String) in "version: 1\ntype: workflow\nid: \(id)\ndefinition:\n  title: T\n  colour: blue\n  actions:\n    - {ref: a, action: core.noop}\n" }
        try ws.put(odd("old"))
        let clone = try ws.clone("c")
        try #require(try clone.run(["git", "workspace", "install-hooks"]).status == 0)
        try ws.write(clone, "workflows/new/definition.yml", odd("new"))
        try clone.git("add", "workflows/new/definition.yml")
        let committed = try clone.git("commit", "-qm", "new")
        #expect(committed.status == 0, "\(committed)")
        #expect(committed.stderr.contains("workflows/new/definition.yml:6:3: warning: unknown key 'colour'"), "\(committed)")
        #expect(!committed.stderr.contains("workflows/old/"), "\(committed)")
    }
}
