import ArgumentParser
import Foundation
import WorkspaceSync

extension GitWorkspace {
    /// `git workspace hook <name> [args...]`: the logic behind the installed hook scripts.
    struct Hook: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hook",
            abstract: "Run a hook's check (what the installed hook scripts call).",
            discussion: """
            pre-commit validates the index like `validate --staged`; pre-push REMOTE URL reads \
            git's ref list on stdin and validates the tip of every ref being pushed (the state \
            the remote will hold; earlier commits are counted, not judged); post-merge FLAG \
            runs `git workspace sync` for the current branch when workspace.autosync is true; \
            post-rewrite rebase does the same after a rebase (git pull --rebase), and \
            post-rewrite amend does nothing. \
            A foreign hook that install-hooks moved aside to <name>.legacy runs after a passing \
            check, with the same arguments and stdin; its status becomes the hook's. \
            See git-workspace-hooks(7).

            Exit status: 0 pass, 1 blocked (invalid), 2 could not check, 64 unknown hook.
            """
        )

        @Argument(help: "The hook: pre-commit, pre-push, post-merge or post-rewrite.")
        var name: String

        @Argument(parsing: .captureForPassthrough, help: "git's arguments to the hook, passed through.")
        var arguments: [String] = []

        mutating func run() throws {
            let name = self.name, arguments = self.arguments
            try ParsableCommandRunner.runStarting {
                guard let hook = HookName(rawValue: name) else {
                    throw CommandFailure(message: "unknown hook '\(name)' (known: \(HookName.list))", status: ExitStatus.usage)
                }
                switch hook {
                case .preCommit:
                    let status = try Validate.preCommit()
                    guard status == ExitStatus.success else {
                        Output.err("pre-commit: commit blocked: fix the errors above, or commit with --no-verify to skip this check\n")
                        return status
                    }
                    return try HookChain.runLegacy(hook, arguments, input: .inherit) ?? status
                case .prePush:
                    guard let remote = arguments.first else {
                        throw CommandFailure(message: "pre-push needs the remote's name and URL, as git passes them", status: ExitStatus.usage)
                    }
                    // Read once: the check and a chained hook see the same bytes.
                    let input = FileHandle.standardInput.readDataToEndOfFile()
                    let status = try PrePush.check(remote: remote, input: input)
                    guard status == ExitStatus.success else { return status }
                    return try HookChain.runLegacy(hook, arguments, input: .bytes(input)) ?? status
                case .postMerge, .postRewrite:
                    // git ignores these hooks' statuses and the branch has already changed,
                    // so problems are reported and the chained hook still runs. post-rewrite
                    // gets a list of rewritten commits on stdin: read once, replayed to it.
                    let input: Subprocess.Input = hook == .postRewrite ? .bytes(FileHandle.standardInput.readDataToEndOfFile()) : .inherit
                    if let trigger = Autosync.trigger(hook, arguments: arguments) {
                        do {
                            try Autosync.run(after: trigger)
                        } catch let failure as CommandFailure {
                            Output.err("\(hook.rawValue): \(failure.message)\n")
                        } catch let failure as Subprocess.Failure {
                            Output.err("\(hook.rawValue): \(failure.message)\n")
                        }
                    }
                    return try HookChain.runLegacy(hook, arguments, input: input) ?? ExitStatus.success
                }
            }
        }
    }
}

/// Where the hooks live and the foreign hooks that `install-hooks` set aside.
enum HookChain {
    /// The repository's hooks directory as git finds it (honouring `core.hooksPath`, relative
    /// values taken from the work tree top), as an absolute path.
    static func hooksDirectory() throws -> URL {
        let path = try Subprocess.gitOutput(["rev-parse", "--git-path", "hooks"])
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
    }

    /// The name a foreign hook is kept under once ours takes its place.
    static func legacyName(_ hook: HookName) -> String { hook.rawValue + ".legacy" }

    /// Runs `<hook>.legacy` when there is one, with `arguments` and `input`, and returns its
    /// exit status; nil when there is none. A legacy hook that is not executable is skipped
    /// with a note, as git itself skips a hook that is not executable.
    static func runLegacy(_ hook: HookName, _ arguments: [String], input: Subprocess.Input) throws -> Int32? {
        let legacy = try hooksDirectory().appendingPathComponent(legacyName(hook)).path
        guard FileManager.default.fileExists(atPath: legacy) else { return nil }
        guard FileManager.default.isExecutableFile(atPath: legacy) else {
            Output.err("\(hook.rawValue): \(legacy) is not executable, so it was not run\n")
            return nil
        }
        return try Subprocess.run(legacy, arguments, input: input, capture: false).status
    }
}
