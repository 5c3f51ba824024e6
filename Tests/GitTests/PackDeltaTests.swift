import Foundation
import Git
import Testing
import WorkspaceTestSupport

/// Deltas the store keeps, carried into packs as they are (REF_DELTA entries), and the
/// tree comparison the transfer walk makes between a tree and its first parent's.
@Suite struct PackDeltaTests {
    /// `count` trees of 300 entries, each one entry away from the one before, with the delta
    /// from the one before (as the store keeps versions of a tree).
    static func versions(_ count: Int) throws -> [(tree: RawObject, delta: [UInt8]?)] {
        var result: [(tree: RawObject, delta: [UInt8]?)] = []
        var previous: [UInt8]?
        for version in 0..<count {
            let data = DeltaTests.tree(300, changed: Set(0..<version), salt: version)
            let delta = try previous.map { try #require(Delta.betweenTrees($0, data)) }
            result.append((RawObject(type: .tree, data: data), delta))
            previous = data
        }
        return result
    }

    /// Deltas whose bases come later in the walk (newest first, as a fetch reads history),
    /// chains of them, and one whose base the pack lacks: every object lands with its
    /// content, the delta entries are copied (the pack is smaller than the trees), and the
    /// object without a base comes in whole, from the content it was added with.
    @Test func deltasWhoseBasesArePackedLandAsDeltas() throws {
        let (git, repo) = try repository()
        let trees = try Self.versions(6)
        let orphanData = DeltaTests.tree(300, changed: [5], salt: 99)
        let missingBase = RawObject(type: .tree, data: DeltaTests.tree(300, changed: [6], salt: 98))
        let orphan = RawObject(type: .tree, data: orphanData)
        let spool = try repo.packSpool()
        for (index, version) in trees.enumerated().reversed() {
            var object = version.tree
            if let delta = version.delta {
                object.delta = ObjectDelta(base: trees[index - 1].tree.id, deflated: Zlib.deflate(delta, level: 6))
            }
            try spool.add(object)
        }
        var withoutBase = orphan
        withoutBase.delta = ObjectDelta(base: missingBase.id,
                                        deflated: Zlib.deflate(try #require(Delta.betweenTrees(missingBase.data, orphanData)), level: 6))
        try spool.add(withoutBase)
        var wholeAsked: [ObjectID] = []
        try spool.settleDeltas(whole: { id in
            wholeAsked.append(id)
            return orphan
        })
        #expect(wholeAsked.isEmpty)
        try repo.writePack(spool)
        for version in trees { #expect(try repo.object(version.tree.id)?.data == version.tree.data) }
        #expect(try repo.object(orphan.id)?.data == orphanData)
        #expect(try git.git("fsck", "--strict").status == 0)
        let verified = try git.git("verify-pack", "-v", try packPath(repo)).stdout
        #expect(verified.contains("chain length = 1: "), "\(verified)")
    }

    /// A delta against an object only the repository has (a fetch of one changed tree) goes
    /// in whole: packs are never thin, so no indexer has to complete them.
    @Test func aDeltaAgainstWhatOnlyTheRepositoryHasGoesWhole() throws {
        let (git, repo) = try repository()
        let trees = try Self.versions(2)
        try repo.writePack([trees[0].tree])
        let spool = try repo.packSpool()
        var next = trees[1].tree
        next.delta = ObjectDelta(base: trees[0].tree.id, deflated: Zlib.deflate(try #require(trees[1].delta), level: 6))
        try spool.add(next)
        try spool.settleDeltas(whole: { _ in
            Issue.record("the object came with its content; nothing should be read again")
            return next
        })
        try repo.writePack(spool)
        #expect(try repo.object(next.id)?.data == next.data)
        #expect(try git.git("fsck", "--strict").status == 0)
        let verified = try git.git("verify-pack", "-v", try packPath(repo, git, holding: next.id)).stdout
        #expect(verified.contains("non delta: 1 object"), "\(verified)")
    }

    /// A chain of deltas whose first base only the repository has (a fetch of several
    /// commits that each changed the tree), added in any order (newest first along a line of
    /// history; mixed where merges join lines): the first goes in whole, the others as deltas
    /// on it, and all land.
    @Test(arguments: [[4, 3, 2, 1], [2, 4, 1, 3], [1, 2, 3, 4]])
    func aChainOfDeltasOnWhatOnlyTheRepositoryHasLands(order: [Int]) throws {
        let (git, repo) = try repository()
        let trees = try Self.versions(5)
        try repo.writePack([trees[0].tree])
        let spool = try repo.packSpool()
        for index in order {
            var object = trees[index].tree
            object.delta = ObjectDelta(base: trees[index - 1].tree.id, deflated: Zlib.deflate(try #require(trees[index].delta), level: 6))
            try spool.add(object)
        }
        try spool.settleDeltas(whole: { id in
            Issue.record("every object came with its content; nothing should be read again")
            return try #require(trees.first { $0.tree.id == id }).tree
        })
        try repo.writePack(spool)
        for version in trees { #expect(try repo.object(version.tree.id)?.data == version.tree.data) }
        #expect(try git.git("fsck", "--strict").status == 0)
        let verified = try git.git("verify-pack", "-v", try packPath(repo, git, holding: trees[4].tree.id)).stdout
        #expect(verified.contains("chain length = 3: 1 object"), "\(verified)")
    }

    /// A delta whose stream does not inflate (a damaged store row) is not copied: the object
    /// is read whole (`whole`), and lands.
    @Test func aDeltaThatDoesNotInflateIsReadWhole() throws {
        let (git, repo) = try repository()
        let trees = try Self.versions(2)
        let spool = try repo.packSpool()
        try spool.add(trees[0].tree)
        var next = trees[1].tree
        next.delta = ObjectDelta(base: trees[0].tree.id, deflated: [0x78, 0x9c, 0x00, 0x01])
        try spool.add(next)
        var wholeAsked: [ObjectID] = []
        try spool.settleDeltas(whole: { id in
            wholeAsked.append(id)
            return trees[1].tree
        })
        #expect(wholeAsked == [next.id])
        try repo.writePack(spool)
        #expect(try repo.object(next.id)?.data == next.data)
        #expect(try git.git("fsck", "--strict").status == 0)
    }

    /// An unsettled delta is never dropped silently: the pack is refused.
    @Test func aPackWithUnsettledDeltasIsRefused() throws {
        let (_, repo) = try repository()
        let trees = try Self.versions(2)
        let spool = try repo.packSpool()
        var next = trees[1].tree
        next.delta = ObjectDelta(base: trees[0].tree.id, deflated: Zlib.deflate(try #require(trees[1].delta), level: 6))
        try spool.add(next)
        #expect(throws: GitError.self) { try repo.writePack(spool) }
    }

    /// The pack of `repo` that holds `id` (`git verify-pack` lists it).
    func packPath(_ repo: Repository, _ git: Runner, holding id: ObjectID) throws -> String {
        let directory = repo.gitDir + "objects/pack/"
        let packs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".pack") }
        return directory + (try #require(packs.first { (try? git.git("verify-pack", "-v", directory + $0).stdout.contains(id.hex)) == true }))
    }

    func packPath(_ repo: Repository) throws -> String {
        let directory = repo.gitDir + "objects/pack/"
        let packs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".pack") }
        return directory + (try #require(packs.first))
    }

    /// `TreeFormat.changed` finds, for trees in git's order, exactly the entries whose id
    /// differs from their namesake's (same name, same kind), with that namesake: added,
    /// removed, changed, a mode changed with the id kept (not a change), a file become a
    /// directory and back (no namesake).
    @Test func changedEntriesAreThoseWhoseIDDiffersFromTheirNamesake() throws {
        func id(_ text: String) -> ObjectID { RawObject(type: .blob, data: Array(text.utf8)).id }
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let names = ["a", "a.b", "a-b", "b", "ab", "a0", "c", "wf-1", "wf-10", "wf-2", "z"]
        for _ in 0..<300 {
            func tree() -> [TreeEntry] {
                names.compactMap { name -> TreeEntry? in
                    switch next(5) {
                    case 0: return nil
                    case 1: return TreeEntry(name: name, mode: TreeEntry.directory, id: id("dir \(next(2))"))
                    case 2: return TreeEntry(name: name, mode: TreeEntry.executable, id: id("file \(next(2))"))
                    default: return TreeEntry(name: name, mode: TreeEntry.file, id: id("file \(next(2))"))
                    }
                }
            }
            let old = tree(), new = tree()
            let oldByName = Dictionary(uniqueKeysWithValues: old.map { ($0.name, $0) })
            let expected = try TreeFormat.parse(TreeFormat.serialize(new)).compactMap { entry -> (TreeEntry, TreeEntry?)? in
                let namesake = oldByName[entry.name].flatMap { $0.isTree == entry.isTree ? $0 : nil }
                return namesake?.id == entry.id ? nil : (entry, namesake)
            }
            let found = try TreeFormat.changed(TreeFormat.serialize(new), from: TreeFormat.serialize(old))
            #expect(found.map(\.entry) == expected.map(\.0))
            #expect(found.map(\.old) == expected.map(\.1))
        }
        let all = try TreeFormat.changed(DeltaTests.tree(5), from: nil)
        #expect(all.count == 5 && all.allSatisfy { $0.old == nil })
        #expect(throws: TreeFormat.Malformed.self) { try TreeFormat.changed(Array("100644 a".utf8), from: nil) }
    }
}
