import WorkspaceSpec
import YAML

/// A resource document in the form a store writes it: the canonical JSON text of its spec
/// (`SpecJSON`) and its name index rows (`NameIndex.rows`). Both follow from the kind and the
/// value alone, so the caller makes them and may make many at once on every core (a push
/// does); the store only writes them.
///
/// The value itself is not kept: a push holds the stored form of every document it brings
/// between judging and writing them, and the text is a fraction of the size of the tree of
/// values it was made from (at 100 000 workflows, some 90 MB against 450 MB).
public struct StoredSpec: Sendable {
    public let kind: String
    /// The text the store keeps, and returns as `StoredResource.spec` once decoded.
    public let json: String
    /// The value's spec hash (`SpecHash`), from the same canonical bytes as `json`.
    public let hash: String
    /// The names the resource offers and uses while it is live.
    let names: NameIndex.Rows
    /// True when `json` reads back as exactly the value it was made from. Both stores keep
    /// the text as given (a TEXT column, a `text COLLATE "C"` column), so this is what
    /// reading the resource back after writing it would say, known before anything is written.
    public let readsBack: Bool

    /// `findings`, when given, are `CrossCheck.findings(kind:spec: value)` as the caller
    /// already knows them (`ResourceLoader.Result.specFindings`): the kind's whole check is
    /// not run again for them.
    public init(kind: String, value: Value, findings: KindFindings? = nil) {
        self.kind = kind
        json = SpecJSON.encode(value)
        hash = SpecHash.of(canonicalJSON: Array(json.utf8))
        names = findings.map(NameIndex.rows) ?? NameIndex.rows(kind: kind, spec: value)
        readsBack = (try? SpecJSON.decode(json)) == value
    }

    /// True when writing this document over a stored resource whose spec is `value` would
    /// store the same spec (the text read back equals it).
    public func isStored(as value: Value) -> Bool {
        readsBack && (try? SpecJSON.decode(json)) == value
    }

    /// The name index rows for a resource stored as `kind`: `names` unless the store holds the
    /// resource under another kind (then worked out for that one, from the text).
    func names(as kind: String) throws -> NameIndex.Rows {
        kind == self.kind ? names : NameIndex.rows(kind: kind, spec: try SpecJSON.decode(json))
    }
}

extension WorkspaceWriting {
    /// `insertResource(_:)` of the document `spec` of a `kind`, and the resource as then stored.
    public func insertResource(kind: String, spec: Value) throws -> StoredResource {
        let uuid = try insertResource(StoredSpec(kind: kind, value: spec))
        guard let resource = try resource(uuid: uuid) else { throw StoreError(.notFound, "the resource \(uuid) just stored is not there") }
        return resource
    }

    /// `updateResource(uuid:_:)` with the document `spec` (of the kind the resource has).
    public func updateResource(uuid: String, spec: Value) throws {
        try updateResource(uuid: uuid, StoredSpec(kind: try resource(uuid: uuid)?.kind ?? "", value: spec))
    }
}
