import Foundation

/// Which store the end-to-end suite runs against: SQLite files (the default) or a
/// PostgreSQL server, so one conformance suite covers both.
///
/// `WORKSPACE_TEST_STORE=postgres` selects PostgreSQL; `WORKSPACE_TEST_POSTGRES_URL` is then
/// an admin URL of a server (`postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres`, as
/// `scripts/test-postgres.sh` exports it). Each fixture gets a database of its own. The
/// password never travels in a store URL: tools find it in `PGPASSWORD`, which `Runner`
/// passes on, so nothing git or the tools print can show it.
public enum TestStore {
    /// True when the suite runs on PostgreSQL.
    public static var isPostgres: Bool {
        ProcessInfo.processInfo.environment["WORKSPACE_TEST_STORE"] == "postgres"
    }

    /// True when the suite runs on SQLite files (the default).
    public static var isSQLite: Bool { !isPostgres }

    /// The admin URL's parts: user, password, host, port. Fails when the variable is missing.
    public static func server() throws -> (user: String, password: String?, host: String, port: Int) {
        guard let text = ProcessInfo.processInfo.environment["WORKSPACE_TEST_POSTGRES_URL"],
              let url = URLComponents(string: text), let host = url.host else {
            throw Failure(description: "WORKSPACE_TEST_STORE=postgres needs WORKSPACE_TEST_POSTGRES_URL "
                          + "(postgres://USER:PASSWORD@HOST:PORT/postgres); ./test.sh sets both")
        }
        return (url.user ?? "postgres", url.password, host, url.port ?? 5432)
    }

    /// The environment a tool needs to reach the test server without a password in its URL.
    public static var environment: [String: String] {
        guard hasServer, let password = try? server().password else { return [:] }
        return ["PGPASSWORD": password]
    }

    /// A new, empty store location: `store.db` in `scratch` (created by the first
    /// `git workspace init`), or the URL of a new database on the test server.
    public static func fresh(in scratch: ScratchDirectory) throws -> String {
        guard isPostgres else { return scratch.path("store.db") }
        return try newDatabase(in: scratch)
    }

    /// True when a test server is configured (`WORKSPACE_TEST_POSTGRES_URL`): PostgreSQL-only
    /// tests and the store contract tests' PostgreSQL runs need one.
    public static var hasServer: Bool {
        !(ProcessInfo.processInfo.environment["WORKSPACE_TEST_POSTGRES_URL"] ?? "").isEmpty
    }

    /// `url` (a test database's, as `newDatabase` gives it) with the server's password in it,
    /// for stores opened inside the test process, whose output nobody sees.
    public static func withPassword(_ url: String) throws -> String {
        guard let password = try server().password, var components = URLComponents(string: url) else { return url }
        components.password = password
        return components.string ?? url
    }

    /// A new, empty database on the test server; its URL, without the password.
    ///
    /// With `dropOnRelease` (the default) it is dropped, connections and all, when `scratch`
    /// is released; without, it stays until the server goes (for stores opened in the test
    /// process, which may outlive the directory).
    public static func newDatabase(in scratch: ScratchDirectory, dropOnRelease: Bool = true) throws -> String {
        let server = try server()
        let name = "ws_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let created = try Runner(scratch: scratch).run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host, "-p", String(server.port), "-U", server.user,
             "-d", "postgres", "-c", "CREATE DATABASE \(name)"])
        guard created.status == 0 else { throw Failure(description: "cannot create a test database: \(created)") }
        // Dropped with the test's scratch directory (each costs megabytes of the server's
        // disk), under its own name or the one `takeAway` gave it.
        if dropOnRelease { scratch.onRelease {
            let runner = Runner(directory: FileManager.default.temporaryDirectory)
            for database in [name, name + "_away"] {
                _ = try? runner.run(["psql", "-X", "-q", "-h", server.host, "-p", String(server.port), "-U", server.user,
                                     "-d", "postgres", "-c", "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"])
            }
        } }
        return "postgres://\(server.user)@\(server.host):\(server.port)/\(name)"
    }

    /// Makes the store unreachable, as a deleted file or a dropped database is: a SQLite
    /// file is moved aside, a test database renamed (nothing may be connected to it).
    public static func takeAway(_ store: String, runner: Runner) throws {
        guard isPostgres else {
            try FileManager.default.moveItem(atPath: store, toPath: store + ".away")
            return
        }
        let server = try server()
        guard let name = URLComponents(string: store)?.path.dropFirst(), !name.isEmpty else {
            throw Failure(description: "\(store) names no database")
        }
        let renamed = try runner.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host, "-p", String(server.port),
                                      "-U", server.user, "-d", "postgres", "-c", "ALTER DATABASE \(name) RENAME TO \(name)_away"])
        guard renamed.status == 0 else { throw Failure(description: "cannot rename the test database: \(renamed)") }
    }

    /// Runs one SQL statement on the store `store` and returns its rows, fields joined by `|`.
    public static func query(_ store: String, _ sql: String, runner: Runner) throws -> String {
        let result = isPostgres
            ? try runner.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", store, "-c", sql])
            : try runner.run(["sqlite3", store, sql])
        guard result.status == 0 else { throw Failure(description: "query failed: \(result)") }
        return result.stdout
    }

    /// Why a test store could not be set up.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }
}
