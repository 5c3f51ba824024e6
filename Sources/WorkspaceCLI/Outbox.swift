import ArgumentParser
import Foundation
import WorkspaceStore
import WorkspaceSync
import YAML

extension StoreArgument {
    /// Opens the store and applies the workspace's pending outbox rows first, as every
    /// operation on a workspace does. `wait` false for commands that only read: they never
    /// wait for another writer to apply rows (that writer, or the next command, does).
    func openDrained(wait: Bool) throws -> any WorkspaceStore {
        let store = try open()
        try Self.drain(store, workspace: workspace, wait: wait)
        return store
    }

    /// Applies `workspace`'s pending outbox rows, saying on stderr which were rejected and
    /// why (a store that is not there, or has no such workspace, has nothing to drain).
    static func drain(_ store: any WorkspaceStore, workspace: String, wait: Bool) throws {
        guard try storeCall({ try store.workspaceNames().contains(workspace) }) else { return }
        let outcomes = try storeCall { try WorkspaceOutbox.drain(store, workspace: workspace, wait: wait) }
        for outcome in outcomes {
            guard let error = outcome.error else { continue }
            Output.err("git-workspace: outbox row \(outcome.entry.id) rejected (see git workspace app outbox): "
                       + (error.split(separator: "\n").first.map(String.init) ?? error) + "\n")
        }
    }
}

extension GitWorkspace.App {
    /// `app outbox STORE[#WS] [--json]`: the outbox rows still pending and those rejected.
    struct Outbox: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "outbox",
            abstract: "List the application outbox rows that are pending or were rejected, with why.",
            discussion: """
            Applications change a workspace by inserting rows into the store's workspace_outbox \
            table (see OUTBOX in git-workspace(1)). This command first applies the pending \
            rows of the workspace (STORE#WS; default main), then lists what is left: rows \
            still pending (for a workspace that does not exist, or while another writer held \
            the store) and rejected rows with their diagnostics. With STORE alone (no #), \
            every workspace's rows are listed. Exit status: 0 listed (whatever the rows say).
            """
        )
        @Argument(help: "STORE[#WORKSPACE]") var target: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        mutating func run() throws {
            let raw = self.target, json = self.json
            try ParsableCommandRunner.run {
                let target = StoreArgument(raw)
                let store = try target.open()
                let named = target.address != raw   // a workspace was named after a `#`
                let workspaces = named ? [target.workspace] : try storeCall { try store.workspaceNames() }
                for workspace in workspaces { try StoreArgument.drain(store, workspace: workspace, wait: false) }
                let rows = try storeCall {
                    try store.outbox(workspace: named ? target.workspace : nil, states: [.pending, .rejected])
                }
                if json {
                    Output.json(.array(rows.map(Self.jsonValue)))
                } else {
                    for row in rows { Output.out(Self.text(row)) }
                    if rows.isEmpty { Output.err("no pending or rejected outbox rows\n") }
                }
                return ExitStatus.success
            }
        }

        /// `17 rejected main put workflow-id Ada <ada@example.com> 2026-12-02T10:00:00Z`, then
        /// the error's lines indented.
        static func text(_ row: OutboxEntry) -> String {
            var line = "\(row.id) \(row.state.rawValue) \(row.workspace) \(row.rawAction) \(row.sourceID ?? "-") "
                + "\(row.authorName) <\(row.authorEmail)> \(time(row.createdAt))\n"
            for errorLine in (row.error ?? "").split(separator: "\n") { line += "    \(errorLine)\n" }
            return line
        }

        static func jsonValue(_ row: OutboxEntry) -> Value {
            .object([
                "id": .int(Int(row.id)), "state": .string(row.state.rawValue), "workspace": .string(row.workspace),
                "action": .string(row.rawAction), "source_id": row.sourceID.map { .string($0) } ?? .null,
                "author_name": .string(row.authorName), "author_email": .string(row.authorEmail),
                "created_at": .string(time(row.createdAt)), "error": row.error.map { .string($0) } ?? .null,
            ])
        }

        /// Unix seconds as ISO 8601 UTC; `unknown` for a time the row could not give.
        static func time(_ seconds: Int) -> String {
            guard seconds != Int.min else { return "unknown" }
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
    }
}
