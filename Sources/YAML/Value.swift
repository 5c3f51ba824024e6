/// A YAML or JSON document's data, without positions: what a document *says*.
///
/// Mappings are unordered (`[String: Value]`): two documents that differ only in key
/// order are equal, and every emitter orders keys itself. Keys are always strings; the
/// parser refuses any other key.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object([String: Value])

    /// The value under `key` when this is a mapping, else nil.
    public subscript(key: String) -> Value? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string when this is a string scalar.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The members when this is a mapping.
    public var objectValue: [String: Value]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements when this is a sequence.
    public var arrayValue: [Value]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
