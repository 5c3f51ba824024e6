import Foundation
import WorkspaceSpec
import WorkspaceSync

/// What a push says on stderr, in git's manner: quiet with `-q`, one summary line per
/// workspace by default (`workspace main: 2 created, 5000 updated, 1 archived`), every
/// resource with `-v` and in `--dry-run`, progress while importing when git asks for it
/// (`Importing resources:  45% (2250/5000)`). Diagnostics always print, and in a push of
/// several branches each one names its workspace.
struct Reporter {
    let options: HelperOptions
    /// True when the batch pushes to more than one workspace.
    let multiple: Bool

    /// A progress callback for imports into `workspace`, or nil when git did not ask for progress.
    func progress(_ workspace: String) -> (@Sendable (Int, Int) -> Void)? {
        guard options.progress else { return nil }
        let meter = ProgressMeter(title: multiple ? "Importing resources into \(workspace)" : "Importing resources")
        return { done, total in meter.show(done, total) }
    }

    /// Prints a plan: warnings, then the summary (and the steps, with `-v` or `--dry-run`).
    func report(_ plan: PushPlan) {
        printWarnings(plan.warnings, workspace: plan.workspace)
        guard options.verbosity >= 1 || options.dryRun, !plan.upToDate else { return }
        let header = options.dryRun ? "workspace \(plan.workspace): would" : "workspace \(plan.workspace):"
        if options.dryRun || options.verbosity >= 2 {
            for step in plan.steps { Log.error("\(header) \(step)") }
        }
        Log.error("workspace \(plan.workspace): \(options.dryRun ? "would leave " : "")\(plan.summary)")
    }

    /// Prints why `request` was refused and returns the protocol reply.
    func refusal(_ request: PushRequest, _ error: Error) -> String {
        let workspace = request.workspace ?? request.destination
        guard let error = error as? SyncError else {
            // git prints the reply's line; say more only when there is more.
            let text = "\(error)"
            if text.contains("\n") { Log.error("workspace \(workspace): \(text)") }
            return Refusal.reply(request.destination, error)
        }
        if options.dryRun, let plan = error.plan { report(plan) }
        for diagnostic in error.diagnostics { Log.error(describe(diagnostic, workspace: workspace)) }
        switch error.code {
        case .conflict:
            Log.error("workspace \(workspace): \(error.message) (nothing was changed; pull, merge and push again)")
        case .invalid:
            Log.error("workspace \(workspace): push refused, nothing was changed: \(error.message)")
        default:
            Log.error("workspace \(workspace): \(error.message)")
        }
        return Refusal.reply(request.destination, error)
    }

    private func printWarnings(_ warnings: [Diagnostic], workspace: String) {
        let shown = options.verbosity >= 2 ? warnings : Array(warnings.prefix(PushRunner.warningLimit))
        for warning in shown { Log.error(describe(warning, workspace: workspace)) }
        if shown.count < warnings.count {
            Log.error("workspace \(workspace): \(warnings.count - shown.count) more warnings (git push -v shows them all)")
        }
    }

    /// `path:line:column: error: message`, naming the workspace when the push has several.
    private func describe(_ diagnostic: Diagnostic, workspace: String) -> String {
        multiple ? "\(diagnostic.description) (workspace \(workspace))" : diagnostic.description
    }
}

/// git's progress line on stderr: rewritten in place as the percentage changes, then
/// `, done.` on the last step.
final class ProgressMeter: @unchecked Sendable {
    let title: String
    private var lastPercent = -1

    init(title: String) { self.title = title }

    func show(_ done: Int, _ total: Int) {
        let percent = total == 0 ? 100 : done * 100 / total
        guard percent != lastPercent || done == total else { return }
        lastPercent = percent
        let number = String(repeating: " ", count: max(0, 3 - String(percent).count)) + String(percent)
        let end = done == total ? ", done.\n" : "\r"
        FileHandle.standardError.write(Data("\(title): \(number)% (\(done)/\(total))\(end)".utf8))
    }
}
