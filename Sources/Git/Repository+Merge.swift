internal import CGit2
import Foundation

/// One change to a tree: a blob at a path, or (blob nil) the path removed.
public struct TreeUpdate: Hashable, Sendable {
    public var path: String
    public var blob: ObjectID?
    public var mode: UInt32

    public init(path: String, blob: ObjectID?, mode: UInt32 = TreeEntry.file) {
        self.path = path
        self.blob = blob
        self.mode = mode
    }
}

extension Repository {
    /// Writes one object into the object database; returns its id.
    @discardableResult
    public func write(_ object: RawObject) throws(GitError) -> ObjectID {
        let odb = try database()
        var oid = git_oid()
        let result = object.data.withUnsafeBytes { bytes in
            git_odb_write(&oid, odb, bytes.baseAddress, bytes.count, git_object_t(rawValue: Int32(object.type.rawValue)))
        }
        try check("write \(object.type.name)", result)
        return ObjectID(oid)
    }

    /// Writes `bytes` as a blob.
    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        try write(RawObject(type: .blob, data: bytes))
    }

    /// The tree `base` (nil: the empty tree) with `updates` applied; intermediate trees are
    /// created or removed as needed. Only the trees on the updated paths are rewritten.
    public func tree(_ base: ObjectID?, applying updates: [TreeUpdate]) throws(GitError) -> ObjectID {
        let baseID: ObjectID
        if let base { baseID = base } else { baseID = try write(RawObject(type: .tree, data: [])) }
        if updates.isEmpty { return baseID }
        var oid = baseID.raw
        var baseline: OpaquePointer?
        try check("read tree \(baseID)", git_tree_lookup(&baseline, handle, &oid))
        defer { git_tree_free(baseline) }
        // libgit2 wants the updates' paths alive while it works; keep C strings for the call.
        let paths = updates.map { strdup($0.path) }
        defer { paths.forEach { free($0) } }
        var raw: [git_tree_update] = []
        for (index, update) in updates.enumerated() {
            var entry = git_tree_update()
            entry.action = update.blob == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT
            entry.id = (update.blob ?? ObjectID.zero).raw
            entry.filemode = git_filemode_t(rawValue: update.mode)
            entry.path = UnsafePointer(paths[index])
            raw.append(entry)
        }
        var out = git_oid()
        try check("update tree", git_tree_create_updated(&out, handle, baseline, raw.count, &raw))
        return ObjectID(out)
    }

    /// The best common ancestor of two commits, or nil when their histories are unrelated.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid(), one = a.raw, two = b.raw
        let result = git_merge_base(&out, handle, &one, &two)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("find merge base", result)
        return ObjectID(out)
    }

    /// The commits every reference of this repository (branches, remote-tracking refs,
    /// tags, HEAD) points at, peeled; references to other objects are left out.
    public func referenceTips() throws(GitError) -> [ObjectID] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let context = Unmanaged.passUnretained(names).toOpaque()
        try check("list references", git_reference_foreach_name(handle, { name, payload in
            guard let name, let payload else { return 0 }
            Unmanaged<Names>.fromOpaque(payload).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }, context))
        var tips: Set<ObjectID> = []
        for name in names.list + ["HEAD"] {
            var object: OpaquePointer?
            guard git_revparse_single(&object, handle, name) == 0 else { continue }
            defer { git_object_free(object) }
            var peeled: OpaquePointer?
            guard git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) == 0 else { continue }
            defer { git_object_free(peeled) }
            tips.insert(ObjectID(git_object_id(peeled).pointee))
        }
        return tips.sorted()
    }

    /// True when the repository has a reference (HEAD aside); found without reading any
    /// object. A clone's new repository has none while it fetches.
    public func hasReferences() throws(GitError) -> Bool {
        // The callback stops the listing at the first name; its 1 is then the result.
        let result = git_reference_foreach_name(handle, { _, _ in 1 }, nil)
        if result < 0 { try check("list references", result) }
        return result == 1
    }

    /// True when `commit` is one of `tips` or in their history: with `referenceTips()`, the
    /// commit has been fetched or made here, not merely left behind as loose objects.
    public func isReachable(_ commit: ObjectID, from tips: [ObjectID]) throws(GitError) -> Bool {
        if tips.contains(commit) { return true }
        guard !tips.isEmpty, try hasObject(commit) else { return false }
        var target = commit.raw
        var raw = tips.map(\.raw)
        let result = git_graph_reachable_from_any(handle, &target, &raw, raw.count)
        try check("check reachability of \(commit)", result)
        return result == 1
    }

    /// The entry at `path` (slash-separated) in a tree, or nil when there is none.
    public func entry(at path: String, in tree: ObjectID) throws(GitError) -> TreeEntry? {
        var oid = tree.raw
        var object: OpaquePointer?
        try check("read tree \(tree)", git_tree_lookup(&object, handle, &oid))
        defer { git_tree_free(object) }
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, object, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("find \(path)", result)
        defer { git_tree_entry_free(entry) }
        let name = (path.split(separator: "/").last.map(String.init)) ?? path
        return TreeEntry(name: name, mode: git_tree_entry_filemode(entry).rawValue, id: ObjectID(git_tree_entry_id(entry).pointee))
    }

    /// The parsed header and message of a commit.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitData {
        guard let object = try object(id), object.type == .commit,
              let data = CommitData(parsing: object.data) else {
            throw GitError(code: -1, operation: "read commit \(id)", message: "not a commit")
        }
        return data
    }
}

/// A line-based three-way merge of texts (libgit2's `git_merge_file`, git's xdiff merge).
public enum TextMerge {
    public struct Result: Sendable {
        /// False when the output carries conflict markers.
        public var isClean: Bool
        public var bytes: [UInt8]
    }

    /// Merges `ours` and `theirs` against `base`, marking conflicts `<<<<<<< ours`,
    /// `=======`, `>>>>>>> theirs` under the given labels.
    public static func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8],
                             labels: (base: String, ours: String, theirs: String) = ("base", "ours", "theirs")) throws(GitError) -> Result {
        _ = libgit2Ready
        var options = git_merge_file_options()
        git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION))
        let ancestorLabel = strdup(labels.base), ourLabel = strdup(labels.ours), theirLabel = strdup(labels.theirs)
        defer { free(ancestorLabel); free(ourLabel); free(theirLabel) }
        options.ancestor_label = UnsafePointer(ancestorLabel)
        options.our_label = UnsafePointer(ourLabel)
        options.their_label = UnsafePointer(theirLabel)
        var out = git_merge_file_result()
        let result = base.withUnsafeBytes { b in
            ours.withUnsafeBytes { o in
                theirs.withUnsafeBytes { t in
                    var ancestor = input(b), mine = input(o), others = input(t)
                    return git_merge_file(&out, &ancestor, &mine, &others, &options)
                }
            }
        }
        try check("merge texts", result)
        defer { git_merge_file_result_free(&out) }
        let bytes = out.len == 0 ? [] : Array(UnsafeRawBufferPointer(start: out.ptr, count: out.len))
        return Result(isClean: out.automergeable != 0, bytes: bytes)
    }

    private static func input(_ bytes: UnsafeRawBufferPointer) -> git_merge_file_input {
        var input = git_merge_file_input()
        git_merge_file_input_init(&input, UInt32(GIT_MERGE_FILE_INPUT_VERSION))
        input.ptr = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        input.size = bytes.count
        input.mode = 0o100644
        return input
    }
}
