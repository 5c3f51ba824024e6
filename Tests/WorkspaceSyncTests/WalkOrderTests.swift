@testable import Git
import Testing
@testable import WorkspaceSync
import WorkspaceTestSupport

/// The walk that lists what a push brings hands its commits and trees over one at a time,
/// and a push stores them a batch at a time as they come (`PushImporter.Batch`). A tree is
/// kept as a delta only against a tree already stored, so the walk must give each tree's
/// base (the tree its commit's first parent had at the same path) before the tree.
@Suite struct WalkOrderTests {
    /// A history of 40 workflows with a side branch merged back: one, a side commit and a
    /// main commit each changing one workflow, their merge, and a commit after it.
    func history() throws -> (ScratchDirectory, Repository) {
        let scratch = try ScratchDirectory("walk-order")
        let git = Runner(scratch: scratch)
        try #require(try git.git("init", "-q", "-b", "main").status == 0)
        func workflow(_ index: Int, _ title: String) throws {
            try scratch.write("workflows/wf-\(index)/definition.yml", "id: wf-\(index)\ntitle: \(title)\n")
        }
        func commit(_ message: String) throws {
            try #require(try git.git("add", "-A").status == 0)
            try #require(try git.git("commit", "-qm", message).status == 0)
        }
        for index in 1...40 { try workflow(index, "Flow \(index)") }
        try scratch.write("workspace.json", "{}\n")
        try commit("one")
        try #require(try git.git("checkout", "-qb", "side").status == 0)
        try workflow(1, "Side")
        try commit("side")
        try #require(try git.git("checkout", "-q", "main").status == 0)
        try workflow(2, "Main")
        try commit("main")
        try #require(try git.git("merge", "-q", "--no-edit", "side").status == 0)
        try workflow(3, "After")
        try commit("after")
        return (scratch, try Repository(gitDir: scratch.path(".git")))
    }

    /// Walks `tip` as a push into an empty store does; the objects collected, in order, each
    /// with its base, and the blobs listed.
    func walk(_ repository: Repository, from tip: ObjectID) throws -> (collected: [(id: ObjectID, base: ObjectID?)], listed: [ObjectID]) {
        var collected: [(id: ObjectID, base: ObjectID?)] = []
        var walk = Transfer.Walk(read: { ids in try ids.map(repository.pushed) }, readKnown: repository.pushed,
                                 has: { _ in [] }, collect: { object, base in collected.append((object.id, base)) })
        walk.listBlobs = true
        walk.batch = 1
        let listed = try walk.objects(from: tip)
        return (collected, listed.map(\.id))
    }

    @Test func everyTreeComesAfterItsBase() throws {
        let (scratch, repository) = try history()
        let git = Runner(scratch: scratch)
        func id(_ revision: String) throws -> ObjectID {
            let parsed = try git.git("rev-parse", revision)
            try #require(parsed.status == 0, "\(parsed)")
            return try #require(ObjectID(hex: parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let (collected, listed) = try walk(repository, from: try id("HEAD"))

        // Everything the history holds, each object once: commits and trees collected,
        // blobs listed.
        let all = try git.git("rev-list", "--objects", "HEAD")
        try #require(all.status == 0)
        let expected = Set(all.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.flatMap { ObjectID(hex: String($0)) } })
        #expect(collected.count == Set(collected.map(\.id)).count, "an object collected twice")
        #expect(listed.count == Set(listed).count, "a blob listed twice")
        #expect(Set(collected.map(\.id)).union(listed) == expected)
        #expect(Set(collected.map(\.id)).isDisjoint(with: listed))

        // Every base that is collected at all comes before the trees it is the base of.
        var position: [ObjectID: Int] = [:]
        for (index, object) in collected.enumerated() { position[object.id] = index }
        let based = collected.enumerated().filter { $0.element.base != nil }
        #expect(!based.isEmpty)
        for (index, object) in based {
            let base = try #require(object.base)
            let at = try #require(position[base], "base \(base.hex) of \(object.id.hex) is not among the pushed objects")
            #expect(at < index, "tree \(object.id.hex) comes before its base \(base.hex)")
        }
        // The bases are the first parents' trees at the same paths.
        let bases = Dictionary(collected.compactMap { object in object.base.map { (object.id, $0) } }, uniquingKeysWith: { first, _ in first })
        for commit in ["HEAD", "HEAD^", "HEAD^^2", "HEAD^^"] {
            #expect(bases[try id("\(commit):workflows")] == (try id("\(commit)^:workflows")), "\(commit)")
        }
    }

    /// A fetch's walk (`readInIDOrder`) asks for each level's objects in the order of their
    /// ids, batch after batch, the order a store keeps its rows in, and collects the same
    /// objects as a walk in tree order.
    @Test func aFetchWalkReadsEachLevelInIDOrder() throws {
        let (scratch, repository) = try history()
        defer { withExtendedLifetime(scratch) {} }
        let tip = try repository.commitID("HEAD")
        func walk(inIDOrder: Bool) throws -> (reads: [[ObjectID]], collected: [(id: ObjectID, base: ObjectID?)]) {
            var reads: [[ObjectID]] = [], collected: [(id: ObjectID, base: ObjectID?)] = []
            var walk = Transfer.Walk(read: { ids in reads.append(ids); return try ids.map(repository.pushed) },
                                     readKnown: repository.pushed, has: { _ in [] },
                                     collect: { object, base in collected.append((object.id, base)) })
            walk.readInIDOrder = inIDOrder
            walk.batch = 5
            _ = try walk.objects(from: tip)
            return (reads, collected)
        }
        let ordered = try walk(inIDOrder: true), plain = try walk(inIDOrder: false)
        #expect(Set(ordered.collected.map(\.id)) == Set(plain.collected.map(\.id)) && ordered.collected.count > 80)
        // A tree entered against a base still comes after it: the versions of `workflows/`
        // (each the next one's base) keep the walk's order, so a pack's spool keeps none whole.
        let position = Dictionary(ordered.collected.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let withBase = ordered.collected.enumerated().filter { $0.element.base.flatMap { position[$0] } != nil }
        #expect(withBase.count >= 4)
        for (index, object) in withBase { #expect(position[object.base!]! < index, "\(object.id.hex) before its base") }
        // What is entered against no base comes in one ascending run per level: a batch
        // starts below where the previous one ended only when a new level starts, and the
        // levels here are few.
        let based = Set(ordered.collected.filter { $0.base != nil }.map(\.id))
        func runs(_ reads: [[ObjectID]]) -> Int {
            let ids = reads.flatMap { $0 }.filter { !based.contains($0) }
            return 1 + zip(ids, ids.dropFirst()).filter { !($0 < $1) }.count
        }
        #expect(runs(ordered.reads) <= 8, "\(runs(ordered.reads)) ascending runs in \(ordered.reads.count) reads")
        #expect(runs(plain.reads) > 8, "the history does not tell the orders apart")
    }

    /// Commits come out after those of their parents that are among them, each once, however
    /// they were met (here newest first, as a walk from the tip meets them).
    @Test func parentsFirstPlacesEveryCommitAfterItsParents() throws {
        // Ids 1...7: 1 <- 2 <- 3, 2 <- 4 <- 5, 6 merges 3 and 5, 7 follows 6; 0 is a parent
        // outside the list (the store has it).
        let ids = (0...7).map { number in ObjectID(bytes: [UInt8](repeating: 0, count: 19) + [UInt8(number)])! }
        let parents: [Int: [Int]] = [1: [0], 2: [1], 3: [2], 4: [2], 5: [4], 6: [3, 5], 7: [6]]
        let met = [7, 6, 3, 5, 2, 4, 1].map { ids[$0] }
        let ordered = Transfer.Walk.parentsFirst(met, parents: { id in parents[ids.firstIndex(of: id)!, default: []].map { ids[$0] } })
        #expect(ordered.count == met.count && Set(ordered) == Set(met))
        for (child, itsParents) in parents {
            for parent in itsParents where parent != 0 {
                #expect(ordered.firstIndex(of: ids[parent])! < ordered.firstIndex(of: ids[child])!, "\(parent) before \(child)")
            }
        }
    }
}
