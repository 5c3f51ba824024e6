import YAML

/// The shape of a resource document, declared once per kind and used three ways: to check a
/// parsed document's types, to normalize it (drop nulls and defaults in schema-defined fields)
/// and to order keys when it is written canonically.
///
/// Values under `.data` are free-form: kept exactly (nulls, empty strings, list order).
public indirect enum Shape: Sendable {
    /// Free-form data, kept exactly.
    case data
    case string
    case integer
    /// An integer or a decimal number.
    case number
    case boolean
    /// A list whose elements all have one shape.
    case list(Shape)
    /// A mapping with arbitrary string keys whose values have one shape.
    case map(Shape)
    /// A mapping with known fields (in canonical order) and a rule for other keys.
    case object([Field], unknown: UnknownKeys)
    /// The first shape that matches the value's type.
    case either([Shape])

    /// What to say about a key an `.object` shape does not define.
    public enum UnknownKeys: Sendable {
        /// Kept as data, with a warning (it may be a typo).
        case warn
        /// Refused: the document format does not have it.
        case refuse
    }

    /// The name used in messages ("a string", "a list of ...").
    var noun: String {
        switch self {
        case .data: return "any value"
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .list(let element): return "a list of \(element.pluralNoun)"
        case .map: return "a mapping"
        case .object: return "a mapping"
        case .either(let options): return options.map(\.noun).joined(separator: " or ")
        }
    }

    var pluralNoun: String {
        switch self {
        case .string: return "strings"
        case .integer: return "integers"
        case .number: return "numbers"
        case .object, .map: return "mappings"
        default: return "values"
        }
    }
}

/// One field of an `.object` shape.
public struct Field: Sendable {
    public var name: String
    public var shape: Shape
    /// The value the application assumes when the field is absent; normalization drops it.
    public var defaultValue: Value?
    public var required: Bool

    public init(_ name: String, _ shape: Shape, default defaultValue: Value? = nil, required: Bool = false) {
        self.name = name
        self.shape = shape
        self.defaultValue = defaultValue
        self.required = required
    }
}

extension Shape {
    /// Checks `node` against the shape, reporting type errors, missing required fields and
    /// unknown keys. `path` names the place in the document (`definition.actions[0]`;
    /// empty for the top level); `document` names the top level ("the workflow document").
    func check(_ node: Node, path: String, document: String, into sink: inout DiagnosticSink) {
        let context = path.isEmpty ? document : path
        func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        switch (self, node.content) {
        case (.data, _):
            return
        case (.string, .scalar(.string)), (.boolean, .scalar(.bool)), (.integer, .scalar(.int)),
             (.number, .scalar(.int)), (.number, .scalar(.double)):
            return
        case (.list(let element), .sequence(let nodes)):
            for (index, item) in nodes.enumerated() {
                element.check(item, path: "\(path)[\(index)]", document: document, into: &sink)
            }
        case (.map(let valueShape), .mapping(let pairs)):
            for pair in pairs {
                valueShape.check(pair.value, path: child(pair.key), document: document, into: &sink)
            }
        case (.object(let fields, let unknown), .mapping(let pairs)):
            for field in fields where field.required {
                if !pairs.contains(where: { $0.key == field.name }) {
                    sink.error("missing-field", "\(context) needs '\(field.name)'", at: node.mark)
                }
            }
            for pair in pairs {
                if let field = fields.first(where: { $0.name == pair.key }) {
                    if case .scalar(.null) = pair.value.content, !field.required { continue }
                    field.shape.check(pair.value, path: child(pair.key), document: document, into: &sink)
                } else {
                    let known = fields.map(\.name).joined(separator: ", ")
                    switch unknown {
                    case .warn:
                        sink.warning("unknown-key", "unknown key '\(pair.key)' in \(context) (kept as data; known keys: \(known))", at: pair.keyMark)
                    case .refuse:
                        sink.error("unknown-key", "unknown key '\(pair.key)' in \(context) (known keys: \(known))", at: pair.keyMark)
                    }
                }
            }
        case (.either(let options), _):
            if let match = options.first(where: { $0.matchesType(node) }) {
                match.check(node, path: path, document: document, into: &sink)
            } else {
                sink.error("type", "\(context) must be \(noun)", at: node.mark)
            }
        default:
            sink.error("type", "\(context) must be \(noun)", at: node.mark)
        }
    }

    /// True when the node's type is the one this shape wants (without looking inside).
    func matchesType(_ node: Node) -> Bool {
        switch node.content {
        case .scalar(let scalar): return matchesType(scalar)
        case .sequence: return matchesType(Value.array([]))
        case .mapping: return matchesType(Value.object([:]))
        }
    }

    /// True when the value's type is the one this shape wants (without looking inside).
    func matchesType(_ value: Value) -> Bool {
        switch (self, value) {
        case (.data, _), (.string, .string), (.boolean, .bool), (.integer, .int),
             (.number, .int), (.number, .double), (.list, .array), (.map, .object), (.object, .object):
            return true
        case (.either(let options), _):
            return options.contains { $0.matchesType(value) }
        default:
            return false
        }
    }

    /// The normal form of `value`: in schema-defined fields, nulls and defaults dropped;
    /// free-form data untouched.
    public func normalize(_ value: Value) -> Value {
        var dropped = false
        return normalize(value, dropped: &dropped)
    }

    /// `normalize(value)`, setting `dropped` when it left a member out (a null, a default):
    /// otherwise the result equals `value`.
    public func normalize(_ value: Value, dropped: inout Bool) -> Value {
        switch (self, value) {
        case (.list(let element), .array(let items)):
            return .array(items.map { element.normalize($0, dropped: &dropped) })
        case (.map(let valueShape), .object(let members)):
            return .object(members.mapValues { valueShape.normalize($0, dropped: &dropped) })
        case (.object(let fields, _), .object(let members)):
            var out: [String: Value] = [:]
            for (key, member) in members {
                guard let field = fields.first(where: { $0.name == key }) else {
                    out[key] = member
                    continue
                }
                if member.isNull { dropped = true; continue }
                let normalized = field.shape.normalize(member, dropped: &dropped)
                if let defaultValue = field.defaultValue, Shape.sameValue(normalized, defaultValue) { dropped = true; continue }
                out[key] = normalized
            }
            return .object(out)
        case (.either(let options), _):
            for option in options where option.matchesType(value) {
                return option.normalize(value, dropped: &dropped)
            }
            return value
        default:
            return value
        }
    }

    /// Equality where `0` and `0.0` are the same number (defaults are numbers, not spellings).
    static func sameValue(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        default: return lhs == rhs
        }
    }

    /// The shape reached by following `path` (mapping keys, `[]` for a list element).
    func descend(_ path: [String]) -> Shape? {
        var shape = self
        for component in path {
            switch shape {
            case .list(let element) where component == "[]":
                shape = element
            case .map(let valueShape) where component != "[]":
                shape = valueShape
            case .object(let fields, _):
                guard let field = fields.first(where: { $0.name == component }) else { return nil }
                shape = field.shape
            case .either(let options):
                guard let next = options.lazy.compactMap({ $0.descend([component]) }).first else { return nil }
                shape = next
            default:
                return nil
            }
        }
        return shape
    }

    /// The key order for a mapping at `path`: the schema's fields in declared order, then the
    /// rest sorted.
    func keyOrder(at path: [String], keys: [String]) -> [String] {
        var fieldNames: [String] = []
        switch descend(path) {
        case .object(let fields, _)?:
            fieldNames = fields.map(\.name)
        case .either(let options)?:
            for case .object(let fields, _) in options { fieldNames = fields.map(\.name) }
        default:
            break
        }
        // A few fields against a few keys: scans, not sets (hashing every key twice per
        // mapping was a tenth of a canonical render).
        let known = fieldNames.filter { keys.contains($0) }
        return known + keys.filter { !known.contains($0) }.sorted()
    }
}
