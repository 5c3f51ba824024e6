import YAML

/// The rules between resources, one implementation for every door: source ids unique per
/// kind regardless of case, exported names (workflow aliases, variable names) unique, every
/// reference resolved, and no change that takes a name away from a resource still using it.
///
/// A change is judged against the live resources it leaves alone (`Others`): none for a
/// whole tree (everything is in it), the rest of the stored workspace for a push or an
/// application edit. The others are only read when the change offers, uses or removes a
/// name, so an ordinary edit costs nothing here.
public enum CrossCheck {
    /// A live resource the change leaves alone, as the rules need to see it.
    public struct Other: Sendable {
        /// How messages name it (`workflow triage`).
        public var owner: String
        /// Its path in the tree, for diagnostics about it.
        public var path: String
        public var findings: KindFindings

        public init(owner: String, path: String, findings: KindFindings) {
            self.owner = owner
            self.path = path
            self.findings = findings
        }
    }

    /// A document the change writes, as the rules see it: its file, the resource it is
    /// (nil when the file could not be read far enough to know), and the names it offers and
    /// uses. A caller judging thousands of documents keeps only this of each.
    public struct Document: Sendable {
        public var path: String
        public var resource: (kindName: String, sourceID: String)?
        public var findings: KindFindings

        public init(path: String, resource: (kindName: String, sourceID: String)?, findings: KindFindings) {
            self.path = path
            self.resource = resource
            self.findings = findings
        }

        /// The document `result` loaded from the file at `path`.
        public init(path: String, result: ResourceLoader.Result) {
            self.init(path: path, resource: result.spec.map { ($0.kindName, $0.sourceID) }, findings: result.findings)
        }
    }

    /// The live resources a change leaves alone.
    public protocol Others {
        /// The source id of such a resource of `kind` that equals `id` ignoring case only.
        func caseTwin(kind: String, of id: String) throws -> String?
        /// Those that offer any of the names `keys` (`NameTable.key`), with the names they
        /// offer and use.
        func offering(_ keys: Set<String>) throws -> [Other]
        /// Those that use any of the names `keys`.
        func using(_ keys: Set<String>) throws -> [Other]
    }

    /// Judges `changed` (the documents the change writes). `removed` holds the keys (`NameTable.key`) of the names the resources it replaces or
    /// archives offered before; `others` is nil when the change is a whole tree.
    public static func check(_ changed: [Document], removed: Set<String> = [], others: (any Others)?) throws -> [Diagnostic] {
        var cases = CaseCheck()
        var diagnostics = try changed.compactMap { try cases.check($0, others: others) }
        diagnostics += try names(changed, removed: removed, others: others)
        return diagnostics
    }

    /// Source ids unique per kind regardless of case, judged a document at a time against
    /// those judged before it and the others: a push judges each document this way before
    /// writing it (the store looks source ids up ignoring case, so a write could take its
    /// twin's place), and the rest (`names`) once all are read.
    public struct CaseCheck {
        // Keyed by bytes with ASCII letters folded: a `String` key would also merge the NFC
        // and NFD spellings of one name (Swift compares strings by canonical equivalence),
        // which are two different directories to git and not a case collision.
        private var byFoldedID: [[UInt8]: String] = [:]

        public init() {}

        /// The error when `document`'s source id differs from another's only by case.
        public mutating func check(_ document: Document, others: (any Others)?) throws -> Diagnostic? {
            guard let (kindName, sourceID) = document.resource else { return nil }
            let key = Array(kindName.utf8) + [0] + sourceID.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            var other = byFoldedID[key]
            if other == nil { other = try others?.caseTwin(kind: kindName, of: sourceID) }
            guard let other else {
                byFoldedID[key] = sourceID
                return nil
            }
            return Diagnostic(.error, "case-collision", "source id '\(sourceID)' differs from '\(other)' only by case "
                              + "(one directory on a case-insensitive file system)", path: document.path, at: nil)
        }
    }

    /// The rules between resources but source ids: exported names unique, every reference
    /// resolved, and no name taken away from a resource still using it (`check`).
    public static func names(_ changed: [Document], removed: Set<String>, others: (any Others)?) throws -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let offered = Set(changed.flatMap { $0.findings.exports.map { NameTable.key($0.namespace, $0.name) } })
        let used = Set(changed.flatMap { $0.findings.references.map { NameTable.key($0.namespace, $0.name) } })
        let lost = removed.subtracting(offered)
        guard !offered.isEmpty || !used.isEmpty || !lost.isEmpty else { return diagnostics }

        let scope = others == nil ? "tree" : "workspace"
        // Only the resources left alone that offer a name the change offers, uses or takes
        // away can make a difference to it (the name index answers which).
        let untouched = try others?.offering(offered.union(used).union(lost)) ?? []
        var table = NameTable()
        for other in untouched {
            for export in other.findings.exports { table.offer(export, by: other.owner, path: other.path) }
        }
        for item in changed {
            for export in item.findings.exports {
                if let duplicate = table.offer(export, by: "\(item.path):\(export.mark)", path: item.path) {
                    diagnostics.append(duplicate)
                }
            }
        }
        for item in changed {
            diagnostics += item.findings.references.compactMap { table.check($0, path: item.path, scope: scope) }
        }
        // Resources the change leaves alone must not lose a name they use.
        guard !lost.isEmpty, let others else { return diagnostics }
        for other in try others.using(lost) {
            for reference in other.findings.references where lost.contains(NameTable.key(reference.namespace, reference.name))
                && !table.contains(reference.namespace, reference.name) {
                diagnostics.append(Diagnostic(.error, "unresolved-reference",
                                              "still uses \(reference.noun) '\(reference.name)', which this change removes",
                                              path: other.path, at: nil))
            }
        }
        return diagnostics
    }

    /// The names a stored document offers and uses, read from its normalized value (no
    /// positions: diagnostics about it name only its path).
    public static func findings(kind kindName: String, spec: Value) -> KindFindings {
        var findings = KindFindings()
        guard let kind = ResourceKinds.named(kindName) else { return findings }
        var sink = DiagnosticSink(path: "")
        kind.check(Node(value: spec), into: &sink, findings: &findings)
        return findings
    }
}
