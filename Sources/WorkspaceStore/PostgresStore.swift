import Foundation

/// The shared store: workspaces in a PostgreSQL database, for a team, its CI and its
/// application at once (`workspace::postgres://user@host/db`).
///
/// The contract is `WorkspaceStore`'s, kept by the server's own mechanisms:
/// - **Readers never wait.** `read` is a `REPEATABLE READ READ ONLY` transaction: one
///   snapshot of the last committed state, taken without any lock a writer holds.
/// - **Writers to one workspace serialize.** `write` is a transaction that first takes the
///   advisory lock `pg_advisory_xact_lock(PostgresSchema.lockKey, workspace id)`, held until
///   it commits or rolls back, and only then reads the workspace's head: every check
///   against the head (the fast-forward check of a push above all) sees the last committed
///   one, so two racing pushes from the same old head can never both succeed. Writers to
///   different workspaces do not wait for each other; a transaction over several takes
///   their locks in id order, so two such transactions cannot deadlock.
/// - A writer that finds the lock held waits up to the busy timeout (`lock_timeout`), then
///   fails with `busy`, naming the holder as `pg_stat_activity` shows it.
/// - A lost connection is a rolled-back transaction on the server; the error says so. When
///   it is lost while committing, the store asks the server what became of the transaction
///   (`txid_status` of its id, on a new connection): committed is success, aborted is the
///   error, and only a server that cannot be reached again leaves the outcome unknown (the
///   message then says how to find out). The next operation connects again.
///
/// Each process connects once, on first use, and sets `application_name` to what it is
/// (`git-remote-workspace`, `git workspace app put`), which is how `pg_stat_activity` and
/// the busy message name it.
public final class PostgresStore: WorkspaceStore, @unchecked Sendable {
    /// The URL with its password redacted: safe in any message.
    public let address: String
    public let busyTimeout: TimeInterval
    private let url: String
    private let environment: [String: String]
    /// Connection settings that win over the URL: a password from git's credential helpers.
    private var overrides: [(String, String)] = []
    private var connection: PostgresConnection
    /// The server's id of the write transaction under way (`txid_current()`), to learn
    /// whether it committed when the connection is lost during COMMIT.
    private var writeXID: String?
    private let lock = NSLock()

    /// Connects to the database `url` names and checks (or, with `create`, makes) its schema.
    ///
    /// The password comes from the URL, `PGPASSWORD`, `~/.pgpass` or a service file as libpq
    /// finds it; when the server asks for one that none of them has, from git's credential
    /// helpers (`git credential fill`, approved or rejected by how the server answers).
    /// Without `create`, a database that holds no store is refused (`notAStore`): a typo in
    /// a URL must not make an empty store.
    public init(url: String, busyTimeout: TimeInterval = SQLiteStore.defaultBusyTimeout, create: Bool,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        address = StoreAddress.redacted(url)
        self.url = url
        self.environment = environment
        self.busyTimeout = busyTimeout
        (connection, overrides) = try Self.connect(url: url, address: address, environment: environment)
        do {
            try PostgresSchema.prepare(connection, create: create)
        } catch let error as PostgresError {
            throw failure(error, operation: "open the store")
        }
    }

    /// libpq settings the URL may override.
    private static let settings = [("fallback_application_name", applicationName), ("connect_timeout", "10")]

    /// A connection, and the settings it needed beyond the URL (a password from git).
    private static func connect(url: String, address: String,
                                environment: [String: String]) throws -> (PostgresConnection, [(String, String)]) {
        do {
            return (try PostgresConnection(url: url, settings: settings), [])
        } catch let error as PostgresError {
            guard error.needsPassword, let parsed = PostgresAddress(url),
                  let credential = GitCredential.fill(for: parsed, environment: environment) else {
                throw connectFailure(error, address: address)
            }
            var overrides = [("password", credential.password)]
            if parsed.user == nil, let user = credential.username { overrides.append(("user", user)) }
            do {
                let connection = try PostgresConnection(url: url, settings: settings, overrides: overrides)
                credential.approve(environment: environment)
                return (connection, overrides)
            } catch let retry as PostgresError {
                if retry.usedPassword { credential.reject(environment: environment) }
                throw connectFailure(retry, address: address)
            }
        }
    }

    private static func connectFailure(_ error: PostgresError, address: String) -> StoreError {
        let hint = error.needsPassword
            ? "; the server wants a password: put it in ~/.pgpass or PGPASSWORD, or let a git credential helper "
                + "keep it (see git-remote-workspace(1), PASSWORDS)"
            : "; check the URL and that the server runs and accepts this user"
        return StoreError(.databaseError, "cannot connect to the PostgreSQL store \(address): \(error.message)\(hint)")
    }

    /// What this process calls itself on the server: program and subcommand words only,
    /// never arguments (which may hold URLs).
    static let applicationName: String = {
        guard let (program, words) = ProcessDescription.command(CommandLine.arguments) else { return "git-remote-workspace" }
        let name = program == "git-workspace" ? (["git workspace"] + words.prefix(2)).joined(separator: " ") : program
        return String(name.prefix(60))
    }()

    // MARK: WorkspaceStore

    public func workspaceNames() throws -> [String] {
        try run("list the workspaces") {
            let rows = try connection.execute("SELECT name FROM workspaces ORDER BY name")
            return (0..<rows.count).compactMap { rows.string($0, 0) }
        }
    }

    public func createWorkspace(_ name: String) throws {
        if let problem = WorkspaceName.problem(with: name) {
            throw StoreError(.invalidArgument, "'\(name)' cannot be a workspace name: \(problem)")
        }
        try run("create workspace '\(name)'") {
            let inserted = try connection.execute("""
                INSERT INTO workspaces (name) VALUES ($1) ON CONFLICT DO NOTHING
                """, [.text(name)])
            if inserted.affected == 1 { return }
            let existing = try connection.execute("SELECT name FROM workspaces WHERE lower(name) = lower($1)", [.text(name)])
            throw StoreError(.workspaceExists,
                             "a workspace named '\(existing.string(0, 0) ?? name)' already exists (names are compared "
                             + "ignoring case); pick another name or use that one")
        }
    }

    public func read<T>(_ workspace: String, _ body: (any WorkspaceReading) throws -> T) throws -> T {
        try run("read workspace '\(workspace)'") {
            try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                try body(PostgresWorkspace(connection, name: workspace, store: address))
            }
        }
    }

    public func write<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T {
        try write([workspace]) { try body($0[0]) }
    }

    public func writeIfFree<T>(_ workspace: String, _ body: (any WorkspaceWriting) throws -> T) throws -> T? {
        try run("change workspace '\(workspace)'") {
            try transaction("BEGIN") { () -> T? in
                let id = try workspaceID(workspace)
                let taken = try connection.execute("SELECT pg_try_advisory_xact_lock($1, $2), txid_current()",
                                                   [.int(PostgresSchema.lockKey), .int(id)])
                guard taken.bool(0, 0) == true else { return nil }
                writeXID = taken.string(0, 1)
                return try body(PostgresWorkspace(connection, name: workspace, store: address))
            }
        }
    }

    public func write<T>(_ workspaces: [String], _ body: ([any WorkspaceWriting]) throws -> T) throws -> T {
        let names = workspaces.map { "'\($0)'" }.joined(separator: ", ")
        let operation = workspaces.count == 1 ? "change workspace \(names)" : "change workspaces \(names)"
        return try run(operation) {
            // PostgreSQL reads a lock_timeout of 0 as "wait forever": a busy timeout of 0 (or
            // under a millisecond) waits 1 ms instead, which is failing at once.
            try transaction("BEGIN; SET LOCAL lock_timeout = '\(max(1, Int(busyTimeout * 1000)))ms'") {
                let ids = try workspaces.map { try (name: $0, id: workspaceID($0)) }
                for id in Set(ids.map(\.id)).sorted() {
                    do {
                        let locked = try connection.execute("SELECT pg_advisory_xact_lock($1, $2), txid_current()",
                                                            [.int(PostgresSchema.lockKey), .int(id)])
                        writeXID = locked.string(0, 1)
                    } catch let error as PostgresError where error.sqlState == "55P03" {
                        throw busy(workspace: ids.first { $0.id == id }!.name, id: id, operation: operation)
                    }
                }
                return try body(workspaces.map { try PostgresWorkspace(connection, name: $0, store: address) })
            }
        }
    }

    public func outbox(workspace: String?, states: Set<OutboxEntry.State>) throws -> [OutboxEntry] {
        try run("read the outbox") {
            var sql = PostgresWorkspace.outboxQuery + " WHERE state = ANY($1::text[])"
            var parameters: [PostgresValue] = [.text("{" + states.map(\.rawValue).sorted().joined(separator: ",") + "}")]
            if let workspace {
                sql += " AND workspace = $2"
                parameters.append(.text(workspace))
            }
            let rows = try connection.execute(sql + " ORDER BY id", parameters)
            return try (0..<rows.count).map { try PostgresWorkspace.outboxEntry(rows, $0) }
        }
    }

    public func dump(_ workspace: String) throws -> String {
        try run("dump workspace '\(workspace)'") {
            try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                try PostgresWorkspace(connection, name: workspace, store: address).dump()
            }
        }
    }

    // MARK: Transactions and errors

    /// The id of `workspace`, or `noSuchWorkspace`.
    private func workspaceID(_ workspace: String) throws -> Int64 {
        let rows = try connection.execute("SELECT id FROM workspaces WHERE name = $1", [.text(workspace)])
        guard let id = rows.string(0, 0).flatMap({ Int64($0) }), rows.count == 1 else {
            throw StoreError.noSuchWorkspace(workspace, store: address)
        }
        return id
    }

    /// Runs `body` between `begin` and COMMIT; rolls back when it throws.
    private func transaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        writeXID = nil
        defer { writeXID = nil }
        try connection.execute(script: begin)
        let result: T
        do {
            result = try body()
        } catch {
            if connection.isOpen { try? connection.execute(script: "ROLLBACK") }
            throw error
        }
        do {
            try connection.execute(script: "COMMIT")
        } catch var error as PostgresError where error.connectionLost {
            // A read has its result; a write asks the server what became of it.
            guard let xid = writeXID else { return result }
            switch outcome(of: xid) {
            case "committed": return result
            case "aborted": throw error
            default:
                error.lostWhileCommitting = true
                throw error
            }
        }
        return result
    }

    /// `txid_status` of transaction `xid` ("committed", "aborted", "in progress"), asked on a
    /// new connection; nil when the server cannot be reached again or no longer knows.
    private func outcome(of xid: String) -> String? {
        guard (try? reconnect()) != nil,
              let rows = try? connection.execute("SELECT txid_status($1::bigint)", [.text(xid)]) else { return nil }
        return rows.string(0, 0)
    }

    /// Replaces a lost connection with a new one, with the settings the first one needed.
    private func reconnect() throws {
        connection = try PostgresConnection(url: url, settings: Self.settings, overrides: overrides)
    }

    /// Runs one store operation on the connection, one at a time, turning server errors into
    /// `StoreError`s that say what failed and what to do.
    private func run<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            if !connection.isOpen { try reconnect() }
            return try body()
        } catch let error as PostgresError {
            throw failure(error, operation: operation)
        }
    }

    private func failure(_ error: PostgresError, operation: String) -> StoreError {
        let cannot = "\(address): cannot \(operation)"
        if error.lostWhileCommitting {
            return StoreError(.databaseError, "\(cannot): the connection to the server was lost while committing "
                              + "(\(error.message)); the change may or may not have been made: fetch to see the "
                              + "workspace's state, then retry if it is not there")
        }
        if error.connectionLost {
            return StoreError(.databaseError, "\(cannot): the connection to the server was lost (\(error.message)); "
                              + "the server rolled the transaction back, nothing was changed: retry")
        }
        switch error.sqlState {
        case "55P03", "40P01", "40001":
            return StoreError(.busy, "\(cannot): the server could not take a lock in time (\(error.message)); "
                              + "nothing was changed: retry")
        case let state? where state.hasPrefix("42") || state.hasPrefix("3F"):
            return StoreError(.databaseError, "\(cannot): the server refused a statement (\(error.message), SQLSTATE "
                              + "\(state)); the store's tables may have been changed outside this project, or the "
                              + "user lacks privileges on them")
        default:
            return StoreError(.databaseError, "\(cannot): the server failed (\(error.message)\(error.sqlState.map { ", SQLSTATE \($0)" } ?? "")); "
                              + "nothing was changed: retry, and report it if it happens again")
        }
    }

    /// The `busy` error for `workspace`, naming who holds its lock as the server sees it.
    private func busy(workspace: String, id: Int64, operation: String) -> StoreError {
        var who = "another connection"
        // The transaction is aborted by the lock timeout; ask on a clean slate.
        try? connection.execute(script: "ROLLBACK; BEGIN")
        if let rows = try? connection.execute("""
            SELECT a.application_name, a.pid, a.client_addr::text
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, [.int(UInt32(bitPattern: PostgresSchema.lockKey)), .int(id)]), rows.count > 0 {
            let name = rows.string(0, 0).map { $0.isEmpty ? "a client" : "`\($0)`" } ?? "a client"
            let from = rows.string(0, 2).map { " from \($0)" } ?? ""
            who = "\(name) (server process \(rows.string(0, 1) ?? "?")\(from))"
        }
        return StoreError(.busy, "the workspace '\(workspace)' in \(address) is busy: \(who) has held its write lock "
                          + "for longer than the busy timeout (\(SQLiteFailure.seconds(busyTimeout))); could not "
                          + "\(operation), nothing was changed: retry when that has finished")
    }
}
