import YAML

/// The names resources offer to each other (workflow aliases, variable names) and who
/// offers each: one place that decides what a duplicate name and an unresolved reference
/// are, for a tree being validated and for a workspace taking a push alike.
public struct NameTable: Sendable {
    private var owners: [String: String] = [:]

    public init() {}

    /// The key of a name within its namespace.
    public static func key(_ namespace: String, _ name: String) -> String { namespace + "\u{0}" + name }

    /// True when somebody offers `name` in `namespace`.
    public func contains(_ namespace: String, _ name: String) -> Bool {
        owners[NameTable.key(namespace, name)] != nil
    }

    /// Records that `owner` (how messages name it) offers `export`. When the name is
    /// taken already, nothing changes and the diagnostic for `path` says who has it.
    @discardableResult
    public mutating func offer(_ export: Export, by owner: String, path: String) -> Diagnostic? {
        let key = NameTable.key(export.namespace, export.name)
        if let first = owners[key] {
            return Diagnostic(.error, "duplicate-name", "\(export.namespace) '\(export.name)' is already used by \(first)",
                              path: path, at: export.mark)
        }
        owners[key] = owner
        return nil
    }

    /// The diagnostic for `path` when nobody offers what `reference` uses; `scope` says
    /// where was looked ("tree", "workspace").
    public func check(_ reference: Reference, path: String, scope: String) -> Diagnostic? {
        guard !contains(reference.namespace, reference.name) else { return nil }
        return Diagnostic(.error, "unresolved-reference", "\(reference.noun) '\(reference.name)' is not defined in this \(scope)",
                          path: path, at: reference.mark)
    }
}
