import ArgumentParser
import Foundation
import WorkspaceStore

extension GitWorkspace {
    /// `git workspace init STORE [--workspace NAME]`.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a store if missing, and a workspace in it.",
            discussion: """
            STORE is a SQLite file path or a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE, \
            whose tables are created on first use). A new workspace has no commits: its branch is unborn \
            until its first change, so it accepts any history as its first push (that is how \
            an existing repository of definitions is adopted). Creating a workspace that \
            exists is an error (exit 2).
            """
        )

        @Argument(help: "The store: a SQLite file path or a postgres:// URL.") var store: String
        @Option(name: .long, help: "The workspace to create (default: main).") var workspace = "main"

        mutating func run() throws {
            let address = store, name = workspace
            try ParsableCommandRunner.run {
                let postgres = StoreAddress.isPostgres(address)
                let existed = postgres || FileManager.default.fileExists(atPath: address)
                let opened = try storeCall { try WorkspaceStores.open(url: address, create: true) }
                try storeCall { try opened.createWorkspace(name) }
                // Rows an application wrote for this workspace before it existed.
                try StoreArgument.drain(opened, workspace: name, wait: true)
                // What to clone: a file by its absolute path, a server's URL without its password.
                let clone = postgres ? StoreAddress.withoutPassword(address)
                    : URL(fileURLWithPath: address).standardizedFileURL.path
                Output.err("\(existed ? "" : "created store \(address); ")created workspace '\(name)' (git clone workspace::\(clone))\n")
                return ExitStatus.success
            }
        }
    }
}
