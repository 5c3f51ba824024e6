@testable import Git
import Testing
import WorkspaceTestSupport

/// `Repository.diff` compares trees side by side and asks libgit2 only for renames; what
/// it lists must be what libgit2's own tree diff lists, change for change and in its order.
@Suite struct TreeDiffTests {
    /// A history whose steps change files in every way a tree can: content, the executable
    /// bit, a file becoming a link, a directory becoming a file and back, a submodule added
    /// and moved, files removed, added and renamed.
    func history() throws -> (ScratchDirectory, Repository, [ObjectID]) {
        let scratch = try ScratchDirectory("tree-diff")
        let git = Runner(scratch: scratch)
        try git.git("init", "-q")
        func commit(_ message: String) throws {
            try git.git("add", "-A")
            try #require(try git.git("commit", "-q", "--allow-empty", "-m", message).status == 0)
        }
        func run(_ arguments: String...) throws { try #require(try git.run(Array(arguments)).status == 0) }
        let body = (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n"
        try scratch.write("a.txt", "a\n")
        try scratch.write("exe.sh", "echo\n")
        try scratch.write("dir/x.txt", "x\n")
        try scratch.write("dir/sub/y.txt", "y\n")
        try scratch.write("gone/z.txt", "z\n")
        try scratch.write("m.txt", "m\n")
        try scratch.write("workflows/a/definition.yml", "id: a\n" + body)
        try scratch.write("workflows/b/definition.yml", "id: b\n" + body)
        try run("ln", "-s", "a.txt", scratch.path("link"))
        try commit("one")
        try scratch.write("a.txt", "a changed\n")
        try run("chmod", "+x", scratch.path("exe.sh"))
        try run("rm", scratch.path("link"))
        try scratch.write("link", "now a file\n")
        try run("rm", "-r", scratch.path("dir/sub"), scratch.path("gone"), scratch.path("m.txt"))
        try scratch.write("m.txt/inner", "m\n")
        try scratch.write("b.txt", "b\n")
        try scratch.write("workflows/b/definition.yml", "id: b\n" + body + "more\n")
        try commit("two")
        try git.git("update-index", "--add", "--cacheinfo", "160000,\(String(repeating: "1", count: 40)),mod")
        try #require(try git.git("commit", "-q", "-m", "three").status == 0)
        try run("rm", "-r", scratch.path("dir"))
        try scratch.write("dir", "now a file\n")
        try git.git("rm", "-q", "--cached", "mod")
        try git.git("update-index", "--add", "--cacheinfo", "160000,\(String(repeating: "2", count: 40)),mods/mod")
        try git.git("mv", "workflows/a", "workflows/c")
        try commit("four")
        try run("rm", scratch.path("dir"))
        try scratch.write("dir/x.txt", "x again\n")
        try run("chmod", "-x", scratch.path("exe.sh"))
        try commit("five")
        let repository = try Repository(gitDir: scratch.path(".git"))
        let trees = try (0...4).reversed().map { try repository.treeID(ofCommit: repository.commitID("HEAD~\($0)")) }
        return (scratch, repository, trees)
    }

    @Test func everyPairOfTreesDiffsAsLibgit2Does() throws {
        let (scratch, repository, trees) = try history()
        defer { withExtendedLifetime(scratch) {} }
        var pairs: [(ObjectID?, ObjectID)] = trees.map { (nil, $0) }
        for old in trees { for new in trees { pairs.append((old, new)) } }
        var withRenames = 0
        for (old, new) in pairs {
            let ours = try repository.changedFiles(from: old, to: new)
            #expect(ours == (try repository.libgit2Diff(from: old, to: new, renames: false)),
                    "\(old?.hex ?? "empty") -> \(new.hex)")
            let renamed = try repository.libgit2Diff(from: old, to: new)
            #expect(try repository.diff(from: old, to: new) == renamed)
            if renamed.contains(where: { $0.status == .renamed }) { withRenames += 1 }
        }
        // The history does hold renames (found only through libgit2) and type changes.
        #expect(withRenames > 0)
        #expect(try repository.changedFiles(from: trees[0], to: trees[1]).contains { $0.status == .deleted && $0.oldPath == "link" })
    }
}
