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
    /// found the way `git diff -M` finds them (50% similarity). Paths that are not UTF-8
    /// are returned with invalid bytes replaced.
    ///
    /// The trees are compared side by side first (`changedFiles`), entering only subtrees
    /// whose ids differ: libgit2 1.5's tree diff reads every subtree of both trees, 20 000
    /// tree reads for a one-file change among 10 000 workflow directories. A rename pairs a
    /// removed file with an added one, so only when both are among the changes is libgit2
    /// asked, for its rename detection; its answer is then the whole answer.
    public func diff(from old: ObjectID?, to new: ObjectID, renames: Bool = true) throws(GitError) -> [TreeChange] {
        let changes = try changedFiles(from: old, to: new)
        if !renames || !changes.contains(where: { $0.status == .added }) || !changes.contains(where: { $0.status == .deleted }) {
            return changes
        }
        return try libgit2Diff(from: old, to: new)
    }

    /// The files that differ between two trees, as libgit2's tree diff lists them without
    /// rename detection: a file whose type changes (regular file, link, submodule) or that
    /// replaces a directory is a deletion and an addition; ordered by path, bytewise (git's
    /// order). Only subtrees whose ids differ are read.
    public func changedFiles(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [TreeChange] {
        var changes: [(path: [UInt8], change: TreeChange)] = []
        var pending: [(old: ObjectID?, new: ObjectID?, prefix: [UInt8])] = [(old, new, [])]
        func content(_ tree: ObjectID?) throws(GitError) -> [UInt8]? {
            guard let tree else { return nil }
            guard let object = try object(tree), object.type == .tree else {
                throw GitError(code: GIT_ENOTFOUND.rawValue, operation: "read tree \(tree)", message: "no such tree in the repository")
            }
            return object.data
        }
        func file(_ path: [UInt8]) -> String { String(decoding: path, as: UTF8.self) }
        func kind(_ mode: UInt32) -> UInt32 { mode == TreeEntry.executable ? TreeEntry.file : mode }
        while let (oldTree, newTree, prefix) = pending.popLast() {
            if oldTree == newTree { continue }
            // Each entry paired with its namesake of the same kind (`TreeFormat.differences`).
            let before = try content(oldTree), after = try content(newTree) ?? []
            let pairs: [(was: TreeEntry?, now: TreeEntry?)]
            do { pairs = try TreeFormat.differences(from: before, to: after) } catch {
                throw GitError(code: GIT_EINVALID.rawValue, operation: "compare trees \(oldTree?.hex ?? "(none)") and \(newTree?.hex ?? "(none)")",
                               message: "\(error)")
            }
            for (was, now) in pairs {
                if was?.id == now?.id && was?.mode == now?.mode { continue }
                let name = (was ?? now)!.name
                let path = prefix + name
                let oldSub = was?.isTree == true ? was?.id : nil, newSub = now?.isTree == true ? now?.id : nil
                if oldSub != nil || newSub != nil { pending.append((oldSub, newSub, path + [UInt8(ascii: "/")])) }
                let wasFile = was.flatMap { $0.isTree ? nil : $0 }, nowFile = now.flatMap { $0.isTree ? nil : $0 }
                switch (wasFile, nowFile) {
                case let (was?, now?) where kind(was.mode) == kind(now.mode):
                    changes.append((path, TreeChange(status: .modified, oldPath: file(path), newPath: file(path),
                                                     oldID: was.id, newID: now.id, newMode: now.mode)))
                default:
                    if let was = wasFile {
                        changes.append((path, TreeChange(status: .deleted, oldPath: file(path), newPath: nil, oldID: was.id, newID: nil)))
                    }
                    if let now = nowFile {
                        changes.append((path, TreeChange(status: .added, oldPath: nil, newPath: file(path), oldID: nil,
                                                         newID: now.id, newMode: now.mode)))
                    }
                }
            }
        }
        // A deletion before the addition at the same path, as libgit2 lists a type change.
        return changes.enumerated().sorted { lhs, rhs in
            lhs.element.path == rhs.element.path ? lhs.offset < rhs.offset
                : lhs.element.path.lexicographicallyPrecedes(rhs.element.path)
        }.map(\.element.change)
    }

    /// libgit2's tree diff, with its rename detection unless `renames` is false (internal:
    /// the tests hold `changedFiles` to it).
    func libgit2Diff(from old: ObjectID?, to new: ObjectID, renames: Bool = true) throws(GitError) -> [TreeChange] {
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
