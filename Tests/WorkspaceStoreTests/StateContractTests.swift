import Testing
import WorkspaceStore
import YAML

/// The contract for heads, objects, the cursor, the change log, atomicity, isolation and durability.
@Suite struct StateContractTests {
    @Test(arguments: StoreKind.all)
    func moveHeadIsCompareAndSwap(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        try store.write("main") { ws in
            try ws.putObjects([commit(1), commit(2)])
            try ws.moveHead(from: nil, to: oid(1))
            #expect(ws.head == oid(1), "the transaction sees its own move")
        }
        expectStoreError(.staleHead) { try store.write("main") { try $0.moveHead(from: nil, to: oid(2)) } }
        expectStoreError(.staleHead) { try store.write("main") { try $0.moveHead(from: oid(2), to: oid(2)) } }
        #expect(try store.read("main") { $0.head } == oid(1))
        expectStoreError(.notFound) { try store.write("main") { try $0.moveHead(from: oid(1), to: oid(3)) } }
        expectStoreError(.invalidArgument) { try store.write("main") { try $0.moveHead(from: oid(1), to: "HEAD") } }
        try store.write("main") { ws in
            try ws.putObjects([GitObject(oid: oid(9), type: .blob, data: [1])])
        }
        expectStoreError(.invalidArgument) { try store.write("main") { try $0.moveHead(from: oid(1), to: oid(9)) } }
        try store.write("main") { try $0.moveHead(from: oid(1), to: oid(2)) }
        #expect(try store.read("main") { $0.head } == oid(2))
    }

    @Test(arguments: StoreKind.all)
    func objectsPutTwiceAreStoredOnce(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        let blob = GitObject(oid: oid(7), type: .blob, data: [0, 255, 10, 13])
        try store.write("main") { try $0.putObjects([blob, commit(1)]) }
        let once = try store.dump("main")
        try store.write("main") { ws in
            try ws.putObjects([blob, GitObject(oid: oid(7), type: .blob, data: [9])])  // existing id: ignored
        }
        #expect(try store.dump("main") == once)
        #expect(once.components(separatedBy: "object ").count - 1 == 2)
        try store.read("main") { (ws) throws in
            #expect(try ws.object(oid(7)) == blob)
            #expect(try ws.hasObject(oid(1)))
            #expect(try !ws.hasObject(oid(2)))
            #expect(try ws.object(oid(2)) == nil)
        }
        expectStoreError(.invalidArgument) {
            try store.write("main") { try $0.putObjects([GitObject(oid: oid(3).uppercased() + "A", type: .blob, data: [])]) }
        }
    }

    @Test(arguments: StoreKind.all)
    func cursorAndChangeLogAdvanceMonotonically(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        var seen: [Int] = []
        for _ in 0..<3 { seen.append(try store.write("main") { try $0.advanceCursor() }) }
        #expect(seen == [1, 2, 3])
        #expect(try store.read("main") { $0.cursor } == 3)
        let change = Change(uuid: nil, action: .push, authorName: "Ada", authorEmail: "ada@example.com",
                            time: 1_700_000_000, tzOffsetMinutes: -90, message: "import\n\nbody")
        let (first, second) = try store.write("main") { ws in
            (try ws.appendChange(change), try ws.appendChange(Change(uuid: "u", action: .put, authorName: "B",
                                                                     authorEmail: "b@x", time: 1, message: "m")))
        }
        #expect(second > first)
        try store.write("main") { ws in
            try ws.putObjects([commit(5)])
            try ws.setChangeCommit(seq: first, commit: oid(5))
        }
        expectStoreError(.notFound) { try store.write("main") { try $0.setChangeCommit(seq: 999, commit: oid(5)) } }
        try store.read("main") { ws in
            let log = try ws.changes(after: 0)
            var expected = change
            expected.seq = first
            expected.commit = oid(5)
            #expect(log.first == expected)
            #expect(log.map(\.seq) == [first, second])
            #expect(try ws.changes(after: first).map(\.seq) == [second])
        }
    }

    @Test(arguments: StoreKind.all)
    func aThrowingWriteChangesNothing(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        let uuid = try store.write("main") { ws in
            try ws.putObjects([commit(1)])
            try ws.moveHead(from: nil, to: oid(1))
            let resource = try ws.insertResource(kind: "workflow", spec: workflowSpec("a"))
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "a", uuid: resource.uuid))
            return resource.uuid
        }
        let before = try store.dump("main")
        #expect(throws: Boom.self) {
            try store.write("main") { ws in
                try ws.updateResource(uuid: uuid, spec: workflowSpec("b"))
                try ws.setArchived(uuid: uuid, true)
                _ = try ws.insertResource(kind: "variable", spec: .int(1))
                try ws.setMapping(Mapping(kind: "workflow", sourceID: "b", uuid: uuid, lastSyncedSpecHash: "v1:x"))
                try ws.putObjects([commit(2)])
                try ws.moveHead(from: oid(1), to: oid(2))
                try ws.advanceCursor()
                try ws.appendChange(Change(uuid: uuid, action: .put, authorName: "a", authorEmail: "a@b",
                                           time: 0, message: "m"))
                throw Boom()
            }
        }
        #expect(try store.dump("main") == before)
    }

    @Test(arguments: StoreKind.all)
    func workspacesAreIsolated(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("a")
        try store.createWorkspace("b")
        let uuid = try store.write("b") { ws in
            try ws.putObjects([commit(1)])
            try ws.moveHead(from: nil, to: oid(1))
            return try ws.insertResource(kind: "workflow", spec: .null).uuid
        }
        let before = try store.dump("b")
        try store.write("a") { ws in
            #expect(try !ws.hasObject(oid(1)), "objects are per workspace")
            #expect(try ws.resource(uuid: uuid) == nil)
            expectStoreError(.notFound) { try ws.setMapping(Mapping(kind: "workflow", sourceID: "x", uuid: uuid)) }
            try ws.putObjects([commit(1), commit(2)])
            try ws.moveHead(from: nil, to: oid(2))
            let mine = try ws.insertResource(kind: "workflow", spec: .int(2))
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "x", uuid: mine.uuid))
            try ws.advanceCursor()
            try ws.appendChange(Change(uuid: mine.uuid, action: .put, authorName: "a", authorEmail: "a@b",
                                       time: 0, message: "m"))
        }
        #expect(try store.dump("b") == before)
        #expect(try store.dump("a") != before)
        #expect(try store.read("b") { try $0.mapping(kind: "workflow", sourceID: "x") } == nil)
    }

    @Test(arguments: StoreKind.all)
    func reopeningKeepsEverythingAndMigratesOnce(kind: StoreKind) throws {
        let fixture = try kind.makeFixture()
        var store: (any WorkspaceStore)? = try fixture.open()
        try store?.createWorkspace("main")
        try store?.write("main") { ws in
            try ws.putObjects([commit(1)])
            try ws.moveHead(from: nil, to: oid(1))
            let resource = try ws.insertResource(kind: "workflow", spec: workflowSpec("x"))
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "x", uuid: resource.uuid))
            try ws.advanceCursor()
        }
        let before = try store?.dump("main")
        store = nil
        let second = try fixture.open()
        let third = try fixture.open()  // a second open of a migrated store must not migrate again
        #expect(try second.dump("main") == before)
        #expect(try third.workspaceNames() == ["main"])
        #expect(try third.read("main") { $0.cursor } == 1)
    }
}
