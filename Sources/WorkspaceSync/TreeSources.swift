import Foundation
import Git
import WorkspaceSpec
import WorkspaceStore

/// A commit's tree read through libgit2 (nil: the empty tree, an unborn branch).
public struct GitTree: WorkspaceTreeSource {
    public let repository: Repository
    public let tree: ObjectID?

    public init(repository: Repository, tree: ObjectID?) {
        self.repository = repository
        self.tree = tree
    }

    /// The tree of `commit` (nil: the empty tree).
    public init(repository: Repository, commit: ObjectID?) throws {
        self.init(repository: repository, tree: try commit.map { try repository.treeID(ofCommit: $0) })
    }

    /// The files below `directories` with their blob ids; only those subtrees are visited.
    /// A file, link or submodule standing where a directory (or one above it) belongs is
    /// listed instead.
    public func listing(under directories: [String]) throws -> [TreeFile] {
        guard let tree else { return [] }
        var files: [TreeFile] = []
        for directory in directories {
            switch try walkDown(to: directory, in: tree) {
            case .tree(let id):
                let prefix = Array(directory.utf8)
                files += try repository.files(inTree: id).map { TreeFile(pathBytes: prefix + $0.pathBytes, id: $0.id, mode: $0.mode) }
            case .blocked(let file):
                files.append(file)
            case .absent:
                continue
            }
        }
        return files
    }

    public func files(under directories: [String]) throws -> [TreeItem] {
        try listing(under: directories).map { TreeItem(path: $0.pathBytes, mode: $0.mode) }
    }

    private enum Descent {
        case tree(ObjectID)
        /// A file, link or submodule at the directory or at one above it.
        case blocked(TreeFile)
        case absent
    }

    /// What stands at `directory` (ending in `/`), one segment at a time (split at `/` bytes).
    private func walkDown(to directory: String, in tree: ObjectID) throws -> Descent {
        var current = tree
        var path: [UInt8] = []
        for segment in directory.utf8.dropLast().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            path += path.isEmpty ? Array(segment) : [UInt8(ascii: "/")] + segment
            guard let entry = try repository.entry(at: String(decoding: segment, as: UTF8.self), in: current) else { return .absent }
            guard entry.isTree else { return .blocked(TreeFile(pathBytes: path, id: entry.id, mode: entry.mode)) }
            current = entry.id
        }
        return .tree(current)
    }

    public func mode(of path: String) throws -> UInt32? {
        guard let tree, let entry = try repository.entry(at: path, in: tree), !entry.isTree else { return nil }
        return entry.mode
    }

    public func read(_ path: String) throws -> [UInt8]? {
        guard let tree, let entry = try repository.entry(at: path, in: tree),
              !entry.isTree, entry.mode != TreeItem.gitlink else { return nil }
        return try repository.blob(entry.id)
    }
}

/// The index: what `git commit` would record (the repository's own index, or the file git
/// names in `GIT_INDEX_FILE` for a hook).
public struct IndexTree: WorkspaceTreeSource {
    public let repository: Repository
    let entries: [String: TreeFile]
    /// Every stage-0 entry.
    public let all: [TreeFile]

    public init(repository: Repository, indexFile: String? = nil) throws {
        self.repository = repository
        all = try repository.indexFiles(indexFile: indexFile)
        entries = Dictionary(all.compactMap { file in file.path.map { ($0, file) } }) { first, _ in first }
    }

    public func files(under directories: [String]) throws -> [TreeItem] {
        all.map { TreeItem(path: $0.pathBytes, mode: $0.mode) }.filter { $0.isListed(under: directories) }
    }

    public func mode(of path: String) throws -> UInt32? { entries[path]?.mode }

    public func read(_ path: String) throws -> [UInt8]? {
        guard let file = entries[path], file.mode != TreeItem.gitlink else { return nil }
        return try repository.blob(file.id)
    }
}

/// Files on disk below a directory (a work tree, or any directory given to `validate`).
/// Only the directories asked for are walked; `.git` is skipped; a symbolic link is listed
/// as one (never followed), so it is judged like a link committed to git.
public struct DiskTree: WorkspaceTreeSource {
    public let top: URL

    public init(directory: String) {
        top = URL(fileURLWithPath: directory).standardizedFileURL
    }

    public func files(under directories: [String]) throws -> [TreeItem] {
        var found: [TreeItem] = []
        let base = top.path
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey]
        for directory in directories {
            if let blocking = itemWhereADirectoryBelongs(directory) {
                found.append(blocking)
                continue
            }
            let root = top.appendingPathComponent(String(directory.dropLast()))
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else { continue }
            for case let url as URL in walker {
                if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
                guard let values = try? url.resourceValues(forKeys: Set(keys)) else { continue }
                let mode: UInt32
                if values.isSymbolicLink == true { mode = TreeItem.symlink }
                else if values.isRegularFile == true { mode = TreeItem.file }
                else { continue }
                let full = url.standardizedFileURL.path
                guard full.hasPrefix(base + "/") else { continue }
                found.append(TreeItem(path: Array(full.dropFirst(base.count + 1).utf8), mode: mode))
            }
        }
        return found
    }

    /// The file or symbolic link (never followed) at `directory` (ending in `/`) or at a
    /// directory above it.
    private func itemWhereADirectoryBelongs(_ directory: String) -> TreeItem? {
        var path = ""
        for segment in directory.dropLast().split(separator: "/", omittingEmptySubsequences: false) {
            path += path.isEmpty ? String(segment) : "/" + segment
            var status = stat()
            guard lstat(top.appendingPathComponent(path).path, &status) == 0 else { return nil }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK: return TreeItem(path: Array(path.utf8), mode: TreeItem.symlink)
            default: return TreeItem(path: Array(path.utf8), mode: TreeItem.file)
            }
        }
        return nil
    }

    public func mode(of path: String) throws -> UInt32? {
        var status = stat()
        guard lstat(top.appendingPathComponent(path).path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFLNK: return TreeItem.symlink
        case S_IFREG: return status.st_mode & 0o111 != 0 ? TreeItem.executable : TreeItem.file
        default: return nil
        }
    }

    public func read(_ path: String) throws -> [UInt8]? {
        let file = top.appendingPathComponent(path).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: file])
        }
        return Array(data)
    }
}

/// A tree held in a workspace's rows (the branch as the store has it).
struct StoreTree: WorkspaceTreeSource {
    let objects: StoreObjects
    let tree: ObjectID?

    func files(under directories: [String]) throws -> [TreeItem] {
        guard let tree else { return [] }
        var items: [TreeItem] = []
        for directory in directories {
            guard let id = try objects.entryID(at: String(directory.dropLast()), in: tree, wantTree: true) else { continue }
            try collect(id, prefix: Array(directory.utf8), into: &items)
        }
        return items
    }

    private func collect(_ tree: ObjectID, prefix: [UInt8], into items: inout [TreeItem]) throws {
        for entry in try objects.entries(tree) {
            let path = prefix + entry.name
            if entry.isTree { try collect(entry.id, prefix: path + [UInt8(ascii: "/")], into: &items) }
            else { items.append(TreeItem(path: path, mode: entry.mode)) }
        }
    }

    func mode(of path: String) throws -> UInt32? {
        guard let tree, let entry = try objects.entry(at: path, in: tree), !entry.isTree else { return nil }
        return entry.mode
    }

    func read(_ path: String) throws -> [UInt8]? {
        guard let tree, let blob = try objects.blobID(at: path, in: tree) else { return nil }
        return try objects.object(blob).data
    }
}
