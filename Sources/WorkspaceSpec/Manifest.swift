import YAML

/// `workspace.json`: which directory holds each kind of resource.
///
/// ```json
/// {"version": 1, "resources": {"workflows": "workflows/", "variables": "sync/variables/"}}
/// ```
/// Roots are relative directories (a trailing `/` is implied), one or more segments, may be
/// nested below other directories (`sync/workflows/`) but never inside one another. A tree
/// without a manifest declares every kind at its default root (`Manifest.default`).
///
/// A tree's manifest is read in one place only, `Manifest.read`, so every door into a
/// workspace (validate, the hooks, a push, the application API, the merge driver, status
/// and sync) agrees on what a tree declares, and a broken manifest is an error at each.
public struct Manifest: Hashable, Sendable {
    public static let fileName = "workspace.json"

    /// Manifest key -> root directory with a trailing `/`.
    public var roots: [String: String]
    /// Where each root is written in `workspace.json` (empty for a manifest not read from a
    /// file). Not part of equality: two manifests are equal when they declare the same roots.
    public var rootMarks: [String: Mark] = [:]

    public init(roots: [String: String]) { self.roots = roots }

    public static func == (lhs: Manifest, rhs: Manifest) -> Bool { lhs.roots == rhs.roots }
    public func hash(into hasher: inout Hasher) { hasher.combine(roots) }

    /// Every known kind at its default root.
    public static let `default` = Manifest(roots: Dictionary(uniqueKeysWithValues:
        ResourceKinds.all.map { ($0.rootKey, $0.defaultRoot) }))

    /// Parses and checks a manifest; nil when it cannot be used (the diagnostics say why).
    /// Callers read manifests through `read`, which gives this one meaning to every tree.
    static func parse(_ bytes: [UInt8], path: String = fileName) -> (Manifest?, [Diagnostic]) {
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
                } else if isInside(b, a) || isInside(a, b) {
                    let (outer, inner) = isInside(b, a) ? (first, second) : (second, first)
                    sink.error("nested-root", "the root of '\(inner)' (\(roots[inner]!)) is nested inside the root of '\(outer)' (\(roots[outer]!))", at: rootMarks[inner])
                }
            }
        }
        guard !sink.hasErrors else { return (nil, sink.diagnostics) }
        var manifest = Manifest(roots: roots)
        manifest.rootMarks = rootMarks
        return (manifest, sink.diagnostics)
    }

    /// Whether root `inner` lies inside root `outer`, by characters or by bytes. git compares
    /// paths byte by byte, `hasPrefix` by characters: "a/" followed by a combining accent
    /// ("a/\u{301}b/") is not a character prefix match, since the slash and the accent form
    /// one character, yet that directory is inside `a/` in every tree.
    static func isInside(_ inner: String, _ outer: String) -> Bool {
        inner.hasPrefix(outer) || inner.utf8.starts(with: outer.utf8)
    }

    /// A character a root cannot hold: a backslash, or one that `render` cannot write for
    /// `read` to read back, since JSON is read as YAML here: control characters (C0, DEL, C1:
    /// libyaml refuses them raw, and reads NEL as a line break), the line and paragraph
    /// separators (line breaks to YAML, folded to a space inside a quoted string), U+FEFF
    /// and the noncharacters U+FFFE and U+FFFF.
    static func isUnwritable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: return true
        default: return scalar == "\\"
        }
    }

    static func rootProblem(_ root: String) -> String? {
        // Bytes, as git reads a path (a slash and a combining mark after it are one character).
        if root.utf8.first == UInt8(ascii: "/") { return "a root is relative to the repository: '\(root)' starts with '/'" }
        let segments = Manifest.segments(root[...])
        let trimmed = root.utf8.last == UInt8(ascii: "/") ? segments.dropLast() : segments[...]
        if trimmed.isEmpty { return "a root names a directory; '\(root)' names the repository itself" }
        // The manifest is a file at the top: no directory can have its name there.
        if let first = trimmed.first, Array(first.utf8) == Array(fileName.utf8) {
            return "root '\(root)' must not be inside \(fileName), which is a file"
        }
        for segment in trimmed {
            if segment.isEmpty { return "root '\(root)' has an empty path segment" }
            if segment == "." || segment == ".." { return "root '\(root)' must not contain '.' or '..'" }
            if isDotGit(Substring(segment)) { return "root '\(root)' must not be inside .git" }
            if segment.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\\" }) {
                return "root '\(root)' contains a control character or a backslash"
            }
            if segment.unicodeScalars.contains(where: isUnwritable) {
                return "root '\(root)' contains a character workspace.json cannot hold (a line or paragraph separator, U+FEFF, U+FFFE or U+FFFF)"
            }
        }
        return nil
    }

    /// True for `.git` as git itself recognizes it in a tree (and refuses to check out):
    /// in any letter case, and the spellings Windows reads as `.git` (trailing dots or
    /// spaces, the short name `git~1`).
    static func isDotGit(_ segment: Substring) -> Bool {
        let lower = segment.lowercased()
        var trimmed = Substring(lower)
        while let last = trimmed.last, last == "." || last == " " { trimmed.removeLast() }
        return trimmed == ".git" || lower == "git~1"
    }

    /// The manifest as canonical pretty JSON.
    public func render() -> String {
        JSONEmitter.pretty(.object([
            "version": .int(1),
            "resources": .object(roots.mapValues { .string($0) }),
        ]))
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
