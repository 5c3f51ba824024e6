import Git
import WorkspaceSpec

/// A three-way merge of two trees against a base, file by file, resource documents key by
/// key (`DocumentMerge`). Only paths changed on either side are read, so the cost grows
/// with the changes, not with the tree.
public struct TreeMerge {
    /// One file that could not be merged.
    public struct Conflict: Sendable, Equatable {
        public var path: String
        public var details: [String]
        /// One per conflicting key, placed in *their* file where it can be read.
        public var diagnostics: [Diagnostic]
    }

    public struct Result: Sendable {
        /// The merged tree (conflicted paths keep our side).
        public var tree: ObjectID
        public var conflicts: [Conflict]
        /// Paths changed on both sides that merged cleanly (converged or merged key by key).
        public var merged: [String]
        public var isClean: Bool { conflicts.isEmpty }
    }

    let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// The changed paths between two trees: path -> (blob, mode), nil for a deletion.
    /// A rename is a deletion plus an addition.
    public func changes(from base: ObjectID?, to tree: ObjectID) throws -> [String: (id: ObjectID, mode: UInt32)?] {
        var changes: [String: (id: ObjectID, mode: UInt32)?] = [:]
        for change in try repository.diff(from: base, to: tree, renames: false) {
            if let old = change.oldPath, change.newPath != old { changes[old] = .some(nil) }
            if let new = change.newPath, let id = change.newID { changes[new] = (id, change.newMode ?? TreeEntry.file) }
        }
        return changes
    }

    /// Merges `theirs` into `ours` against `base` (nil: no common history, an empty base).
    public func merge(base: ObjectID?, ours: ObjectID, theirs: ObjectID,
                      labels: DocumentMerge.Labels = ("base", "ours", "theirs")) throws -> Result {
        let ourChanges = try changes(from: base, to: ours)
        let theirChanges = try changes(from: base, to: theirs)
        let manifest = try self.manifest(in: ours)
        var updates: [TreeUpdate] = []
        var conflicts: [Conflict] = []
        var merged: [String] = []
        for (path, their) in theirChanges.sorted(by: { $0.key < $1.key }) {
            guard let our = ourChanges[path] else {
                updates.append(TreeUpdate(path: path, blob: their?.id, mode: their?.mode ?? TreeEntry.file))
                continue
            }
            if our?.id == their?.id { continue }
            let baseBlob = try base.flatMap { try blobID(at: path, in: $0) }
            let (outcome, diagnostics) = try DocumentMerge.mergeReporting(
                path: path, role: manifest.role(of: path),
                base: try baseBlob.map { try repository.blob($0) },
                ours: try our.map { try repository.blob($0.id) },
                theirs: try their.map { try repository.blob($0.id) }, labels: labels)
            switch outcome {
            case .clean(let bytes):
                merged.append(path)
                if let bytes {
                    let id = try repository.writeBlob(bytes)
                    if id != our?.id { updates.append(TreeUpdate(path: path, blob: id, mode: our?.mode ?? their?.mode ?? TreeEntry.file)) }
                } else if our != nil {
                    updates.append(TreeUpdate(path: path, blob: nil))
                }
            case .conflicted(_, let details):
                conflicts.append(Conflict(path: path, details: details, diagnostics: diagnostics))
            }
        }
        return Result(tree: try repository.tree(ours, applying: updates), conflicts: conflicts, merged: merged)
    }

    /// Merges the trees of two commits against their merge base (an empty base when their
    /// histories are unrelated).
    public func merge(commit ours: ObjectID, with theirs: ObjectID,
                      labels: DocumentMerge.Labels = ("base", "ours", "theirs")) throws -> Result {
        let base = try repository.mergeBase(ours, theirs)
        return try merge(base: try base.map { try repository.treeID(ofCommit: $0) },
                         ours: try repository.treeID(ofCommit: ours), theirs: try repository.treeID(ofCommit: theirs),
                         labels: labels)
    }

    /// The manifest a tree declares; `ManifestError` when it is broken.
    public func manifest(in tree: ObjectID) throws -> Manifest {
        try Manifest.read(from: GitTree(repository: repository, tree: tree)).manifest()
    }

    func blobID(at path: String, in tree: ObjectID) throws -> ObjectID? {
        try repository.entry(at: path, in: tree)?.id
    }
}
