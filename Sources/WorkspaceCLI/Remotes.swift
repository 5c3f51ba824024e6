import Foundation
import WorkspaceSync

/// Which remotes a repository's commands talk to (git-workspace(1), "CONFIGURATION").
enum Remotes {
    static let workspacePrefix = "workspace::"

    /// What the configuration says the workspace remote is.
    enum Resolution: Equatable {
        case named(String)
        case none
        case several([String])
    }

    /// `workspace.remote`, else the one remote whose URL starts with `workspace::`.
    static func resolveWorkspace() throws -> Resolution {
        resolveWorkspace(in: try workspaceConfiguration())
    }

    /// `workspace.remote` and every `remote.<name>.url`, read in one `git config` run.
    static func workspaceConfiguration() throws -> [(key: String, value: String?)] {
        try GitConfigCommand.entries(matching: #"^workspace\.remote$|"# + GitConfigCommand.remoteURLPattern)
    }

    /// `resolveWorkspace` from `workspaceConfiguration`'s entries (the last `workspace.remote`
    /// counts, as `git config --get` would say).
    static func resolveWorkspace(in entries: [(key: String, value: String?)]) -> Resolution {
        if let configured = entries.last(where: { $0.key == "workspace.remote" })?.value ?? nil, !configured.isEmpty {
            return .named(configured)
        }
        let candidates = GitConfigCommand.remoteURLs(in: entries).filter { $0.url.hasPrefix(workspacePrefix) }.map(\.name)
        switch candidates.count {
        case 0: return .none
        case 1: return .named(candidates[0])
        default: return .several(candidates)
        }
    }

    /// The workspace remote for a command: `explicit`, else `resolveWorkspace`; a failure
    /// saying what to do when there is none or several, or when a named remote does not exist.
    static func workspace(_ explicit: String?) throws -> String {
        // One `git config` run answers both questions (which remote, does it exist).
        let entries = try workspaceConfiguration()
        let resolution = explicit.map { Resolution.named($0) } ?? resolveWorkspace(in: entries)
        switch resolution {
        case .named(let name):
            guard GitConfigCommand.remoteURLs(in: entries).contains(where: { $0.name == name }) else {
                let source = explicit == nil ? " (from workspace.remote)" : ""
                throw CommandFailure(message: "no remote named '\(name)'\(source); see `git remote -v`")
            }
            return name
        case .none:
            throw CommandFailure(message: "no workspace remote: no remote's URL starts with workspace:: (add one with `git remote add NAME workspace::/path/store.db`, or name one)")
        case .several(let names):
            throw CommandFailure(message: "several workspace remotes (\(names.joined(separator: ", "))): name one, or set `git config workspace.remote NAME`")
        }
    }

    /// The team remote for `branch`: `explicit`, else `workspace.teamRemote`, else the
    /// branch's upstream remote when that is not the workspace remote, else `origin`.
    static func team(_ explicit: String?, branch: String, workspaceRemote: String) throws -> String {
        if let explicit { return explicit }
        if let configured = try GitConfigCommand.get("workspace.teamRemote"), !configured.isEmpty { return configured }
        if let upstream = try GitConfigCommand.get("branch.\(branch).remote"), upstream != workspaceRemote, upstream != "." {
            return upstream
        }
        return "origin"
    }
}
