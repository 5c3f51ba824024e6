import Git
import WorkspaceSpec
import YAML

/// A three-way merge of one file, spec-aware when the file is a resource document.
///
/// Used alike by the merge driver, `status`, `sync` and a push with `-o merge`, so every
/// place decides "conflict" the same way (invariant 6: a conflict is a resource changed on
/// both sides to different specs that a key-by-key merge cannot reconcile).
public enum DocumentMerge {
    public enum Outcome: Sendable, Equatable {
        /// The merged bytes; nil when the merge deletes the file.
        case clean([UInt8]?)
        /// No merge: `marked` carries conflict markers around each conflicting key (or line),
        /// `details` says which keys (`definition.actions[ref=a].args: ...`).
        case conflicted(marked: [UInt8], details: [String])
    }

    public typealias Labels = (base: String, ours: String, theirs: String)

    /// Merges one file. `role` says whether `path` is a resource document (from the manifest).
    /// A resource side that cannot be read as a document is merged as text.
    public static func merge(path: String, role: Manifest.PathRole, base: [UInt8]?, ours: [UInt8]?,
                             theirs: [UInt8]?, labels: Labels = ("base", "ours", "theirs")) throws -> Outcome {
        try mergeReporting(path: path, role: role, base: base, ours: ours, theirs: theirs, labels: labels).outcome
    }

    /// `merge`, plus one diagnostic per conflict placed in *their* file (line and column of
    /// the conflicting key where the document can be read), named with the labels.
    public static func mergeReporting(path: String, role: Manifest.PathRole, base: [UInt8]?, ours: [UInt8]?,
                                      theirs: [UInt8]?, labels: Labels = ("base", "ours", "theirs"))
        throws -> (outcome: Outcome, diagnostics: [Diagnostic]) {
        if ours == theirs { return (.clean(ours), []) }
        if base == ours { return (.clean(theirs), []) }
        if base == theirs { return (.clean(ours), []) }
        if case .resource(let kindName, let sourceID) = role, let kind = ResourceKinds.named(kindName) {
            func spec(_ bytes: [UInt8]?) -> ResourceSpec?? {
                guard let bytes else { return .some(nil) }
                let loaded = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: sourceID)
                return loaded.spec.map { .some($0) } ?? .none
            }
            if let b = spec(base), let o = spec(ours), let t = spec(theirs) {
                let (outcome, conflicts) = try mergeSpecs(base: b, ours: o, theirs: t, bytes: (base, ours, theirs),
                                                          kind: kind, sourceID: sourceID, labels: labels)
                let node = theirs.flatMap { try? YAMLParser.parse($0) }
                let diagnostics = conflicts.map { conflict in
                    Diagnostic(.error, "merge-conflict", "\(conflict.keyPath.isEmpty ? "the resource" : conflict.keyPath) changed on both sides: "
                               + "\(labels.ours) \(SpecMerge.show(conflict.ours)), \(labels.theirs) \(SpecMerge.show(conflict.theirs))",
                               path: path, at: node.map { conflict.mark(in: $0) })
                }
                return (outcome, diagnostics)
            }
        }
        let outcome = try mergeText(base: base, ours: ours, theirs: theirs, labels: labels)
        guard case .conflicted(_, let details) = outcome else { return (outcome, []) }
        return (outcome, details.map { Diagnostic(.error, "merge-conflict", $0, path: path, at: nil) })
    }


    static func mergeSpecs(base: ResourceSpec?, ours: ResourceSpec?, theirs: ResourceSpec?,
                           bytes: (base: [UInt8]?, ours: [UInt8]?, theirs: [UInt8]?),
                           kind: any ResourceKind.Type, sourceID: String, labels: Labels)
        throws -> (Outcome, [SpecMerge.Conflict]) {
        // Same spec in other words, or a side that only reworded the base: no decision to make.
        if ours == theirs { return (.clean(bytes.ours), []) }
        if base == ours { return (.clean(bytes.theirs), []) }
        if base == theirs { return (.clean(bytes.ours), []) }
        let result = SpecMerge.merge(base: base?.value, ours: ours?.value, theirs: theirs?.value)
        func render(_ value: Value?) -> [UInt8] {
            guard let value else { return [] }
            return Array(ResourceSpec(kindName: kind.name, sourceID: sourceID, value: value).canonicalText().utf8)
        }
        if let merged = result.merged { return (.clean(merged.map(render)), []) }
        // Against the placeholder resolution, not the base one: the texts of the two sides may
        // touch different lines of one conflicting value, and would then merge without markers.
        let marked = try TextMerge.merge(base: render(result.placeholders), ours: render(result.ours),
                                         theirs: render(result.theirs), labels: labels)
        return (.conflicted(marked: marked.bytes, details: result.conflicts.map(\.description)), result.conflicts)
    }

    static func mergeText(base: [UInt8]?, ours: [UInt8]?, theirs: [UInt8]?, labels: Labels) throws -> Outcome {
        guard let ours, let theirs else {
            let detail = ours == nil ? "deleted on our side, changed on theirs" : "changed on our side, deleted on theirs"
            return .conflicted(marked: ours ?? theirs ?? [], details: [detail])
        }
        let merged = try TextMerge.merge(base: base ?? [], ours: ours, theirs: theirs, labels: labels)
        return merged.isClean ? .clean(merged.bytes) : .conflicted(marked: merged.bytes, details: ["conflicting line changes"])
    }
}
