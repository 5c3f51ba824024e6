import YAML

/// A resource document in the form a store writes it: the canonical JSON text of its spec
/// (`SpecJSON`) and its name index rows (`NameIndex.rows`). Both follow from the kind and the
/// value alone, so the caller makes them and may make many at once on every core (a push
/// does); the store only writes them.
public struct StoredSpec: Sendable {
    public let kind: String
    public let value: Value
    /// The text the store keeps, and returns as `StoredResource.spec` once decoded.
    public let json: String
    /// The names the resource offers and uses while it is live.
    let names: NameIndex.Rows
    /// True when `json` reads back as exactly `value`. Both stores keep the text as given (a
    /// TEXT column, a `text COLLATE "C"` column), so this is what reading the resource back
    /// after writing it would say, known before anything is written.
    public let readsBack: Bool

    public init(kind: String, value: Value) {
        self.kind = kind
        self.value = value
        json = SpecJSON.encode(value)
        names = NameIndex.rows(kind: kind, spec: value)
        readsBack = (try? SpecJSON.decode(json)) == value
    }

    /// The name index rows for a resource stored as `kind`: `names` unless the store holds the
    /// resource under another kind (then worked out for that one).
    func names(as kind: String) -> NameIndex.Rows {
        kind == self.kind ? names : NameIndex.rows(kind: kind, spec: value)
    }
}

extension WorkspaceWriting {
    /// `insertResource(_:)` of the document `spec` of a `kind`.
    public func insertResource(kind: String, spec: Value) throws -> StoredResource {
        try insertResource(StoredSpec(kind: kind, value: spec))
    }

    /// `updateResource(uuid:_:)` with the document `spec` (of the kind the resource has).
    public func updateResource(uuid: String, spec: Value) throws {
        try updateResource(uuid: uuid, StoredSpec(kind: try resource(uuid: uuid)?.kind ?? "", value: spec))
    }
}
