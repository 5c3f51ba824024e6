import ArgumentParser
import Foundation
import WorkspaceStore

extension GitWorkspace {
    /// `git workspace init STORE [--workspace NAME]`.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a store if missing, and a workspace in it.",
            discussion: """
            STORE is a SQLite file path. A new workspace has no commits: its branch is unborn \
            until its first change, so it accepts any history as its first push (that is how \
            an existing repository of definitions is adopted). Creating a workspace that \
            exists is an error (exit 2).
            """
        )

        @Argument(help: "The store: a SQLite file path.") var store: String
        @Option(name: .long, help: "The workspace to create (default: main).") var workspace = "main"

        mutating func run() throws {
            let address = store, name = workspace
            try ParsableCommandRunner.run {
                let existed = FileManager.default.fileExists(atPath: address)
                let opened = try storeCall { try WorkspaceStores.open(url: address) }
                try storeCall { try opened.createWorkspace(name) }
                // Rows an application wrote for this workspace before it existed.
                try StoreArgument.drain(opened, workspace: name, wait: true)
                let absolute = URL(fileURLWithPath: address).standardizedFileURL.path
                Output.err("\(existed ? "" : "created store \(address); ")created workspace '\(name)' (git clone workspace::\(absolute))\n")
                return ExitStatus.success
            }
        }
    }
}
