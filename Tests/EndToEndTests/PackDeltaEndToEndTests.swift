import Foundation
import Testing
import WorkspaceTestSupport

/// A workspace's large trees travel as the deltas the store keeps them as, where the pack
/// holds the base: after several application edits, a pull (whose first tree goes whole,
/// its base being the clone's own: packs are never thin) and a fresh clone (every base in
/// the pack) both land, `git fsck` accepts them, and their packs hold tree deltas.
@Suite struct PackDeltaEndToEndTests {
    /// The trees among the delta entries of the packs of `clone` (`git verify-pack -v`).
    func deltaTrees(_ clone: Runner) throws -> Int {
        let directory = clone.directory.appendingPathComponent(".git/objects/pack")
        var count = 0
        for pack in try FileManager.default.contentsOfDirectory(atPath: directory.path) where pack.hasSuffix(".idx") {
            let verified = try clone.git("verify-pack", "-v", directory.appendingPathComponent(pack).path)
            try #require(verified.status == 0, "\(verified)")
            // Delta entries: "id type size size-in-pack offset depth base-id".
            count += verified.lines.filter { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count == 7 && fields[1] == "tree"
            }.count
        }
        return count
    }

    @Test func editsArriveAsTreeDeltasThatLand() throws {
        let ws = try WorkspaceFixture("pack-deltas")
        let writer = try ws.clone("writer")
        // 80 workflows: a workflows/ tree of about 3 KB, which the store keeps as deltas.
        for index in 1...80 {
            try ws.write(writer, "workflows/wf-\(index)/definition.yml", """
                version: 1
                type: workflow
                id: wf-\(index)
                definition:
                  title: Flow \(index)
                  actions:
                    - ref: a
                      action: core.noop

                """)
        }
        try #require(try writer.git("add", "-A").status == 0)
        try #require(try writer.git("commit", "-qm", "Eighty workflows").status == 0)
        let pushed = try writer.git("push", "-q", "origin", "HEAD:main")
        try #require(pushed.status == 0, "\(pushed)")
        let reader = try ws.clone("reader")
        // Two pulls of several edits each. The store numbers the versions of the tree and
        // keeps version g as a delta against g with its lowest bit cleared (ObjectCodec), so
        // the second pull (versions 5 to 7 of a reader holding 4) brings 7 against 6 and 6
        // against 4, which only the reader has: 6 goes whole, 7 as a delta on it.
        for (round, edits) in [1...4, 5...7].enumerated() {
            for edit in edits { try ws.put(appWorkflow(title: "Added \(edit)")) }
            let pulled = try reader.git("pull", "-q", "--ff-only")
            #expect(pulled.status == 0, "pull \(round + 1): \(pulled)")
            #expect(try reader.git("fsck", "--strict").status == 0)
            let files = try reader.git("ls-files").lines
            #expect(files.filter { $0.hasPrefix("workflows/") }.count == 80 + edits.upperBound, "\(files)")
        }
        #expect(Int(try ws.sql("SELECT count(*) FROM objects WHERE encoding = 2").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 7)
        #expect(try deltaTrees(reader) >= 2)

        let fresh = try ws.clone("fresh")
        #expect(try fresh.git("fsck", "--strict").status == 0)
        #expect(try fresh.git("rev-list", "--all", "--objects").lines.count
                == (try reader.git("rev-list", "--all", "--objects").lines.count))
        #expect(try deltaTrees(fresh) >= 7)
    }
}
