internal import CGit2
import Foundation

/// A file in a tree or the index: its path (raw bytes, as git stores them), blob id and mode.
public struct TreeFile: Hashable, Sendable {
    public var pathBytes: [UInt8]
    public var id: ObjectID
    public var mode: UInt32

    public init(pathBytes: [UInt8], id: ObjectID, mode: UInt32) {
        self.pathBytes = pathBytes
        self.id = id
        self.mode = mode
    }

    /// The path when it is valid UTF-8; nil otherwise (git paths are bytes).
    public var path: String? { String(validating: pathBytes, as: UTF8.self) }

    /// The path for messages, with invalid bytes replaced.
    public var displayPath: String { String(decoding: pathBytes, as: UTF8.self) }

    /// True for a regular or executable file (not a symlink or a submodule).
    public var isRegularFile: Bool { mode == 0o100644 || mode == 0o100755 }
}

/// An open git repository. Owns its libgit2 handle; every object read from it copies its data out.
public final class Repository: @unchecked Sendable {
    let handle: OpaquePointer
    /// The object database, opened on first use and kept: fetch and push ask it about
    /// every object they move, so it is not reopened per call.
    private var odbHandle: OpaquePointer?

    /// Opens the repository containing `path` (searching upwards, like git does), honouring `GIT_DIR`.
    public init(discoveringFrom path: String) throws(GitError) {
        _ = libgit2Ready
        var repo: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_FROM_ENV.rawValue
        if Environment.value("GIT_DIR") != nil {
            try check("open repository", git_repository_open_ext(&repo, nil, flags, nil))
        } else {
            try check("open repository at \(path)", git_repository_open_ext(&repo, path, 0, nil))
        }
        guard let repo else { throw GitError(code: -1, operation: "open repository", message: "no repository") }
        handle = repo
    }

    /// Opens exactly the repository at `gitDir` (a `.git` directory or a bare repository).
    public init(gitDir: String) throws(GitError) {
        _ = libgit2Ready
        var repo: OpaquePointer?
        try check("open repository \(gitDir)", git_repository_open_bare(&repo, gitDir))
        guard let repo else { throw GitError(code: -1, operation: "open repository", message: "no repository") }
        handle = repo
    }

    /// Creates a repository (bare or with a work tree) at `path`.
    public static func create(at path: String, bare: Bool) throws(GitError) -> Repository {
        _ = libgit2Ready
        var repo: OpaquePointer?
        try check("create repository \(path)", git_repository_init(&repo, path, bare ? 1 : 0))
        guard let repo else { throw GitError(code: -1, operation: "create repository", message: "no repository") }
        return Repository(handle: repo)
    }

    init(handle: OpaquePointer) { self.handle = handle }

    deinit {
        git_odb_free(odbHandle)
        git_repository_free(handle)
    }

    /// The repository's object database (owned by this repository; do not free).
    func database() throws(GitError) -> OpaquePointer {
        if let odbHandle { return odbHandle }
        var odb: OpaquePointer?
        try check("open object database", git_repository_odb(&odb, handle))
        guard let odb else { throw GitError(code: -1, operation: "open object database", message: "none") }
        odbHandle = odb
        return odb
    }

    /// The work tree, or nil for a bare repository.
    public var workdir: String? {
        git_repository_workdir(handle).map { String(cString: $0) }
    }

    /// The `.git` directory (or the bare repository itself).
    public var gitDir: String { String(cString: git_repository_path(handle)) }

    /// The commit a revision expression (`HEAD`, `main~2`, an id) names.
    public func commitID(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check("resolve revision '\(revision)'", git_revparse_single(&object, handle, revision))
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check("'\(revision)' is not a commit", git_object_peel(&commit, object, GIT_OBJECT_COMMIT))
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// The root tree of a commit.
    public func treeID(ofCommit commit: ObjectID) throws(GitError) -> ObjectID {
        var oid = commit.raw
        var object: OpaquePointer?
        try check("read commit \(commit)", git_commit_lookup(&object, handle, &oid))
        defer { git_commit_free(object) }
        return ObjectID(git_commit_tree_id(object).pointee)
    }

    /// Every file under a tree (blobs and submodule entries), recursively, with its full
    /// path, in git's tree order.
    public func files(inTree tree: ObjectID) throws(GitError) -> [TreeFile] {
        var files: [TreeFile] = []
        try collect(tree: tree, prefix: [], into: &files)
        return files
    }

    private func collect(tree: ObjectID, prefix: [UInt8], into files: inout [TreeFile]) throws(GitError) {
        var oid = tree.raw
        var object: OpaquePointer?
        try check("read tree \(tree)", git_tree_lookup(&object, handle, &oid))
        defer { git_tree_free(object) }
        let count = git_tree_entrycount(object)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(object, index) else { continue }
            let name = Array(UnsafeBufferPointer(start: UnsafeRawPointer(git_tree_entry_name(entry))
                .assumingMemoryBound(to: UInt8.self), count: strlen(git_tree_entry_name(entry))))
            let path = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
            let id = ObjectID(git_tree_entry_id(entry).pointee)
            let mode = git_tree_entry_filemode(entry).rawValue
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                try collect(tree: id, prefix: path, into: &files)
            } else {
                // Blobs, and submodules (gitlinks, whose id is a commit elsewhere): callers
                // judge every entry, so a gitlink where a file belongs is not passed over.
                files.append(TreeFile(pathBytes: path, id: id, mode: mode))
            }
        }
    }

    /// The bytes of a blob.
    public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var oid = id.raw
        var object: OpaquePointer?
        try check("read blob \(id)", git_blob_lookup(&object, handle, &oid))
        defer { git_blob_free(object) }
        let size = Int(git_blob_rawsize(object))
        guard size > 0, let raw = git_blob_rawcontent(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// The stage-0 entries of the index (what `git commit` would record): the repository's
    /// own index, or the index file at `indexFile` when given. git hands hooks another index
    /// in `GIT_INDEX_FILE` (`git commit -a` and `git commit <paths>` stage into a temporary
    /// one), so callers that run under git pass that variable's value here.
    public func indexFiles(indexFile: String? = nil) throws(GitError) -> [TreeFile] {
        var index: OpaquePointer?
        if let indexFile {
            try check("read index \(indexFile)", git_index_open(&index, indexFile))
        } else {
            try check("read index", git_repository_index(&index, handle))
        }
        defer { git_index_free(index) }
        var files: [TreeFile] = []
        let count = git_index_entrycount(index)
        for position in 0..<count {
            guard let entry = git_index_get_byindex(index, position) else { continue }
            let stage = (Int32(entry.pointee.flags) & GIT_INDEX_ENTRY_STAGEMASK) >> GIT_INDEX_ENTRY_STAGESHIFT
            guard stage == 0, let cPath = entry.pointee.path else { continue }
            let path = Array(UnsafeBufferPointer(start: UnsafeRawPointer(cPath).assumingMemoryBound(to: UInt8.self),
                                                 count: strlen(cPath)))
            files.append(TreeFile(pathBytes: path, id: ObjectID(entry.pointee.id), mode: entry.pointee.mode))
        }
        return files
    }
}
