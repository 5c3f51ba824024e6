internal import CGit2
import Foundation

extension Repository {
    /// The branch HEAD names (`main` for `refs/heads/main`), also when it is unborn; nil when
    /// HEAD is detached.
    public func currentBranch() throws(GitError) -> String? {
        var head: OpaquePointer?
        try check("read HEAD", git_reference_lookup(&head, handle, "HEAD"))
        defer { git_reference_free(head) }
        guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC,
              let target = git_reference_symbolic_target(head).map({ String(cString: $0) }),
              target.hasPrefix("refs/heads/") else { return nil }
        return String(target.dropFirst("refs/heads/".count))
    }

    /// The commit a reference (`HEAD`, `refs/remotes/origin/main`) resolves to, following
    /// symbolic references; nil when it does not exist (an unborn HEAD included).
    public func reference(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, handle, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("resolve \(name)", result)
        return ObjectID(oid)
    }

    /// The paths whose content in the work tree (what the user sees: the index and the files
    /// on disk, untracked files included, ignored ones not) differs from `tree` (nil: the
    /// empty tree), like `git status` reports them against HEAD, limited to the directories
    /// `under` (every path when empty). libgit2 compares the index's recorded file stats
    /// first, so unchanged files are not read. Paths that are not UTF-8 are left out.
    public func workTreeChanges(against tree: ObjectID?, under directories: [String] = []) throws(GitError) -> [String] {
        var treeHandle: OpaquePointer?
        if let tree {
            var oid = tree.raw
            try check("read tree \(tree)", git_tree_lookup(&treeHandle, handle, &oid))
        }
        defer { git_tree_free(treeHandle) }
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.flags = GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
        // Directories without their trailing slash: libgit2 matches a pathspec as a whole-segment prefix.
        let specs = directories.map { strdup($0.hasSuffix("/") ? String($0.dropLast()) : $0) }
        defer { specs.forEach { free($0) } }
        var pointers = specs
        var diff: OpaquePointer?
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            options.pathspec.strings = buffer.baseAddress
            options.pathspec.count = buffer.count
            return git_diff_tree_to_workdir_with_index(&diff, handle, treeHandle, &options)
        }
        try check("compare the work tree", result)
        defer { git_diff_free(diff) }
        var paths: [String] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            for file in [delta.old_file, delta.new_file] {
                guard let raw = file.path else { continue }
                let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self),
                                                      count: strlen(raw)))
                if let path = String(validating: bytes, as: UTF8.self), paths.last != path { paths.append(path) }
            }
        }
        return paths
    }
}

extension Repository {
    /// True when `name` is a valid full reference name (`refs/heads/main`), by git's rules.
    public static func isValidReferenceName(_ name: String) -> Bool {
        _ = libgit2Ready
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid != 0
    }
}
