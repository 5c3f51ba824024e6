import Foundation
@testable import Git
import Testing
import WorkspaceTestSupport

/// A pack whose deltas all have their bases in it is indexed by `PackSpool` itself
/// (`PackIndex`), its objects checked on another thread (`ObjectVerifier`): git must read
/// what it writes as it reads its own, and nothing damaged may land.
@Suite struct PackIndexTests {
    func packFiles(_ repo: Repository) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: repo.gitDir + "objects/pack").sorted()
    }

    /// Streams that store their content as it is: empty, small, and across several blocks.
    @Test func storedStreamsInflateBack() throws {
        for size in [0, 1, 127, 65_535, 65_536, 200_000] {
            let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            let stream = Zlib.stored(data)
            #expect(try Zlib.inflate(stream, size: size) == data, "\(size) bytes")
            #expect(stream.count == size + 6 + 5 * max(1, (size + 0xFFFE) / 0xFFFF), "\(size) bytes")
        }
    }

    /// Whole objects (some with the stream a store keeps, some small enough to go stored)
    /// and deltas against objects of the same pack: `git verify-pack` and `git fsck` accept
    /// the pack and the index written for it, and every object reads back.
    @Test func aSelfContainedPackIsIndexedAsGitWould() throws {
        let (git, repo) = try repository()
        let spool = try repo.packSpool()
        var blobs: [RawObject] = []
        for index in 0..<300 {
            var blob = RawObject(type: .blob, data: Array("blob \(index)\n".utf8) + [UInt8](repeating: UInt8(index % 7), count: index * 13))
            if index % 2 == 0 { blob.deflated = Zlib.deflate(blob.data, level: 6) }
            blobs.append(blob)
        }
        // A tree of all of them, and a second version of it as a delta against the first.
        let entries = blobs.enumerated().map { TreeEntry(name: Array("f\($0.offset)".utf8), mode: TreeEntry.file, id: $0.element.id) }
        let tree = RawObject(type: .tree, data: TreeFormat.serialize(entries.sorted(by: TreeFormat.gitOrder)))
        var changed = entries
        changed[5].id = blobs[6].id
        var next = RawObject(type: .tree, data: TreeFormat.serialize(changed.sorted(by: TreeFormat.gitOrder)))
        let instructions = try #require(Delta.betweenTrees(tree.data, next.data))
        next.delta = ObjectDelta(base: tree.id, deflated: Zlib.deflate(instructions, level: 6))
        for object in blobs + [tree, next] { try spool.add(object) }
        try spool.settleDeltas(whole: { _ in throw GitError(code: -1, operation: "test", message: "no whole object") })
        var reported: [(Int, Int)] = []
        try repo.writePack(spool, progress: { reported.append(($0, $1)) })
        #expect(reported.last.map { [$0.0, $0.1] } == [302, 302])

        let files = try packFiles(repo)
        #expect(files.count == 2 && files.allSatisfy { $0.hasPrefix("pack-") }, "\(files)")
        let index = try #require(files.first { $0.hasSuffix(".idx") })
        let verified = try git.git("verify-pack", "-v", repo.gitDir + "objects/pack/" + index)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout.contains("\(next.id.hex) tree"), "\(verified)")
        #expect(try git.git("fsck", "--strict").status == 0)
        for object in blobs + [tree, next] { #expect(try repo.object(object.id)?.data == object.data) }
        #expect(try git.git("cat-file", "-p", next.id.hex).stdout.contains("f5"))
    }

    /// An object whose content, or whose stream, is not what its id says (a store row
    /// damaged on disk) stops the pack: nothing lands in the repository.
    @Test(arguments: ["content", "stream"])
    func aDamagedObjectNeverLands(damage: String) throws {
        let (git, repo) = try repository()
        let spool = try repo.packSpool()
        for index in 0..<50 { try spool.add(RawObject(type: .blob, data: Array("fine \(index)\n".utf8))) }
        var damaged = RawObject(type: .blob, data: Array("the content the id was made from\n".utf8))
        if damage == "content" {
            damaged.data[4] ^= 0x20
        } else {
            // Of the recorded size, so only its hash tells.
            damaged.deflated = Zlib.deflate(Array("THE CONTENT THE ID WAS MADE FROM\n".utf8), level: 6)
        }
        try spool.add(damaged)
        #expect {
            try repo.writePack(spool)
        } throws: { error in
            "\(error)".contains("object \(damaged.id.hex) is damaged")
        }
        #expect(try packFiles(repo).isEmpty)
        #expect(try git.git("count-objects", "-v").stdout.contains("in-pack: 0\n"))
    }

    /// Offsets past 2 GiB go to the index's table of large offsets, as git reads them.
    @Test func largeOffsetsGoToTheirOwnTable() throws {
        let ids = try ["01", "02", "03"].map { try #require(ObjectID(hex: $0 + String(repeating: "0", count: 38))) }
        let entries = [PackIndex.Entry(id: ids[2], offset: 0x1_2345_6789, crc: 3),
                       PackIndex.Entry(id: ids[0], offset: 12, crc: 1),
                       PackIndex.Entry(id: ids[1], offset: 0x8000_0000, crc: 2)]
        let pack = [UInt8](repeating: 0xAB, count: 20)
        let bytes = PackIndex.bytes(of: entries, pack: pack)
        func word(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        #expect(Array(bytes[0..<8]) == [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2])
        #expect(word(8) == 0 && word(8 + 4) == 1 && word(8 + 4 * 2) == 2 && word(8 + 4 * 255) == 3)
        let names = 8 + 1024, crcs = names + 3 * 20, offsets = crcs + 3 * 4, large = offsets + 3 * 4
        #expect(Array(bytes[names..<(names + 20)]) == ids[0].bytes)
        #expect([word(crcs), word(crcs + 4), word(crcs + 8)] == [1, 2, 3])
        #expect([word(offsets), word(offsets + 4), word(offsets + 8)] == [12, 0x8000_0000, 0x8000_0001])
        #expect([word(large), word(large + 4), word(large + 8), word(large + 12)] == [0, 0x8000_0000, 1, 0x2345_6789])
        #expect(Array(bytes[(large + 16)..<(large + 36)]) == pack)
        #expect(bytes.count == large + 56)
    }
}
