import Git
import Testing

/// The zlib and delta formats the store keeps objects in: round trips, and refusals of
/// anything that does not decode to exactly what was stored.
@Suite struct DeltaTests {
    /// A tree of `count` file entries named `wf-<n>`, the entry `changed` (if any) with another id.
    static func tree(_ count: Int, changed: Set<Int> = [], salt: Int = 1) -> [UInt8] {
        TreeFormat.serialize((0..<count).map { index in
            let content = changed.contains(index) ? "changed \(index) \(salt)" : "file \(index)"
            return TreeEntry(name: "wf-\(index)", mode: TreeEntry.directory, id: RawObject(type: .blob, data: Array(content.utf8)).id)
        })
    }

    @Test func zlibRoundTripsAndRefusesWhatIsNotItsContent() throws {
        let data = Array(String(repeating: "name: value\n", count: 500).utf8)
        let stream = Zlib.deflate(data, level: Zlib.storeLevel)
        #expect(stream.count < data.count / 10)
        #expect(try Zlib.inflate(stream, size: data.count) == data)
        #expect(try Zlib.inflate(stream, size: nil) == data)
        #expect(try Zlib.inflate(Zlib.deflate([], level: 1), size: 0) == [])
        #expect(throws: Zlib.Malformed.self) { try Zlib.inflate(stream, size: data.count - 1) }
        #expect(throws: Zlib.Malformed.self) { try Zlib.inflate(stream, size: data.count + 1) }
        #expect(throws: Zlib.Malformed.self) { try Zlib.inflate(Array(stream.dropLast()), size: data.count) }
        #expect(throws: Zlib.Malformed.self) { try Zlib.inflate(stream + [0], size: data.count) }
        #expect(throws: Zlib.Malformed.self) { try Zlib.inflate([0, 1, 2], size: nil) }
    }

    @Test func aTreeDeltaAppliesBackAndIsSmall() throws {
        let base = Self.tree(10_000)
        for changed in [Set<Int>(), [0], [9_999], [17, 4_000, 9_998]] {
            let target = Self.tree(10_000, changed: changed)
            let delta = try #require(Delta.betweenTrees(base, target))
            #expect(try Delta.apply(delta, to: base) == target)
            #expect(delta.count <= 10 + changed.count * 30, "\(changed): \(delta.count) bytes")
        }
        // Entries added and removed, a mode changed: inserted whole.
        var entries = try TreeFormat.parse(base)
        entries.removeFirst(3)
        entries[10].mode = TreeEntry.file
        entries.append(TreeEntry(name: "new", mode: TreeEntry.file, id: entries[0].id))
        let target = TreeFormat.serialize(entries)
        let delta = try #require(Delta.betweenTrees(base, target))
        #expect(try Delta.apply(delta, to: base) == target)
        #expect(delta.count < 200)
        // A tree not in git's order (made by hand: each entry serialized alone, last first)
        // only loses matches: the delta still makes the target, either way round.
        let unordered = try TreeFormat.parse(Self.tree(50, changed: [7])).reversed().flatMap { TreeFormat.serialize([$0]) }
        let ordered = Self.tree(50)
        #expect(try Delta.apply(try #require(Delta.betweenTrees(ordered, unordered)), to: ordered) == unordered)
        #expect(try Delta.apply(try #require(Delta.betweenTrees(unordered, ordered)), to: unordered) == ordered)
        // An entry in the same place with other bytes (a zero-padded directory mode, an
        // executable bit) is inserted, and the entries after it are still copied.
        let id = RawObject(type: .blob, data: Array("x".utf8)).id
        func raw(_ entries: [(mode: String, name: String)]) -> [UInt8] {
            entries.flatMap { entry in Array("\(entry.mode) \(entry.name)".utf8) + [0] + id.bytes }
        }
        let tail = (0..<50).map { (mode: "100644", name: "z\($0)") }
        let padded = raw([(mode: "040000", name: "a"), (mode: "100644", name: "b")] + tail)
        let plain = raw([(mode: "40000", name: "a"), (mode: "100755", name: "b")] + tail)
        let reshaped = try #require(Delta.betweenTrees(padded, plain))
        #expect(try Delta.apply(reshaped, to: padded) == plain)
        #expect(reshaped.count < 80, "\(reshaped.count) bytes: the 50 entries after the two were not copied")
        // Large copies and inserts are split into instructions git can say.
        let big = Self.tree(600_000)
        let grown = Self.tree(600_000, changed: Set(0..<100))
        #expect(try Delta.apply(try #require(Delta.betweenTrees(big, grown)), to: big) == grown)
        #expect(try Delta.apply(try #require(Delta.betweenTrees([], big)), to: []) == big)
    }

    @Test func aDeltaForAnotherBaseOrCutShortIsRefused() throws {
        let base = Self.tree(100), target = Self.tree(100, changed: [5])
        let delta = try #require(Delta.betweenTrees(base, target))
        #expect(throws: Delta.Malformed.self) { try Delta.apply(delta, to: Array(base.dropLast())) }
        #expect(throws: Delta.Malformed.self) { try Delta.apply(Array(delta.dropLast()), to: base) }
        #expect(throws: Delta.Malformed.self) { try Delta.apply(delta + [0], to: base) }
        #expect(throws: Delta.Malformed.self) { try Delta.apply([], to: base) }
        #expect(Delta.betweenTrees(base, Array("not a tree".utf8)) == nil)
    }
}
