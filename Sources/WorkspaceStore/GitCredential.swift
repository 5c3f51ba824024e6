import Foundation

/// A username and password that git's credential helpers gave for a PostgreSQL server.
///
/// The store asks git for a password the way git asks for one of its own remotes
/// (gitcredentials(7), git-credential(1)), so whatever helper a user has configured
/// (`cache`, `store`, a keychain, `credential.postgres://db.example.helper`) serves
/// PostgreSQL stores too. The credential's fields:
///
/// - `protocol=postgres`, for `postgres://` and `postgresql://` URLs alike;
/// - `host`: the URL's first host, with `:port` when the URL gives a port
///   (`db.example:5432`, `[::1]:5432`). A URL without a host, or whose host is a
///   Unix-domain socket (a directory such as `/var/run/postgresql`, or an abstract
///   `@name`), asks for `localhost`, as a `.pgpass` file matches it;
/// - `path`: the database name, always sent when the URL has one. git keeps the path for
///   protocols other than http(s) whatever `credential.useHttpPath` says, so a helper such as
///   `store` keeps one credential **per database**, and a credential stored without a path
///   does not answer a request for a database;
/// - `username`: the URL's user, when it has one; otherwise the helper's answer says which
///   user the password belongs to.
///
/// git runs with `GIT_TERMINAL_PROMPT=0` and an empty `GIT_ASKPASS`, its stdin a pipe closed
/// after the request and its stderr discarded: it never prompts, never reads the remote
/// helper's protocol stream and never writes to it.
struct GitCredential: Equatable {
    /// The server: host, with `:port` when the URL has a port.
    var host: String
    /// The database name.
    var path: String?
    /// The user the password belongs to.
    var username: String?
    /// The password (never empty).
    var password: String

    /// The credential protocol name sent for every PostgreSQL URL.
    static let protocolName = "postgres"

    /// Asks `git credential fill` for the server of `address` (protocol=postgres,
    /// host=host[:port], path=database, username when the URL has one). Runs with
    /// GIT_TERMINAL_PROMPT=0 and GIT_ASKPASS set empty so git never prompts on a terminal
    /// (the helper protocol owns stdin/stdout). Returns nil when git is missing, fails, or
    /// gives no password, and when a field would hold a newline, carriage return or NUL.
    /// Never throws.
    static func fill(for address: PostgresAddress,
                     environment: [String: String] = ProcessInfo.processInfo.environment) -> GitCredential? {
        let host = credentialHost(for: address)
        guard let request = request(host: host, path: address.database, username: address.user, password: nil),
              let output = run("fill", request, environment: environment) else { return nil }
        var answer: [String: String] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            answer[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let password = answer["password"], !password.isEmpty else { return nil }
        let username = answer["username"].flatMap { $0.isEmpty ? nil : $0 } ?? address.user
        return GitCredential(host: host, path: address.database, username: username, password: password)
    }

    /// `git credential approve` with these fields and the password: a helper that stores
    /// credentials keeps it (git's `store` helper only keeps one with a username). Failures
    /// are ignored.
    func approve(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let request = Self.request(host: host, path: path, username: username, password: password) else { return }
        _ = Self.run("approve", request, environment: environment)
    }

    /// `git credential reject` with these fields and the password: helpers erase the
    /// credential (after the server refused it). Failures are ignored.
    func reject(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let request = Self.request(host: host, path: path, username: username, password: password) else { return }
        _ = Self.run("reject", request, environment: environment)
    }

    /// The credential `host` field for `address`: its first host (`[…]` around an IPv6
    /// address), `localhost` for none or a Unix-domain socket, then `:port` when it has one.
    static func credentialHost(for address: PostgresAddress) -> String {
        var host = address.host ?? ""
        if host.isEmpty || host.hasPrefix("/") || host.hasPrefix("@") {
            host = "localhost"
        } else if host.contains(":") {
            host = "[\(host)]"
        }
        if let port = address.port { host += ":\(port)" }
        return host
    }

    /// The request git reads on stdin, or nil when a value cannot be sent: the protocol is
    /// one `key=value` per line, so a newline, carriage return or NUL would forge a field.
    private static func request(host: String, path: String?, username: String?, password: String?) -> Data? {
        var fields = [("protocol", protocolName), ("host", host)]
        if let path { fields.append(("path", path)) }
        if let username { fields.append(("username", username)) }
        if let password { fields.append(("password", password)) }
        var text = ""
        for (key, value) in fields {
            if value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) { return nil }
            text += "\(key)=\(value)\n"
        }
        return Data((text + "\n").utf8)
    }

    /// Runs `git credential <action>` (git found on the environment's `PATH`) with `request`
    /// on its stdin; its stdout when it exits with status 0, else nil.
    private static func run(_ action: String, _ request: Data, environment: [String: String]) -> Data? {
        // git may exit before reading its stdin; that must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "credential", action]
        var environment = environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = ""   // set but empty: neither it, core.askPass nor SSH_ASKPASS runs
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exit: ProcessExit
        do {
            exit = try ProcessExit(starting: process)
        } catch {
            try? input.fileHandleForWriting.close()
            try? output.fileHandleForReading.close()
            return nil
        }
        // Write on another thread so that a large request and git's answer cannot block each
        // other; closing stdin tells git the request is complete.
        let writer = input.fileHandleForWriting
        let written = DispatchGroup()
        written.enter()
        DispatchQueue.global().async {
            try? writer.write(contentsOf: request)
            try? writer.close()
            written.leave()
        }
        let data = try? output.fileHandleForReading.readToEnd()
        try? output.fileHandleForReading.close()
        written.wait()
        exit.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
        return data ?? Data()
    }
}
