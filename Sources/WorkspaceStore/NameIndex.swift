import WorkspaceSpec
import YAML

/// What a name index row says of a resource's name.
public enum NameRole: Int, Sendable {
    /// The resource offers the name (a workflow alias, a variable's name).
    case offers = 0
    /// The resource uses it (a reference in an expression, a called workflow).
    case uses = 1
}

/// The name index (`resource_names`): for every live resource, the names it offers and uses,
/// as `CrossCheck.findings` reads them from its stored document. Both stores keep it in the
/// same transaction as every insert, update, archive and restore, so a change is judged
/// against the resources that share a name with it (`WorkspaceReading.liveResources(naming:role:)`)
/// rather than by decoding every resource of the workspace on every push.
///
/// The rows are what this build's `CrossCheck.findings` reads from a document: a build that
/// changes what a kind offers or uses must add a migration that rebuilds the index (as v4
/// fills it), or `git workspace fsck` reports every changed resource as `name-index-stale`.
///
/// Keys are `NameTable.key` values (`namespace` NUL `name`); the stored form is the JSON
/// array `["namespace","name"]`, which no database refuses (PostgreSQL text holds no NUL).
enum NameIndex {
    /// A resource's rows: (role, stored key) pairs.
    typealias Rows = [(role: NameRole, key: String)]

    /// The rows of a live resource: each (role, stored key) once, in a fixed order.
    static func rows(kind: String, spec: Value) -> Rows {
        rows(CrossCheck.findings(kind: kind, spec: spec))
    }

    /// The rows `findings` (a document's `CrossCheck.findings`) make.
    static func rows(_ findings: KindFindings) -> Rows {
        let offers = Set(findings.exports.map { stored($0.namespace, $0.name) })
        let uses = Set(findings.references.map { stored($0.namespace, $0.name) })
        return offers.sorted().map { (.offers, $0) } + uses.sorted().map { (.uses, $0) }
    }

    /// The rows a stored resource has: its document's while it is live, none (nil) when it
    /// is archived or gone.
    static func rows(of resource: StoredResource?) -> Rows? {
        guard let resource, !resource.archived else { return nil }
        return rows(kind: resource.kind, spec: resource.spec)
    }

    /// The UUIDs whose `rows` (uuid, role, stored key) differ from what `resources` say:
    /// a live resource's names missing or extra, rows of an archived or unknown resource.
    static func stale(resources: [StoredResource], rows: [(uuid: String, role: Int, key: String)]) -> [String] {
        var found: [String: Set<String>] = [:]
        for row in rows { found[row.uuid, default: []].insert("\(row.role) \(row.key)") }
        var stale: Set<String> = []
        var known: Set<String> = []
        for resource in resources {
            known.insert(resource.uuid)
            let wanted = Set((Self.rows(of: resource) ?? []).map { "\($0.role.rawValue) \($0.key)" })
            if wanted != found[resource.uuid] ?? [] { stale.insert(resource.uuid) }
        }
        stale.formUnion(found.keys.filter { !known.contains($0) })
        return stale.sorted()
    }

    /// The stored form of a `NameTable.key`.
    static func stored(_ key: String) -> String {
        let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return stored(parts[0], parts.count > 1 ? parts[1] : "")
    }

    static func stored(_ namespace: String, _ name: String) -> String {
        SpecJSON.encode(.array([.string(namespace), .string(name)]))
    }
}
