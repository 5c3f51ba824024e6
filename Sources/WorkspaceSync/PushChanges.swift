import Git
import WorkspaceSpec
import WorkspaceStore

/// Which resource files a push adds, changes, renames or removes, read from the diff of the
/// workspace's tree and the pushed one (only changed paths are visited), and judged by the
/// same path rules as every other door (`Manifest.problem(with:)`).
extension PushImporter {
    /// One resource file that the push adds, changes, renames or removes.
    struct FileChange {
        var kind: any ResourceKind.Type
        /// The source id the workspace knows the resource by (nil: a new file).
        var oldID: String? = nil
        /// The source id after the push (nil: the file is gone, the resource archives).
        var newID: String? = nil
        var newPath: String? = nil
        var newBlob: ObjectID? = nil
    }

    struct Changes {
        var files: [FileChange] = []
        /// Paths and manifest problems: each refuses the push.
        var errors: [Diagnostic] = []
        var manifest: Manifest
    }

    /// The resource files that differ between the workspace's tree and `newTree`.
    ///
    /// A manifest that moves roots makes both whole listings compared by (kind, source id),
    /// so a root moved together with its files keeps every UUID; a manifest rewritten with
    /// the same roots changes nothing. A declared root left without files while the workspace
    /// has live resources of its kind is refused (a mistyped root would archive them all).
    func resourceChanges(old state: WorkspaceState, newTree: ObjectID, tx: any WorkspaceReading) throws -> Changes {
        let diff = try client.diff(from: state.tree, to: newTree)
        let newSource = GitTree(repository: client, tree: newTree)
        var changes = Changes(manifest: state.manifest)
        if diff.contains(where: { $0.oldPath == Manifest.fileName || $0.newPath == Manifest.fileName }) {
            do { changes.manifest = try Manifest.read(from: newSource).manifest() } catch let error as ManifestError {
                changes.errors = error.diagnostics
                return changes
            }
        }
        if changes.manifest != state.manifest {
            try relist(&changes, old: state, new: newSource, tx: tx)
            return changes
        }
        let manifest = changes.manifest
        var removed: [(path: String, kind: any ResourceKind.Type)] = []
        for change in diff {
            if let path = change.newPath, let problem = manifest.problem(with: TreeItem(path: path, mode: change.newMode ?? TreeItem.file)) {
                changes.errors.append(problem)
                continue
            }
            let old = resource(change.oldPath, manifest), new = resource(change.newPath, manifest)
            if let old, new == nil, let path = change.oldPath { removed.append((path, old.kind)) }
            switch (old, new) {
            case (nil, nil):
                continue
            case (let old?, let new?) where old.kind.name == new.kind.name:
                changes.files.append(FileChange(kind: new.kind, oldID: old.id, newID: new.id, newPath: change.newPath, newBlob: change.newID))
            default:
                if let old { changes.files.append(FileChange(kind: old.kind, oldID: old.id)) }
                if let new { changes.files.append(FileChange(kind: new.kind, newID: new.id, newPath: change.newPath, newBlob: change.newID)) }
            }
        }
        for (path, kind) in removed {
            if let problem = try directoryWhereFileWas(path, kind: kind, newTree: newTree, errors: changes.errors) {
                changes.errors.append(problem)
            }
        }
        return changes
    }

    /// The error when a resource's file is gone because the pushed tree has a directory at
    /// its path (`definition.yml` committed as a directory, even an empty one, which no file
    /// under it reports): that is a mistake, not a removal, and must not archive the
    /// resource. Nil when the path is simply gone, or a file under it already says why.
    func directoryWhereFileWas(_ path: String, kind: any ResourceKind.Type, newTree: ObjectID,
                               errors: [Diagnostic]) throws -> Diagnostic? {
        let inside = Array((path + "/").utf8)
        guard try client.entry(at: path, in: newTree)?.isTree == true,
              !errors.contains(where: { Array($0.path.utf8).starts(with: inside) }) else { return nil }
        return Diagnostic(.error, "not-a-file", "a directory where a \(kind.name) belongs; commit the file itself",
                          path: path, at: nil)
    }

    /// The kind and source id of a canonical resource path.
    func resource(_ path: String?, _ manifest: Manifest) -> (kind: any ResourceKind.Type, id: String)? {
        guard let path, case .resource(let kindName, let id) = manifest.role(of: path),
              let kind = ResourceKinds.named(kindName) else { return nil }
        return (kind, id)
    }

    /// Roots moved: every resource before and after, matched by (kind, source id).
    private func relist(_ changes: inout Changes, old state: WorkspaceState, new: GitTree, tx: any WorkspaceReading) throws {
        var before: [String: (kind: any ResourceKind.Type, id: String)] = [:]
        let oldSource: any WorkspaceTreeSource = try state.tree.map { try client.hasObject($0) } == true
            ? GitTree(repository: client, tree: state.tree) : StoreTree(objects: state.objects, tree: state.tree)
        for item in try oldSource.files(under: Array(Set(state.manifest.roots.values))) {
            if let found = resource(item.utf8Path, state.manifest) { before[found.kind.name + "/" + found.id] = found }
        }
        let manifest = changes.manifest
        var after: Set<String> = []
        var present: Set<String> = []
        for file in try new.listing(under: manifest.listedDirectories) {
            if let problem = manifest.problem(with: TreeItem(path: file.pathBytes, mode: file.mode)) {
                changes.errors.append(problem)
                continue
            }
            guard let found = resource(file.path, manifest) else { continue }
            let key = found.kind.name + "/" + found.id
            after.insert(key)
            present.insert(found.kind.name)
            changes.files.append(FileChange(kind: found.kind, oldID: before[key] == nil ? nil : found.id,
                                            newID: found.id, newPath: file.path, newBlob: file.id))
        }
        for (key, found) in before where !after.contains(key) {
            let path = manifest.path(kind: found.kind, sourceID: found.id)
            if let tree = new.tree, let problem = try directoryWhereFileWas(path, kind: found.kind, newTree: tree, errors: changes.errors) {
                changes.errors.append(problem)
            }
            changes.files.append(FileChange(kind: found.kind, oldID: found.id))
        }
        let emptyKinds = ResourceKinds.all.filter { manifest.roots[$0.rootKey] != nil && !present.contains($0.name) }
        if !emptyKinds.isEmpty {
            changes.errors += TreeValidator.emptyRoots(manifest, present: present, baseline: try liveCounts(tx))
        }
    }

    /// Live resources per kind name, as the workspace holds them now.
    func liveCounts(_ tx: any WorkspaceReading) throws -> TreeValidator.Baseline {
        var counts: TreeValidator.Baseline = [:]
        for resource in try tx.resources(includeArchived: false) { counts[resource.kind, default: 0] += 1 }
        return counts
    }
}
