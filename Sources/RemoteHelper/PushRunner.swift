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
                let plan = try importer.importCommit(request.source!, into: tx, expected: expectation(request), force: request.force)
                if options.dryRun { throw DryRun(plans: [plan]) }
                return plan
            }
            report(plan)
            return "ok \(request.destination)" + (plan.forced ? " forced update" : "")
        } catch let dry as DryRun {
            dry.plans.forEach(report)
            return "ok \(request.destination)"
        } catch {
            return refusal(request.destination, error)
        }
    }

    private func runTogether(_ requests: [PushRequest]) -> [(String, String)] {
        let importer = PushImporter(client: client)
        var failed: (String, Error)?
        do {
            let plans = try store.write(requests.map { $0.workspace! }) { txs -> [PushPlan] in
                var plans: [PushPlan] = []
                for (request, tx) in zip(requests, txs) {
                    do {
                        plans.append(try importer.importCommit(request.source!, into: tx, expected: expectation(request), force: request.force))
                    } catch {
                        failed = (request.destination, error)
                        throw error
                    }
                }
                if options.dryRun { throw DryRun(plans: plans) }
                return plans
            }
            plans.forEach(report)
            return zip(requests, plans).map { request, plan in
                (request.destination, "ok \(request.destination)" + (plan.forced ? " forced update" : ""))
            }
        } catch let dry as DryRun {
            dry.plans.forEach(report)
            return requests.map { ($0.destination, "ok \($0.destination)") }
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
