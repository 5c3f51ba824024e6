internal import CYAML

/// Turns libyaml's events into a `Node` tree, enforcing the limits as it goes.
struct TreeBuilder {
    struct Frame {
        var isMapping: Bool
        var mark: Mark
        var anchor: String?
        /// The node count before this collection was opened.
        var totalBefore: Int
        var elements: [Node] = []
        var pairs: [Node.Pair] = []
        var pendingKey: (key: String, mark: Mark)?
        var keyMarks: [String: Mark] = [:]
    }

    let limits: YAMLLimits
    var stack: [Frame] = []
    var root: Node?
    var documents = 0
    /// Nodes in the document so far, aliases counted as the size of what they copy.
    var total = 0
    var anchors: [String: (node: Node, count: Int)] = [:]

    init(limits: YAMLLimits) { self.limits = limits }

    /// Handles one event; true at the end of the stream.
    mutating func handle(_ event: yaml_event_t) throws(YAMLError) -> Bool {
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT, YAML_NO_EVENT:
            return false
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(.multipleDocuments, "a second document starts here; only one is allowed", at: mark)
            }
            return false
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw YAMLError(.unknownAlias, "the alias *\(name) names no anchor defined before it", at: mark)
            }
            guard total + anchored.count <= limits.maxNodes else {
                throw YAMLError(.aliasExpansion,
                                "expanding *\(name) would make the document more than \(limits.maxNodes) nodes",
                                at: mark)
            }
            total += anchored.count
            var copy = anchored.node
            copy.mark = mark
            try attach(copy)
            return false
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
            } ?? ""
            let value = try resolve(text, tag: string(scalar.tag),
                                    plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, at: mark)
            try count(at: mark)
            let node = Node(.scalar(value), at: mark)
            if let anchor = string(scalar.anchor) { anchors[anchor] = (node, 1) }
            try attach(node)
            return false
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            try checkCollectionTag(string(start.tag), expected: "seq", at: mark)
            try open(isMapping: false, anchor: string(start.anchor), at: mark)
            return false
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            try checkCollectionTag(string(start.tag), expected: "map", at: mark)
            try open(isMapping: true, anchor: string(start.anchor), at: mark)
            return false
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let node = Node(frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.elements), at: frame.mark)
            if let anchor = frame.anchor { anchors[anchor] = (node, total - frame.totalBefore) }
            try attach(node)
            return false
        default:
            return false
        }
    }

    mutating func count(at mark: Mark) throws(YAMLError) {
        total += 1
        if total > limits.maxNodes {
            throw YAMLError(.tooLarge, "the document has more than \(limits.maxNodes) nodes", at: mark)
        }
    }

    mutating func open(isMapping: Bool, anchor: String?, at mark: Mark) throws(YAMLError) {
        if let parent = stack.last, parent.isMapping, parent.pendingKey == nil {
            throw YAMLError(.nonStringKey,
                            "a mapping key must be a string, not a \(isMapping ? "mapping" : "sequence")", at: mark)
        }
        guard stack.count < limits.maxDepth else {
            throw YAMLError(.tooDeep, "sequences and mappings nest deeper than \(limits.maxDepth) levels here", at: mark)
        }
        let before = total
        try count(at: mark)
        stack.append(Frame(isMapping: isMapping, mark: mark, anchor: anchor, totalBefore: before))
    }

    /// Puts a finished node into the open collection, or makes it the root.
    mutating func attach(_ node: Node) throws(YAMLError) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        if !stack[top].isMapping {
            stack[top].elements.append(node)
            return
        }
        if let pending = stack[top].pendingKey {
            stack[top].pairs.append(Node.Pair(key: pending.key, keyMark: pending.mark, value: node))
            stack[top].pendingKey = nil
            return
        }
        guard case .scalar(.string(let key)) = node.content else {
            throw YAMLError(.nonStringKey, "a mapping key must be a string, not \(describe(node))"
                            + " (quote it to make it a string)", at: node.mark)
        }
        if let first = stack[top].keyMarks[key] {
            throw YAMLError(.duplicateKey, "duplicate key \"\(key)\" (first at line \(first.line))", at: node.mark)
        }
        stack[top].keyMarks[key] = node.mark
        stack[top].pendingKey = (key, node.mark)
    }

    func describe(_ node: Node) -> String {
        switch node.content {
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        case .scalar(let value):
            switch value {
            case .null: return "null"
            case .bool(let bool): return "the boolean \(bool)"
            case .int(let int): return "the integer \(int)"
            case .double(let double): return "the number \(double)"
            default: return "a \(value)"
            }
        }
    }

    static let longPrefix = "tag:yaml.org,2002:"

    /// The core tag's short name (`str`, `int`, ...) for `!!x` or its long form, else nil.
    func coreTagName(_ tag: String) -> String? {
        if tag.hasPrefix(Self.longPrefix) { return String(tag.dropFirst(Self.longPrefix.count)) }
        if tag.hasPrefix("!!") { return String(tag.dropFirst(2)) }
        return nil
    }

    func checkCollectionTag(_ tag: String?, expected: String, at mark: Mark) throws(YAMLError) {
        guard let tag, tag != "!" else { return }
        guard coreTagName(tag) == expected else {
            let kind = expected == "map" ? "mapping" : "sequence"
            throw YAMLError(.unsupportedTag, "the tag \(tag) is not supported on a \(kind)", at: mark)
        }
    }

    func resolve(_ text: String, tag: String?, plain: Bool, at mark: Mark) throws(YAMLError) -> Value {
        guard let tag else { return plain ? ScalarResolver.resolvePlain(text) : .string(text) }
        if tag == "!" { return .string(text) }
        let resolved: Value?
        switch coreTagName(tag) {
        case "str": return .string(text)
        case "null": resolved = ScalarResolver.null(text)
        case "bool": resolved = ScalarResolver.bool(text).map(Value.bool)
        case "int": resolved = ScalarResolver.integer(text)
        case "float":
            if let value = ScalarResolver.integer(text) {
                if case .int(let int) = value { resolved = .double(Double(int)) } else { resolved = value }
            } else {
                resolved = ScalarResolver.float(text).map(Value.double)
            }
        default:
            throw YAMLError(.unsupportedTag, "the tag \(tag) is not supported on a scalar", at: mark)
        }
        guard let resolved else {
            throw YAMLError(.invalidScalar, "\"\(text)\" is not a valid \(tag)", at: mark)
        }
        return resolved
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
