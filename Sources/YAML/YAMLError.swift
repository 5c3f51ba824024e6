/// Why a document could not be read, and where.
///
/// `code` lets callers and tests tell kinds of failure apart; `message` is written for
/// the person who has to fix the file.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Extensible set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// libyaml refused the text (bad indentation, tabs, unclosed quotes, ...).
        public static let syntax = Code("syntax")
        /// Bytes that are not UTF-8.
        public static let encoding = Code("encoding")
        /// The same key twice in one mapping.
        public static let duplicateKey = Code("duplicate-key")
        /// A key that is not a string (a number, a boolean, null, a sequence or a mapping).
        public static let nonStringKey = Code("non-string-key")
        /// More bytes than `YAMLLimits.maxBytes`.
        public static let tooLarge = Code("too-large")
        /// Nesting deeper than `YAMLLimits.maxDepth`.
        public static let tooDeep = Code("too-deep")
        /// Alias expansion past `YAMLLimits.maxNodes`.
        public static let aliasExpansion = Code("alias-expansion")
        /// An alias naming no anchor.
        public static let unknownAlias = Code("unknown-alias")
        /// More than one document in a stream where one was expected.
        public static let multipleDocuments = Code("multiple-documents")
        /// A tag the reader does not understand (`!!binary`, `!custom`, ...).
        public static let unsupportedTag = Code("unsupported-tag")
        /// A tagged scalar whose text does not fit its tag (`!!int abc`).
        public static let invalidScalar = Code("invalid-scalar")
    }

    public var code: Code
    public var message: String
    public var mark: Mark

    public init(_ code: Code, _ message: String, at mark: Mark) {
        self.code = code
        self.message = message
        self.mark = mark
    }

    public var description: String { "\(mark): \(message)" }
}

/// Bounds that keep an untrusted document from eating the machine.
public struct YAMLLimits: Hashable, Sendable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Deepest accepted nesting of sequences and mappings.
    public var maxDepth: Int
    /// Most nodes a document may hold once aliases are expanded.
    public var maxNodes: Int

    public init(maxBytes: Int = 8 << 20, maxDepth: Int = 128, maxNodes: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// The limits every reader of repository and store content uses.
    public static let `default` = YAMLLimits()
}
