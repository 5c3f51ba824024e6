import Foundation
import Git

/// Named places along the write paths where a test can make the process stall or die, to
/// prove that a crash or a lost connection at that instant leaves the store at its old
/// state or its new one, never between.
///
/// Debug builds only: `GIT_WORKSPACE_FAULT=<point>:<action>[,<point>:<action>...]`, where
/// action is `sleep=<seconds>` (stall there, holding whatever is held) or `kill` (SIGKILL
/// the process there). Release builds compile the check away.
///
/// Points, along every write path:
/// - push: `push.objects` (inside the store transaction, the git objects written, the branch
///   not yet moved), `push.imported` (everything written, before it commits),
///   `push.committed` (after the commit, before git hears `ok`);
/// - fetch: `fetch.pack` (half of the pack written into the client repository),
///   `fetch.written` (the pack written and indexed, before git hears the fetch is done);
/// - application changes (`app put`/`rm` and each outbox row): `change.written` (inside the
///   transaction, the commit and the branch written, before it commits),
///   `change.committed` (after an `app put`/`rm` commits), `outbox.committed` (after an
///   outbox row's transaction commits, before the next row).
public enum FaultPoint {
    /// Acts on `point` when the environment asks for it.
    public static func hit(_ point: String) {
        #if DEBUG
        guard let spec = Environment.value("GIT_WORKSPACE_FAULT") else { return }
        for item in spec.split(separator: ",") {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == point else { continue }
            if parts[1] == "kill" {
                kill(getpid(), SIGKILL)
            } else if parts[1].hasPrefix("sleep="), let seconds = Double(parts[1].dropFirst("sleep=".count)) {
                Thread.sleep(forTimeInterval: seconds)
            }
        }
        #endif
    }
}
