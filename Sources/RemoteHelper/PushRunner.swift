import Foundation
import Git
import WorkspaceStore
import WorkspaceSync

/// Runs the push requests of one batch and turns each outcome into its protocol reply:
/// `ok <ref>`, or `error <ref> <why>` with git's own reason tokens where one fits
/// (`fetch first`, `non-fast forward`, `stale info`) so git prints its usual line and hints.
struct PushRunner {
    let store: any WorkspaceStore
    let client: Repository
    let options: HelperOptions

    /// Thrown to roll a dry run back once everything has been checked.
    struct DryRun: Error { var plans: [PushPlan] }

    func run(_ requests: [PushRequest]) -> [(String, String)] {
        guard !requests.isEmpty else { return [] }
        if options.atomic {
            return runTogether(requests)
        }
        return requests.map { request in (request.destination, runOne(request)) }
    }

    private func expectation(_ request: PushRequest) -> ObjectID?? {
        guard let expected = options.expectations[request.destination] else { return nil }
        return .some(expected.flatMap { ObjectID(hex: $0) })
    }

    private func runOne(_ request: PushRequest) -> String {
        let importer = PushImporter(client: client)
        do {
            let plan = try store.write(request.workspace!) { tx -> PushPlan in
                let plan = try importOne(request, importer: importer, tx: tx)
                if options.dryRun { throw DryRun(plans: [plan]) }
                return plan
            }
            report(plan)
            return reply(request.destination, plan)
        } catch let dry as DryRun {
            dry.plans.forEach(report)
            return reply(request.destination, dry.plans[0])
        } catch {
            return refusal(request.destination, error)
        }
    }

    /// Imports one request: a merge with `-o merge` when the branch moved, else a plain import.
    private func importOne(_ request: PushRequest, importer: PushImporter, tx: any WorkspaceWriting) throws -> PushPlan {
        if options.pushOptions.contains("merge") && !request.force {
            return try importer.mergeCommit(request.source!, into: tx, expected: expectation(request)).plan
        }
        return try importer.importCommit(request.source!, into: tx, expected: expectation(request), force: request.force)
    }

    /// The protocol reply for a done (or dry-run) import. `list for-push` gives no values,
    /// so the reply tells git the branch's old value (and, after a merge, its new one, a
    /// commit the client then has) for its status line and remote-tracking ref.
    private func reply(_ destination: String, _ plan: PushPlan) -> String {
        if plan.upToDate { return "error \(destination) up to date" }
        var lines = ["ok \(destination)" + (plan.forced ? " forced update" : "")]
        if let old = plan.previousHead { lines.append("option old-oid \(old.hex)") }
        if plan.mergedFrom != nil, let new = plan.head { lines.append("option new-oid \(new.hex)") }
        return lines.joined(separator: "\n")
    }

    private func runTogether(_ requests: [PushRequest]) -> [(String, String)] {
        let importer = PushImporter(client: client)
        var failed: (String, Error)?
        do {
            let plans = try store.write(requests.map { $0.workspace! }) { txs -> [PushPlan] in
                var plans: [PushPlan] = []
                for (request, tx) in zip(requests, txs) {
                    do {
                        plans.append(try importOne(request, importer: importer, tx: tx))
                    } catch {
                        failed = (request.destination, error)
                        throw error
                    }
                }
                if options.dryRun { throw DryRun(plans: plans) }
                return plans
            }
            plans.forEach(report)
            return zip(requests, plans).map { request, plan in (request.destination, reply(request.destination, plan)) }
        } catch let dry as DryRun {
            dry.plans.forEach(report)
            return zip(requests, dry.plans).map { request, plan in (request.destination, reply(request.destination, plan)) }
        } catch {
            return requests.map { request in
                if let failed, failed.0 == request.destination { return (request.destination, refusal(request.destination, failed.1)) }
                return (request.destination, "error \(request.destination) atomic push failed")
            }
        }
    }

    /// Prints the plan: always for a dry run, otherwise unless git asked for quiet.
    private func report(_ plan: PushPlan) {
        for warning in plan.warnings { Log.error(warning.description) }
        guard options.dryRun || options.verbosity >= 1, !plan.upToDate else { return }
        let header = options.dryRun ? "workspace \(plan.workspace): would" : "workspace \(plan.workspace):"
        if plan.steps.isEmpty {
            Log.error("\(header) change no resource")
        } else {
            for step in plan.steps { Log.error("\(header) \(step)") }
        }
    }

    private func refusal(_ destination: String, _ error: Error) -> String {
        guard let error = error as? SyncError else {
            Log.error("workspace: \(error)")
            return "error \(destination) \(oneLine("\(error)"))"
        }
        for diagnostic in error.diagnostics { Log.error(diagnostic.description) }
        if error.code == .conflict {
            Log.error("workspace: \(error.message) (nothing was changed; pull, merge and push again)")
        }
        switch error.code {
        case .fetchFirst, .nonFastForward, .stale:
            Log.error("workspace: \(error.message)")
            return "error \(destination) \(error.code.name)"
        default:
            return "error \(destination) \(oneLine(error.message))"
        }
    }

    private func oneLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? "refused"
    }
}
