internal import CGit2
import Foundation

extension Repository {
    /// The commits reachable from `tips` but from none of `hiding` nor of the references
    /// matching `hidingReferences` (globs such as `refs/remotes/origin/*`): what
    /// `git rev-list <tips> --not <hiding> --glob=<pattern>` lists, parents before children.
    ///
    /// A glob that matches nothing hides nothing, so the walk then covers the whole history
    /// of `tips` (a push to a remote that has no tracking references yet).
    public func commits(from tips: [ObjectID], hiding: [ObjectID] = [],
                        hidingReferences globs: [String] = []) throws(GitError) -> [ObjectID] {
        var walk: OpaquePointer?
        try check("start a history walk", git_revwalk_new(&walk, handle))
        defer { git_revwalk_free(walk) }
        try check("sort a history walk",
                  git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue))
        for tip in tips {
            var oid = tip.raw
            try check("walk from \(tip)", git_revwalk_push(walk, &oid))
        }
        for hidden in hiding {
            var oid = hidden.raw
            try check("hide \(hidden)", git_revwalk_hide(walk, &oid))
        }
        for glob in globs {
            try check("hide references \(glob)", git_revwalk_hide_glob(walk, glob))
        }
        var found: [ObjectID] = []
        var oid = git_oid()
        while true {
            let result = git_revwalk_next(&oid, walk)
            if result == GIT_ITEROVER.rawValue { break }
            try check("walk history", result)
            found.append(ObjectID(oid))
        }
        return found
    }

    /// The commit `id` names, peeling an annotated tag; nil when the repository lacks the
    /// object or it is not a commit-ish (a tag of a tree, a blob).
    public func peeledCommit(_ id: ObjectID) throws(GitError) -> ObjectID? {
        guard try hasObject(id) else { return nil }
        var oid = id.raw
        var object: OpaquePointer?
        try check("read object \(id)", git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY))
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0 else { return nil }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// The first paragraph of a commit's message on one line (git's "subject"); bytes that
    /// are not UTF-8 are replaced, since this is for messages to people.
    public func commitSubject(_ id: ObjectID) throws(GitError) -> String {
        var oid = id.raw
        var commit: OpaquePointer?
        try check("read commit \(id)", git_commit_lookup(&commit, handle, &oid))
        defer { git_commit_free(commit) }
        guard let summary = git_commit_summary(commit) else { return "" }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(summary).assumingMemoryBound(to: UInt8.self),
                                        count: strlen(summary))
        return String(decoding: bytes, as: UTF8.self)
    }
}
