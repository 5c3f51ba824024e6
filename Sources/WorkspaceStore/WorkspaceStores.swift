import Foundation

/// Opening a store from the URL a user gives (`git clone workspace::<url>`).
public enum WorkspaceStores {
    /// Opens (creating if needed) the store `url` names.
    ///
    /// - A path, absolute or relative to the current directory, or a `file://` URL: a SQLite
    ///   file, created with its schema when missing (its directory must exist).
    /// - `postgres://…` or `postgresql://…`: not supported by this build yet.
    /// Any other `scheme://` is refused rather than taken for a file name.
    public static func open(url: String) throws -> any WorkspaceStore {
        if url.isEmpty {
            throw StoreError(.invalidArgument, "the store URL is empty; give a SQLite file path")
        }
        if let range = url.range(of: "://") {
            let scheme = url[..<range.lowerBound].lowercased()
            switch scheme {
            case "file":
                guard let path = URL(string: url)?.path, !path.isEmpty else {
                    throw StoreError(.invalidArgument, "'\(url)' is not a usable file URL; give a plain path instead")
                }
                return try SQLiteStore(path: path)
            case "postgres", "postgresql":
                throw StoreError(.unsupported,
                                 "PostgreSQL stores are not supported yet; use a SQLite file path for now")
            default:
                throw StoreError(.unsupported,
                                 "unknown store scheme '\(scheme)://'; give a SQLite file path")
            }
        }
        return try SQLiteStore(path: url)
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
