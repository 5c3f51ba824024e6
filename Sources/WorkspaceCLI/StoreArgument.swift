import Foundation
import Git
import WorkspaceStore
import WorkspaceSync

/// `STORE[#WORKSPACE]` as the commands take it: a SQLite file path (absolute or relative)
/// and, after `#`, a workspace name (default `main`).
struct StoreArgument {
    var address: String
    var workspace: String

    static let defaultWorkspace = "main"

    init(_ text: String) {
        if let hash = text.lastIndex(of: "#") {
            address = String(text[..<hash])
            let name = String(text[text.index(after: hash)...])
            workspace = name.isEmpty ? StoreArgument.defaultWorkspace : name
        } else {
            address = text
            workspace = StoreArgument.defaultWorkspace
        }
    }

    /// Opens an existing store (never creates one: a typo must not make an empty store).
    func open() throws -> any WorkspaceStore {
        if !address.contains("://") && !FileManager.default.fileExists(atPath: address) {
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
        throw CommandFailure(message: error.message)
    } catch let error as SyncError {
        for diagnostic in error.diagnostics { Output.err(diagnostic.description + "\n") }
        throw CommandFailure(message: error.message, status: error.code == .invalid ? ExitStatus.invalid : ExitStatus.failure)
    }
}

/// The acting user of an application change: `--author`, else `git config workspace.author`,
/// else `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, else `Workspace App <app@workspace.invalid>`.
func actor(_ author: String?) throws -> Signature {
    let now = Int64(Date().timeIntervalSince1970)
    let offset = TimeZone.current.secondsFromGMT() / 60
    let configured = author ?? GitConfig.value("workspace.author")
    if let configured {
        guard let identity = Signature.parseIdentity(configured) else {
            throw CommandFailure(message: "author '\(configured)' is not 'Name <email>'", status: ExitStatus.usage)
        }
        return Signature(name: identity.name, email: identity.email, time: now, offsetMinutes: offset)
    }
    let environment = ProcessInfo.processInfo.environment
    if let name = environment["GIT_AUTHOR_NAME"], let email = environment["GIT_AUTHOR_EMAIL"] {
        return Signature(name: name, email: email, time: now, offsetMinutes: offset)
    }
    return Signature(name: "Workspace App", email: "app@workspace.invalid", time: now, offsetMinutes: offset)
}
