import YAML

/// Judges a whole tree (a commit, the index, files on disk): its manifest, where its files
/// are, every resource document, what resources say about each other, and whether the tree
/// would take a kind's resources away by a mistaken root.
///
/// The same rules judge a push and an application edit (`Manifest.problem(with:)`,
/// `ResourceLoader`, `CrossCheck`); this is their composition for a tree read whole.
public enum TreeValidator {
    /// What judging a tree found.
    public struct Report: Sendable {
        /// The manifest in force; nil when `workspace.json` is broken.
        public var manifest: Manifest?
        /// Resources by path, for those read far enough to know their id.
        public var resources: [(path: String, spec: ResourceSpec)]
        public var diagnostics: [Diagnostic]

        public var isValid: Bool { !diagnostics.hasErrors }
    }

    /// How many live resources of each kind (by kind name) the tree replaces: the branch
    /// a commit builds on. With one, a declared root that holds nothing while the baseline has
    /// resources of its kind is an error (the change would archive them all).
    public typealias Baseline = [String: Int]

    /// Judges `source`, reading only the manifest and the files under the directories it
    /// makes relevant (`Manifest.listedDirectories`).
    public static func validate(_ source: some WorkspaceTreeSource, baseline: Baseline? = nil,
                                limits: YAMLLimits = .default) throws -> Report {
        let manifest: Manifest
        do { manifest = try Manifest.read(from: source).manifest() } catch let error as ManifestError {
            return Report(manifest: nil, resources: [], diagnostics: error.diagnostics.sortedForReport())
        }
        var diagnostics: [Diagnostic] = []
        var loaded: [(path: String, result: ResourceLoader.Result)] = []
        let items = try source.files(under: manifest.listedDirectories)
        for item in items.sorted(by: { $0.path.lexicographicallyPrecedes($1.path) }) {
            if let problem = manifest.problem(with: item) {
                diagnostics.append(problem)
                continue
            }
            guard let path = item.utf8Path, case .resource(let kindName, let sourceID) = manifest.role(of: path),
                  let kind = ResourceKinds.named(kindName) else { continue }
            guard let bytes = try source.read(path) else {
                diagnostics.append(Diagnostic(.error, "read", "cannot read the file", path: path, at: nil))
                continue
            }
            loaded.append((path, ResourceLoader.load(bytes, path: path, kind: kind, expectedID: sourceID, limits: limits)))
        }
        for item in loaded { diagnostics += item.result.diagnostics }
        diagnostics += try CrossCheck.check(loaded.map { CrossCheck.Document(path: $0.path, result: $0.result) }, others: nil)
        if let baseline {
            let present = Set(items.compactMap { item in item.utf8Path.flatMap { path -> String? in
                if case .resource(let kind, _) = manifest.role(of: path) { return kind }
                return nil
            } })
            diagnostics += emptyRoots(manifest, present: present, baseline: baseline)
        }
        let resources = loaded.compactMap { item in item.result.spec.map { (item.path, $0) } }
        return Report(manifest: manifest, resources: resources, diagnostics: diagnostics.sortedForReport())
    }

    /// Compatibility form: a tree given as raw paths and a reader.
    public static func validate(paths: [[UInt8]], read: @escaping (String) throws -> [UInt8],
                                limits: YAMLLimits = .default) -> Report {
        let known = Set(paths)
        let tree = ListedTree(items: paths.map { TreeItem(path: $0, mode: TreeItem.file) }) { path in
            known.contains(Array(path.utf8)) ? try read(path) : nil
        }
        do { return try validate(tree, limits: limits) } catch {
            return Report(manifest: nil, resources: [], diagnostics: [
                Diagnostic(.error, "read", "cannot read the tree: \(error)", path: ".", at: nil),
            ])
        }
    }

    /// The errors for declared roots that hold no resource while `baseline` has live ones of
    /// their kind: a mistyped or moved root that would archive every one of them.
    public static func emptyRoots(_ manifest: Manifest, present kinds: Set<String>, baseline: Baseline) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for kind in ResourceKinds.all {
            guard let root = manifest.roots[kind.rootKey], !kinds.contains(kind.name),
                  let live = baseline[kind.name], live > 0 else { continue }
            diagnostics.append(Diagnostic(
                .error, "empty-root",
                "the \(kind.rootKey) root '\(root)' holds no \(kind.name), while the workspace has \(live) live "
                    + "\(kind.name)\(live == 1 ? "" : "s"): this would archive \(live == 1 ? "it" : "all \(live)") "
                    + "(fix the root, or delete the files themselves to archive them)",
                path: Manifest.fileName, at: manifest.rootMarks[kind.rootKey]))
        }
        return diagnostics
    }

    /// The live resources per kind of a tree: its canonical resource paths under its own
    /// manifest (the files are not read). A tree whose manifest is broken counts nothing.
    public static func resourceCounts(_ source: some WorkspaceTreeSource) throws -> Baseline {
        guard let manifest = try? Manifest.read(from: source).manifest() else { return [:] }
        var counts: Baseline = [:]
        for item in try source.files(under: Array(Set(manifest.roots.values))) {
            if let path = item.utf8Path, case .resource(let kind, _) = manifest.role(of: path) { counts[kind, default: 0] += 1 }
        }
        return counts
    }
}
