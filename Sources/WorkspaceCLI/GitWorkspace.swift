import ArgumentParser

/// `git workspace`: the porcelain. Each subcommand lives in its own file as an extension.
///
/// Every command states its `commandName`: without one, ArgumentParser derives it from the
/// type's name by reflection, for every command of the tree on every run (17% of the
/// instructions of an `app put` at 1 000 workflows).
public struct GitWorkspace: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "git-workspace",
        abstract: "Work with application workspaces that are git remotes.",
        discussion: """
        Run as `git workspace <command>`. See git-workspace(1).

        Exit status: 0 success, 1 the input is invalid (for fsck: findings), 2 the command could not run \
        (no repository, unknown revision, unreadable file), 5 the store (or, for sync, the \
        repository) was busy, 64 a usage error; sync also 3 conflict-escaped, 4 fetch-failed or push-failed.
        """,
        version: "0.1.0",
        subcommands: [Init.self, App.self, Validate.self, Status.self, Sync.self, Fsck.self, MergeDriver.self,
                      Hook.self, InstallHooks.self, UninstallHooks.self]
    )

    public init() {}
}

/// Exit statuses shared by every command (documented in git-workspace(1)).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The input was read and found invalid.
    public static let invalid: Int32 = 1
    /// The command could not do its work (missing repository, revision or file).
    public static let failure: Int32 = 2
    /// The store was busy: another process held its write lock past the busy timeout
    /// (for sync also: another sync runs in the repository). Nothing changed; retry.
    public static let busy: Int32 = 5
    /// Bad options or arguments (ArgumentParser's own code for validation errors).
    public static let usage: Int32 = 64
}
