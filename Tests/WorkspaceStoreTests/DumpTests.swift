import Testing
import WorkspaceStore

/// The dump's text, pinned for the SQLite store: tests compare dumps, so its shape must show every field.
@Suite struct DumpTests {
    @Test func dumpShowsEveryRowInAFixedOrder() throws {
        let store = try StoreKind.sqlite.makeFixture().open()
        try store.createWorkspace("main")
        #expect(try store.dump("main") == "workspace name=\"main\" head_commit=null cursor=0 last_seq=0\n")
        let uuid = try store.write("main") { ws in
            try ws.putObjects([GitObject(oid: oid(2), type: .blob, data: [0, 0xff]), commit(1)])
            try ws.moveHead(from: nil, to: oid(1))
            let resource = try ws.insertResource(kind: "variable", spec: .object(["v": .double(1)]))
            try ws.setMapping(Mapping(kind: "variable", sourceID: "v", uuid: resource.uuid, lastSyncedSpecHash: "v1:s"))
            try ws.appendChange(Change(uuid: resource.uuid, action: .put, authorName: "A \"B\"", authorEmail: "a@b",
                                       time: 5, tzOffsetMinutes: 60, message: "line\nline"))
            try ws.advanceCursor()
            return resource.uuid
        }
        let commitHex = Array("tree \(oid(1001))\n\ncommit 1\n".utf8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let expected = """
            workspace name="main" head_commit="\(oid(1))" cursor=1 last_seq=2
            resource uuid="\(uuid)" kind="variable" spec="{\\"v\\":1.0}" archived=0 created_seq=1 updated_seq=1
            mapping kind="variable" source_id="v" uuid="\(uuid)" last_synced_spec_hash="v1:s" last_projected_spec_hash=null
            object oid="\(oid(1))" type=1 data=x\(commitHex)
            object oid="\(oid(2))" type=3 data=x00ff
            change seq=2 uuid="\(uuid)" action="put" author_name="A \\"B\\"" author_email="a@b" time=5 \
            tz_offset_minutes=60 message="line\\nline" commit_oid=null

            """
        #expect(try store.dump("main") == expected)
    }
}
