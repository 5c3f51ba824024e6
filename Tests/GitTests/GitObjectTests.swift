import Foundation
import Git
import Testing
import WorkspaceTestSupport

/// Objects built by our writers are the objects git itself builds, and a pack written
/// through libgit2 lands in a repository that `git fsck` accepts.
@Suite struct GitObjectTests {
    /// Ids keep their 20 bytes inline: the bytes, the hex spelling and the order must be
    /// the ones git uses (byte by byte, as `git rev-list --objects | sort` orders hex).
    @Test func objectIDsKeepBytesHexAndOrder() throws {
        let hexes = ["00ff000000000000000000000000000000000001", "0100000000000000000000000000000000000000",
                     "ff00000000000000000000000000000000000000", "00ff0000000000000000000000000000000000ff",
                     "00ff000000000000010000000000000000000000", "00ff000000000000000000000000000000000100",
                     "4b825dc642cb6eb9a060e54bf8d69288fbee4904"]
        let ids = try hexes.map { try #require(ObjectID(hex: $0)) }
        #expect(ids.map(\.hex) == hexes)
        #expect(ids.sorted().map(\.hex) == hexes.sorted())
        #expect(ids.map { ObjectID(bytes: $0.bytes) } == ids)
        #expect(ObjectID(hex: "4B825DC642CB6EB9A060E54BF8D69288FBEE4904") == ids[6])
        #expect(ids[6].bytes.prefix(3) == [0x4b, 0x82, 0x5d])
        #expect(Set(ids).count == ids.count)
        #expect(ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee490") == nil)
        #expect(ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee490g") == nil)
        #expect(ObjectID(bytes: [UInt8](repeating: 1, count: 19)) == nil)
        #expect(ObjectID.zero.isZero && !ids[0].isZero && ObjectID.zero.hex == String(repeating: "0", count: 40))
    }

    @Test func blobTreeAndCommitIDsMatchGit() throws {
        let (git, _) = try repository()
        let blob = RawObject(type: .blob, data: Array("hello\n".utf8))
        #expect(try git.git("hash-object", "--stdin", stdin: "hello\n").stdout == blob.id.hex + "\n")

        let tree = RawObject(type: .tree, data: TreeFormat.serialize([
            TreeEntry(name: "b.txt", mode: TreeEntry.file, id: blob.id),
            TreeEntry(name: "a", mode: TreeEntry.directory, id: ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!),
            TreeEntry(name: "a.txt", mode: TreeEntry.file, id: blob.id),
        ]))
        let mktree = try git.git("mktree", "--missing", stdin: """
        100644 blob \(blob.id.hex)\tb.txt
        040000 tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ta
        100644 blob \(blob.id.hex)\ta.txt

        """)
        #expect(mktree.stdout == tree.id.hex + "\n", "\(mktree)")
        #expect(try TreeFormat.parse(tree.data).map(\.name).map { String(decoding: $0, as: UTF8.self) } == ["a.txt", "a", "b.txt"])

        let author = Signature(name: "Ada Lovelace", email: "ada@example.com", time: 1_700_000_000, offsetMinutes: 90)
        let commit = CommitData(tree: tree.id, parents: [], author: author, committer: author, message: "Create workflow triage")
        let object = RawObject(type: .commit, data: commit.serialize())
        // commit-tree needs the tree in a repository: write the objects there through a pack first.
        let (git2, repo) = try repository()
        try repo.writePack([blob, tree, object, RawObject(type: .tree, data: [])])
        let made = try git2.run(["git", "commit-tree", tree.id.hex, "-m", "Create workflow triage"], extraEnvironment: [
            "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_AUTHOR_DATE": "1700000000 +0130",
            "GIT_COMMITTER_NAME": "Ada Lovelace", "GIT_COMMITTER_EMAIL": "ada@example.com", "GIT_COMMITTER_DATE": "1700000000 +0130",
        ])
        #expect(made.stdout == object.id.hex + "\n", "\(made)")
        let links = try CommitData.parseLinks(object.data)
        #expect(links.tree == tree.id && links.parents.isEmpty)
    }

    @Test func packLandsAndPassesFsck() throws {
        let (git, repo) = try repository()
        var objects: [RawObject] = []
        var entries: [TreeEntry] = []
        for index in 0..<300 {
            let blob = RawObject(type: .blob, data: Array(String(repeating: "line \(index)\n", count: index % 7 + 1).utf8))
            objects.append(blob)
            entries.append(TreeEntry(name: "f\(index).yml", mode: TreeEntry.file, id: blob.id))
        }
        // A stored zlib stream (another level than the pack's own) is copied as the entry.
        let text = Array(String(repeating: "kept compressed\n", count: 100).utf8)
        let kept = RawObject(id: RawObject(type: .blob, data: text).id, type: .blob, data: text,
                             deflated: Zlib.deflate(text, level: Zlib.storeLevel))
        objects.append(kept)
        entries.append(TreeEntry(name: "kept.txt", mode: TreeEntry.file, id: kept.id))
        let big = RawObject(type: .blob, data: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        objects.append(big)
        entries.append(TreeEntry(name: "big.bin", mode: TreeEntry.file, id: big.id))
        let tree = RawObject(type: .tree, data: TreeFormat.serialize(entries))
        objects.append(tree)
        let who = Signature(name: "A", email: "a@example.com", time: 1)
        let commit = RawObject(type: .commit, data: CommitData(tree: tree.id, parents: [], author: who, committer: who, message: "all").serialize())
        objects.append(commit)

        var lastProgress = (0, 0)
        try repo.writePack(objects) { lastProgress = ($0, $1) }
        #expect(lastProgress == (objects.count, objects.count))
        #expect(try repo.hasObject(big.id))
        #expect(try repo.object(big.id)?.data == big.data)
        try git.git("update-ref", "refs/heads/main", commit.id.hex)
        let fsck = try git.git("fsck", "--strict")
        #expect(fsck.status == 0, "\(fsck)")
        #expect(try git.git("ls-tree", "main").stdout.split(separator: "\n").count == 302)
        #expect(try repo.object(kept.id)?.data == text)
        #expect(try repo.object(ObjectID(hex: "0000000000000000000000000000000000000001")!) == nil)
    }

    /// A pack of several megabytes goes to the indexer in chunks through its spool: every
    /// object lands, an object given twice is packed once, the midway point is met once,
    /// and no spool file stays behind in objects/pack.
    @Test func aPackOfSeveralChunksLandsWhole() throws {
        let (git, repo) = try repository()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }
        }
        // Incompressible blobs, 3 MB in all: the pack crosses several one-megabyte chunks.
        let blobs = (0..<1_500).map { _ in RawObject(type: .blob, data: noise(2_048)) }
        var midways = 0
        try repo.writePack(blobs + blobs.prefix(10), midway: { midways += 1 })
        #expect(midways == 1)
        for blob in blobs.enumerated() where blob.offset % 97 == 0 {
            #expect(try repo.object(blob.element.id)?.data == blob.element.data)
        }
        let packs = try FileManager.default.contentsOfDirectory(atPath: repo.gitDir + "objects/pack")
        #expect(packs.filter { $0.hasSuffix(".pack") }.count == 1)
        #expect(!packs.contains { $0.hasPrefix("tmp_spool") })
        let counted = try git.git("count-objects", "-v").stdout
        #expect(counted.contains("in-pack: 1500\n"), "\(counted)")
        #expect(try git.git("fsck", "--strict").status == 0)
    }

    /// A repository just made has no reference (a clone's, while it fetches); one commit
    /// on a branch gives it one.
    @Test func referencesAreFoundWithoutReadingObjects() throws {
        let (git, repo) = try repository()
        #expect(try !repo.hasReferences())
        try #require(try git.git("commit", "-q", "--allow-empty", "-m", "one").status == 0)
        #expect(try repo.hasReferences())
    }

    @Test func diffFindsChangesAndRenames() throws {
        let scratch = try ScratchDirectory("diff")
        let git = Runner(scratch: scratch)
        try git.git("init", "-q")
        let body = (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n"
        try scratch.write("workflows/a/definition.yml", "id: a\n" + body)
        try scratch.write("keep.txt", "same\n")
        try scratch.write("gone.txt", "bye\n")
        try git.git("add", "-A"); try git.git("commit", "-qm", "one")
        try git.git("mv", "workflows/a", "workflows/b")
        try scratch.write("workflows/b/definition.yml", "id: b\n" + body)
        try git.git("rm", "-q", "gone.txt")
        try scratch.write("new.txt", "hi\n")
        try git.git("add", "-A"); try git.git("commit", "-qm", "two")
        let repo = try Repository(gitDir: scratch.path(".git"))
        let old = try repo.treeID(ofCommit: repo.commitID("HEAD~1")), new = try repo.treeID(ofCommit: repo.commitID("HEAD"))
        let changes = try repo.diff(from: old, to: new)
        #expect(Set(changes.map { "\($0.status) \($0.oldPath ?? "-") \($0.newPath ?? "-")" }) == [
            "renamed workflows/a/definition.yml workflows/b/definition.yml", "deleted gone.txt -", "added - new.txt",
        ])
        #expect(try repo.diff(from: nil, to: old).count == 3)
        #expect(try repo.isDescendant(repo.commitID("HEAD"), of: repo.commitID("HEAD~1")))
        #expect(try !repo.isDescendant(repo.commitID("HEAD~1"), of: repo.commitID("HEAD")))
    }
}
