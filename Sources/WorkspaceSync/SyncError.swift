import WorkspaceSpec

/// A failure of a workspace operation, said so a person can act on it.
public struct SyncError: Error, CustomStringConvertible, Sendable {
    /// Extensible codes, so callers can tell failures apart.
    public struct Code: Hashable, Sendable {
        public let name: String
        public init(_ name: String) { self.name = name }
        /// The input (a document, a pushed tree) is invalid; `diagnostics` say where.
        public static let invalid = Code("invalid")
        /// The workspace moved since the pushed commit's base.
        public static let fetchFirst = Code("fetch first")
        /// The pushed commit does not descend from the workspace's head.
        public static let nonFastForward = Code("non-fast forward")
        /// A compare-and-swap expectation (`--force-with-lease`) did not hold.
        public static let stale = Code("stale info")
        /// A merge found resources changed on both sides to specs it cannot reconcile.
        public static let conflict = Code("merge conflict")
        /// Something named does not exist.
        public static let notFound = Code("not found")
        /// The store holds something it should not (a missing object, a broken tree).
        public static let corrupt = Code("corrupt")
        /// A push would archive too much of a kind without `-o archive` (`ArchiveGuard`).
        public static let massArchive = Code("mass archive")
    }

    public var code: Code
    public var message: String
    public var diagnostics: [Diagnostic]
    /// What the refused push would have done, when it got that far (for `--dry-run`).
    public var plan: PushPlan?

    public init(_ code: Code, _ message: String, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    static func corrupt(_ message: String) -> SyncError { SyncError(.corrupt, message) }

    /// How the helper's refusal of a push begins when the store was busy (another writer
    /// held its lock past the busy timeout). It reaches `git push --porcelain` as the
    /// reason of a `[remote rejected]` line, where sync takes it for a transient failure.
    public static let busyReasonPrefix = "busy: "

    public var description: String {
        ([message] + diagnostics.map(\.description)).joined(separator: "\n")
    }
}
