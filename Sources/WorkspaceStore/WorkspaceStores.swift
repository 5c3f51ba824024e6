import Foundation
import Git

/// Opening a store from the URL a user gives (`git clone workspace::<url>`).
public enum WorkspaceStores {
    /// The environment variable that sets how long a writer waits for another's write lock,
    /// in seconds (a decimal number, `0` to fail at once); `SQLiteStore.defaultBusyTimeout`
    /// when unset or empty. Documented in git-workspace(1) and git-remote-workspace(1).
    public static let busyTimeoutVariable = "GIT_WORKSPACE_BUSY_TIMEOUT"

    /// Opens the store `url` names.
    ///
    /// - A path, absolute or relative to the current directory, or a `file://` URL: a SQLite
    ///   file, created with its schema when missing (its directory must exist; callers that
    ///   must not create one check that the file exists first).
    /// - `postgres://…` or `postgresql://…`: a database on a PostgreSQL server. Its tables are
    ///   created only when `create` is true (`git workspace init`); otherwise a database
    ///   without them is refused, so a mistyped URL never makes an empty store.
    /// Any other `scheme://` is refused rather than taken for a file name.
    ///
    /// The busy timeout comes from `GIT_WORKSPACE_BUSY_TIMEOUT` in `environment` (nil: the
    /// process's environment, each variable read when needed).
    public static func open(url: String, create: Bool = false,
                            environment: [String: String]? = nil) throws -> any WorkspaceStore {
        if url.isEmpty {
            throw StoreError(.invalidArgument, "the store URL is empty; give a SQLite file path or a postgres:// URL")
        }
        let timeout = try busyTimeout(environment.map { $0[busyTimeoutVariable] } ?? Environment.value(busyTimeoutVariable))
        if let range = url.range(of: "://") {
            let scheme = url[..<range.lowerBound].lowercased()
            switch scheme {
            case "file":
                guard let path = URL(string: url)?.path, !path.isEmpty else {
                    throw StoreError(.invalidArgument, "'\(url)' is not a usable file URL; give a plain path instead")
                }
                return try SQLiteStore(path: path, busyTimeout: timeout)
            case "postgres", "postgresql":
                return try PostgresStore(url: url, busyTimeout: timeout, create: create,
                                         environment: environment ?? ProcessInfo.processInfo.environment)
            default:
                throw StoreError(.unsupported, "unknown store scheme '\(scheme)://'; give a SQLite file path "
                                 + "or a postgres:// URL")
            }
        }
        return try SQLiteStore(path: url, busyTimeout: timeout)
    }

    /// The busy timeout `GIT_WORKSPACE_BUSY_TIMEOUT` set to `value` asks for, in seconds (nil:
    /// unset).
    public static func busyTimeout(_ value: String?) throws -> TimeInterval {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return SQLiteStore.defaultBusyTimeout
        }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= 86_400 else {
            throw StoreError(.invalidArgument, "\(busyTimeoutVariable)='\(text)' is not a number of seconds "
                             + "between 0 and 86400; set it to one (for example 0.5), or unset it for "
                             + "\(SQLiteFailure.seconds(SQLiteStore.defaultBusyTimeout))")
        }
        return seconds
    }
}

/// The rules for workspace names: each one is a branch, `refs/heads/<name>`.
///
/// A subset of git-check-ref-format(1), so every workspace is a branch git accepts:
/// slash-separated segments of printable ASCII, none empty, none starting with `.` or
/// ending with `.lock`, no `..`, `@{`, space or any of ``~^:?*[\``, not `@` or `HEAD`.
/// Lookups are exact, but a store refuses a name that differs from an existing one only by
/// case: the two refs would be one file on a case-insensitive file system.
public enum WorkspaceName {
    /// Longest accepted name, in bytes.
    public static let maxLength = 200

    /// Why `name` cannot be a workspace name, or nil when it can.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "a workspace name must not be empty" }
        if name.utf8.count > maxLength { return "a workspace name is at most \(maxLength) bytes" }
        if name == "@" || name == "HEAD" { return "'\(name)' is reserved by git" }
        if name.contains("..") || name.contains("@{") { return "a workspace name must not contain '..' or '@{'" }
        for scalar in name.unicodeScalars {
            if scalar.value <= 0x20 || scalar.value >= 0x7F || "~^:?*[\\".unicodeScalars.contains(scalar) {
                return "a workspace name uses printable ASCII without spaces or any of ~^:?*[\\"
            }
        }
        for segment in name.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "a workspace name has no empty segments ('//', or a leading or trailing '/')" }
            if segment.hasPrefix(".") { return "no segment of a workspace name may start with '.'" }
            if segment.hasSuffix(".lock") { return "no segment of a workspace name may end with '.lock'" }
        }
        if name.hasSuffix(".") { return "a workspace name must not end with '.'" }
        return nil
    }
}
