import YAML

/// Validates a whole tree (a commit, the index or files on disk): the manifest, every
/// canonical resource file, and what resources say about each other.
public enum TreeValidator {
    /// What validating a tree found.
    public struct Report: Sendable {
        public var manifest: Manifest?
        /// Resources by path, for those read far enough to know their id.
        public var resources: [(path: String, spec: ResourceSpec)]
        public var diagnostics: [Diagnostic]

        public var isValid: Bool { !diagnostics.hasErrors }
    }

    /// Validates the files at `paths` (raw bytes, as git stores them), reading the ones it
    /// needs through `read`. Files outside the manifest's roots are never read.
    public static func validate(paths: [[UInt8]], read: (String) throws -> [UInt8],
                                limits: YAMLLimits = .default) -> Report {
        var diagnostics: [Diagnostic] = []
        var utf8Paths: [String] = []
        var badPaths: [String] = []
        for raw in paths {
            if let path = String(validating: raw, as: UTF8.self) { utf8Paths.append(path) }
            else { badPaths.append(String(decoding: raw, as: UTF8.self)) }
        }

        var manifest = Manifest.default
        if utf8Paths.contains(Manifest.fileName) {
            do {
                let (parsed, found) = Manifest.parse(try read(Manifest.fileName))
                diagnostics += found
                guard let parsed else {
                    return Report(manifest: nil, resources: [], diagnostics: diagnostics.sortedForReport())
                }
                manifest = parsed
            } catch {
                diagnostics.append(Diagnostic(.error, "read", "cannot read: \(error)", path: Manifest.fileName, at: nil))
                return Report(manifest: nil, resources: [], diagnostics: diagnostics)
            }
        }
        for path in badPaths where manifest.role(of: path) != .outside {
            diagnostics.append(Diagnostic(.warning, "path-encoding", "path is not UTF-8; skipped", path: path, at: nil))
        }

        var loaded: [(path: String, result: ResourceLoader.Result)] = []
        for path in utf8Paths.sorted() {
            switch manifest.role(of: path) {
            case .manifest, .outside:
                continue
            case .nonCanonical(let kind, let looks):
                if path.hasSuffix("/" + Manifest.fileName) {
                    diagnostics.append(Diagnostic(.error, "nested-manifest", "a manifest inside the \(kind) root; the only manifest is ./\(Manifest.fileName)", path: path, at: nil))
                } else if looks {
                    let kindType = ResourceKinds.named(kind)!
                    let expected = manifest.path(kind: kindType, sourceID: "<id>")
                    diagnostics.append(Diagnostic(.warning, "non-canonical-path", "not a canonical \(kind) path (expected \(expected)); ignored", path: path, at: nil))
                }
            case .resource(let kindName, let sourceID):
                guard let kind = ResourceKinds.named(kindName) else { continue }
                let bytes: [UInt8]
                do { bytes = try read(path) } catch {
                    diagnostics.append(Diagnostic(.error, "read", "cannot read: \(error)", path: path, at: nil))
                    continue
                }
                loaded.append((path, ResourceLoader.load(bytes, path: path, kind: kind, expectedID: sourceID, limits: limits)))
            }
        }
        for item in loaded { diagnostics += item.result.diagnostics }
        diagnostics += crossChecks(loaded)
        let resources = loaded.compactMap { item in item.result.spec.map { (item.path, $0) } }
        return Report(manifest: manifest, resources: resources, diagnostics: diagnostics.sortedForReport())
    }

    /// Checks between resources: ids unique regardless of case, exported names unique,
    /// every reference resolved.
    static func crossChecks(_ loaded: [(path: String, result: ResourceLoader.Result)]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var byFoldedID: [String: String] = [:]
        for item in loaded {
            guard let spec = item.result.spec else { continue }
            let key = spec.kindName + "\u{0}" + spec.sourceID.lowercased()
            if let other = byFoldedID[key] {
                diagnostics.append(Diagnostic(.error, "case-collision", "source id '\(spec.sourceID)' differs from '\(other)' only by case", path: item.path, at: nil))
            } else {
                byFoldedID[key] = spec.sourceID
            }
        }
        var names = NameTable()
        for item in loaded {
            for export in item.result.findings.exports {
                if let duplicate = names.offer(export, by: "\(item.path):\(export.mark)", path: item.path) {
                    diagnostics.append(duplicate)
                }
            }
        }
        for item in loaded {
            diagnostics += item.result.findings.references.compactMap { names.check($0, path: item.path, scope: "tree") }
        }
        return diagnostics
    }
}
