import Git
import YAML

/// How a `git workspace sync` run ended: exactly one per run (DESIGN.md section 4, Sync).
///
/// The names are the ones the reconciliation seeds used where they still say what
/// happened; `merged` replaces the seeds' `rebased`, because sync no longer rewrites
/// anything: both sides end at one merge commit that descends from both old heads.
public enum SyncOutcome: String, Sendable, CaseIterable {
    /// Both sides at one commit, or the branch on neither.
    case inSync = "in-sync"
    /// The team was ahead; its commits were pushed into the workspace.
    case fastForwarded = "fast-forwarded"
    /// The workspace was ahead; its commits were pushed to the team remote.
    case pushedAhead = "pushed-ahead"
    /// Both moved without a conflicting resource; one merge commit was pushed to both.
    case merged
    /// Both changed a resource differently; the workspace side was saved on `conflicts/<UTC>`.
    case conflictEscaped = "conflict-escaped"
    /// A remote could not be fetched; nothing changed.
    case fetchFailed = "fetch-failed"
    /// A push could not reach its remote (git push's fatal exit); retried next run.
    case pushFailed = "push-failed"
    /// Another run holds the lock, or a side kept moving through every attempt.
    case busy
    /// A remote (or the repository's pre-push hook) refused a push for a reason other
    /// than having moved; it stays refused until someone acts on the reason.
    case refused

    /// One exit status per outcome class (git-workspace(1), "sync" and EXIT STATUS).
    public var exitStatus: Int32 {
        switch self {
        case .inSync, .fastForwarded, .pushedAhead, .merged: return 0
        case .refused: return 1
        case .conflictEscaped: return 3
        case .fetchFailed, .pushFailed: return 4
        case .busy: return 5
        }
    }
}

/// A push that did not go through, as `git push --porcelain` and its exit status said.
public struct FailedPush: Sendable {
    /// The remote pushed to.
    public var remote: String
    /// The destination reference (`refs/heads/main`, `refs/heads/conflicts/<UTC>`).
    public var ref: String
    /// The commit that was pushed.
    public var commit: ObjectID
    /// git's exit status.
    public var exitStatus: Int32
    /// The porcelain summary for the ref (`[remote rejected]`), nil when git stopped
    /// before any ref had a status (the pre-push hook, an unreachable remote).
    public var summary: String?
    /// The reason in parentheses after the summary (`pre-receive hook declined`).
    public var reason: String?
    /// What the push printed on stderr (the remote's and the hooks' messages), quoted.
    public var output: [String]

    /// `[remote rejected] (pre-receive hook declined)`, or what git's exit status says.
    public var why: String {
        guard let summary else {
            return exitStatus == Subprocess.gitFatal
                ? "git push could not reach it (exit \(exitStatus))"
                : "git push stopped before the remote answered (exit \(exitStatus); the pre-push hook refused it?)"
        }
        return summary + (reason.map { " (\($0))" } ?? "")
    }

    var jsonValue: Value {
        .object([
            "remote": .string(remote),
            "ref": .string(ref),
            "commit": .string(commit.hex),
            "exitStatus": .int(Int(exitStatus)),
            "summary": summary.map { .string($0) } ?? .null,
            "reason": reason.map { .string($0) } ?? .null,
            "output": .array(output.map { .string($0) }),
        ])
    }
}

/// What a sync run did, for the stderr line and `--json`.
public struct SyncReport: Sendable {
    /// How the run ended.
    public var outcome: SyncOutcome
    /// The branch, named alike on both remotes.
    public var branch: String
    /// The team remote's name.
    public var team: String
    /// The workspace remote's name.
    public var workspace: String
    /// Both tips as fetched at the start of the last attempt (nil: the branch is absent).
    public var before: (team: ObjectID?, workspace: ObjectID?) = (nil, nil)
    /// Both tips as the run left them, as far as it knows.
    public var after: (team: ObjectID?, workspace: ObjectID?) = (nil, nil)
    /// Commits that reached the other side (pushed, or merged in), not counting a merge
    /// commit sync wrote.
    public var commits = 0
    /// The merge commit sync wrote (`merged`, `conflict-escaped`), if any.
    public var mergeCommit: ObjectID?
    /// `conflicts/<UTC>` on the team remote, holding the workspace side (`conflict-escaped`).
    public var conflictBranch: String?
    /// The resources changed on both sides to specs that do not merge.
    public var conflicts: [TreeMerge.Conflict] = []
    /// The push that ended the run (`refused`, `push-failed`), if one did.
    public var failedPush: FailedPush?
    /// Things a person should know that did not change the outcome.
    public var warnings: [String] = []
    /// The rest of the stderr line.
    public var detail = ""

    /// An empty report of a run that has not decided anything yet.
    public init(outcome: SyncOutcome, branch: String, team: String, workspace: String) {
        self.outcome = outcome
        self.branch = branch
        self.team = team
        self.workspace = workspace
    }

    /// `sync <branch>: <outcome>: <detail>`, the one line on stderr.
    public var line: String { "sync \(branch): \(outcome.rawValue)" + (detail.isEmpty ? "" : ": \(detail)") }

    /// The `--json` record (git-workspace(1), "sync", lists the fields).
    public var jsonValue: Value {
        func id(_ value: ObjectID?) -> Value { value.map { .string($0.hex) } ?? .null }
        return .object([
            "outcome": .string(outcome.rawValue),
            "exitStatus": .int(Int(outcome.exitStatus)),
            "branch": .string(branch),
            "teamRemote": .string(team),
            "workspaceRemote": .string(workspace),
            "before": .object(["team": id(before.team), "workspace": id(before.workspace)]),
            "after": .object(["team": id(after.team), "workspace": id(after.workspace)]),
            "commits": .int(commits),
            "mergeCommit": id(mergeCommit),
            "conflictBranch": conflictBranch.map { .string($0) } ?? .null,
            "conflicts": .array(conflicts.map { .object(["path": .string($0.path), "details": .array($0.details.map { .string($0) })]) }),
            "failedPush": failedPush?.jsonValue ?? .null,
            "warnings": .array(warnings.map { .string($0) }),
            "message": .string(line),
        ])
    }
}
