import YAML

/// One file of a workspace tree: its path from the tree's top (raw bytes, as git stores
/// paths, which need not be UTF-8) and its git mode.
public struct TreeItem: Hashable, Sendable {
    public var path: [UInt8]
    public var mode: UInt32

    public init(path: [UInt8], mode: UInt32) {
        self.path = path
        self.mode = mode
    }

    public init(path: String, mode: UInt32 = TreeItem.file) {
        self.init(path: Array(path.utf8), mode: mode)
    }

    /// The path when it is UTF-8.
    public var utf8Path: String? { String(validating: path, as: UTF8.self) }
    /// The path for messages (invalid bytes replaced).
    public var displayPath: String { String(decoding: path, as: UTF8.self) }

    /// git's modes: a regular file, an executable one, a symbolic link, a submodule (gitlink).
    public static let file: UInt32 = 0o100644
    public static let executable: UInt32 = 0o100755
    public static let symlink: UInt32 = 0o120000
    public static let gitlink: UInt32 = 0o160000

    /// Whether the item stands where one of `directories` (each ending in `/`), or a
    /// directory above one, belongs: a link, file or submodule named `workflows` hides the
    /// root `workflows/`, and every source lists it so that `PathRules` can refuse it.
    public func standsWhereADirectoryBelongs(_ directories: [String]) -> Bool {
        directories.contains { $0.utf8.starts(with: path + [UInt8(ascii: "/")]) }
    }

    /// Whether the item is below one of `directories` or stands where one belongs: what
    /// `WorkspaceTreeSource.files(under:)` lists.
    public func isListed(under directories: [String]) -> Bool {
        directories.contains { path.starts(with: Array($0.utf8)) } || standsWhereADirectoryBelongs(directories)
    }
}

/// A workspace tree, wherever it is: a commit's tree, the index, files on disk or the rows
/// of a store. Everything that judges a tree reads it through this one abstraction, so each
/// door (validate, the hooks, a push, the application API) sees the same files the same way.
public protocol WorkspaceTreeSource {
    /// The files below each of `directories` (relative paths ending in `/`), with paths from
    /// the tree's top, and any file, symbolic link or submodule standing where one of those
    /// directories or a directory above it belongs (`TreeItem.standsWhereADirectoryBelongs`;
    /// never followed). Directories the tree does not have give nothing.
    func files(under directories: [String]) throws -> [TreeItem]
    /// The content of the file at `path`; nil when the tree has no file there.
    func read(_ path: String) throws -> [UInt8]?
    /// git's mode of what stands at `path` when it is not a directory (a file, a symbolic
    /// link, a submodule); nil when the tree has nothing there or a directory.
    func mode(of path: String) throws -> UInt32?
}

extension Manifest {
    /// What a tree says about its own layout: the one reading of `workspace.json`.
    public enum Reading: Sendable {
        /// No `workspace.json`: every kind at its default root (`Manifest.default`).
        case implicit
        /// A valid `workspace.json`.
        case declared(Manifest)
        /// A `workspace.json` that cannot be used; the diagnostics say why. An error at every door.
        case broken([Diagnostic])

        /// The manifest in force, or `ManifestError` when the tree's manifest is broken.
        public func manifest() throws(ManifestError) -> Manifest {
            switch self {
            case .implicit: return .default
            case .declared(let manifest): return manifest
            case .broken(let diagnostics): throw ManifestError(diagnostics: diagnostics)
            }
        }

        /// The problems found in `workspace.json` (none unless broken).
        public var diagnostics: [Diagnostic] {
            if case .broken(let diagnostics) = self { return diagnostics }
            return []
        }
    }

    /// Reads the manifest of a tree: nil `bytes` means the tree has none.
    public static func read(_ bytes: [UInt8]?, path: String = fileName) -> Reading {
        guard let bytes else { return .implicit }
        let (manifest, diagnostics) = parse(bytes, path: path)
        guard let manifest else { return .broken(diagnostics) }
        return .declared(manifest)
    }

    /// Reads the manifest of `source`.
    public static func read(from source: some WorkspaceTreeSource) throws -> Reading {
        // A symbolic link or a submodule named workspace.json is not a manifest: its link
        // text (or nothing) is never read as one.
        if let mode = try source.mode(of: fileName),
           let problem = notAFile(TreeItem(path: Array(fileName.utf8), mode: mode), path: fileName, what: "the manifest") {
            return .broken([problem])
        }
        return read(try source.read(fileName))
    }

    /// The directories to list when judging a tree: every declared root, and every kind's
    /// default root that the manifest does not declare (where a resource left behind by a
    /// mistyped or moved root would sit unnoticed).
    public var listedDirectories: [String] {
        let candidates = Set(roots.values).union(ResourceKinds.all.map { $0.defaultRoot })
        return candidates.filter { directory in
            !candidates.contains { $0 != directory && directory.utf8.starts(with: $0.utf8) }
        }.sorted()
    }
}

/// A tree's `workspace.json` cannot be used; `diagnostics` say where and why.
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String {
        (["\(Manifest.fileName) is not a valid manifest (git workspace validate says why)"]
            + diagnostics.map(\.description)).joined(separator: "\n")
    }
}

/// A tree given as a list of paths and a way to read them (tests, and callers that already
/// hold a listing).
public struct ListedTree: WorkspaceTreeSource {
    public var items: [TreeItem]
    public var reader: (String) throws -> [UInt8]?

    public init(items: [TreeItem], read: @escaping (String) throws -> [UInt8]?) {
        self.items = items
        self.reader = read
    }

    /// Regular files from a path -> text dictionary.
    public init(files: [String: String]) {
        self.init(items: files.keys.map { TreeItem(path: $0) }) { files[$0].map { Array($0.utf8) } }
    }

    public func files(under directories: [String]) throws -> [TreeItem] {
        items.filter { $0.isListed(under: directories) }
    }

    public func read(_ path: String) throws -> [UInt8]? { try reader(path) }

    public func mode(of path: String) throws -> UInt32? {
        items.first { $0.path == Array(path.utf8) }?.mode
    }
}
