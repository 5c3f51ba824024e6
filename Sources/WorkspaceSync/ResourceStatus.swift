import Git
import WorkspaceSpec

/// Where each changed resource stands between a repository and its workspace, against their
/// last synced base: what `git workspace status` reports.
public struct StatusReport: Sendable {
    /// The five classes of a resource.
    public enum State: String, CaseIterable, Sendable {
        /// Unchanged in spec space on both sides, or the same spec on both (converged, reworded).
        case clean
        /// Changed in the repository only (committed or not).
        case localDirty = "local_dirty"
        /// Changed in the workspace only.
        case remoteAhead = "remote_ahead"
        /// Changed on both sides to different specs that a key-by-key merge reconciles.
        case diverged
        /// Changed on both sides and the merge cannot reconcile them (the details say where).
        case conflicted
    }

    /// One resource whose file changed on some side.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var kind: String
        public var sourceID: String
        public var state: State
        /// Why, for people: which side changed it and how, or the conflicting keys.
        public var details: [String]
    }

    /// The merge base, HEAD and the workspace branch's commit (nil: none, or unborn).
    public var base: ObjectID?
    public var head: ObjectID?
    public var remote: ObjectID?
    /// Sorted by path.
    public var entries: [Entry]

    /// How many entries are in `state`.
    public func count(_ state: State) -> Int { entries.filter { $0.state == state }.count }

    /// True when no resource is anything but clean.
    public var isInSync: Bool { entries.allSatisfy { $0.state == .clean } }
}

/// Computes a `StatusReport`: three sides per resource path, compared in spec space.
///
/// Only paths changed base -> HEAD, HEAD -> work tree, or base -> workspace are read, so the
/// cost grows with the changes, not with the workspace. A rename is a resource removed at
/// one path and one added at another (two entries). A side that cannot be read as a document
/// is compared by its bytes and merged as text (`DocumentMerge`).
public struct WorkspaceStatus {
    /// The files of the work tree that differ from HEAD, and how to read one (nil: deleted).
    public struct WorkTree {
        public var paths: [String]
        public var read: (String) throws -> [UInt8]?

        public init(paths: [String], read: @escaping (String) throws -> [UInt8]?) {
            self.paths = paths
            self.read = read
        }

        /// No uncommitted changes.
        public static var unchanged: WorkTree { WorkTree(paths: []) { _ in nil } }
    }

    let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// Classifies every resource path (by `manifest`) changed on either side.
    ///
    /// The local side is `head`'s tree with `workTree` on top; the remote side is `remote`'s
    /// tree; `base` is their merge base (nil: no common history or an unborn side, so every
    /// file is an addition). An unborn side (nil) has no files.
    public func report(base: ObjectID?, head: ObjectID?, remote: ObjectID?, workTree: WorkTree,
                       manifest: Manifest) throws -> StatusReport {
        let merge = TreeMerge(repository: repository)
        let baseTree = try base.map { try repository.treeID(ofCommit: $0) }
        let headTree = try head.map { try repository.treeID(ofCommit: $0) }
        let remoteTree = try remote.map { try repository.treeID(ofCommit: $0) }
        let committed = try headTree.map { try merge.changes(from: baseTree, to: $0) } ?? [:]
        let published = try remoteTree.map { try merge.changes(from: baseTree, to: $0) } ?? [:]
        let uncommitted = Set(workTree.paths)
        let paths = Set(committed.keys).union(published.keys).union(uncommitted)

        var entries: [StatusReport.Entry] = []
        for path in paths.sorted() {
            guard case .resource(let kindName, let sourceID) = manifest.role(of: path),
                  let kind = ResourceKinds.named(kindName) else { continue }
            let baseBytes = try blob(at: path, in: baseTree)
            let local: [UInt8]?
            if uncommitted.contains(path) { local = try workTree.read(path) }
            else if let change = committed[path] { local = try change.map { try repository.blob($0.id) } }
            else { local = headTree == nil ? nil : baseBytes }
            let remoteBytes: [UInt8]?
            if let change = published[path] { remoteBytes = try change.map { try repository.blob($0.id) } }
            else { remoteBytes = remoteTree == nil ? nil : baseBytes }
            let sides = (base: Side(baseBytes, path: path, kind: kind, sourceID: sourceID),
                         local: Side(local, path: path, kind: kind, sourceID: sourceID),
                         remote: Side(remoteBytes, path: path, kind: kind, sourceID: sourceID))
            let (state, details) = try classify(sides, bytes: (baseBytes, local, remoteBytes),
                                                path: path, role: manifest.role(of: path))
            entries.append(.init(path: path, kind: kindName, sourceID: sourceID, state: state, details: details))
        }
        return StatusReport(base: base, head: head, remote: remote, entries: entries)
    }

    /// One side of a resource: absent, a spec, or bytes that are not a readable document.
    enum Side: Equatable {
        case absent
        case spec(ResourceSpec)
        case unreadable([UInt8])

        init(_ bytes: [UInt8]?, path: String, kind: any ResourceKind.Type, sourceID: String) {
            guard let bytes else { self = .absent; return }
            let loaded = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: sourceID)
            self = loaded.spec.map { .spec($0) } ?? .unreadable(bytes)
        }

        /// How a side differs from the base, for the details.
        func change(from base: Side, where side: String) -> String {
            if base == .absent { return "added \(side)" }
            if self == .absent { return "deleted \(side)" }
            return "changed \(side)"
        }
    }

    func classify(_ sides: (base: Side, local: Side, remote: Side), bytes: (base: [UInt8]?, local: [UInt8]?, remote: [UInt8]?),
                  path: String, role: Manifest.PathRole) throws -> (StatusReport.State, [String]) {
        let localChanged = sides.local != sides.base, remoteChanged = sides.remote != sides.base
        switch (localChanged, remoteChanged) {
        case (false, false):
            return (.clean, ["same spec as the base in other words"])
        case (true, false):
            return (.localDirty, [sides.local.change(from: sides.base, where: "in the repository")])
        case (false, true):
            return (.remoteAhead, [sides.remote.change(from: sides.base, where: "in the workspace")])
        case (true, true):
            if sides.local == sides.remote { return (.clean, ["the same change on both sides"]) }
            let outcome = try DocumentMerge.merge(path: path, role: role, base: bytes.base, ours: bytes.local,
                                                  theirs: bytes.remote, labels: ("base", "repository", "workspace"))
            switch outcome {
            case .clean:
                return (.diverged, ["changed on both sides; the changes merge key by key"])
            case .conflicted(_, let details):
                return (.conflicted, details)
            }
        }
    }

    func blob(at path: String, in tree: ObjectID?) throws -> [UInt8]? {
        guard let tree, let entry = try repository.entry(at: path, in: tree) else { return nil }
        return try repository.blob(entry.id)
    }
}
