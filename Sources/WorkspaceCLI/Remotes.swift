import Foundation

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
        if let configured = try GitConfigCommand.get("workspace.remote"), !configured.isEmpty {
            return .named(configured)
        }
        let candidates = try GitConfigCommand.remoteURLs().filter { $0.url.hasPrefix(workspacePrefix) }.map(\.name)
        switch candidates.count {
        case 0: return .none
        case 1: return .named(candidates[0])
        default: return .several(candidates)
        }
    }

    /// The workspace remote for a command: `explicit`, else `resolveWorkspace`; a failure
    /// saying what to do when there is none or several.
    static func workspace(_ explicit: String?) throws -> String {
        if let explicit { return explicit }
        switch try resolveWorkspace() {
        case .named(let name):
            return name
        case .none:
            throw CommandFailure(message: "no workspace remote: add one (git remote add ws workspace::/path/to/store.db) or set workspace.remote")
        case .several(let names):
            throw CommandFailure(message: "several workspace remotes (\(names.joined(separator: ", "))): name one with --workspace-remote or set workspace.remote")
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

    /// The current branch's short name; nil on a detached HEAD.
    static func currentBranch() throws -> String? {
        let head = try Subprocess.git(["symbolic-ref", "--quiet", "--short", "HEAD"])
        return head.status == 0 && !head.text.isEmpty ? head.text : nil
    }
}
