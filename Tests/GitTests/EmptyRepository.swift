import Git
import Testing
import WorkspaceTestSupport

/// A repository just made by `git init` in a scratch directory, with a runner for git in it
/// (which keeps the directory alive).
func repository() throws -> (Runner, Repository) {
    let scratch = try ScratchDirectory("git")
    let git = Runner(scratch: scratch)
    try #require(try git.git("init", "-q").status == 0)
    return (git, try Repository(gitDir: scratch.path(".git")))
}
