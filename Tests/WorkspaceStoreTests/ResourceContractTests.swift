import Testing
import WorkspaceStore
import YAML

/// The contract for workspaces, resources and mappings, run against every store kind.
@Suite struct ResourceContractTests {
    @Test(arguments: StoreKind.all)
    func workspacesAreCreatedListedAndUnique(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        #expect(try store.workspaceNames() == [])
        try store.createWorkspace("prod")
        try store.createWorkspace("dev")
        try store.createWorkspace("team/staging")
        #expect(try store.workspaceNames() == ["dev", "prod", "team/staging"])
        expectStoreError(.workspaceExists) { try store.createWorkspace("prod") }
        expectStoreError(.workspaceExists) { try store.createWorkspace("Prod") }
        expectStoreError(.noSuchWorkspace) { _ = try store.read("PROD") { $0.cursor } }
        expectStoreError(.invalidArgument) { try store.createWorkspace("bad..name") }
        expectStoreError(.invalidArgument) { try store.createWorkspace("") }
        expectStoreError(.noSuchWorkspace) { _ = try store.read("missing") { $0.cursor } }
        expectStoreError(.noSuchWorkspace) { _ = try store.write("missing") { try $0.advanceCursor() } }
    }

    @Test(arguments: StoreKind.all)
    func newWorkspaceIsUnbornAndEmpty(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        try store.read("main") { (ws) throws in
            #expect(ws.name == "main")
            #expect(ws.head == nil)
            #expect(ws.cursor == 0)
            #expect(try ws.resources(includeArchived: true).isEmpty)
            #expect(try ws.mappings().isEmpty)
            #expect(try ws.changes(after: 0).isEmpty)
        }
    }

    /// The name index follows every write: insert, update, archive and restore, for the
    /// names a resource offers and those it uses; names with quotes, backslashes, commas
    /// and braces, and the same name in two namespaces or two workspaces, are kept apart.
    @Test(arguments: StoreKind.all)
    func theNameIndexFollowsEveryWrite(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        try store.createWorkspace("other")
        func workflow(alias: String?, using variable: String?) -> Value {
            var document: [String: Value] = ["type": .string("workflow"), "definition": .object([
                "title": .string("T"),
                "actions": .array([.object(["ref": .string("a"), "action": .string("core.noop"),
                                            "args": .object(["x": .string(variable.map { "${{ VARS.\($0).x }}" } ?? "plain")])])]),
            ])]
            if let alias { document["alias"] = .string(alias) }
            return .object(document)
        }
        let odd = #"a"b\c,{d}"#
        let alias = "workflow-alias\u{0}"
        func offering(_ names: Set<String>, in workspace: String = "main") throws -> [String] {
            try store.read(workspace) { try $0.liveResources(naming: names, role: .offers).map(\.uuid) }
        }
        func using(_ names: Set<String>) throws -> [String] {
            try store.read("main") { try $0.liveResources(naming: names, role: .uses).map(\.uuid) }
        }
        let first = try store.write("main") { try $0.insertResource(kind: "workflow", spec: workflow(alias: "triage", using: "slack")).uuid }
        let second = try store.write("main") { try $0.insertResource(kind: "workflow", spec: workflow(alias: odd, using: nil)).uuid }
        #expect(try offering([alias + "triage"]) == [first])
        #expect(try offering([alias + odd, alias + "triage", alias + "nobody"]) == [first, second])
        #expect(try offering([alias + "a"]) == [])
        #expect(try offering([alias + "triage"], in: "other") == [])
        #expect(try using(["variable\u{0}slack"]) == [first])
        #expect(try offering(["variable\u{0}slack"]) == [])

        try store.write("main") { try $0.updateResource(uuid: first, spec: workflow(alias: "triaged", using: nil)) }
        #expect(try offering([alias + "triage"]) == [])
        #expect(try offering([alias + "triaged"]) == [first])
        #expect(try using(["variable\u{0}slack"]) == [])

        try store.write("main") { try $0.setArchived(uuid: second, true) }
        #expect(try offering([alias + odd]) == [])
        try store.write("main") { try $0.setArchived(uuid: second, false) }
        #expect(try offering([alias + odd]) == [second])
    }

    /// `unwrittenHere` leaves out what the asking transaction wrote (a push judges the
    /// documents it has written against the rest): its inserts, updates, archives and
    /// restores, whatever the resources were before, and nothing another transaction wrote.
    @Test(arguments: StoreKind.all)
    func unwrittenHereLeavesOutThisTransactionsWrites(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        func workflow(_ alias: String) -> Value {
            .object(["type": .string("workflow"), "alias": .string(alias),
                     "definition": .object(["title": .string("T"), "actions": .array([])])])
        }
        let key = "workflow-alias\u{0}shared"
        let (kept, changed, archived) = try store.write("main") { ws in
            (try ws.insertResource(kind: "workflow", spec: workflow("shared")).uuid,
             try ws.insertResource(kind: "workflow", spec: workflow("shared")).uuid,
             try ws.insertResource(kind: "workflow", spec: workflow("shared")).uuid)
        }
        try store.write("main") { try $0.setArchived(uuid: archived, true) }
        try store.write("main") { (ws) throws in
            let added = try ws.insertResource(kind: "workflow", spec: workflow("shared")).uuid
            try ws.updateResource(uuid: changed, spec: workflow("shared"))
            try ws.setArchived(uuid: archived, false)
            #expect(try ws.liveResources(naming: [key], role: .offers, unwrittenHere: true).map(\.uuid) == [kept])
            #expect(try ws.liveResources(naming: [key], role: .offers, unwrittenHere: false).map(\.uuid) == [kept, changed, archived, added])
        }
        try store.read("main") { (ws) throws in
            #expect(try ws.liveResources(naming: [key], role: .offers, unwrittenHere: true).count == 4)
        }
    }

    @Test(arguments: StoreKind.all)
    func updateArchiveRestoreKeepTheUUID(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        let first = try store.write("main") { ws in
            let first = try ws.insertResource(kind: "workflow", spec: workflowSpec("one"))
            _ = try ws.insertResource(kind: "variable", spec: .object(["name": .string("v")]))
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "one", uuid: first.uuid, lastSyncedSpecHash: "v1:a"))
            return first
        }
        #expect(first.uuid == first.uuid.lowercased() && first.uuid.count == 36)
        try store.write("main") { ws in
            try ws.updateResource(uuid: first.uuid, spec: workflowSpec("renamed"))
            try ws.setArchived(uuid: first.uuid, true)
        }
        try store.read("main") { ws in
            #expect(try ws.resources(includeArchived: false).map(\.kind) == ["variable"])
            let archived = try #require(try ws.resource(uuid: first.uuid))
            #expect(archived.archived)
            #expect(archived.spec == workflowSpec("renamed"))
            #expect(archived.createdSeq == first.createdSeq)
            #expect(archived.updatedSeq > first.updatedSeq)
            #expect(try ws.mapping(kind: "workflow", sourceID: "one")?.uuid == first.uuid, "archiving keeps the mapping")
        }
        try store.write("main") { ws in try ws.setArchived(uuid: first.uuid, false) }
        try store.read("main") { ws in
            let all = try ws.resources(includeArchived: false)
            #expect(all.map(\.uuid).first == first.uuid, "listing follows creation order")
            #expect(all.map(\.kind) == ["workflow", "variable"])
            #expect(try ws.mapping(uuid: first.uuid)?.sourceID == "one")
        }
        expectStoreError(.notFound) { try store.write("main") { try $0.updateResource(uuid: "nope", spec: .null) } }
        expectStoreError(.notFound) { try store.write("main") { try $0.setArchived(uuid: "nope", true) } }
    }

    @Test(arguments: StoreKind.all)
    func sourceIDsAreUniquePerKindIgnoringCase(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        let (a, b, c) = try store.write("main") { ws in
            (try ws.insertResource(kind: "workflow", spec: .null),
             try ws.insertResource(kind: "workflow", spec: .null),
             try ws.insertResource(kind: "variable", spec: .null))
        }
        try store.write("main") { ws in
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "Foo", uuid: a.uuid))
            try ws.setMapping(Mapping(kind: "variable", sourceID: "foo", uuid: c.uuid))  // another kind: fine
        }
        expectStoreError(.sourceIDTaken) {
            try store.write("main") { try $0.setMapping(Mapping(kind: "workflow", sourceID: "foo", uuid: b.uuid)) }
        }
        expectStoreError(.invalidArgument) {
            try store.write("main") { try $0.setMapping(Mapping(kind: "workflow", sourceID: "a/b", uuid: b.uuid)) }
        }
        expectStoreError(.notFound) {
            try store.write("main") { try $0.setMapping(Mapping(kind: "workflow", sourceID: "x", uuid: "no-such")) }
        }
        try store.write("main") { ws in
            // Upsert by uuid: the holder may change its own id's case and its hashes.
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "FOO", uuid: a.uuid,
                                      lastSyncedSpecHash: "v1:s", lastProjectedSpecHash: "v1:p"))
        }
        try store.read("main") { ws in
            let found = try #require(try ws.mapping(kind: "workflow", sourceID: "fOo"))
            #expect(found == Mapping(kind: "workflow", sourceID: "FOO", uuid: a.uuid,
                                     lastSyncedSpecHash: "v1:s", lastProjectedSpecHash: "v1:p"))
            #expect(try ws.mapping(uuid: b.uuid) == nil)
            #expect(try ws.mappings().map(\.kind) == ["variable", "workflow"])
        }
        try store.write("main") { ws in
            // A rename (git mv) keeps the UUID and frees the old id for another resource.
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "bar", uuid: a.uuid))
            try ws.setMapping(Mapping(kind: "workflow", sourceID: "foo", uuid: b.uuid))
        }
        try store.read("main") { (ws) throws in
            #expect(try ws.mapping(kind: "workflow", sourceID: "BAR")?.uuid == a.uuid)
            #expect(try ws.mapping(kind: "workflow", sourceID: "foo")?.uuid == b.uuid)
            #expect(try ws.mappings().count == 3)
        }
    }

    @Test(arguments: StoreKind.all)
    func specsRoundTripExactly(kind: StoreKind) throws {
        let store = try kind.makeFixture().open()
        try store.createWorkspace("main")
        let spec: Value = .object([
            "null": .null, "empty": .string(""), "int": .int(1), "double": .double(1.0),
            "negZero": .double(-0.0), "small": .double(1e-05), "big": .int(Int.max), "min": .int(Int.min),
            "unicode": .string("Grüße 🚀 \u{7F}\u{85}\u{FEFF}\u{0} \"q\" \\ \n\t"),
            "nested": .array([.array([]), .object([:]), .array([.null, .bool(false), .array([.int(-3)])])]),
            "key with \"quotes\" and ünïcode": .bool(true),
        ])
        let uuid = try store.write("main") { try $0.insertResource(kind: "workflow", spec: spec).uuid }
        let back = try store.read("main") { try $0.resource(uuid: uuid)?.spec }
        #expect(back == spec)
        if case .object(let members)? = back {
            #expect(members["double"] == .double(1.0) && members["int"] == .int(1), "int and double stay apart")
            if case .double(let zero)? = members["negZero"] { #expect(zero.sign == .minus) }
        }
    }
}
