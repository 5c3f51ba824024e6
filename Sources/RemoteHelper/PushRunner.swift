import Foundation
import Git
import WorkspaceStore
import WorkspaceSync

/// Runs the push requests of one batch and turns each outcome into its protocol reply:
/// `ok <ref>`, or `error <ref> <why>` (`Refusal.reply`), and says what happened on stderr
/// the way git does: progress while importing when git asks for it, one summary line per
/// workspace, per-resource lines with `-v` and for `--dry-run`.
struct PushRunner {
    let store: any WorkspaceStore
    let client: Repository
    let options: HelperOptions

    /// Thrown to roll a dry run back once everything has been checked.
    struct DryRun: Error { var plans: [PushPlan] }

    /// How many warnings are printed per workspace before the rest are only counted
    /// (`-v` prints them all).
    static let warningLimit = 20

    func run(_ requests: [PushRequest]) -> [(String, String)] {
        guard !requests.isEmpty else { return [] }
        let reporter = Reporter(options: options, multiple: requests.count > 1)
        if options.atomic {
            return runTogether(requests, reporter: reporter)
        }
        return requests.map { request in (request.destination, runOne(request, reporter: reporter)) }
    }

    private func importer(for workspace: String, reporter: Reporter) -> PushImporter {
        PushImporter(client: client, options: .init(allowMassArchive: options.pushOptions.contains("archive"),
                                                    progress: reporter.progress(workspace)))
    }

    private func expectation(_ request: PushRequest) -> ObjectID?? {
        guard let expected = options.expectations[request.destination] else { return nil }
        return .some(expected.flatMap { ObjectID(hex: $0) })
    }

    private func runOne(_ request: PushRequest, reporter: Reporter) -> String {
        let importer = importer(for: request.workspace!, reporter: reporter)
        do {
            let plan = try store.write(request.workspace!) { tx -> PushPlan in
                let plan = try importOne(request, importer: importer, tx: tx)
                if options.dryRun { throw DryRun(plans: [plan]) }
                FaultPoint.hit("push.imported")
                return plan
            }
            FaultPoint.hit("push.committed")
            reporter.report(plan)
            return reply(request.destination, plan)
        } catch let dry as DryRun {
            dry.plans.forEach(reporter.report)
            return reply(request.destination, dry.plans[0])
        } catch {
            return reporter.refusal(request, error)
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

    private func runTogether(_ requests: [PushRequest], reporter: Reporter) -> [(String, String)] {
        var failed: (request: PushRequest, error: Error)?
        do {
            let plans = try store.write(requests.map { $0.workspace! }) { txs -> [PushPlan] in
                var plans: [PushPlan] = []
                for (request, tx) in zip(requests, txs) {
                    do {
                        plans.append(try importOne(request, importer: importer(for: request.workspace!, reporter: reporter), tx: tx))
                    } catch {
                        failed = (request, error)
                        throw error
                    }
                }
                if options.dryRun { throw DryRun(plans: plans) }
                FaultPoint.hit("push.imported")
                return plans
            }
            FaultPoint.hit("push.committed")
            plans.forEach(reporter.report)
            return zip(requests, plans).map { request, plan in (request.destination, reply(request.destination, plan)) }
        } catch let dry as DryRun {
            dry.plans.forEach(reporter.report)
            return zip(requests, dry.plans).map { request, plan in (request.destination, reply(request.destination, plan)) }
        } catch {
            return requests.map { request in
                if let failed, failed.request.destination == request.destination {
                    return (request.destination, reporter.refusal(request, failed.error))
                }
                return (request.destination, "error \(request.destination) atomic push failed")
            }
        }
    }
}

/// The one place a refused push becomes protocol: git's own reason tokens where git knows
/// one (`fetch first`, `non-fast forward`, `stale info`: git then prints its usual line and
/// hints, and `git push --porcelain` shows them as git's own), else one line saying why.
enum Refusal {
    static func reason(_ error: Error) -> String {
        if let store = error as? StoreError, store.code == .busy { return SyncError.busyReasonPrefix + oneLine(store.message) }
        guard let error = error as? SyncError else { return oneLine("\(error)") }
        switch error.code {
        case .fetchFirst: return "fetch first"
        case .nonFastForward: return "non-fast forward"
        case .stale: return "stale info"
        default: return oneLine(error.message)
        }
    }

    static func reply(_ destination: String, _ error: Error) -> String {
        "error \(destination) \(reason(error))"
    }

    static func oneLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? "refused"
    }
}
