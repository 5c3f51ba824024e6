import Git
import WorkspaceSpec
import WorkspaceStore
import YAML

/// One `push` line of the remote-helper protocol: a commit for a workspace branch.
public struct PushRequest: Sendable {
    /// The pushed commit; nil asks to delete the branch.
    public var source: ObjectID?
    /// `refs/heads/<workspace>`.
    public var destination: String
    public var force: Bool

    public init(source: ObjectID?, destination: String, force: Bool) {
        self.source = source
        self.destination = destination
        self.force = force
    }

    /// The workspace a destination ref names, or nil when it is not a branch.
    public var workspace: String? {
        destination.hasPrefix("refs/heads/") ? String(destination.dropFirst("refs/heads/".count)) : nil
    }
}

/// What a push did (or, for a dry run, would do) to one workspace.
public struct PushPlan: Sendable {
    public enum Step: Sendable, CustomStringConvertible {
        case create(kind: String, id: String)
        case update(kind: String, id: String)
        case archive(kind: String, id: String)
        case restore(kind: String, id: String)
        case rename(kind: String, from: String, to: String)

        public var description: String {
            switch self {
            case .create(let kind, let id): return "create  \(kind) \(id)"
            case .update(let kind, let id): return "update  \(kind) \(id)"
            case .archive(let kind, let id): return "archive \(kind) \(id)"
            case .restore(let kind, let id): return "restore \(kind) \(id)"
            case .rename(let kind, let from, let to): return "rename  \(kind) \(from) -> \(to)"
            }
        }
    }

    public var workspace: String
    public var steps: [Step] = []
    /// Warnings found on the way (non-canonical paths, unknown keys kept as data).
    public var warnings: [Diagnostic] = []
    /// Objects copied into the store.
    public var objectCount = 0
    /// True when the workspace already was at the pushed commit.
    public var upToDate = false
    /// True when a forced push replaced history the pushed commit does not contain.
    public var forced = false
    /// The branch before and after (equal when nothing moved).
    public var previousHead: ObjectID?
    public var head: ObjectID?
    /// For a merging push (`-o merge`): the pushed commit the branch's merge commit merged.
    public var mergedFrom: ObjectID?
}

/// Reconciliation: imports a pushed commit into a workspace (DESIGN.md, section 4).
///
/// Inside one store transaction under the workspace's write lock: fast-forward check
/// against the branch as it is now (and the `cas` expectation), diff of only the changed
/// paths, parse and validate, source id -> UUID resolution (a rename keeps the UUID),
/// import, both hashes recorded, the pushed objects stored, the branch moved to the pushed
/// commit itself and the postcondition checked. Any failure rolls all of it back.
public struct PushImporter {
    public let client: Repository

    public init(client: Repository) { self.client = client }

    /// Imports `commit` into the workspace `tx` writes. `expected` is a `cas` expectation
    /// (nil: none; `.some(nil)`: the branch must not exist). With `dryRun` everything is
    /// checked and then rolled back by the caller.
    ///
    /// With `force`, a commit that does not descend from the branch replaces it (a rollback
    /// to an older commit, an amended commit), but only when the repository has the
    /// branch's commit: a forced push never overwrites workspace history the pusher has not
    /// fetched. A `cas` expectation that holds (`--force-with-lease`) allows the same: git
    /// sends the lease instead of a forced refspec. Resources are reconciled from tree to
    /// tree either way; removed ones archive.
    public func importCommit(_ commit: ObjectID, into tx: any WorkspaceWriting,
                             expected: ObjectID?? = nil, force: Bool = false) throws -> PushPlan {
        let state = try WorkspaceState(tx)
        var plan = PushPlan(workspace: tx.name)
        plan.previousHead = state.head
        plan.head = state.head
        try Self.checkLease(expected, head: state.head)
        if state.head == commit {
            plan.upToDate = true
            return plan
        }
        guard try client.hasObject(commit) else { throw SyncError.corrupt("the pushed commit \(commit.hex) is not in the repository") }
        if let head = state.head {
            let fastForward = try client.hasObject(head) && client.isDescendant(commit, of: head)
            if !fastForward {
                // Fetched means reachable from one of the client's refs: objects a refused
                // `-o merge` copied into the repository do not make a forced push legitimate.
                guard try client.isReachable(head, from: client.referenceTips()) else {
                    throw SyncError(.fetchFirst, changedSince(state: state))
                }
                // A lease that holds (`--force-with-lease`, checked above) gives leave to replace.
                guard force || expected != nil else {
                    throw SyncError(.nonFastForward, "the pushed commit does not contain the workspace's \(head.hex.prefix(7)); merge or rebase onto it, or push with --force to replace it")
                }
                plan.forced = true
            }
        }
        let newTree = try client.treeID(ofCommit: commit)
        let changes = try resourceChanges(old: state, newTree: newTree)
        plan.warnings = changes.warnings
        try apply(changes, state: state, tx: tx, plan: &plan)

        let objects = try Transfer.missingInStore(from: commit, client: client, store: state.objects)
        try tx.putObjects(objects.map(GitObject.init))
        plan.objectCount = objects.count
        try tx.moveHead(from: state.head?.hex, to: commit.hex)
        plan.head = commit
        try tx.advanceCursor()
        let data = try client.object(commit)?.data ?? []
        let author = CommitData.header("author", in: data).flatMap(CommitData.parseSignature)
            ?? Signature(name: "unknown", email: "unknown", time: 0)
        let seq = try tx.appendChange(Change(uuid: nil, action: .push, authorName: author.name, authorEmail: author.email,
                                             time: Int(author.time), tzOffsetMinutes: author.offsetMinutes,
                                             message: "push \(commit.hex)"))
        try tx.setChangeCommit(seq: seq, commit: commit.hex)
        return plan
    }

    /// Refuses with `stale info` when a `cas` expectation (nil: none; `.some(nil)`: the
    /// branch must not exist) differs from the branch's head.
    static func checkLease(_ expected: ObjectID??, head: ObjectID?) throws {
        if let expected, expected != head {
            throw SyncError(.stale, "the workspace branch is at \(head?.hex ?? "nothing"), not \(expected?.hex ?? "nothing") as expected")
        }
    }

    /// One resource file that the push adds, changes, renames or removes.
    struct FileChange {
        var kind: any ResourceKind.Type
        var oldID: String?
        var newID: String?
        var newPath: String?
        var newBlob: ObjectID?
    }

    struct Changes {
        var files: [FileChange] = []
        var warnings: [Diagnostic] = []
        var errors: [Diagnostic] = []
        var manifest: Manifest
    }

    /// The resource files that differ between the workspace's tree and the pushed tree.
    func resourceChanges(old state: WorkspaceState, newTree: ObjectID) throws -> Changes {
        let diff = try client.diff(from: state.tree, to: newTree)
        var manifest = state.manifest
        var errors: [Diagnostic] = []
        let manifestChanged = diff.contains { $0.oldPath == Manifest.fileName || $0.newPath == Manifest.fileName }
        // A changed manifest may move roots, so the whole new tree is listed (once).
        let newFiles = manifestChanged ? try client.files(inTree: newTree) : []
        if manifestChanged {
            if let blob = newFiles.first(where: { $0.path == Manifest.fileName }) {
                let (parsed, diagnostics) = Manifest.parse(try client.blob(blob.id))
                errors += diagnostics.filter { $0.severity == .error }
                manifest = parsed ?? manifest
            } else {
                manifest = .default
            }
        }
        var changes = Changes(manifest: manifest)
        changes.errors = errors
        guard errors.isEmpty else { return changes }

        func resource(_ path: String?, _ manifest: Manifest) -> (any ResourceKind.Type, String)? {
            guard let path, case .resource(let kindName, let id) = manifest.role(of: path),
                  let kind = ResourceKinds.named(kindName) else { return nil }
            return (kind, id)
        }
        func note(_ path: String?) {
            guard let path, case .nonCanonical(let kind, true) = manifest.role(of: path) else { return }
            changes.warnings.append(Diagnostic(.warning, "non-canonical-path", "not a canonical \(kind) path; kept in the tree, not imported", path: path, at: nil))
        }

        if manifestChanged {
            // Roots may have moved: compare whole listings by (kind, source id), so a moved
            // root keeps every UUID.
            var before: [String: (any ResourceKind.Type, String)] = [:]
            if let oldTree = state.tree {
                for path in try client.files(inTree: oldTree).compactMap(\.path) {
                    if let (kind, id) = resource(path, state.manifest) { before[kind.name + "/" + id] = (kind, id) }
                }
            }
            var after: Set<String> = []
            for file in newFiles {
                guard let path = file.path else { continue }
                note(path)
                guard let (kind, id) = resource(path, manifest) else { continue }
                after.insert(kind.name + "/" + id)
                changes.files.append(FileChange(kind: kind, oldID: before[kind.name + "/" + id] == nil ? nil : id,
                                                newID: id, newPath: path, newBlob: file.id))
            }
            for (key, (kind, id)) in before where !after.contains(key) {
                changes.files.append(FileChange(kind: kind, oldID: id, newID: nil, newPath: nil, newBlob: nil))
            }
            return changes
        }

        for change in diff {
            note(change.newPath)
            let old = resource(change.oldPath, manifest), new = resource(change.newPath, manifest)
            switch (old, new) {
            case (nil, nil):
                continue
            case (let old?, let new?) where old.0.name == new.0.name:
                changes.files.append(FileChange(kind: new.0, oldID: old.1, newID: new.1, newPath: change.newPath, newBlob: change.newID))
            default:
                if let old { changes.files.append(FileChange(kind: old.0, oldID: old.1, newID: nil, newPath: nil, newBlob: nil)) }
                if let new { changes.files.append(FileChange(kind: new.0, oldID: nil, newID: new.1, newPath: change.newPath, newBlob: change.newID)) }
            }
        }
        return changes
    }

    /// Validates the changed files and writes them into the workspace.
    func apply(_ changes: Changes, state: WorkspaceState, tx: any WorkspaceWriting, plan: inout PushPlan) throws {
        var diagnostics = changes.errors
        var loaded: [(change: FileChange, result: ResourceLoader.Result)] = []
        for change in changes.files {
            guard let path = change.newPath, let blob = change.newBlob, let id = change.newID else { continue }
            let result = ResourceLoader.load(try client.blob(blob), path: path, kind: change.kind, expectedID: id)
            diagnostics += result.diagnostics
            loaded.append((change, result))
        }

        // Which stored resources the push touches, by UUID.
        var touched: Set<String> = []
        for change in changes.files {
            if let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID) {
                touched.insert(mapping.uuid)
            }
        }
        diagnostics += try crossChecks(loaded.map { ($0.change.newPath ?? "", $0.result) }, touched: touched, tx: tx, manifest: changes.manifest)
        diagnostics += try caseCollisions(loaded.map(\.change), touched: touched, tx: tx)
        let errors = diagnostics.filter { $0.severity == .error }
        plan.warnings += diagnostics.filter { $0.severity == .warning }
        guard errors.isEmpty else {
            throw SyncError(.invalid, "invalid definitions: \(errors.count) error\(errors.count == 1 ? "" : "s")",
                            diagnostics: errors.sortedForReport())
        }

        // Archive first, so a source id freed by a removal can be taken in the same push.
        for change in changes.files where change.newID == nil {
            guard let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID),
                  let resource = try tx.resource(uuid: mapping.uuid), !resource.archived else { continue }
            try tx.setArchived(uuid: mapping.uuid, true)
            plan.steps.append(.archive(kind: change.kind.name, id: mapping.sourceID))
        }
        for (change, result) in loaded {
            guard let spec = result.spec, let newID = change.newID else { continue }
            let projected = try projectedHash(spec, kind: change.kind)
            var uuid: String
            if let oldID = change.oldID, let mapping = try tx.mapping(kind: change.kind.name, sourceID: oldID) {
                uuid = mapping.uuid
                try tx.updateResource(uuid: uuid, spec: spec.value)
                if try tx.resource(uuid: uuid)?.archived == true { try tx.setArchived(uuid: uuid, false) }
                plan.steps.append(oldID == newID ? .update(kind: change.kind.name, id: newID)
                                                 : .rename(kind: change.kind.name, from: oldID, to: newID))
            } else if let mapping = try tx.mapping(kind: change.kind.name, sourceID: newID) {
                uuid = mapping.uuid
                let wasArchived = try tx.resource(uuid: uuid)?.archived ?? false
                try tx.updateResource(uuid: uuid, spec: spec.value)
                if wasArchived { try tx.setArchived(uuid: uuid, false) }
                plan.steps.append(wasArchived ? .restore(kind: change.kind.name, id: newID) : .update(kind: change.kind.name, id: newID))
            } else {
                uuid = try tx.insertResource(kind: change.kind.name, spec: spec.value).uuid
                plan.steps.append(.create(kind: change.kind.name, id: newID))
            }
            do {
                try tx.setMapping(Mapping(kind: change.kind.name, sourceID: newID, uuid: uuid,
                                          lastSyncedSpecHash: spec.specHash, lastProjectedSpecHash: projected))
            } catch let error as StoreError where error.code == StoreError.Code.sourceIDTaken {
                throw SyncError(.invalid, "\(change.newPath ?? newID): source id '\(newID)' is taken by another \(change.kind.name) (an archived one keeps its id; restore it, or pick another id)")
            }
            // Postcondition: the workspace holds exactly what the file says.
            guard try tx.resource(uuid: uuid)?.spec == spec.value, projected == spec.specHash else {
                throw SyncError(.invalid, "\(change.newPath ?? newID): the workspace cannot hold this document as written (its projection differs)")
            }
        }
    }

    /// New source ids that differ only by case from another live one (in the store or in
    /// this push): one directory on a case-insensitive file system, so refused.
    func caseCollisions(_ changes: [FileChange], touched: Set<String>, tx: any WorkspaceReading) throws -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen: [String: String] = [:]
        for change in changes where change.oldID == nil {
            guard let id = change.newID, let path = change.newPath else { continue }
            let key = change.kind.name + "/" + id.lowercased()
            var other = seen[key]
            if other == nil, let mapping = try tx.mapping(kind: change.kind.name, sourceID: id), mapping.sourceID != id,
               !touched.contains(mapping.uuid), try tx.resource(uuid: mapping.uuid)?.archived == false {
                other = mapping.sourceID
            }
            if let other {
                diagnostics.append(Diagnostic(.error, "case-collision", "source id '\(id)' differs from '\(other)' only by case", path: path, at: nil))
            }
            seen[key] = id
        }
        return diagnostics
    }

    /// The hash of the resource as the workspace would render it: canonical text, read back.
    func projectedHash(_ spec: ResourceSpec, kind: any ResourceKind.Type) throws -> String {
        let text = spec.canonicalText()
        guard let reread = ResourceLoader.load(Array(text.utf8), path: "", kind: kind, expectedID: spec.sourceID).spec else {
            throw SyncError.corrupt("the canonical text of \(spec.sourceID) cannot be read back")
        }
        return reread.specHash
    }

    /// Names offered and used across resources: the pushed files against each other and
    /// against the resources the push leaves alone. The store is scanned only when the push
    /// involves such names (a changed file offers or uses one, or a removed or renamed
    /// resource offered one), so an ordinary edit costs nothing here.
    func crossChecks(_ loaded: [(path: String, result: ResourceLoader.Result)], touched: Set<String>, tx: any WorkspaceReading,
                     manifest: Manifest) throws -> [Diagnostic] {
        func findings(of resource: StoredResource) -> KindFindings {
            var findings = KindFindings()
            guard let kind = ResourceKinds.named(resource.kind) else { return findings }
            var sink = DiagnosticSink(path: "")
            kind.check(Node(value: resource.spec), into: &sink, findings: &findings)
            return findings
        }

        var offeredBefore: Set<String> = []
        for uuid in touched {
            if let resource = try tx.resource(uuid: uuid), !resource.archived {
                offeredBefore.formUnion(findings(of: resource).exports.map { NameTable.key($0.namespace, $0.name) })
            }
        }
        let results = loaded.map(\.result)
        let offeredNow = Set(results.flatMap { $0.findings.exports.map { NameTable.key($0.namespace, $0.name) } })
        let removed = offeredBefore.subtracting(offeredNow)
        let involved = results.contains { !$0.findings.exports.isEmpty || !$0.findings.references.isEmpty }
        guard involved || !removed.isEmpty else { return [] }

        var names = NameTable()
        var untouched: [(StoredResource, KindFindings)] = []
        for resource in try tx.resources(includeArchived: false) where !touched.contains(resource.uuid) {
            let found = findings(of: resource)
            let id = try tx.mapping(uuid: resource.uuid)?.sourceID ?? resource.uuid
            for export in found.exports { names.offer(export, by: "\(resource.kind) \(id)", path: "") }
            if !removed.isEmpty { untouched.append((resource, found)) }
        }
        var diagnostics: [Diagnostic] = []
        for (path, result) in loaded {
            let owner = result.spec.map { "\($0.kindName) \($0.sourceID)" } ?? path
            for export in result.findings.exports {
                if let duplicate = names.offer(export, by: owner, path: path) { diagnostics.append(duplicate) }
            }
        }
        for (path, result) in loaded {
            diagnostics += result.findings.references.compactMap { names.check($0, path: path, scope: "workspace") }
        }
        // Resources the push leaves alone must not lose what they use.
        for (resource, found) in untouched {
            for reference in found.references where removed.contains(NameTable.key(reference.namespace, reference.name))
                && !names.contains(reference.namespace, reference.name) {
                let id = try tx.mapping(uuid: resource.uuid)?.sourceID ?? resource.uuid
                let path = ResourceKinds.named(resource.kind).map { manifest.path(kind: $0, sourceID: id) } ?? id
                diagnostics.append(Diagnostic(.error, "unresolved-reference", "still uses \(reference.noun) '\(reference.name)', which this push removes", path: path, at: nil))
            }
        }
        return diagnostics
    }

    /// Which resources changed on the workspace side since the newest commit the client has.
    func changedSince(state: WorkspaceState) -> String {
        guard let head = state.head else { return "the workspace moved" }
        do {
            var base: ObjectID?
            var queue = [head], seen: Set<ObjectID> = []
            while !queue.isEmpty {
                let commit = queue.removeFirst()
                guard seen.insert(commit).inserted else { continue }
                if try client.hasObject(commit) { base = commit; break }
                queue += try state.objects.parents(commit)
            }
            let baseTree = try base.map(state.objects.tree(ofCommit:))
            let paths = try state.objects.changedPaths(from: baseTree, to: state.tree)
            var names: [String] = []
            for path in paths {
                if case .resource(let kind, let id) = state.manifest.role(of: path) { names.append("\(kind) \(id)") }
            }
            if names.isEmpty { return "the workspace moved (no resource changed)" }
            return "changed in the workspace since your base: " + names.joined(separator: ", ")
        } catch {
            return "the workspace moved"
        }
    }
}
