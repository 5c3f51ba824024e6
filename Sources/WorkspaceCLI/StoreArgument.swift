import Foundation
import Git
import WorkspaceStore
import WorkspaceSync

/// `STORE[#WORKSPACE]` as the commands take it: a SQLite file path (absolute or relative)
/// and, after a `#`, a workspace name (default `main`).
///
/// A `#` may also be part of a file name (`git workspace init 'a#b.db'` makes such a
/// store), and workspace names may contain `#` too, so a path is read by what exists:
/// - STORE is the longest part of the argument that names an existing file: the whole
///   argument, else the part before one of its `#`s (the last `#` first); what follows that
///   `#` is the workspace (`a#b.db` is store `a#b.db`, `a#b.db#staging` its workspace
///   `staging`, `s.db#team#1` workspace `team#1` of `s.db`);
/// - an empty workspace after the `#` means `main` (`a#b.db#`, `a#b.db#main`);
/// - when no part names a file, the split is at the last `#`, and opening fails naming
///   every path tried.
/// A URL (`file://…`) follows URL syntax instead: its first `#` always starts the workspace
/// (a `#` in the path is written `%23`). That is the explicit form for the one case the
/// rule above cannot express: files `s.db` and `s.db#staging` both exist, and the
/// workspace `staging` of `s.db` is meant (`file:///srv/s.db#staging`).
struct StoreArgument {
    var address: String
    var workspace: String
    /// The store paths that were looked for, longest first, when none existed (for the error).
    var tried: [String] = []

    static let defaultWorkspace = "main"

    init(_ text: String, fileExists: (String) -> Bool = StoreArgument.isFile) {
        let hashes = text.indices.filter { text[$0] == "#" }
        func split(at hash: String.Index) -> (String, String) {
            let name = String(text[text.index(after: hash)...])
            return (String(text[..<hash]), name.isEmpty ? StoreArgument.defaultWorkspace : name)
        }
        if text.contains("://") {
            (address, workspace) = hashes.first.map(split) ?? (text, StoreArgument.defaultWorkspace)
            return
        }
        if hashes.isEmpty || fileExists(text) {
            (address, workspace) = (text, StoreArgument.defaultWorkspace)
            return
        }
        for hash in hashes.reversed() where fileExists(String(text[..<hash])) {
            (address, workspace) = split(at: hash)
            return
        }
        // Nothing exists: the usual reading, `path#workspace`, for the error `open` gives.
        (address, workspace) = split(at: hashes[hashes.count - 1])
        tried = ([text] + hashes.reversed().map { String(text[..<$0]) }).filter { !$0.isEmpty }
    }

    /// Whether `path` names something that is not a directory (a store is a file).
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return !path.isEmpty && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Opens an existing store (never creates one: a typo must not make an empty store).
    func open() throws -> any WorkspaceStore {
        if address.isEmpty {
            throw CommandFailure(message: "no store path before the '#'; give STORE or STORE#WORKSPACE",
                                 status: ExitStatus.usage)
        }
        if address.lowercased().hasPrefix("file://"), let path = URL(string: address)?.path, !path.isEmpty,
           !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure(message: "no workspace store at '\(path)' (from \(address); create one with: "
                                 + "git workspace init \(path))")
        }
        if !address.contains("://") && !FileManager.default.fileExists(atPath: address) {
            if tried.count > 1 {
                let paths = tried.map { "'\($0)'" }.joined(separator: ", ")
                throw CommandFailure(message: "no workspace store at any of \(paths) (a '#' starts the workspace name "
                                     + "unless the path before it is an existing file); check the path, or create "
                                     + "the store with: git workspace init \(address)")
            }
            throw CommandFailure(message: "no workspace store at '\(address)' (create one with: git workspace init \(address))")
        }
        return try storeCall { try WorkspaceStores.open(url: address) }
    }
}

/// Runs a store or sync call, turning its errors into a command failure with a clear message.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StoreError {
        throw CommandFailure(message: error.message, status: error.code == .busy ? ExitStatus.busy : ExitStatus.failure)
    } catch let error as SyncError {
        for diagnostic in error.diagnostics { Output.err(diagnostic.description + "\n") }
        throw CommandFailure(message: error.message, status: error.code == .invalid ? ExitStatus.invalid : ExitStatus.failure)
    }
}

/// The acting user of an application change: `--author`, else `git config workspace.author`,
/// else `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, else `Workspace App <app@workspace.invalid>`.
func actor(_ author: String?) throws -> Signature {
    // The local offset now, from the C library's reading of TZ and /etc/localtime, as git's
    // own dates take it (TimeZone.current loads ICU's zone data: 2% of an `app put`).
    var clock = time(nil)
    var local = tm()
    localtime_r(&clock, &local)
    let now = Int64(clock), offset = local.tm_gmtoff / 60
    let configured = author ?? GitConfig.value("workspace.author")
    if let configured {
        guard let identity = Signature.parseIdentity(configured) else {
            throw CommandFailure(message: "author '\(configured)' is not 'Name <email>'", status: ExitStatus.usage)
        }
        return Signature(name: identity.name, email: identity.email, time: now, offsetMinutes: offset)
    }
    if let name = Environment.value("GIT_AUTHOR_NAME"), let email = Environment.value("GIT_AUTHOR_EMAIL") {
        return Signature(name: name, email: email, time: now, offsetMinutes: offset)
    }
    return Signature(name: "Workspace App", email: "app@workspace.invalid", time: now, offsetMinutes: offset)
}
