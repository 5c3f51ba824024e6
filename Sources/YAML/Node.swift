/// A position in a source text: 1-based line and column (columns count Unicode scalars).
public struct Mark: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Where a whole file is meant rather than a place in it.
    public static let start = Mark(line: 1, column: 1)

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A parsed YAML node that remembers where it came from, for diagnostics.
///
/// Validation reads `Node`s (so every message can name a line and column); normalization
/// and hashing read `value`. Aliases are already expanded (within the parser's limits),
/// so a node tree is plain data.
public struct Node: Sendable {
    /// One `key: value` entry of a mapping, with the key's own position.
    public struct Pair: Sendable {
        public var key: String
        public var keyMark: Mark
        public var value: Node

        public init(key: String, keyMark: Mark, value: Node) {
            self.key = key
            self.keyMark = keyMark
            self.value = value
        }
    }

    /// What the node holds. Mapping pairs stay in document order.
    public enum Content: Sendable {
        case scalar(Value)
        case sequence([Node])
        case mapping([Pair])
    }

    public var content: Content
    /// Where the node starts.
    public var mark: Mark

    public init(_ content: Content, at mark: Mark) {
        self.content = content
        self.mark = mark
    }

    /// The data this node says, without positions.
    public var value: Value {
        switch content {
        case .scalar(let scalar):
            return scalar
        case .sequence(let nodes):
            return .array(nodes.map(\.value))
        case .mapping(let pairs):
            var members: [String: Value] = [:]
            members.reserveCapacity(pairs.count)
            for pair in pairs { members[pair.key] = pair.value.value }
            return .object(members)
        }
    }

    /// The pair for `key` when this node is a mapping.
    public func pair(_ key: String) -> Pair? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { $0.key == key }
    }

    /// The value node under `key` when this node is a mapping.
    public subscript(key: String) -> Node? { pair(key)?.value }

    /// The pairs when this is a mapping.
    public var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The elements when this is a sequence.
    public var elements: [Node]? {
        if case .sequence(let nodes) = content { return nodes }
        return nil
    }

    /// The scalar when this is a scalar node.
    public var scalar: Value? {
        if case .scalar(let value) = content { return value }
        return nil
    }

    /// The string when this is a string scalar.
    public var string: String? { scalar?.stringValue }
}

extension Node {
    /// A node tree saying `value`, every position at `mark` (for data that came from a store,
    /// not from a file, so checks that want nodes can run on it).
    public init(value: Value, at mark: Mark = .start) {
        switch value {
        case .array(let items):
            self.init(.sequence(items.map { Node(value: $0, at: mark) }), at: mark)
        case .object(let members):
            self.init(.mapping(members.keys.sorted().map {
                Pair(key: $0, keyMark: mark, value: Node(value: members[$0]!, at: mark))
            }), at: mark)
        default:
            self.init(.scalar(value), at: mark)
        }
    }
}

extension Node {
    /// Sets the scalar at `key` of a mapping: an existing pair keeps its key and position
    /// (its value takes the old value's position), a new pair is appended at the mapping's
    /// own position. For filling in what a document left implicit (a version, an id) while
    /// every other position still points into the text it came from. No effect on a
    /// node that is not a mapping.
    public mutating func setValue(_ value: Value, forKey key: String) {
        guard case .mapping(var pairs) = content else { return }
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = Node(value: value, at: pairs[index].value.mark)
        } else {
            pairs.append(Pair(key: key, keyMark: mark, value: Node(value: value, at: mark)))
        }
        content = .mapping(pairs)
    }
}
