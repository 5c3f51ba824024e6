import YAML

/// Reads one resource file: parse, check shape and rules, normalize.
public enum ResourceLoader {
    /// What reading one file gave.
    public struct Result: Sendable {
        /// The resource when the file could be read far enough to know it (even with errors).
        public var spec: ResourceSpec?
        public var diagnostics: [Diagnostic]
        public var findings: KindFindings
        /// The parsed document, for callers that report more positions.
        public var node: Node?
        /// `CrossCheck.findings` of `spec`'s value when loading knows them without another
        /// check: `findings`, when normalizing left the document as it was (nothing dropped).
        /// Nil otherwise.
        public var specFindings: KindFindings? = nil
    }

    /// Loads `bytes` as a resource of `kind` found at `path`.
    ///
    /// `expectedID` is the source id the path says (directory or file name); the document's
    /// `id` must equal it. Pass nil for a file outside any root (its `id` is then only
    /// checked for shape).
    public static func load(_ bytes: [UInt8], path: String, kind: any ResourceKind.Type,
                            expectedID: String?, limits: YAMLLimits = .default) -> Result {
        var sink = DiagnosticSink(path: path)
        let node: Node
        do {
            node = try YAMLParser.parse(bytes, limits: limits)
        } catch {
            sink.error(error.rule, error.message(in: bytes), at: error.mark)
            return Result(spec: nil, diagnostics: sink.diagnostics, findings: KindFindings(), node: nil)
        }
        return check(node, path: path, kind: kind, expectedID: expectedID, sink: sink)
    }

    /// Loads the file `read` gives once its size, known without reading it (a git blob's
    /// header), is within `limits`: a 100 MB file is refused without being held.
    public static func load(byteCount: Int, read: () throws -> [UInt8], path: String, kind: any ResourceKind.Type,
                            expectedID: String?, limits: YAMLLimits = .default) rethrows -> Result {
        do {
            try YAMLParser.checkSize(byteCount, limits: limits)
        } catch {
            var sink = DiagnosticSink(path: path)
            sink.error(error.rule, error.message, at: error.mark)
            return Result(spec: nil, diagnostics: sink.diagnostics, findings: KindFindings(), node: nil)
        }
        return load(try read(), path: path, kind: kind, expectedID: expectedID, limits: limits)
    }

    /// Checks an already parsed document (see `load`).
    public static func check(_ node: Node, path: String, kind: any ResourceKind.Type,
                             expectedID: String?, sink initial: DiagnosticSink? = nil) -> Result {
        var sink = initial ?? DiagnosticSink(path: path)
        var findings = KindFindings()
        guard node.pairs != nil else {
            sink.error("type", "a \(kind.name) document must be a mapping", at: node.mark)
            return Result(spec: nil, diagnostics: sink.diagnostics, findings: findings, node: node)
        }
        kind.schema.check(node, path: "", document: "the \(kind.name) document", into: &sink)
        if let version = node["version"], let number = version.scalar, number != .int(1) {
            sink.error("version", "unsupported document version (this build reads version 1)", at: version.mark)
        }
        if let type = node["type"], let name = type.string, name != kind.name {
            let known = ResourceKinds.named(name) == nil ? "unknown resource type '\(name)' (known: \(ResourceKinds.names)); " : ""
            sink.error("type-mismatch", "\(known)a file at this path is a \(kind.name), but its type is '\(name)'", at: type.mark)
        }
        var sourceID = expectedID
        if let idNode = node["id"], let id = idNode.string {
            if let problem = SourceID.problem(with: id) {
                sink.error("source-id", problem, at: idNode.mark)
            }
            if let expectedID, id != expectedID {
                sink.error("id-mismatch", "id '\(id)' does not match its path, which says '\(expectedID)'", at: idNode.mark)
            }
            sourceID = sourceID ?? id
        }
        if let expectedID, let problem = SourceID.problem(with: expectedID) {
            sink.error("source-id", "the path's source id is not valid: \(problem)", at: nil)
        }
        kind.check(node, into: &sink, findings: &findings)
        Credentials.check(node, keyRoots: (kind as? any CredentialKeyedKind.Type)?.credentialKeyRoots ?? [], into: &sink)
        var dropped = false
        let spec = sourceID.map {
            ResourceSpec(kindName: kind.name, sourceID: $0, value: kind.schema.normalize(node.value, dropped: &dropped))
        }
        // The kind's check reads content, not positions: on the same content it finds the same names.
        return Result(spec: spec, diagnostics: sink.diagnostics, findings: findings, node: node,
                      specFindings: spec != nil && !dropped ? findings : nil)
    }
}
