import YAML

/// A name one resource offers to others (a workflow alias, a variable name).
public struct Export: Hashable, Sendable {
    /// What kind of name it is (`workflow-alias`, `variable`); references match on it.
    public var namespace: String
    public var name: String
    public var mark: Mark

    public init(_ namespace: String, _ name: String, at mark: Mark) {
        self.namespace = namespace
        self.name = name
        self.mark = mark
    }
}

/// A name one resource uses that another resource of the same tree must offer.
public struct Reference: Hashable, Sendable {
    public var namespace: String
    public var name: String
    public var mark: Mark
    /// How the message calls the thing referred to ("workflow alias", "variable").
    public var noun: String

    public init(_ namespace: String, _ name: String, noun: String, at mark: Mark) {
        self.namespace = namespace
        self.name = name
        self.noun = noun
        self.mark = mark
    }
}

/// Where a kind's resources live under their root.
public enum PathLayout: Sendable, Hashable {
    /// `<root><id>/<file>`, e.g. `workflows/triage/definition.yml`.
    case directory(file: String)
    /// `<root><id><suffix>`, e.g. `variables/slack.yml`.
    case file(suffix: String)
}

/// What a kind's own checks found besides diagnostics.
public struct KindFindings: Sendable {
    public var exports: [Export] = []
    public var references: [Reference] = []
    public init() {}
}

/// One kind of resource (workflow, variable, ...). Adding a kind is one new type conforming to
/// this protocol plus its line in `ResourceKinds.all`; nothing else in the code base changes.
public protocol ResourceKind: Sendable {
    /// The document's `type` value (`workflow`).
    static var name: String { get }
    /// The manifest key naming this kind's root (`workflows`).
    static var rootKey: String { get }
    /// The root used when a manifest does not name one (`workflows/`).
    static var defaultRoot: String { get }
    static var layout: PathLayout { get }
    /// The document's shape: type checks, normalization and canonical key order.
    static var schema: Shape { get }
    /// Names a new resource's source id is derived from, most preferred first.
    static func sourceIDNames(_ document: Value) -> [String?]
    /// The kind's own rules, run after the schema check on a document whose shape is right
    /// enough to read (the top level is a mapping).
    static func check(_ document: Node, into sink: inout DiagnosticSink, findings: inout KindFindings)
}

/// The kinds this build knows.
public enum ResourceKinds {
    public static let all: [any ResourceKind.Type] = [WorkflowKind.self, VariableKind.self]

    /// The kind whose `type` is `name`.
    public static func named(_ name: String) -> (any ResourceKind.Type)? {
        all.first { $0.name == name }
    }

    /// The names of the kinds, for messages: `workflow, variable`.
    public static var names: String { all.map { $0.name }.joined(separator: ", ") }

    /// The error for a document whose `type` is missing (`name` nil) or names no known kind.
    public static func unknownType(_ name: String?, path: String, at mark: Mark?) -> Diagnostic {
        guard let name else {
            return Diagnostic(.error, "unknown-kind", "the document needs a 'type' (one of \(names))", path: path, at: mark)
        }
        return Diagnostic(.error, "unknown-kind", "unknown resource type '\(name)' (known: \(names))", path: path, at: mark)
    }

    /// The kind whose manifest key is `rootKey`.
    public static func withRootKey(_ rootKey: String) -> (any ResourceKind.Type)? {
        all.first { $0.rootKey == rootKey }
    }
}

/// The fields every resource document starts with.
enum CommonFields {
    static let version = Field("version", .integer, required: true)
    static let type = Field("type", .string, required: true)
    static let id = Field("id", .string, required: true)
}
