import ArgumentParser
import Foundation
import WorkspaceSync

extension GitWorkspace {
    /// `git workspace install-hooks [--force]`.
    struct InstallHooks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install-hooks",
            abstract: "Install the pre-commit, pre-push, post-merge and post-rewrite hooks and the spec-aware merge driver.",
            discussion: """
            Writes the hooks into the repository's hooks directory (core.hooksPath when set): \
            pre-commit and pre-push validate (pre-push judges the tip of each pushed ref), \
            post-merge and post-rewrite run git workspace sync after a pull (merging or \
            rebasing) when workspace.autosync is true. \
            A hook that is not ours is moved to <name>.legacy and runs after our check passes; \
            when <name>.legacy exists too, nothing is changed unless --force replaces <name> \
            (keeping <name>.legacy). Also sets merge.workspace.name and merge.workspace.driver \
            and adds merge=workspace lines for the manifest's resource paths to .gitattributes. \
            Running it again changes nothing. See git-workspace-hooks(7).

            Exit status: 0 installed or already installed, 1 refused (a foreign hook and its \
            .legacy both exist), 2 could not install (not in a repository, unwritable files).
            """
        )

        @Flag(name: .long, help: "Replace a foreign hook whose .legacy file already exists (the .legacy file is kept).")
        var force = false

        mutating func run() throws {
            let force = self.force
            try ParsableCommandRunner.runStarting { try HookInstaller.install(force: force) }
        }
    }

    /// `git workspace uninstall-hooks`.
    struct UninstallHooks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall-hooks",
            abstract: "Remove what install-hooks added and put chained hooks back.",
            discussion: """
            Removes only hooks that carry our marker line, moves <name>.legacy back to <name>, \
            unsets merge.workspace.name and merge.workspace.driver when they hold our values, \
            and removes our block from .gitattributes (deleting the file when install-hooks \
            created it and nothing else is left). Running it again changes nothing.
            """
        )

        mutating func run() throws {
            try ParsableCommandRunner.runStarting { try HookInstaller.uninstall() }
        }
    }
}

/// Installing and removing the hook files, the merge-driver settings and the attributes.
enum HookInstaller {
    /// Where install-hooks works: the hooks directory and the work tree (nil in a bare
    /// repository, which gets hooks and settings but no `.gitattributes`).
    struct Target {
        var hooks: URL
        var workTree: URL?
    }

    static func locate() throws -> Target {
        let inside = try Subprocess.git(["rev-parse", "--git-dir"])
        guard inside.status == 0 else {
            throw CommandFailure(message: "not in a git repository (\(inside.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        let hooks = try HookChain.hooksDirectory()
        var workTree: URL?
        if try Subprocess.git(["rev-parse", "--is-inside-work-tree"]).text == "true" {
            workTree = URL(fileURLWithPath: try Subprocess.gitOutput(["rev-parse", "--show-toplevel"]))
        }
        return Target(hooks: hooks, workTree: workTree)
    }

    /// What one hook file is now.
    enum FileState: Equatable {
        case absent
        case ours(upToDate: Bool)
        case foreign
    }

    static func state(of file: URL, script: String) -> FileState {
        guard exists(file) else { return .absent }
        let bytes = FileManager.default.contents(atPath: file.path).map { Array($0) } ?? []
        guard HookName.isOurs(bytes) else { return .foreign }
        return .ours(upToDate: bytes == Array(script.utf8) && !isSymbolicLink(file)
                     && FileManager.default.isExecutableFile(atPath: file.path))
    }

    static func install(force: Bool) throws -> Int32 {
        let target = try locate()
        let directory = target.hooks
        // Decide everything first: a refusal must leave every file as it was.
        var refusals: [String] = []
        for hook in HookName.allCases {
            let file = directory.appendingPathComponent(hook.rawValue)
            let legacy = directory.appendingPathComponent(HookChain.legacyName(hook))
            if state(of: file, script: hook.script) == .foreign, exists(legacy), !force {
                refusals.append("\(hook.rawValue): refusing to install: \(file.path) is not ours and \(legacy.path) exists too. "
                    + "Merge the two into \(legacy.lastPathComponent) and delete \(hook.rawValue), or run "
                    + "git workspace install-hooks --force to replace \(hook.rawValue) (\(legacy.lastPathComponent) is kept and still runs after our check).")
            }
        }
        guard refusals.isEmpty else {
            for line in refusals { Output.err(line + "\n") }
            Output.err("install-hooks: nothing was changed\n")
            return ExitStatus.invalid
        }
        var changed = false
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(message: "cannot create the hooks directory \(directory.path): \(error.localizedDescription)")
        }
        for hook in HookName.allCases {
            let file = directory.appendingPathComponent(hook.rawValue)
            let legacy = directory.appendingPathComponent(HookChain.legacyName(hook))
            switch state(of: file, script: hook.script) {
            case .ours(upToDate: true):
                Output.err("\(hook.rawValue): already installed\n")
                continue
            case .ours(upToDate: false):
                try write(hook.script, to: file)
                Output.err("\(hook.rawValue): updated\n")
            case .absent:
                try write(hook.script, to: file)
                Output.err("\(hook.rawValue): installed\n")
            case .foreign where exists(legacy):
                try write(hook.script, to: file)
                Output.err("\(hook.rawValue): replaced the existing hook (--force); \(legacy.lastPathComponent) is kept and runs after our check\n")
            case .foreign:
                try move(file, to: legacy)
                try write(hook.script, to: file)
                Output.err("\(hook.rawValue): the existing hook was moved to \(legacy.lastPathComponent) and is chained: it runs after our check passes, with the same arguments and stdin\n")
            }
            changed = true
        }
        changed = try MergeSetup.configure() || changed
        if let workTree = target.workTree {
            changed = try MergeSetup.installAttributes(workTree: workTree) || changed
        } else {
            Output.err(".gitattributes: no work tree, so no merge=workspace attributes were written\n")
        }
        Output.err(changed ? "install-hooks: installed in \(directory.path)\n"
                           : "install-hooks: nothing to change; everything is already installed in \(directory.path)\n")
        return ExitStatus.success
    }

    static func uninstall() throws -> Int32 {
        let target = try locate()
        let directory = target.hooks
        var changed = false
        for hook in HookName.allCases {
            let file = directory.appendingPathComponent(hook.rawValue)
            let legacy = directory.appendingPathComponent(HookChain.legacyName(hook))
            switch state(of: file, script: hook.script) {
            case .ours:
                try remove(file)
                changed = true
                if exists(legacy) {
                    try move(legacy, to: file)
                    Output.err("\(hook.rawValue): removed ours and restored the chained hook from \(legacy.lastPathComponent)\n")
                } else {
                    Output.err("\(hook.rawValue): removed\n")
                }
            case .foreign:
                Output.err("\(hook.rawValue): not ours, left alone\(exists(legacy) ? " (and so is \(legacy.lastPathComponent))" : "")\n")
            case .absent:
                if exists(legacy) {
                    try move(legacy, to: file)
                    changed = true
                    Output.err("\(hook.rawValue): restored from \(legacy.lastPathComponent)\n")
                }
            }
        }
        changed = try MergeSetup.unconfigure() || changed
        if let workTree = target.workTree {
            changed = try MergeSetup.removeAttributes(workTree: workTree) || changed
        }
        Output.err(changed ? "uninstall-hooks: removed from \(directory.path)\n"
                           : "uninstall-hooks: nothing to remove in \(directory.path)\n")
        return ExitStatus.success
    }

    // MARK: Files

    /// True when something (a file, a directory, a symbolic link, even a dangling one) is there.
    static func exists(_ url: URL) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: url.path)) != nil
    }

    static func isSymbolicLink(_ url: URL) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType == .typeSymbolicLink
    }

    /// Writes `text` as an executable (0755) file, replacing `file` in one rename so that git
    /// never runs half a script (and a symbolic link is replaced, not written through).
    static func write(_ text: String, to file: URL) throws {
        let temporary = file.deletingLastPathComponent()
            .appendingPathComponent(".\(file.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temporary)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure(message: "cannot write \(file.path): \(error.localizedDescription)")
        }
        try move(temporary, to: file)
    }

    /// Renames `source` to `destination`, replacing it (rename(2)).
    static func move(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CommandFailure(message: "cannot move \(source.path) to \(destination.path): \(reason)")
        }
    }

    static func remove(_ file: URL) throws {
        do { try FileManager.default.removeItem(at: file) } catch {
            throw CommandFailure(message: "cannot remove \(file.path): \(error.localizedDescription)")
        }
    }
}
