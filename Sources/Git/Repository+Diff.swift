internal import CGit2

/// One changed file between two trees.
public struct TreeChange: Hashable, Sendable {
    public enum Status: Hashable, Sendable { case added, deleted, modified, renamed }
    public var status: Status
    /// The path before (nil when added).
    public var oldPath: String?
    /// The path after (nil when deleted).
    public var newPath: String?
    public var oldID: ObjectID?
    public var newID: ObjectID?
    /// The file mode after (nil when deleted).
    public var newMode: UInt32? = nil
}

extension Repository {
    /// The files that differ between two trees (`old` nil: an empty tree), with renames (unless `renames` is false)
    /// found the way `git diff -M` finds them (50% similarity). Only changed paths are
    /// visited: libgit2 skips subtrees whose ids are equal. Paths that are not UTF-8 are
    /// returned with invalid bytes replaced.
    public func diff(from old: ObjectID?, to new: ObjectID, renames: Bool = true) throws(GitError) -> [TreeChange] {
        var oldTree: OpaquePointer?, newTree: OpaquePointer?
        if let old {
            var oid = old.raw
            try check("read tree \(old)", git_tree_lookup(&oldTree, handle, &oid))
        }
        defer { git_tree_free(oldTree) }
        var newOID = new.raw
        try check("read tree \(new)", git_tree_lookup(&newTree, handle, &newOID))
        defer { git_tree_free(newTree) }

        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        var diff: OpaquePointer?
        try check("diff trees", git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &options))
        defer { git_diff_free(diff) }
        var find = git_diff_find_options()
        git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        if renames { try check("find renames", git_diff_find_similar(diff, &find)) }

        var changes: [TreeChange] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            let oldPath = delta.old_file.path.map { String(cString: $0) }
            let newPath = delta.new_file.path.map { String(cString: $0) }
            let oldID = ObjectID(delta.old_file.id), newID = ObjectID(delta.new_file.id)
            let newMode = UInt32(delta.new_file.mode)
            switch delta.status {
            case GIT_DELTA_ADDED:
                changes.append(TreeChange(status: .added, oldPath: nil, newPath: newPath, oldID: nil, newID: newID, newMode: newMode))
            case GIT_DELTA_DELETED:
                changes.append(TreeChange(status: .deleted, oldPath: oldPath, newPath: nil, oldID: oldID, newID: nil))
            case GIT_DELTA_RENAMED:
                changes.append(TreeChange(status: .renamed, oldPath: oldPath, newPath: newPath, oldID: oldID, newID: newID, newMode: newMode))
            default:
                changes.append(TreeChange(status: .modified, oldPath: oldPath, newPath: newPath, oldID: oldID, newID: newID, newMode: newMode))
            }
        }
        return changes
    }
}
