import ArgumentParser
import Foundation
import WorkspaceStore
import WorkspaceSync
import YAML

extension GitWorkspace {
    /// `git workspace fsck [--repair] [--json] STORE[#WS]`: audits a store's workspaces
    /// (`WorkspaceAudit`). Read-only (one snapshot per workspace) unless `--repair`, which
    /// makes every safe repair in one write transaction over the workspaces it checks.
    struct Fsck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fsck",
            abstract: "Check that a workspace's rows, objects and branch agree; --repair fixes what is safe to fix.",
            discussion: """
            Checks every workspace of STORE (a SQLite file or a postgres:// URL), or only WS with \
            STORE#WS: every mapping has its resource and every resource of a synced kind a \
            mapping; no two source ids of a kind differ only by case; the branch head's tree \
            re-projects to the live resources in spec space (and holds no resource file without \
            one); every object the branch and the change log need is stored, each with the id \
            git gives its content; mappings record their documents' hashes; the change log's \
            sequence numbers increase and its commits are stored. Without --repair nothing is \
            written and no lock is taken (pending outbox rows are left alone).

            Each finding is one line on stdout (error: WORKSPACE: WHAT (PATH): MESSAGE [CODE] \
            and what to do); a summary goes to stderr. --repair makes only repairs that cannot \
            lose data, all in one transaction: a mapping for a resource that has none, from its \
            document's id; a mapping's hashes recomputed from its stored document; an object \
            the branch needs, rebuilt from the stored resources when that gives exactly the \
            missing id. It prints each as repaired: ..., and what is left as error: ....

            Exit status: 0 clean (after --repair: nothing left), 1 findings, 2 could not run, \
            5 busy (--repair only), 64 usage error.
            """
        )

        @Argument(help: "STORE or STORE#WORKSPACE (STORE alone: every workspace).") var target: String
        @Flag(name: .long, help: "Fix what can be fixed without losing data, in one transaction.") var repair = false
        @Flag(name: .long, help: "Print one JSON object on stdout.") var json = false

        mutating func run() throws {
            let raw = target, repair = self.repair, json = self.json
            try ParsableCommandRunner.run {
                let target = StoreArgument(raw)
                let store = try target.open()
                let named = target.address != raw   // a workspace was named after a `#`
                // A workspace that does not exist fails in read or write with the store's own words.
                let workspaces = named ? [target.workspace] : try storeCall { try store.workspaceNames() }
                var findings: [AuditFinding] = [], repaired: [AuditFinding] = []
                if repair && !workspaces.isEmpty {
                    let reports = try storeCall {
                        try store.write(workspaces) { txs in try txs.map(WorkspaceAudit.repair) }
                    }
                    for report in reports {
                        repaired += report.repaired
                        findings += report.remaining
                    }
                } else if !repair {
                    for workspace in workspaces {
                        findings += try storeCall { try store.read(workspace, WorkspaceAudit.audit) }
                    }
                }
                if json {
                    Output.json(Self.jsonValue(workspaces: workspaces, findings: findings,
                                               repaired: repair ? repaired : nil))
                } else {
                    for finding in repaired { Output.out("repaired: \(finding): \(finding.repairDescription ?? "")\n") }
                    for finding in findings { Output.out(Self.line(finding, repairing: repair)) }
                }
                Output.err(Self.summary(workspaces: workspaces, findings: findings, repaired: repair ? repaired : nil))
                return findings.isEmpty ? ExitStatus.success : ExitStatus.invalid
            }
        }

        /// `error: main: workflow triage (workflows/triage/definition.yml): ... [file-missing]; <what to do>`.
        static func line(_ finding: AuditFinding, repairing: Bool) -> String {
            var text = "error: \(finding)"
            if let repair = finding.repairDescription, !repairing {
                text += "; git workspace fsck --repair will \(repair)"
            } else if let hint = finding.hint {
                text += "; \(hint)"
            }
            return text + "\n"
        }

        /// `fsck: 2 workspaces, 3 findings (1 repairable with --repair)`, and what was repaired.
        static func summary(workspaces: [String], findings: [AuditFinding], repaired: [AuditFinding]?) -> String {
            let checked = workspaces.count == 1 ? "workspace '\(workspaces[0])'" : "\(workspaces.count) workspaces"
            var parts: [String] = []
            if let repaired { parts.append("\(repaired.count) repaired") }
            if findings.isEmpty {
                parts.append(repaired == nil ? "clean" : "nothing left")
            } else {
                let repairable = findings.filter(\.repairable).count
                parts.append("\(findings.count) finding\(findings.count == 1 ? "" : "s")"
                             + (repaired == nil && repairable > 0 ? " (\(repairable) repairable with --repair)" : ""))
            }
            return "fsck: \(checked): " + parts.joined(separator: ", ") + "\n"
        }

        static func jsonValue(workspaces: [String], findings: [AuditFinding], repaired: [AuditFinding]?) -> Value {
            var object: [String: Value] = [
                "clean": .bool(findings.isEmpty),
                "workspaces": .array(workspaces.map { .string($0) }),
                "findings": .array(findings.map(Self.jsonValue)),
            ]
            if let repaired { object["repaired"] = .array(repaired.map(Self.jsonValue)) }
            return .object(object)
        }

        /// One finding: workspace, code, subject, path, message, repairable, repair, hint.
        static func jsonValue(_ finding: AuditFinding) -> Value {
            .object([
                "workspace": .string(finding.workspace), "code": .string(finding.code.rawValue),
                "subject": .string(finding.subject), "path": finding.path.map { .string($0) } ?? .null,
                "message": .string(finding.message), "repairable": .bool(finding.repairable),
                "repair": finding.repairDescription.map { .string($0) } ?? .null,
                "hint": finding.hint.map { .string($0) } ?? .null,
            ])
        }
    }
}
