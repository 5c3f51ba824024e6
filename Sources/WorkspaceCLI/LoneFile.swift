import Foundation
import Git
import WorkspaceSpec
import WorkspaceSync
import YAML

/// Validating one file on its own (`git workspace validate path/to/file.yml`).
enum LoneFile {
    /// Validates one file. Its kind and expected id come from its place in the enclosing
    /// repository (or the current directory) when that is a resource path of the manifest
    /// there, else from its `type` field; a file where a resource cannot be (a misplaced
    /// path) is an error, as in a tree. Cross-resource references are not checked for a
    /// lone file.
    static func validate(_ path: String) throws -> GitWorkspace.Validate.Unit {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "cannot read \(path)")
        }
        let bytes = Array(data)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let top = findTop(from: URL(fileURLWithPath: absolute).deletingLastPathComponent().path)
        let relative = absolute.hasPrefix(top + "/") ? String(absolute.dropFirst(top.count + 1)) : absolute
        func unit(_ diagnostics: [Diagnostic], spec: ResourceSpec? = nil) -> GitWorkspace.Validate.Unit {
            .init(label: path, resources: spec.map { [(path, $0)] } ?? [], diagnostics: diagnostics)
        }
        if relative == Manifest.fileName {
            return unit(Manifest.read(bytes, path: path).diagnostics)
        }
        let manifest: Manifest
        do { manifest = try Manifest.read(from: DiskTree(directory: top)).manifest() } catch let error as ManifestError {
            return unit(error.diagnostics)
        }
        if var problem = manifest.problem(with: TreeItem(path: relative)) {
            problem.path = path
            return unit([problem])
        }
        var kind: (any ResourceKind.Type)?
        var expectedID: String?
        if case .resource(let kindName, let sourceID) = manifest.role(of: relative) {
            kind = ResourceKinds.named(kindName)
            expectedID = sourceID
        } else if let node = try? YAMLParser.parse(bytes), let type = node["type"]?.string {
            kind = ResourceKinds.named(type)
            if kind == nil {
                return unit([ResourceKinds.unknownType(type, path: path, at: node.pair("type")?.value.mark)])
            }
        }
        guard let kind else {
            // Parse errors first: they explain why the type could not be read.
            if case .failure(let error) = Result(catching: { () throws(YAMLError) in try YAMLParser.parse(bytes) }) {
                return unit([Diagnostic(.error, error.rule, error.message(in: bytes), path: path, at: error.mark)])
            }
            return unit([Diagnostic(.error, "not-a-resource", "not a canonical resource path and no 'type' field says what it is",
                                    path: path, at: nil)])
        }
        let result = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: expectedID)
        return unit(result.diagnostics, spec: result.spec)
    }

    /// The nearest enclosing directory with a `.git`, else `start` itself.
    static func findTop(from start: String) -> String {
        var url = URL(fileURLWithPath: start)
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) { return url.path }
            url.deleteLastPathComponent()
        }
        return start
    }
}
