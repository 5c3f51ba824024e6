import YAML

/// Which files of a tree are resources, and which are mistakes that would lose one.
///
/// The rule, the same at every door: a file under a declared root is a canonical resource
/// path or an error; a kind's canonical file left under that kind's default root while the
/// manifest puts the kind elsewhere (a mistyped or moved root) is an error; hidden files
/// (`.gitkeep`) and everything outside the roots are kept in the tree and never read. A file
/// that would silently not be imported is never only a warning, because the push would then
/// archive the resource it came from.
extension Manifest {
    /// What a repository path is to this manifest.
    public enum PathRole: Hashable, Sendable {
        case manifest
        /// A canonical resource path.
        case resource(kind: String, sourceID: String)
        /// A file where a resource of `kind` cannot be: not a canonical path under the kind's
        /// root, or a canonical file outside the declared root. `expected` is the canonical
        /// path it probably meant, when one can be guessed; `reason` says what is wrong.
        case misplaced(kind: String, expected: String?, reason: String)
        /// Outside every root (or a hidden file): kept in the tree, never imported.
        case outside
    }

    /// Classifies `path`, comparing whole path components byte for byte, as git and the
    /// tree listings do. (Swift's `==` and `hasPrefix` on strings compare by Unicode
    /// canonical equivalence, which would put an NFD spelling of a root's directory under the
    /// root here while no listing of the root ever finds it.)
    public func role(of path: String) -> PathRole {
        if path == Manifest.fileName { return .manifest }
        for (rootKey, root) in roots.sorted(by: { $0.value.utf8.count > $1.value.utf8.count }) {
            guard let rest = Self.segments(of: path, below: root), let kind = ResourceKinds.withRootKey(rootKey) else { continue }
            if let id = Self.canonicalID(rest, layout: kind.layout) { return .resource(kind: kind.name, sourceID: id) }
            if rest.last?.hasPrefix(".") == true { return .outside }
            if rest.last == Manifest.fileName {
                return .misplaced(kind: kind.name, expected: nil,
                                  reason: "a manifest inside the \(kind.name) root; the only manifest is ./\(Manifest.fileName)")
            }
            if let id = Self.fileAsDirectory(rest, layout: kind.layout) {
                let expected = SourceID.problem(with: id) == nil ? self.path(kind: kind, sourceID: id) : nil
                return .misplaced(kind: kind.name, expected: expected,
                                  reason: "a directory where a \(kind.name) file belongs (a \(kind.name) is \(self.path(kind: kind, sourceID: "<id>")))")
            }
            let expected = Self.guess(rest, layout: kind.layout).map { self.path(kind: kind, sourceID: $0) }
            return .misplaced(kind: kind.name, expected: expected,
                              reason: "not a canonical \(kind.name) path (a \(kind.name) is \(self.path(kind: kind, sourceID: "<id>")))")
        }
        // A kind's own layout under its default root, while the manifest says the kind is elsewhere.
        for kind in ResourceKinds.all where roots[kind.rootKey] != kind.defaultRoot {
            guard let rest = Self.segments(of: path, below: kind.defaultRoot) else { continue }
            guard let id = Self.canonicalID(rest, layout: kind.layout) else { continue }
            if let root = roots[kind.rootKey] {
                return .misplaced(kind: kind.name, expected: self.path(kind: kind, sourceID: id),
                                  reason: "a \(kind.name) outside the \(kind.rootKey) root '\(root)' that \(Manifest.fileName) declares")
            }
            return .misplaced(kind: kind.name, expected: nil,
                              reason: "a \(kind.name) file, but \(Manifest.fileName) declares no root for \(kind.rootKey) "
                                  + "(add \"\(kind.rootKey)\": \"\(kind.defaultRoot)\" to it, or move the file out of \(kind.defaultRoot))")
        }
        return .outside
    }

    /// The error for a file of a tree, or nil when the file is fine where it is: a misplaced
    /// file, a path that is not UTF-8 where resources live, a resource path that holds a
    /// symbolic link or a submodule instead of a file, or a file, link or submodule where a
    /// root's directory belongs. The executable bit is ignored (the file is read as any file).
    public func problem(with item: TreeItem) -> Diagnostic? {
        guard let path = item.utf8Path else {
            guard role(of: item.displayPath) != .outside else { return nil }
            return Diagnostic(.error, "path-encoding", "the path is not UTF-8, so it cannot be a resource; rename it",
                              path: item.displayPath, at: nil)
        }
        // `workflows` as a symbolic link (to `/etc`, say) or a submodule: the root would
        // hold nothing and every resource of its kind would archive. Links are never followed.
        if let (rootKey, root) = roots.sorted(by: { $0.key < $1.key })
            .first(where: { Self.segments(of: $0.value, below: path + "/") != nil }) {
            let found = item.mode == TreeItem.symlink ? "a symbolic link" : item.mode == TreeItem.gitlink ? "a submodule" : "a file"
            return Diagnostic(.error, "not-a-directory",
                              "\(found) where the directory of the \(rootKey) root '\(root)' belongs; commit the directory itself",
                              path: path, at: nil)
        }
        switch role(of: path) {
        case .misplaced(_, let expected, let reason):
            let hint = expected.map { "; did you mean \($0)?" } ?? ""
            return Diagnostic(.error, "misplaced-file", "\(reason); it would not be imported\(hint)", path: path, at: nil)
        case .resource(let kind, _):
            return Self.notAFile(item, path: path, what: "a \(kind)")
        case .manifest:
            return Self.notAFile(item, path: path, what: "the manifest")
        case .outside:
            return nil
        }
    }

    /// The error for a symbolic link or a submodule where a file belongs.
    static func notAFile(_ item: TreeItem, path: String, what: String) -> Diagnostic? {
        guard item.mode == TreeItem.symlink || item.mode == TreeItem.gitlink else { return nil }
        let found = item.mode == TreeItem.symlink ? "a symbolic link" : "a submodule"
        return Diagnostic(.error, "not-a-file", "\(found) where \(what) belongs; commit the file itself", path: path, at: nil)
    }

    /// The path segments of `path` below `directory` (which ends in `/`), compared byte for
    /// byte; nil when `path` is not below it.
    static func segments(of path: String, below directory: String) -> [String]? {
        guard path.utf8.starts(with: directory.utf8) else { return nil }
        return path.utf8.dropFirst(directory.utf8.count)
            .split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `path` split at every `/` byte, as git splits it. Splitting a `String` at the character
    /// "/" misses a slash that a combining mark follows (the two are one character).
    static func segments(_ path: Substring) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    /// The source id when `rest` puts files inside a directory named like a resource's file
    /// (`<id>/definition.yml/...`, `<id>.yml/...`): a definition committed as a directory.
    static func fileAsDirectory(_ rest: [String], layout: PathLayout) -> String? {
        switch layout {
        case .directory(let file):
            if rest.count > 2 && rest[1] == file && !rest[0].isEmpty { return rest[0] }
        case .file(let suffix):
            if rest.count > 1 && rest[0].hasSuffix(suffix) && rest[0].utf8.count > suffix.utf8.count {
                return String(decoding: rest[0].utf8.dropLast(suffix.utf8.count), as: UTF8.self)
            }
        }
        return nil
    }

    /// The source id of a canonical path's rest below its root, or nil.
    static func canonicalID(_ rest: [String], layout: PathLayout) -> String? {
        switch layout {
        case .directory(let file):
            if rest.count == 2 && rest[1] == file && !rest[0].isEmpty { return rest[0] }
        case .file(let suffix):
            if rest.count == 1 && rest[0].hasSuffix(suffix) && rest[0].count > suffix.count {
                return String(rest[0].dropLast(suffix.count))
            }
        }
        return nil
    }

    static let documentSuffixes = [".yml", ".yaml", ".json"]

    /// The source id a non-canonical path below a root most likely meant: a document file's
    /// own name or the directory holding it (nesting dropped, `.yaml`/`.json` taken for
    /// `.yml`, `definition.yaml` for `definition.yml`); nil for files that are not documents.
    static func guess(_ rest: [String], layout: PathLayout) -> String? {
        guard let name = rest.last, let suffix = documentSuffixes.first(where: { name.hasSuffix($0) }) else { return nil }
        let stem = String(name.dropLast(suffix.count))
        let candidate: String
        switch layout {
        case .directory(let file):
            let fileStem = file.split(separator: ".").first.map(String.init) ?? file
            candidate = stem.lowercased() == fileStem.lowercased() && rest.count >= 2 ? rest[rest.count - 2] : stem
        case .file:
            candidate = stem
        }
        return SourceID.problem(with: candidate) == nil ? candidate : nil
    }
}
