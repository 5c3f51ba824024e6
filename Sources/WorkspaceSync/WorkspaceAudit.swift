import Git
import WorkspaceSpec
import WorkspaceStore
import YAML

/// One thing `git workspace fsck` found wrong with a workspace's rows.
///
/// `code` is stable (scripts and tests match on it); `message` names the resource, object,
/// path or change; `hint` says what the user can do when `--repair` cannot fix it safely.
public struct AuditFinding: Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in words that do not change between releases.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// A mapping names a UUID the workspace has no resource for.
        case mappingWithoutResource = "mapping-without-resource"
        /// A mapping's kind is not its resource's kind.
        case mappingKindMismatch = "mapping-kind-mismatch"
        /// A resource of a kind this build syncs has no mapping (no source id, no file).
        case resourceWithoutMapping = "resource-without-mapping"
        /// A mapping's source id breaks the source id rules.
        case sourceIDInvalid = "source-id-invalid"
        /// Two mappings of one kind have source ids that differ only by case (or not at all).
        case sourceIDDuplicate = "source-id-duplicate"
        /// A mapping's last synced or last projected spec hash is not its document's.
        case hashStale = "hash-stale"
        /// The workspace has live resources but no branch head.
        case unbornWithResources = "unborn-with-resources"
        /// The branch head is not the id of a stored commit.
        case headInvalid = "head-invalid"
        /// The head tree's `workspace.json` cannot be read.
        case manifestBroken = "manifest-broken"
        /// A live resource has no file at its canonical path in the head tree.
        case fileMissing = "file-missing"
        /// A live resource's file in the head tree says another spec than the stored one.
        case fileDiffers = "file-differs"
        /// A live resource's file in the head tree cannot be read as a resource document.
        case fileUnreadable = "file-unreadable"
        /// The head tree has a resource file that no live resource projects to.
        case fileWithoutResource = "file-without-resource"
        /// The head tree has a file where a push would refuse one (a misplaced resource file).
        case fileMisplaced = "file-misplaced"
        /// An object the branch (or a change) needs is not stored.
        case objectMissing = "object-missing"
        /// A stored object's id is not the git hash of its type and data.
        case objectCorrupt = "object-corrupt"
        /// A stored commit or tree cannot be parsed, or cannot be read at all.
        case objectMalformed = "object-malformed"
        /// An object is stored with another type than the one that refers to it says.
        case objectTypeMismatch = "object-type-mismatch"
        /// An object is stored as a delta against an object that is not stored (a broken
        /// delta chain), so it cannot be read.
        case objectDeltaBaseMissing = "object-delta-base-missing"
        /// The change log's sequence numbers do not increase.
        case changeOrder = "change-order"
        /// A change names a commit the workspace does not store.
        case changeCommitMissing = "change-commit-missing"
        /// A change names a resource the workspace does not have.
        case changeResourceMissing = "change-resource-missing"
        /// The name index rows of a resource differ from what its stored document says.
        case nameIndexStale = "name-index-stale"
    }

    public var workspace: String
    public var code: Code
    /// What the finding is about: `workflow triage`, `object 1f2e…`, `change 12`.
    public var subject: String
    /// The path in the head tree, when there is one.
    public var path: String?
    public var message: String
    /// What the user can do (when `repair` is nil), or nil.
    public var hint: String?
    /// What `--repair` does about it; nil when it cannot fix it without risk of losing data.
    var repair: AuditRepair?

    public var repairable: Bool { repair != nil }
    /// What `--repair` does (or did), in words; nil when it cannot fix this.
    public var repairDescription: String? { repair?.description }

    init(_ workspace: String, _ code: Code, _ subject: String, path: String? = nil, _ message: String,
         hint: String? = nil, repair: AuditRepair? = nil) {
        self.workspace = workspace
        self.code = code
        self.subject = subject
        self.path = path
        self.message = message
        self.hint = hint
        self.repair = repair
    }

    /// `main: workflow triage (workflows/triage/definition.yml): message [code]`.
    public var description: String {
        "\(workspace): \(subject)\(path.map { " (\($0))" } ?? ""): \(message) [\(code.rawValue)]"
    }
}

/// A fix `--repair` may make: each one only adds what provably belongs (an object whose id
/// proves its content, a mapping from the resource's own document) or recomputes a hash.
enum AuditRepair: Hashable, Sendable, CustomStringConvertible {
    /// Creates the mapping of a resource that has none, from its document's `id`.
    case createMapping(Mapping)
    /// Replaces a mapping's hashes (the mapping carries the right ones).
    case setHashes(Mapping)
    /// Stores an object rebuilt from the stored resources; its id is the missing one.
    case storeObject(GitObject)
    /// Rebuilds a resource's name index rows from its stored document.
    case reindexNames(uuid: String)

    var description: String {
        switch self {
        case .createMapping(let mapping): return "map \(mapping.kind) \(mapping.uuid) to source id '\(mapping.sourceID)'"
        case .setHashes(let mapping): return "record the hashes of \(mapping.kind) \(mapping.sourceID)'s stored document"
        case .storeObject(let object): return "store \(Self.typeName(object.type)) \(object.oid) rebuilt from the stored resources"
        case .reindexNames(let uuid): return "rebuild the name index rows of \(uuid) from its stored document"
        }
    }

    static func typeName(_ kind: GitObject.Kind) -> String {
        switch kind {
        case .commit: return "commit"
        case .tree: return "tree"
        case .blob: return "blob"
        case .tag: return "tag"
        }
    }
}

/// `git workspace fsck`: checks one workspace's rows against the rules every write keeps.
///
/// - every mapping has its resource (of the same kind), every resource of a kind this build
///   syncs has a mapping, and no two source ids of a kind differ only by case;
/// - the head's tree re-projects to the live resources in spec space: each live resource's
///   file, parsed and normalized as a push reads it, has the stored spec's hash, and no
///   resource file is there without a live resource;
/// - every object reachable from the head and from the change log's commits is stored, and
///   each one read has the id git gives its type and data;
/// - each mapping records its document's hashes (`ResourceWriter` records both on every
///   write, and an archive changes neither document nor mapping, so for every resource the
///   last synced hash is its stored spec's and the last projected hash that of its
///   canonical text read back); a live resource whose file differs is reported as that,
///   not twice;
/// - the change log's sequence numbers increase, and each change names a stored commit and
///   an existing resource.
///
/// Reading only: `audit` takes a reader (a snapshot). `repair` takes a writer and applies
/// only the fixes that cannot lose data (`AuditRepair`), then audits again.
public enum WorkspaceAudit {
    /// Every finding in `reader`'s workspace, in a stable order.
    public static func audit(_ reader: any WorkspaceReading) throws -> [AuditFinding] {
        var auditor = Auditor(reader: reader)
        try auditor.run()
        return auditor.findings
    }

    /// What `repair` did and what is left.
    public struct RepairReport: Sendable {
        /// The findings a repair fixed (their `repairDescription` says how).
        public var repaired: [AuditFinding]
        /// The findings after the repairs: those nothing could fix safely.
        public var remaining: [AuditFinding]
    }

    /// Audits the workspace `tx` writes, applies every safe repair, and audits again (a
    /// restored tree may reveal more missing objects that can be rebuilt too). The caller's
    /// transaction commits or rolls back all of it.
    public static func repair(_ tx: any WorkspaceWriting) throws -> RepairReport {
        var repaired: [AuditFinding] = []
        var applied: Set<AuditRepair> = []
        var findings = try audit(tx)
        for _ in 0..<16 {
            var progressed = false
            for finding in findings {
                guard let repair = finding.repair, !applied.contains(repair) else { continue }
                applied.insert(repair)
                if try apply(repair, tx) {
                    repaired.append(finding)
                    progressed = true
                }
            }
            if !progressed { break }
            findings = try audit(tx)
        }
        return RepairReport(repaired: repaired, remaining: findings)
    }

    /// Applies one repair when it still holds in `tx`; false when the state moved under it.
    static func apply(_ repair: AuditRepair, _ tx: any WorkspaceWriting) throws -> Bool {
        switch repair {
        case .createMapping(let mapping):
            guard try tx.mapping(uuid: mapping.uuid) == nil, try tx.resource(uuid: mapping.uuid) != nil,
                  try tx.mapping(kind: mapping.kind, sourceID: mapping.sourceID) == nil else { return false }
            try tx.setMapping(mapping)
            return true
        case .setHashes(let mapping):
            guard let current = try tx.mapping(uuid: mapping.uuid), current.kind == mapping.kind,
                  current.sourceID == mapping.sourceID else { return false }
            try tx.setMapping(mapping)
            return true
        case .storeObject(let object):
            guard let type = ObjectType(rawValue: object.type.rawValue),
                  RawObject.hash(type: type, data: object.data).hex == object.oid,
                  try !tx.hasObject(object.oid) else { return false }
            try tx.putObjects([object])
            return true
        case .reindexNames(let uuid):
            try tx.reindexNames(uuid: uuid)
            return true
        }
    }
}

/// One audit of one workspace.
private struct Auditor {
    let reader: any WorkspaceReading
    var findings: [AuditFinding] = []

    // The rows.
    var resources: [StoredResource] = []
    var resourceByUUID: [String: StoredResource] = [:]
    var mappings: [Mapping] = []
    var mappingByUUID: [String: Mapping] = [:]
    /// `kind/source id` (exact) -> mapping.
    var mappingByKey: [String: Mapping] = [:]
    /// `kind/source id` -> the UUID a repair would map to it (a resource without a mapping).
    var proposedMappings: [String: String] = [:]
    /// Each resource's spec hash, by UUID, computed once (it is most of an audit's work).
    var specHashes: [String: String] = [:]

    // What the object walk found.
    /// Every object id asked for, stored or not.
    var seen: Set<String> = []
    /// The entries of every tree read (a tree's whole subtree is walked once it is here).
    var treeEntries: [String: [TreeEntry]] = [:]
    /// Objects that are not stored, in the order found.
    var missing: [String: MissingObject] = [:]
    var missingOrder: [String] = []
    /// Commits stored, readable and well formed.
    var commits: Set<String> = []
    /// The head tree's files: path -> blob id (regular files and links; not submodules).
    var headFiles: [String: String] = [:]
    /// The data of the head tree's blobs that could be read, by id.
    var blobs: [String: [UInt8]] = [:]
    /// Directories of the head tree (`""` the root, else ending in `/`) whose tree could not
    /// be read: files below them are unknown, not missing.
    var unreadableHeadDirectories: [String] = []
    /// True when the head's root tree was read (so whether it has a manifest is known).
    var headRootRead = false

    struct MissingObject {
        var type: GitObject.Kind
        /// What needs it, for the message.
        var need: String
        /// Its path in the head tree, when it is there.
        var path: String?
        /// The change whose commit it is, when only the change log named it.
        var change: Int?
    }

    init(reader: any WorkspaceReading) { self.reader = reader }

    var workspace: String { reader.name }

    /// The spec hash of `resource`'s stored document.
    mutating func specHash(_ resource: StoredResource) -> String {
        if let known = specHashes[resource.uuid] { return known }
        let hash = SpecHash.of(resource.spec)
        specHashes[resource.uuid] = hash
        return hash
    }

    mutating func report(_ code: AuditFinding.Code, _ subject: String, path: String? = nil, _ message: String,
                         hint: String? = nil, repair: AuditRepair? = nil) {
        findings.append(AuditFinding(workspace, code, subject, path: path, message, hint: hint, repair: repair))
    }

    mutating func run() throws {
        resources = try reader.resources(includeArchived: true)
        resourceByUUID = Dictionary(resources.map { ($0.uuid, $0) }) { first, _ in first }
        mappings = try reader.mappings()
        mappingByUUID = Dictionary(mappings.map { ($0.uuid, $0) }) { first, _ in first }
        mappingByKey = Dictionary(mappings.map { ($0.kind + "/" + $0.sourceID, $0) }) { first, _ in first }
        let changes = try reader.changes(after: 0)

        checkMappings()
        try checkNameIndex()
        try walkObjects(changes: changes)
        let manifest = readManifest()
        checkResources(manifest)
        let fileStates = checkProjection(manifest)
        checkHashes(fileStates)
        checkChanges(changes)
        reportMissingObjects(manifest)
    }

    // MARK: Mappings and resources

    mutating func checkMappings() {
        for mapping in mappings {
            let subject = "\(mapping.kind) \(mapping.sourceID)"
            if let problem = SourceID.problem(with: mapping.sourceID) {
                report(.sourceIDInvalid, subject, "the mapping's source id is not valid: \(problem)",
                       hint: "restore the store from a backup")
            }
            guard let resource = resourceByUUID[mapping.uuid] else {
                report(.mappingWithoutResource, subject,
                       "the mapping names resource \(mapping.uuid), which the workspace does not have",
                       hint: "restore the store from a backup (the document may still be in the branch)")
                continue
            }
            if resource.kind != mapping.kind {
                report(.mappingKindMismatch, subject,
                       "the mapping is for a \(mapping.kind), but resource \(mapping.uuid) is a \(resource.kind)",
                       hint: "restore the store from a backup")
            }
        }
        let groups = Dictionary(grouping: mappings) { $0.kind + "/" + $0.sourceID.lowercased() }
        for key in groups.keys.sorted() {
            guard let group = groups[key], group.count > 1 else { continue }
            let ids = group.map { "'\($0.sourceID)' (\($0.uuid))" }.joined(separator: ", ")
            report(.sourceIDDuplicate, "\(group[0].kind) \(group[0].sourceID)",
                   "\(group.count) \(group[0].kind)s have source ids that differ only by case: \(ids)",
                   hint: "such ids are one directory on a case-insensitive file system; restore the store from a "
                       + "backup, or archive all but one and re-create the others under new ids")
        }
    }

    /// The name index (what pushes and application edits are judged by) against the stored
    /// documents; the repair rebuilds a resource's rows from its document.
    mutating func checkNameIndex() throws {
        for uuid in try reader.staleNameIndex() {
            let resource = resourceByUUID[uuid]
            let subject = resource.map { "\($0.kind) \(mappingByUUID[uuid]?.sourceID ?? uuid)" } ?? "resource \(uuid)"
            report(.nameIndexStale, subject, resource == nil
                   ? "the name index has rows for a resource the workspace does not have"
                   : "the name index (the names it offers and uses, which every change is judged by) differs from its stored document",
                   repair: .reindexNames(uuid: uuid))
        }
    }

    /// Resources of a synced kind without a mapping; the repair maps each to its document's
    /// own `id` when that id is valid and no other resource of the kind has it.
    mutating func checkResources(_ manifest: Manifest?) {
        var claimed: Set<String> = Set(mappings.map { $0.kind + "/" + $0.sourceID.lowercased() })
        for resource in resources where mappingByUUID[resource.uuid] == nil {
            guard let kind = ResourceKinds.named(resource.kind) else { continue }
            var repair: AuditRepair?
            var why = ""
            if let id = resource.spec["id"]?.stringValue {
                if let problem = SourceID.problem(with: id) {
                    why = "; its document's id cannot be one: \(problem)"
                } else if claimed.contains(kind.name + "/" + id.lowercased()) {
                    why = "; its document's id '\(id)' is taken"
                } else {
                    let spec = ResourceSpec(kindName: kind.name, sourceID: id, value: resource.spec)
                    // The last synced hash is what the branch's file says, where there is one.
                    var synced = spec.specHash
                    if let path = manifest?.path(kind: kind, sourceID: id), let blob = headFiles[path], let bytes = blobs[blob],
                       let read = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: id).spec {
                        synced = read.specHash
                    }
                    let projected = (try? ResourceWriter.projectedHash(spec, kind: kind)) ?? spec.specHash
                    repair = .createMapping(Mapping(kind: kind.name, sourceID: id, uuid: resource.uuid,
                                                    lastSyncedSpecHash: synced, lastProjectedSpecHash: projected))
                    claimed.insert(kind.name + "/" + id.lowercased())
                    proposedMappings[kind.name + "/" + id] = resource.uuid
                }
            } else {
                why = "; its document has no id"
            }
            report(.resourceWithoutMapping, "\(kind.name) \(resource.uuid)",
                   "the \(resource.archived ? "archived" : "live") \(kind.name) has no mapping, so no source id\(why)",
                   hint: repair == nil ? "restore the store from a backup" : nil, repair: repair)
        }
    }

    // MARK: Objects

    /// Walks every object reachable from the head (recording the head tree's files) and from
    /// each change's commit, each object once.
    mutating func walkObjects(changes: [Change]) throws {
        if let head = reader.head {
            if !GitObject.isValidID(head) {
                report(.headInvalid, "head", "the branch head '\(head)' is not an object id",
                       hint: "restore the store from a backup")
                unreadableHeadDirectories.append("")
            } else if let commit = try read(head, as: .commit, need: "the branch head"),
                      let links = try? CommitData.parseLinks(commit.data) {
                try walkTree(links.tree.hex, owner: "the head", prefix: "")
                try walkCommits(links.parents.map { ($0.hex, nil) })
            } else {
                unreadableHeadDirectories.append("")
            }
        }
        try walkCommits(changes.compactMap { change in
            change.commit.flatMap { GitObject.isValidID($0) ? ($0, change.seq) : nil }
        })
    }

    /// Walks commits and their trees from `tips` (each with the change that names it, if any).
    mutating func walkCommits(_ tips: [(id: String, change: Int?)]) throws {
        var queue = Array(tips.reversed())
        while let (id, change) = queue.popLast() {
            guard !seen.contains(id) else { continue }
            let need = change.map { "the commit of change \($0)" } ?? "a commit of the branch's history"
            guard let commit = try read(id, as: .commit, need: need, change: change),
                  let links = try? CommitData.parseLinks(commit.data) else { continue }
            try walkTree(links.tree.hex, owner: "commit \(id)", prefix: nil)
            queue += links.parents.reversed().map { ($0.hex, nil) }
        }
    }

    /// Walks one tree and everything below it; `owner` names the commit it belongs to in
    /// messages (`the head`, `commit 1f2e…`). `prefix` is its directory in the head tree
    /// (`""` the root, else ending in `/`; nil outside the head tree): there, the head's
    /// files are recorded with their data.
    mutating func walkTree(_ id: String, owner: String, prefix: String?, need: String? = nil) throws {
        let entries: [TreeEntry]
        if let known = treeEntries[id] {
            guard prefix != nil else { return }   // walked already; the head's listing needs it again
            entries = known
        } else {
            let directory = prefix.flatMap { $0.isEmpty ? nil : $0 }
            let need = need ?? "the tree of \(owner)"
            guard !seen.contains(id), let tree = try read(id, as: .tree, need: need, path: directory) else {
                if let prefix { unreadableHeadDirectories.append(prefix) }
                return
            }
            guard let parsed = try? TreeFormat.parse(tree.data) else {
                report(.objectMalformed, "object \(id)", path: directory, "\(need) is a tree that cannot be parsed",
                       hint: "restore the store from a backup")
                if let prefix { unreadableHeadDirectories.append(prefix) }
                return
            }
            treeEntries[id] = parsed
            entries = parsed
        }
        if prefix == "" { headRootRead = true }
        for entry in entries where entry.mode != TreeEntry.submodule {
            let path = prefix.flatMap { prefix in String(validating: entry.name, as: UTF8.self).map { prefix + $0 } }
            let entryID = entry.id.hex
            if entry.isTree {
                try walkTree(entryID, owner: owner, prefix: path.map { $0 + "/" },
                             need: path.map { "the directory \($0)/ of \(owner)" } ?? "a directory of \(owner)")
                continue
            }
            if let path { headFiles[path] = entryID }
            guard !seen.contains(entryID) else { continue }
            let blob = try read(entryID, as: .blob, need: path.map { "the file \($0) of \(owner)" } ?? "a file of \(owner)",
                                path: path)
            if let blob, path != nil { blobs[entryID] = blob.data }
        }
    }

    /// Reads object `id`, expected to be a `type`: nil and a finding when it is not stored,
    /// cannot be read, is not what its id says or is of another type.
    mutating func read(_ id: String, as type: GitObject.Kind, need: String, path: String? = nil,
                       change: Int? = nil) throws -> GitObject? {
        seen.insert(id)
        let typeName = AuditRepair.typeName
        let object: GitObject?
        do { object = try reader.object(id) } catch let error as StoreError where error.code == .deltaBaseMissing {
            report(.objectDeltaBaseMissing, "object \(id)", path: path, "\(need) cannot be read: \(error.message)",
                   hint: "restore the store from a backup (a clone that fetched the object has its content)")
            return nil
        } catch let error as StoreError where error.code == .corrupt {
            report(.objectMalformed, "object \(id)", path: path, "\(need) cannot be read: \(error.message)",
                   hint: "restore the store from a backup")
            return nil
        }
        guard let object else {
            missing[id] = MissingObject(type: type, need: need, path: path, change: change)
            missingOrder.append(id)
            return nil
        }
        if let gitType = ObjectType(rawValue: object.type.rawValue) {
            let actual = RawObject.hash(type: gitType, data: object.data).hex
            guard actual == id else {
                report(.objectCorrupt, "object \(id)", path: path,
                       "\(need) is stored with data whose git hash is \(actual), not its id",
                       hint: "restore the store from a backup (a clone that fetched the object has its content)")
                return nil
            }
        }
        guard object.type == type else {
            report(.objectTypeMismatch, "object \(id)", path: path,
                   "\(need) should be a \(typeName(type)), but a \(typeName(object.type)) is stored under its id",
                   hint: "restore the store from a backup")
            return nil
        }
        if type == .commit {
            guard (try? CommitData.parseLinks(object.data)) != nil else {
                report(.objectMalformed, "object \(id)", path: path, "\(need) is a commit without a valid tree line",
                       hint: "restore the store from a backup")
                return nil
            }
            commits.insert(id)
        }
        return object
    }

    /// The manifest in force in the head tree: nil when there is no head, when its root tree
    /// cannot be read, or when its `workspace.json` cannot be read (reported).
    mutating func readManifest() -> Manifest? {
        guard reader.head != nil, headRootRead else { return nil }
        guard let blob = headFiles[Manifest.fileName] else { return .default }
        guard let bytes = blobs[blob] else { return nil }
        switch Manifest.read(bytes) {
        case .implicit: return .default
        case .declared(let manifest): return manifest
        case .broken(let diagnostics):
            report(.manifestBroken, Manifest.fileName, path: Manifest.fileName,
                   "the head's manifest cannot be read: " + diagnostics.map(\.description).joined(separator: "; "),
                   hint: "push a commit with a valid \(Manifest.fileName) (git workspace validate says what is wrong)")
            return nil
        }
    }

    // MARK: The head tree against the resources

    /// What the head's file of a live resource says, against its stored spec.
    enum FileState { case matches, missing, differs, unreadable, unknown }

    /// Compares the head's files with the live resources; returns each live, mapped
    /// resource's file state by UUID.
    mutating func checkProjection(_ manifest: Manifest?) -> [String: FileState] {
        var states: [String: FileState] = [:]
        let live = resources.filter { !$0.archived && ResourceKinds.named($0.kind) != nil }
        guard reader.head != nil else {
            if !live.isEmpty {
                report(.unbornWithResources, "head",
                       "the branch is unborn, but the workspace has \(live.count) live resource\(live.count == 1 ? "" : "s")",
                       hint: "restore the store from a backup")
            }
            for resource in live { states[resource.uuid] = .missing }
            return states
        }
        guard let manifest else {
            for resource in live { states[resource.uuid] = .unknown }
            return states
        }
        // Every resource file of the head: is a live resource behind it?
        for path in headFiles.keys.sorted() {
            switch manifest.role(of: path) {
            case .resource(let kindName, let id):
                let mapping = mappingByKey[kindName + "/" + id]
                let resource = mapping.flatMap { resourceByUUID[$0.uuid] }
                if let resource, !resource.archived, resource.kind == kindName { continue }
                let why = resource?.archived == true ? "its \(kindName) is archived"
                    : mapping != nil ? "its mapping names no \(kindName)" : "no \(kindName) has the source id '\(id)'"
                let proposed = proposedMappings[kindName + "/" + id]
                report(.fileWithoutResource, "\(kindName) \(id)", path: path,
                       "the branch has this file, but \(why)",
                       hint: proposed.map { "git workspace fsck --repair maps \(kindName) \($0) to it" }
                           ?? "push a commit that removes the file, or restore the store from a backup")
            case .misplaced(_, let expected, let reason):
                report(.fileMisplaced, "file", path: path,
                       "a push would refuse this file: \(reason)\(expected.map { " (did you mean \($0)?)" } ?? "")",
                       hint: "push a commit that moves or removes it")
            case .manifest, .outside:
                continue
            }
        }
        // Every live resource: is its file there, saying its spec?
        for resource in live {
            guard let kind = ResourceKinds.named(resource.kind), let mapping = mappingByUUID[resource.uuid],
                  mapping.kind == resource.kind else { continue }
            let path = manifest.path(kind: kind, sourceID: mapping.sourceID)
            let subject = "\(kind.name) \(mapping.sourceID)"
            guard let blob = headFiles[path] else {
                if unreadableHeadDirectories.contains(where: { path.hasPrefix($0) }) {
                    states[resource.uuid] = .unknown
                    continue
                }
                states[resource.uuid] = .missing
                report(.fileMissing, subject, path: path, "the live \(kind.name) has no file in the branch's head",
                       hint: "add the file (git workspace app show prints the stored document) and push it, "
                           + "or archive the \(kind.name) with git workspace app rm")
                continue
            }
            guard let bytes = blobs[blob] else { states[resource.uuid] = .unknown; continue }
            let loaded = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: mapping.sourceID)
            guard let spec = loaded.spec else {
                states[resource.uuid] = .unreadable
                let why = loaded.diagnostics.first { $0.severity == .error }?.description ?? "it cannot be parsed"
                report(.fileUnreadable, subject, path: path, "the branch's file is not a readable \(kind.name) document: \(why)",
                       hint: "push a valid document for it, or put the stored one back with git workspace app put")
                continue
            }
            // Equal normal forms have equal hashes; only unequal ones need hashing to be judged.
            let storedHash = spec.value == resource.spec ? nil : specHash(resource)
            if storedHash == nil || spec.specHash == storedHash {
                states[resource.uuid] = .matches
            } else {
                states[resource.uuid] = .differs
                report(.fileDiffers, subject, path: path,
                       "the branch's file has spec hash \(spec.specHash), the stored document \(storedHash ?? "")",
                       hint: "compare with git workspace app show; git workspace app put of the version to keep "
                           + "writes it to both the workspace and the branch")
            }
        }
        return states
    }

    // MARK: Hashes

    /// Each mapping's hashes against its resource's stored document (see `WorkspaceAudit`).
    mutating func checkHashes(_ fileStates: [String: FileState]) {
        for mapping in mappings {
            guard let resource = resourceByUUID[mapping.uuid], resource.kind == mapping.kind,
                  let kind = ResourceKinds.named(resource.kind) else { continue }
            // A live resource whose file is missing or differs is reported as that; its last
            // synced hash may well be the file's, and a repair must not hide the difference.
            if !resource.archived, fileStates[resource.uuid] != .matches { continue }
            let spec = ResourceSpec(kindName: kind.name, sourceID: mapping.sourceID, value: resource.spec)
            let synced = specHash(resource)
            // Every write checks that the canonical text reads back to the same spec hash
            // (the postcondition), so a last projected hash equal to the spec hash is right;
            // only another one needs the projection computed to be judged.
            let projected: String
            if mapping.lastProjectedSpecHash == synced {
                projected = synced
            } else {
                guard let computed = try? ResourceWriter.projectedHash(spec, kind: kind) else { continue }
                projected = computed
            }
            var wrong: [String] = []
            if mapping.lastSyncedSpecHash != synced {
                wrong.append("last synced hash is \(mapping.lastSyncedSpecHash ?? "missing"), not the document's \(synced)")
            }
            if mapping.lastProjectedSpecHash != projected {
                wrong.append("last projected hash is \(mapping.lastProjectedSpecHash ?? "missing"), not its projection's \(projected)")
            }
            guard !wrong.isEmpty else { continue }
            var fixed = mapping
            fixed.lastSyncedSpecHash = synced
            fixed.lastProjectedSpecHash = projected
            report(.hashStale, "\(kind.name) \(mapping.sourceID)", "the mapping's " + wrong.joined(separator: "; its "),
                   repair: .setHashes(fixed))
        }
    }

    // MARK: The change log

    mutating func checkChanges(_ changes: [Change]) {
        var previous = 0
        for change in changes {
            if change.seq <= previous {
                report(.changeOrder, "change \(change.seq)",
                       "the change log's sequence numbers do not increase (\(change.seq) after \(previous))",
                       hint: "restore the store from a backup")
            }
            previous = max(previous, change.seq)
            if let commit = change.commit {
                if !GitObject.isValidID(commit) {
                    report(.changeCommitMissing, "change \(change.seq)", "the change names '\(commit)', which is not an object id",
                           hint: "restore the store from a backup")
                } else if missing[commit]?.change == change.seq {
                    report(.changeCommitMissing, "change \(change.seq)",
                           "the change names commit \(commit), which the workspace does not store",
                           hint: "restore the store from a backup")
                }
            }
            if let uuid = change.uuid, resourceByUUID[uuid] == nil {
                report(.changeResourceMissing, "change \(change.seq)",
                       "the change (\(change.action.rawValue)) names resource \(uuid), which the workspace does not have",
                       hint: "restore the store from a backup")
            }
        }
    }

    // MARK: Missing objects

    /// Reports every object the walk needed and did not find (a change's commit that only
    /// the change log names is reported with its change), each one that the stored
    /// resources rebuild exactly as repairable: a resource's canonical file, the manifest,
    /// the trees of the projection of the live resources. The id proves the content.
    mutating func reportMissingObjects(_ manifest: Manifest?) {
        let wanted = missingOrder.filter { missing[$0]?.change == nil }
        guard !wanted.isEmpty else { return }
        let candidates = rebuildable(manifest ?? .default)
        for id in wanted {
            guard let info = missing[id] else { continue }
            let rebuilt = candidates[id].flatMap { $0.type == info.type ? $0 : nil }
            report(.objectMissing, "object \(id)", path: info.path,
                   "\(info.need) (a \(AuditRepair.typeName(info.type))) is not stored",
                   hint: rebuilt == nil ? "restore the store from a backup (a clone that fetched the object has it)" : nil,
                   repair: rebuilt.map { .storeObject($0) })
        }
    }

    /// The objects the stored resources project to, by id.
    func rebuildable(_ manifest: Manifest) -> [String: GitObject] {
        var candidates: [String: GitObject] = [:]
        func add(_ raw: RawObject) { candidates[raw.id.hex] = GitObject(raw) }
        let manifestBlob = RawObject(type: .blob, data: Array(manifest.render().utf8))
        add(manifestBlob)
        add(RawObject(type: .tree, data: []))
        var root = ProjectedDirectory()
        root.insert(Manifest.fileName, blob: manifestBlob.id)
        for resource in resources {
            guard let kind = ResourceKinds.named(resource.kind), let mapping = mappingByUUID[resource.uuid] else { continue }
            let spec = ResourceSpec(kindName: kind.name, sourceID: mapping.sourceID, value: resource.spec)
            let blob = RawObject(type: .blob, data: Array(spec.canonicalText().utf8))
            add(blob)
            if !resource.archived { root.insert(manifest.path(kind: kind, sourceID: mapping.sourceID), blob: blob.id) }
        }
        root.serialize(into: &candidates)
        return candidates
    }
}

/// A directory of the projection built from the stored resources (for rebuilding trees).
private struct ProjectedDirectory {
    var files: [String: ObjectID] = [:]
    var directories: [String: ProjectedDirectory] = [:]

    mutating func insert(_ path: String, blob: ObjectID) {
        let parts = path.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 1 { files[parts[0]] = blob; return }
        directories[parts[0], default: ProjectedDirectory()].insert(parts[1], blob: blob)
    }

    /// Serializes this directory and every one below it as trees; returns its id.
    @discardableResult
    func serialize(into candidates: inout [String: GitObject]) -> ObjectID {
        var entries = files.map { TreeEntry(name: $0.key, mode: TreeEntry.file, id: $0.value) }
        for (name, directory) in directories {
            entries.append(TreeEntry(name: name, mode: TreeEntry.directory, id: directory.serialize(into: &candidates)))
        }
        let tree = RawObject(type: .tree, data: TreeFormat.serialize(entries))
        candidates[tree.id.hex] = GitObject(tree)
        return tree.id
    }
}
