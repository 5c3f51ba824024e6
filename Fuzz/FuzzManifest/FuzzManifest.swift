// libFuzzer target: the manifest reader, `Manifest.read` of a tree whose `workspace.json` holds
// the input bytes. Built and run by scripts/fuzz.sh (`-sanitize=fuzzer,address`).
//
// Properties checked:
// - a tree with a manifest is never read as having none; a broken one says why, in errors
//   that name workspace.json at positions from 1:1 on;
// - a usable manifest renders (`render`, what a projection writes) to a manifest read as the
//   same one; its roots are relative directories ending in `/`, none inside another, with no
//   empty, `.`, `..` or `.git` segment (split at `/` bytes, as git splits), and a file below a
//   root is never outside every root, whatever follows the root's slash;
// - every declared kind's canonical path under it is that kind's resource path, and a tree
//   holding the manifest and one valid resource of each declared kind there is judged valid.
import WorkspaceSpec
import YAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    check(bytes)
    return 0
}

let documents: [String: String] = [
    "workflow": """
    version: 1
    type: workflow
    id: fuzz-id
    definition:
      title: Fuzz
      entrypoint: {ref: a}
      actions:
        - ref: a
          action: core.noop
    """,
    "variable": """
    version: 1
    type: variable
    id: fuzz-id
    name: fuzz
    """,
]

func read(_ files: [String: [UInt8]]) -> Manifest.Reading {
    do { return try Manifest.read(from: tree(files)) } catch { fatalError("reading a tree held in memory threw: \(error)") }
}

func tree(_ files: [String: [UInt8]]) -> ListedTree {
    ListedTree(items: files.keys.sorted().map { TreeItem(path: $0) }) { files[$0] }
}

func check(_ bytes: [UInt8]) {
    let manifest: Manifest
    switch read([Manifest.fileName: bytes]) {
    case .implicit:
        fatalError("a tree with a workspace.json read as having none")
    case .broken(let diagnostics):
        require(diagnostics.hasErrors, "a broken manifest without an error: \(diagnostics)")
        for diagnostic in diagnostics {
            require(diagnostic.path == Manifest.fileName, "a diagnostic names another file: \(diagnostic)")
            if let mark = diagnostic.mark { require(mark.line >= 1 && mark.column >= 1, "before 1:1: \(diagnostic)") }
            _ = diagnostic.description
        }
        return
    case .declared(let declared):
        manifest = declared
    }
    let roots = Array(manifest.roots.values)
    for root in roots {
        require(root.hasSuffix("/") && !root.hasPrefix("/"), "a root that is not a relative directory: \(root)")
        // Segments as git reads them: split at every "/" byte.
        let segments = root.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropLast()
            .map { String(Substring($0)) }
        require(!segments.isEmpty && segments.allSatisfy { !["", ".", "..", ".git"].contains($0) },
                "a root with an empty, '.', '..' or '.git' segment: \(root)")
        // Whatever follows a root's slash, a file there is judged, never silently outside.
        for rest in ["\u{301}x/definition.yml", "\u{301}x.yml", "x/\u{301}y.yml"] {
            require(manifest.role(of: root + rest) != .outside, "\(root + rest) is outside every root")
        }
        for other in roots where other != root {
            require(!other.utf8.starts(with: root.utf8), "root \(other) is inside root \(root)")
        }
    }
    let rendered = manifest.render()
    guard case .declared(let reread) = read([Manifest.fileName: Array(rendered.utf8)]), reread == manifest else {
        fatalError("the rendered manifest reads back as another one\n--- rendered\n\(rendered)")
    }
    var files = [Manifest.fileName: bytes]
    let declared = ResourceKinds.all.filter { manifest.roots[$0.rootKey] != nil }
    for kind in declared {
        let path = manifest.path(kind: kind, sourceID: "fuzz-id")
        require(manifest.role(of: path) == .resource(kind: kind.name, sourceID: "fuzz-id"),
                     "\(path) is not a \(kind.name) resource path under its own manifest: \(manifest.role(of: path))")
        require(manifest.problem(with: TreeItem(path: path)) == nil, "\(path) has a problem")
        files[path] = Array(documents[kind.name]!.utf8)
    }
    let report: TreeValidator.Report
    do { report = try TreeValidator.validate(tree(files)) } catch { fatalError("validating a tree held in memory threw: \(error)") }
    require(report.isValid && report.resources.count == declared.count,
                 "a tree of valid resources at their canonical paths is refused: \(report.diagnostics)\n--- manifest\n\(rendered)")
}

/// `precondition` that keeps its message in an optimized build (scripts/fuzz.sh builds -c release,
/// where a failed precondition says only "precondition failure").
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
