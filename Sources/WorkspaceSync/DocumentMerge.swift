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
        if ours == theirs { return .clean(ours) }
        if base == ours { return .clean(theirs) }
        if base == theirs { return .clean(ours) }
        if case .resource(let kindName, let sourceID) = role, let kind = ResourceKinds.named(kindName) {
            func spec(_ bytes: [UInt8]?) -> ResourceSpec?? {
                guard let bytes else { return .some(nil) }
                let loaded = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: sourceID)
                return loaded.spec.map { .some($0) } ?? .none
            }
            if let b = spec(base), let o = spec(ours), let t = spec(theirs) {
                return try mergeSpecs(base: b, ours: o, theirs: t, bytes: (base, ours, theirs),
                                      kind: kind, sourceID: sourceID, labels: labels)
            }
        }
        return try mergeText(base: base, ours: ours, theirs: theirs, labels: labels)
    }

    static func mergeSpecs(base: ResourceSpec?, ours: ResourceSpec?, theirs: ResourceSpec?,
                           bytes: (base: [UInt8]?, ours: [UInt8]?, theirs: [UInt8]?),
                           kind: any ResourceKind.Type, sourceID: String, labels: Labels) throws -> Outcome {
        // Same spec in other words, or a side that only reworded the base: no decision to make.
        if ours == theirs { return .clean(bytes.ours) }
        if base == ours { return .clean(bytes.theirs) }
        if base == theirs { return .clean(bytes.ours) }
        let result = SpecMerge.merge(base: base?.value, ours: ours?.value, theirs: theirs?.value)
        func render(_ value: Value?) -> [UInt8] {
            guard let value else { return [] }
            return Array(ResourceSpec(kindName: kind.name, sourceID: sourceID, value: value).canonicalText().utf8)
        }
        if let merged = result.merged { return .clean(merged.map(render)) }
        // Against the placeholder resolution, not the base one: the texts of the two sides may
        // touch different lines of one conflicting value, and would then merge without markers.
        let marked = try TextMerge.merge(base: render(result.placeholders), ours: render(result.ours),
                                         theirs: render(result.theirs), labels: labels)
        return .conflicted(marked: marked.bytes, details: result.conflicts.map(\.description))
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
