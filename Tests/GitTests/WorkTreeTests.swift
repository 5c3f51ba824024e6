import Foundation
import Git
import Testing
import WorkspaceTestSupport

/// What `git workspace status` asks of a repository: its branch, refs, remotes and the paths
/// whose work-tree content differs from a tree, as `git status` would list them.
@Suite struct WorkTreeTests {
    func repository() throws -> (ScratchDirectory, Runner, Repository) {
        let scratch = try ScratchDirectory("worktree")
        let git = Runner(scratch: scratch)
        try #require(try git.git("init", "-q", "-b", "main").status == 0)
        return (scratch, git, try Repository(discoveringFrom: scratch.url.path))
    }

    @Test func anUnbornBranchHasANameButNoCommit() throws {
        let (_, git, repository) = try repository()
        #expect(try repository.currentBranch() == "main")
        #expect(try repository.reference("HEAD") == nil)
        try git.git("commit", "-q", "--allow-empty", "-m", "first")
        let head = try repository.reference("HEAD")
        #expect(head?.hex == (try git.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try repository.reference("refs/remotes/origin/main") == nil)
        try git.git("checkout", "-q", "--detach")
        #expect(try repository.currentBranch() == nil)
    }

    @Test func branchNamesAreChecked() throws {
        #expect(Repository.isValidReferenceName("refs/heads/main"))
        #expect(!Repository.isValidReferenceName("refs/heads/a b"))
    }

    @Test func workTreeChangesCoverTheIndexTheDiskAndUntrackedFilesUnderTheGivenDirectories() throws {
        let (scratch, git, repository) = try repository()
        try scratch.write("workflows/a/definition.yml", "a\n")
        try scratch.write("workflows/b/definition.yml", "b\n")
        try scratch.write("workflows/c/definition.yml", "c\n")
        try scratch.write("README.md", "r\n")
        try git.git("add", "-A")
        try git.git("commit", "-qm", "base")
        let tree = try repository.treeID(ofCommit: try #require(try repository.reference("HEAD")))
        #expect(try repository.workTreeChanges(against: tree, under: ["workflows/"]).isEmpty)

        try scratch.write("workflows/a/definition.yml", "a, staged\n")
        try git.git("add", "workflows/a/definition.yml")
        try scratch.write("workflows/b/definition.yml", "b, on disk\n")
        try FileManager.default.removeItem(atPath: scratch.path("workflows/c/definition.yml"))
        try scratch.write("workflows/d/definition.yml", "d, untracked\n")
        try scratch.write("workflowsX/e.yml", "outside the directory\n")
        try scratch.write("README.md", "changed, outside\n")
        try scratch.write(".gitignore", "*.tmp\n")
        try scratch.write("workflows/ignored.tmp", "ignored\n")
        let changed = try repository.workTreeChanges(against: tree, under: ["workflows/"])
        #expect(Set(changed) == ["workflows/a/definition.yml", "workflows/b/definition.yml",
                                 "workflows/c/definition.yml", "workflows/d/definition.yml"])
        #expect(Set(try repository.workTreeChanges(against: tree)).isSuperset(of: ["README.md", "workflowsX/e.yml", ".gitignore"]))
        // Against no tree, everything present is an addition.
        #expect(Set(try repository.workTreeChanges(against: nil, under: ["workflows"])) == [
            "workflows/a/definition.yml", "workflows/b/definition.yml", "workflows/d/definition.yml"])
    }
}
