internal import CYAML

/// Reads one YAML (or JSON) document into a `Node` tree, within `YAMLLimits`.
///
/// - Exactly one document: an empty, blank or comment-only text is `null` at 1:1; a second
///   document is `.multipleDocuments`.
/// - Plain untagged scalars resolve by the YAML 1.2 core schema; quoted and block scalars
///   are strings. Tags `!!str !!int !!float !!bool !!null !!map !!seq` (and their long
///   `tag:yaml.org,2002:` forms) and the non-specific `!` are understood; others are
///   `.unsupportedTag`. A tagged scalar whose text does not fit its tag is `.invalidScalar`.
/// - Keys must be strings. `<<` is an ordinary key: merge keys are not applied.
/// - Aliases are expanded by copying the anchored node; the copy's root takes the alias's
///   mark, nodes inside it keep the marks of the anchored text. An alias to a node that
///   is still open (a recursive alias) is `.unknownAlias`.
/// - Every scalar, sequence and mapping counts as one node; a document over
///   `maxNodes` nodes is `.aliasExpansion` when an alias pushes it over (checked before
///   copying), `.tooLarge` otherwise.
public enum YAMLParser {
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> Node {
        guard bytes.count <= limits.maxBytes else {
            throw YAMLError(.tooLarge, "the document is \(bytes.count) bytes, more than the \(limits.maxBytes) allowed",
                            at: .start)
        }
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        if let bad = firstInvalidUTF8(text) {
            throw YAMLError(.encoding, "the text is not valid UTF-8 (byte 0x\(hex(text[bad])))",
                            at: mark(ofByte: bad, in: text))
        }
        guard let parser = LibYAMLParser(text) else {
            throw YAMLError(.syntax, "libyaml could not allocate a parser", at: .start)
        }
        var builder = TreeBuilder(limits: limits)
        while true {
            guard let event = parser.next() else {
                throw syntaxError(parser.parser.pointee, text: text)
            }
            if try builder.handle(event.pointee) { break }
        }
        return builder.root ?? Node(.scalar(.null), at: .start)
    }

    public static func parse(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> Node {
        try parse(Array(text.utf8), limits: limits)
    }

    /// libyaml's complaint as a `.syntax` error at its 1-based position.
    static func syntaxError(_ parser: yaml_parser_t, text: ArraySlice<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "libyaml could not read the text"
        switch parser.error {
        case YAML_READER_ERROR:
            let offset = min(parser.problem_offset, text.count)
            return YAMLError(.syntax, problem, at: mark(ofByte: text.startIndex + offset, in: text))
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            var message = problem
            if let context = parser.context.map({ String(cString: $0) }) {
                message += " (\(context) at \(Mark(parser.context_mark)))"
            }
            return YAMLError(.syntax, message, at: Mark(parser.problem_mark))
        default:
            return YAMLError(.syntax, problem, at: .start)
        }
    }

    /// The index of the first byte that does not belong to a well-formed UTF-8 sequence
    /// (no overlong forms, no surrogates, nothing past U+10FFFF), or nil.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            for offset in 1..<length {
                let position = index + offset
                guard position < end else { return index }
                let byte = bytes[position]
                let (min, max) = offset == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
                guard byte >= min && byte <= max else { return index }
            }
            index += length
        }
        return nil
    }

    /// The 1-based line and column (in Unicode scalars) of byte `index`, counting line
    /// breaks as libyaml does: LF, CR, CRLF, NEL, LS and PS.
    static func mark(ofByte index: Int, in bytes: ArraySlice<UInt8>) -> Mark {
        var line = 1, column = 1
        var position = bytes.startIndex
        while position < index {
            let byte = bytes[position]
            if byte == 0x0A || (byte == 0x0D && (position + 1 >= bytes.endIndex || bytes[position + 1] != 0x0A)) {
                line += 1; column = 1
            } else if byte == 0xC2, position + 1 < index, bytes[position + 1] == 0x85 {
                line += 1; column = 1; position += 1
            } else if byte == 0xE2, position + 2 < index, bytes[position + 1] == 0x80,
                      bytes[position + 2] == 0xA8 || bytes[position + 2] == 0xA9 {
                line += 1; column = 1; position += 2
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
            position += 1
        }
        return Mark(line: line, column: column)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

extension Mark {
    /// libyaml's 0-based mark, made 1-based.
    init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}

/// Turns libyaml's events into a `Node` tree, enforcing the limits as it goes.
private struct TreeBuilder {
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
