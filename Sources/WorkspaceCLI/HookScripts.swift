/// The hooks this tool provides and the shell scripts that git runs for them.
///
/// One source of truth: the script text is generated here, from one template, and
/// `git workspace install-hooks` writes exactly these bytes. The files in the package's
/// `hooks/` directory (what `install.sh` copies to `PREFIX/share/git-remote-workspace/hooks`)
/// are copies of them, and `HookTests.shippedScriptsAreWhatInstallHooksWrites` fails when
/// a copy differs. To change a script, change the template and refresh `hooks/` from a
/// fresh `git workspace install-hooks`.
///
/// The scripts hold no logic: they hand git's arguments and stdin to
/// `git workspace hook <name>`, where the checks are tested Swift, and only say how to
/// install the tool when it is missing.
enum HookName: String, CaseIterable, Sendable {
    case preCommit = "pre-commit"
    case prePush = "pre-push"
    case postMerge = "post-merge"
    case postRewrite = "post-rewrite"

    /// The names, for messages: `pre-commit, pre-push, post-merge, post-rewrite`.
    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// A line of its own in every script we write; `install-hooks` and `uninstall-hooks`
    /// treat a hook as theirs exactly when it holds this line.
    static let marker = "# git-remote-workspace hook"

    /// True when `bytes` (a hook file's content) is one of ours, of any version.
    static func isOurs(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .contains { $0.hasSuffix("\r") ? $0.dropLast() == marker : $0 == marker }
    }

    /// True for the hooks that stop git when they fail; their script fails closed when the
    /// tool is missing, and `--no-verify` is the bypass git users know. post-merge and
    /// post-rewrite run after the fact, and git ignores their status.
    var blocks: Bool {
        switch self {
        case .preCommit, .prePush: return true
        case .postMerge, .postRewrite: return false
        }
    }

    /// What the hook does, for the script's comment.
    private var purpose: String {
        switch self {
        case .preCommit: return "validates the staged resource definitions; `git commit --no-verify` skips it."
        case .prePush: return "validates the tip of every ref being pushed; `git push --no-verify` skips it."
        case .postMerge: return "with workspace.autosync on, runs `git workspace sync` for this branch."
        case .postRewrite: return "with workspace.autosync on, runs `git workspace sync` after a rebase (git pull --rebase), not after an amend."
        }
    }

    /// What the missing-tool message says about the consequence.
    private var missingConsequence: String {
        switch self {
        case .preCommit: return "cannot validate this commit; commit with --no-verify to skip the check."
        case .prePush: return "cannot validate this push; push with --no-verify to skip the check."
        case .postMerge: return "did not sync this merge into the workspace."
        case .postRewrite: return "did not sync this rebase into the workspace."
        }
    }

    /// The script `install-hooks` writes for this hook (POSIX sh, byte for byte).
    var script: String {
        """
        #!/bin/sh
        \(HookName.marker)
        # \(rawValue): \(purpose)
        # Installed by `git workspace install-hooks`; see git-workspace-hooks(7).
        if command -v git-workspace >/dev/null 2>&1; then
        \texec git workspace hook \(rawValue) "$@"
        fi
        echo "\(rawValue): git-workspace is not on PATH, so this hook \(missingConsequence)" >&2
        echo "\(rawValue): install git-remote-workspace (./install.sh in its source tree) or put its bin directory on PATH." >&2
        exit \(blocks ? 1 : 0)

        """
    }
}
