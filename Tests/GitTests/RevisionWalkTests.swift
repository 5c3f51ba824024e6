import Foundation
import Git
import Testing
import WorkspaceTestSupport

/// The revision walk the pre-push hook relies on lists what `git rev-list` lists.
@Suite struct RevisionWalkTests {
    /// main: one - two - three; side branches off at one with a merge back into main;
    /// refs/remotes/team/main stands at two.
    func repository() throws -> (Runner, Repository) {
        let scratch = try ScratchDirectory("walk")
        let git = Runner(scratch: scratch)
        try #require(try git.git("init", "-q", "-b", "main").status == 0)
        for message in ["one", "two"] { try git.git("commit", "-q", "--allow-empty", "-m", message) }
        try git.git("update-ref", "refs/remotes/team/main", "HEAD")
        try git.git("checkout", "-q", "-b", "side", "HEAD~1")
        try git.git("commit", "-q", "--allow-empty", "-m", "side work\n\nwith a body")
        try git.git("checkout", "-q", "main")
        try git.git("commit", "-q", "--allow-empty", "-m", "three")
        try #require(try git.git("merge", "-q", "--no-ff", "--no-edit", "side").status == 0)
        return (git, try Repository(gitDir: scratch.path(".git")))
    }

    func revList(_ git: Runner, _ arguments: String...) throws -> [String] {
        try git.run(["git", "rev-list"] + arguments).stdout.split(separator: "\n").map(String.init)
    }

    @Test func walksLikeRevList() throws {
        let (git, repo) = try repository()
        let head = try repo.commitID("HEAD"), two = try repo.commitID("HEAD^1~1")

        let range = try repo.commits(from: [head], hiding: [two]).map(\.hex)
        #expect(Set(range) == Set(try revList(git, "HEAD", "^\(two.hex)")))
        #expect(range.count == 3)
        // Parents come before their children.
        for (index, id) in range.enumerated() {
            let parents = try revList(git, "--parents", "-n1", id).first!.split(separator: " ").dropFirst().map(String.init)
            for parent in parents where range.contains(parent) {
                #expect(range.firstIndex(of: parent)! < index)
            }
        }

        let hidden = try repo.commits(from: [head], hidingReferences: ["refs/remotes/team/*"]).map(\.hex)
        #expect(Set(hidden) == Set(try revList(git, "HEAD", "--not", "--remotes=team")))
        let nothingHidden = try repo.commits(from: [head], hidingReferences: ["refs/remotes/nobody/*"])
        #expect(nothingHidden.count == 5)
    }

    @Test func peelsAndNamesCommits() throws {
        let (git, repo) = try repository()
        try git.git("tag", "-a", "-m", "release", "v1", "HEAD")
        let tag = try #require(ObjectID(hex: try git.git("rev-parse", "v1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try repo.peeledCommit(tag) == repo.commitID("HEAD"))
        let tree = try repo.treeID(ofCommit: repo.commitID("HEAD"))
        #expect(try repo.peeledCommit(tree) == nil)
        #expect(try repo.peeledCommit(ObjectID(hex: "1111111111111111111111111111111111111111")!) == nil)
        #expect(try repo.commitSubject(repo.commitID("side")) == "side work")
    }
}
