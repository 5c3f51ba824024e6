import YAML

/// `workspace.json`: which directory holds each kind of resource.
///
/// ```json
/// {"version": 1, "resources": {"workflows": "workflows/", "variables": "sync/variables/"}}
/// ```
/// Roots are relative directories (a trailing `/` is implied), one or more segments, may be
/// nested below other directories (`sync/workflows/`) but never inside one another. A tree
/// without a manifest uses every kind's default root.
public struct Manifest: Hashable, Sendable {
    public static let fileName = "workspace.json"

    /// Manifest key -> root directory with a trailing `/`.
    public var roots: [String: String]

    public init(roots: [String: String]) { self.roots = roots }

    /// Every known kind at its default root.
    public static let `default` = Manifest(roots: Dictionary(uniqueKeysWithValues:
        ResourceKinds.all.map { ($0.rootKey, $0.defaultRoot) }))

    /// Parses and checks a manifest; nil when it cannot be used (the diagnostics say why).
    public static func parse(_ bytes: [UInt8], path: String = fileName) -> (Manifest?, [Diagnostic]) {
        var sink = DiagnosticSink(path: path)
        let node: Node
        do {
            node = try YAMLParser.parse(bytes)
        } catch {
            sink.error(error.rule, error.message(in: bytes), at: error.mark)
            return (nil, sink.diagnostics)
        }
        guard node.pairs != nil else {
            sink.error("manifest", "the manifest must be a JSON object", at: node.mark)
            return (nil, sink.diagnostics)
        }
        if let version = node["version"] {
            if version.scalar != .int(1) {
                sink.error("manifest-version", "unsupported manifest version (this build reads version 1)", at: version.mark)
            }
        } else {
            sink.error("manifest", "the manifest needs \"version\": 1", at: node.mark)
        }
        for pair in node.pairs ?? [] where pair.key != "version" && pair.key != "resources" {
            sink.error("manifest", "unknown manifest key '\(pair.key)'", at: pair.keyMark)
        }
        var roots: [String: String] = [:]
        var rootMarks: [String: Mark] = [:]
        if let resources = node["resources"] {
            if let pairs = resources.pairs {
                for pair in pairs {
                    guard ResourceKinds.all.contains(where: { $0.rootKey == pair.key }) else {
                        let known = ResourceKinds.all.map { $0.rootKey }.joined(separator: ", ")
                        sink.error("manifest-kind", "unknown resource kind '\(pair.key)' (known: \(known))", at: pair.keyMark)
                        continue
                    }
                    guard let text = pair.value.string else {
                        sink.error("manifest-root", "the root of '\(pair.key)' must be a string", at: pair.value.mark)
                        continue
                    }
                    if let problem = rootProblem(text) {
                        sink.error("manifest-root", problem, at: pair.value.mark)
                        continue
                    }
                    roots[pair.key] = text.hasSuffix("/") ? text : text + "/"
                    rootMarks[pair.key] = pair.value.mark
                }
            } else {
                sink.error("manifest", "\"resources\" must be an object of kind -> directory", at: resources.mark)
            }
        } else {
            sink.error("manifest", "the manifest needs \"resources\"", at: node.mark)
        }
        let keys = roots.keys.sorted()
        for (index, first) in keys.enumerated() {
            for second in keys[(index + 1)...] {
                let a = roots[first]!, b = roots[second]!
                if a == b {
                    sink.error("manifest-root", "'\(first)' and '\(second)' share the root '\(a)'", at: rootMarks[second])
                } else if b.hasPrefix(a) || a.hasPrefix(b) {
                    let (outer, inner) = b.hasPrefix(a) ? (first, second) : (second, first)
                    sink.error("nested-root", "the root of '\(inner)' (\(roots[inner]!)) is nested inside the root of '\(outer)' (\(roots[outer]!))", at: rootMarks[inner])
                }
            }
        }
        return sink.hasErrors ? (nil, sink.diagnostics) : (Manifest(roots: roots), sink.diagnostics)
    }

    static func rootProblem(_ root: String) -> String? {
        if root.hasPrefix("/") { return "a root is relative to the repository: '\(root)' starts with '/'" }
        let segments = root.split(separator: "/", omittingEmptySubsequences: false)
        let trimmed = root.hasSuffix("/") ? segments.dropLast() : segments[...]
        if trimmed.isEmpty { return "a root names a directory; '\(root)' names the repository itself" }
        for segment in trimmed {
            if segment.isEmpty { return "root '\(root)' has an empty path segment" }
            if segment == "." || segment == ".." { return "root '\(root)' must not contain '.' or '..'" }
            if segment == ".git" { return "root '\(root)' must not be inside .git" }
            if segment.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" }) {
                return "root '\(root)' contains a control character or a backslash"
            }
        }
        return nil
    }

    /// The manifest as canonical pretty JSON.
    public func render() -> String {
        JSONEmitter.pretty(.object([
            "version": .int(1),
            "resources": .object(roots.mapValues { .string($0) }),
        ]))
    }

    /// What a repository path is to this manifest.
    public enum PathRole: Hashable, Sendable {
        case manifest
        /// A canonical resource path.
        case resource(kind: String, sourceID: String)
        /// Under a root but not a canonical resource path; `looksLikeResource` when its name
        /// suggests it was meant to be one (a `.yml`, `.yaml` or `.json` file).
        case nonCanonical(kind: String, looksLikeResource: Bool)
        /// Outside every root: kept in the tree, never imported.
        case outside
    }

    /// Classifies `path`, comparing whole path components.
    public func role(of path: String) -> PathRole {
        if path == Manifest.fileName { return .manifest }
        for (rootKey, root) in roots.sorted(by: { $0.value.count > $1.value.count }) where path.hasPrefix(root) {
            guard let kind = ResourceKinds.withRootKey(rootKey) else { continue }
            let rest = path.dropFirst(root.count).split(separator: "/", omittingEmptySubsequences: false)
            switch kind.layout {
            case .directory(let file):
                if rest.count == 2 && rest[1] == file && !rest[0].isEmpty {
                    return .resource(kind: kind.name, sourceID: String(rest[0]))
                }
            case .file(let suffix):
                if rest.count == 1 && rest[0].hasSuffix(suffix) && rest[0].count > suffix.count {
                    return .resource(kind: kind.name, sourceID: String(rest[0].dropLast(suffix.count)))
                }
            }
            let name = rest.last.map(String.init) ?? ""
            let looks = name.hasSuffix(".yml") || name.hasSuffix(".yaml") || name.hasSuffix(".json")
            // Other files inside a resource directory (notes, fixtures) belong to the repository.
            if case .directory = kind.layout, rest.count >= 2, !looks { return .outside }
            return .nonCanonical(kind: kind.name, looksLikeResource: looks)
        }
        return .outside
    }

    /// The canonical path of a resource.
    public func path(kind: any ResourceKind.Type, sourceID: String) -> String {
        let root = roots[kind.rootKey] ?? kind.defaultRoot
        switch kind.layout {
        case .directory(let file): return root + sourceID + "/" + file
        case .file(let suffix): return root + sourceID + suffix
        }
    }
}
