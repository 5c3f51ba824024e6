import CPostgres
import Foundation
import Git

/// One connection to a PostgreSQL server, through libpq.
///
/// Why libpq: it is PostgreSQL's own client library (Debian `libpq-dev`), kept in step with
/// the server by the same project, and it already understands everything a user may put in
/// a connection string: URLs and multi-host lists, `sslmode=`, `PGSERVICE` and
/// `pg_service.conf`, `PGPASSWORD`, `~/.pgpass`, `target_session_attrs=`. Its API is
/// synchronous, like the store protocol, so a call is one round trip and nothing else. The
/// maintained Swift client (vapor/postgres-nio) is asynchronous on SwiftNIO, would need an
/// event loop and a bridge in every call, re-implements that connection-string handling
/// only in part, and costs minutes of build time on every CI run.
///
/// Statements always go out with `PQexecParams`: every value is a bound parameter, never
/// text pasted into SQL. Values come back in text format (bytea as `\x` hex).
///
/// libpq is loaded when the first connection is made (`cpq_load`), not linked: a SQLite
/// user's every start would otherwise load it and the libraries it needs.
///
/// Not thread-safe: `PostgresStore` serializes its use.
final class PostgresConnection {
    private let handle: OpaquePointer
    /// The store URL with its password redacted, for messages.
    let address: String

    /// Connects to the server `url` names.
    ///
    /// `url` is given to libpq as it is (`dbname` with expansion), so every libpq setting
    /// and environment variable applies; `settings` come before it (the URL may override
    /// them) and `overrides` after it (they win over the URL: a password from git's
    /// credential helpers). Throws `PostgresError` when the connection fails.
    init(url: String, settings: [(String, String)], overrides: [(String, String)] = []) throws {
        address = StoreAddress.redacted(url)
        // libpq is loaded here, for the first connection, not linked (CPostgres/shim.h).
        if let failure = cpq_load() {
            throw PostgresError(message: "PostgreSQL stores need libpq (Debian: apt-get install libpq5): \(String(cString: failure))",
                                sqlState: nil, connectionLost: true)
        }
        let pairs = settings + [("dbname", url)] + overrides
        let handle: OpaquePointer? = withCStrings(pairs.map(\.0)) { keywords in
            withCStrings(pairs.map(\.1)) { values in
                cpq_PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else {
            throw PostgresError(message: "libpq could not allocate a connection", sqlState: nil, connectionLost: true)
        }
        guard cpq_PQstatus(handle) == CONNECTION_OK else {
            let message = Self.clean(cpq_PQerrorMessage(handle))
            let error = PostgresError(message: message, sqlState: nil, connectionLost: true,
                                      needsPassword: cpq_PQconnectionNeedsPassword(handle) == 1,
                                      usedPassword: cpq_PQconnectionUsedPassword(handle) == 1)
            cpq_PQfinish(handle)
            throw error
        }
        self.handle = handle
    }

    deinit { cpq_PQfinish(handle) }

    /// True while the connection is usable.
    var isOpen: Bool { cpq_PQstatus(handle) == CONNECTION_OK }

    /// The server process serving this connection (`pg_backend_pid()`, without a round trip).
    var backendPID: Int32 { cpq_PQbackendPID(handle) }

    /// Runs one statement with bound parameters (`$1`, `$2`, …) and returns its result.
    @discardableResult
    func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        StatementLog.shared?.record(sql)
        var formats: [Int32] = []
        var lengths: [Int32] = []
        var buffers: [[UInt8]?] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil); formats.append(0); lengths.append(0)
            case .text(let text):
                buffers.append(Array(text.utf8) + [0]); formats.append(0); lengths.append(0)
            case .bytes(let bytes):
                buffers.append(bytes); formats.append(1); lengths.append(Int32(bytes.count))
            }
        }
        let result = withBuffers(buffers) { values in
            cpq_PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        return try check(result)
    }

    /// Runs one or more statements without parameters (`BEGIN; SET LOCAL …`).
    @discardableResult
    func execute(script: String) throws -> PostgresResult {
        StatementLog.shared?.record(script)
        return try check(cpq_PQexec(handle, script))
    }

    private func check(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else {
            throw PostgresError(message: Self.clean(cpq_PQerrorMessage(handle)), sqlState: nil, connectionLost: !isOpen)
        }
        switch cpq_PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let sqlState = cpq_PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            var message = Self.clean(cpq_PQresultErrorMessage(result))
            if message.isEmpty { message = Self.clean(cpq_PQerrorMessage(handle)) }
            cpq_PQclear(result)
            throw PostgresError(message: message, sqlState: sqlState, connectionLost: !isOpen)
        }
    }

    /// libpq's message as one line, without its "ERROR:  " prefix and trailing newline.
    static func clean(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        var message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["ERROR:  ", "FATAL:  "] where message.hasPrefix(prefix) {
            message.removeFirst(prefix.count)
        }
        let lines = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return StoreAddress.redacted(lines.filter { !$0.isEmpty }.joined(separator: " "))
    }
}

/// A value bound to a statement parameter.
enum PostgresValue: ExpressibleByStringLiteral {
    case null
    case text(String)
    /// Sent in binary format (for `bytea` columns).
    case bytes([UInt8])

    init(stringLiteral value: String) { self = .text(value) }

    static func int(_ value: some BinaryInteger) -> PostgresValue { .text(String(value)) }
    static func optional(_ value: String?) -> PostgresValue { value.map(PostgresValue.text) ?? .null }

    /// A text array (`$1::text[]`): every element quoted, `\` and `"` escaped, so any text
    /// without NUL is one element.
    static func array(_ elements: [String]) -> PostgresValue {
        .text("{" + elements.map { element in
            "\"" + element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}")
    }
}

/// A statement's result, in text format; freed with the object.
final class PostgresResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { cpq_PQclear(result) }

    var count: Int { Int(cpq_PQntuples(result)) }
    var columns: Int { Int(cpq_PQnfields(result)) }
    /// Rows an INSERT, UPDATE or DELETE touched.
    var affected: Int { Int(String(cString: cpq_PQcmdTuples(result))) ?? 0 }

    func name(_ column: Int) -> String { String(cString: cpq_PQfname(result, Int32(column))) }
    /// The column's type oid (17 bytea, 16 boolean, 20/21/23 integers, 25 text…).
    func type(_ column: Int) -> UInt32 { cpq_PQftype(result, Int32(column)) }

    func isNull(_ row: Int, _ column: Int) -> Bool { cpq_PQgetisnull(result, Int32(row), Int32(column)) == 1 }

    func string(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(cString: cpq_PQgetvalue(result, Int32(row), Int32(column)))
    }

    func int(_ row: Int, _ column: Int) -> Int? { string(row, column).flatMap { Int($0) } }

    func bool(_ row: Int, _ column: Int) -> Bool? { string(row, column).map { $0 == "t" } }

    /// A bytea value, decoded from its `\x` hex text form.
    func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        guard !isNull(row, column), let text = cpq_PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        let length = Int(cpq_PQgetlength(result, Int32(row), Int32(column)))
        return text.withMemoryRebound(to: UInt8.self, capacity: length) { pointer -> [UInt8]? in
            let hex = UnsafeBufferPointer(start: pointer, count: length)
            guard length >= 2, hex[0] == UInt8(ascii: "\\"), hex[1] == UInt8(ascii: "x"), length % 2 == 0 else { return nil }
            var bytes = [UInt8]()
            bytes.reserveCapacity((length - 2) / 2)
            var index = 2
            while index < length {
                guard let high = Self.nibble(hex[index]), let low = Self.nibble(hex[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
                index += 2
            }
            return bytes
        }
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// What libpq or the server said when a statement or a connection failed.
struct PostgresError: Error, CustomStringConvertible {
    /// The server's (or libpq's) message, one line, passwords redacted.
    var message: String
    /// The SQLSTATE code (`23505` unique violation, `55P03` lock not available…), nil for
    /// failures that never reached the server.
    var sqlState: String?
    /// True when the connection is gone (the server closed it, the network failed).
    var connectionLost: Bool
    /// Connecting failed because the server wants a password and none was given.
    var needsPassword = false
    /// Connecting sent a password (so a failure may be a wrong one).
    var usedPassword = false
    /// The connection was lost during COMMIT: the transaction's outcome is unknown.
    var lostWhileCommitting = false

    var description: String { message }
}

/// Runs `body` with C strings for `strings`, NULL-terminated as libpq's keyword lists are.
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) } + [nil])
}

/// Runs `body` with pointers to `buffers` (nil for SQL NULL).
private func withBuffers<T>(_ buffers: [[UInt8]?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = buffers.map { buffer in
        guard let buffer else { return nil }
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(buffer.count, 1))
        buffer.withUnsafeBytes { raw in
            if let base = raw.baseAddress { UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: buffer.count) }
        }
        return copy
    }
    defer { copies.forEach { $0?.deallocate() } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}

/// `GIT_WORKSPACE_SQL_LOG=FILE`: every round trip to a PostgreSQL server appends one line to
/// FILE, the process id and the statement's first words (never its values, which are bound
/// parameters). For counting round trips (the tests show a one-change push or fetch makes
/// as many at any workspace size); documented in git-remote-workspace(1).
final class StatementLog: @unchecked Sendable {
    static let shared: StatementLog? = {
        guard let path = Environment.value("GIT_WORKSPACE_SQL_LOG"), !path.isEmpty else { return nil }
        return StatementLog(path: path)
    }()

    private let descriptor: Int32

    private init?(path: String) {
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor < 0 { return nil }
    }

    func record(_ sql: String) {
        let words = sql.split(whereSeparator: { $0.isWhitespace }).prefix(6).joined(separator: " ")
        let line = Array("\(getpid()) \(words)\n".utf8)
        // One write(2) per line with O_APPEND: lines of concurrent processes never interleave.
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
