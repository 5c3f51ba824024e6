import Foundation
import WorkspaceSpec
import YAML

/// Validating files on disk: a directory as a tree, or one file on its own.
enum DiskTree {
    /// Validates `directory` as a tree: its `workspace.json` and the files under its roots
    /// (nothing else is listed or read). Diagnostics name paths as `displayPrefix` + relative path.
    static func validate(directory: String, displayPrefix: String) throws -> GitWorkspace.Validate.Unit {
        let base = URL(fileURLWithPath: directory)
        var paths: [[UInt8]] = []
        let manifestURL = base.appendingPathComponent(Manifest.fileName)
        var manifest = Manifest.default
        // Read once: its roots say what to list, and the validator checks the same bytes.
        let manifestBytes = FileManager.default.contents(atPath: manifestURL.path).map { Array($0) }
        if let manifestBytes {
            paths.append(Array(Manifest.fileName.utf8))
            manifest = Manifest.parse(manifestBytes).0 ?? manifest
        }
        for root in Set(manifest.roots.values) {
            paths += listFiles(base: base, relative: String(root.dropLast()))
        }
        let report = TreeValidator.validate(paths: paths) { path in
            if path == Manifest.fileName, let manifestBytes { return manifestBytes }
            guard let data = FileManager.default.contents(atPath: base.appendingPathComponent(path).path) else {
                throw CommandFailure(message: "cannot read \(path)")
            }
            return Array(data)
        }
        let prefixed = report.diagnostics.map { diagnostic -> Diagnostic in
            var copy = diagnostic
            copy.path = displayPrefix + diagnostic.path
            return copy
        }
        return .init(label: directory, resources: report.resources.map { (displayPrefix + $0.path, $0.spec) },
                     diagnostics: prefixed)
    }

    /// Relative paths (as bytes) of the regular files under `relative`, skipping `.git`.
    static func listFiles(base: URL, relative: String) -> [[UInt8]] {
        let root = base.appendingPathComponent(relative)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [[UInt8]] = []
        let basePath = base.standardizedFileURL.path
        for case let url as URL in walker {
            if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(basePath + "/") else { continue }
            found.append(Array(full.dropFirst(basePath.count + 1).utf8))
        }
        return found
    }

    /// Validates one file. Its kind and expected id come from its place in the enclosing
    /// repository (or the current directory) when that is a canonical resource path, else
    /// from its `type` field; cross-resource references are not checked for a lone file.
    static func validateFile(_ path: String) throws -> GitWorkspace.Validate.Unit {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "cannot read \(path)")
        }
        let bytes = Array(data)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let top = findTop(from: URL(fileURLWithPath: absolute).deletingLastPathComponent().path)
        var manifest = Manifest.default
        if let manifestData = FileManager.default.contents(atPath: top + "/" + Manifest.fileName),
           let parsed = Manifest.parse(Array(manifestData)).0 {
            manifest = parsed
        }
        let relative = absolute.hasPrefix(top + "/") ? String(absolute.dropFirst(top.count + 1)) : absolute
        if relative == Manifest.fileName {
            let diagnostics = Manifest.parse(bytes, path: path).1
            return .init(label: path, resources: [], diagnostics: diagnostics)
        }
        var kind: (any ResourceKind.Type)?
        var expectedID: String?
        if case .resource(let kindName, let sourceID) = manifest.role(of: relative) {
            kind = ResourceKinds.named(kindName)
            expectedID = sourceID
        } else if let node = try? YAMLParser.parse(bytes), let type = node["type"]?.string {
            kind = ResourceKinds.named(type)
            if kind == nil {
                let known = ResourceKinds.all.map { $0.name }.joined(separator: ", ")
                let mark = node.pair("type")?.value.mark
                return .init(label: path, resources: [], diagnostics: [
                    Diagnostic(.error, "unknown-kind", "unknown resource type '\(type)' (known: \(known))", path: path, at: mark),
                ])
            }
        }
        guard let kind else {
            // Parse errors first: they explain why the type could not be read.
            if case .failure(let error) = Result(catching: { () throws(YAMLError) in try YAMLParser.parse(bytes) }) {
                return .init(label: path, resources: [], diagnostics: [
                    Diagnostic(.error, error.rule, error.message(in: bytes), path: path, at: error.mark),
                ])
            }
            return .init(label: path, resources: [], diagnostics: [
                Diagnostic(.error, "not-a-resource", "not a canonical resource path and no 'type' field says what it is", path: path, at: nil),
            ])
        }
        let result = ResourceLoader.load(bytes, path: path, kind: kind, expectedID: expectedID)
        return .init(label: path, resources: result.spec.map { [(path, $0)] } ?? [], diagnostics: result.diagnostics)
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
