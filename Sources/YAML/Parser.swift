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
    /// Parses `bytes` (UTF-8, an optional BOM, any line ends) into one document's node tree.
    ///
    /// The size limit is checked before anything else and UTF-8 before libyaml sees the
    /// text; depth and node limits fail at the first node past them.
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> Node {
        try checkSize(bytes.count, limits: limits)
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

    /// Throws `.tooLarge` when a document of `byteCount` bytes is over the size limit; a
    /// caller that knows a file's size before reading it (a git blob's header) refuses it
    /// unread with the same words `parse` uses.
    public static func checkSize(_ byteCount: Int, limits: YAMLLimits = .default) throws(YAMLError) {
        guard byteCount <= limits.maxBytes else {
            throw YAMLError(.tooLarge, "the document is \(byteCount) bytes, more than the \(limits.maxBytes) allowed",
                            at: .start)
        }
    }

    /// Parses a Swift string; the same as parsing its UTF-8 bytes.
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

