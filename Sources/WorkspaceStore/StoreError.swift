/// Why a store refused or failed an operation, and what to do about it.
///
/// A struct of codes rather than an enum, so a PostgreSQL store (or a later version) can add
/// codes without breaking anyone's `switch`. Match on the code:
/// `catch let error as StoreError where error.code == .staleHead`.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is: stable, machine-readable.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The named workspace does not exist in this store.
        public static let noSuchWorkspace = Code("no-such-workspace")
        /// `createWorkspace` was asked for a name the store already has.
        public static let workspaceExists = Code("workspace-exists")
        /// A name, object id or source id is not well formed.
        public static let invalidArgument = Code("invalid-argument")
        /// A resource, change or object the operation needs is not in the workspace.
        public static let notFound = Code("not-found")
        /// The branch head is not the one the caller expected: someone else moved it.
        public static let staleHead = Code("stale-head")
        /// Another resource of the same kind already has this source id (compared ignoring case).
        public static let sourceIDTaken = Code("source-id-taken")
        /// Another writer held the store's write lock for longer than the busy timeout;
        /// nothing was changed and the operation can be retried.
        public static let busy = Code("busy")
        /// An integrity check failed: SQLite's `PRAGMA quick_check`, or this build's own
        /// check of a stored value (JSON that does not parse, an unknown object type). Only
        /// a failed check says "corrupt"; an SQLite error alone never does.
        public static let corrupt = Code("corrupt")
        /// An object is stored as a delta against another object that is not stored (a
        /// broken delta chain): it cannot be read until that object is stored again.
        public static let deltaBaseMissing = Code("delta-base-missing")
        /// The file is not a workspace store: not an SQLite database at all, or an SQLite
        /// database without this project's schema.
        public static let notAStore = Code("not-a-store")
        /// SQLite failed for another reason (I/O, a full disk, permissions); the message
        /// says what failed and SQLite's own words.
        public static let databaseError = Code("database-error")
        /// The database was migrated by a newer build.
        public static let schemaTooNew = Code("schema-too-new")
        /// The store URL names a kind of store this build does not support.
        public static let unsupported = Code("unsupported")
    }

    public var code: Code
    /// One or two sentences: what happened and what to do next.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func noSuchWorkspace(_ name: String, store: String) -> StoreError {
        StoreError(.noSuchWorkspace,
                   "no workspace named '\(name)' in this store; list them with `git ls-remote workspace::\(store)` "
                   + "or create it with `git workspace init \(store) --workspace \(name)`")
    }

    /// A stored value failed this build's own check when read back (the SQLite file itself
    /// may be sound): the data was changed outside this project's code.
    static func damaged(_ what: String) -> StoreError {
        StoreError(.corrupt, "the store holds damaged data: \(what); restore the store from a backup")
    }
}
