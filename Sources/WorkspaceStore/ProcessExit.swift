import Dispatch
import Foundation

/// Waiting for a child process without Foundation's `waitUntilExit`, which on Linux polls
/// its run loop in 50 ms steps: every `git config` a command ran cost it up to 50 ms of
/// sleep (`git workspace status` spent more than half its time so), where the exit itself
/// takes a millisecond to arrive.
public final class ProcessExit: Sendable {
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `process` (as `run()` does) with a termination handler that ends `wait()`.
    /// `process` must not have a termination handler of its own.
    public init(starting process: Process) throws {
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
    }

    /// Returns once the process has exited and its status is set.
    public func wait() {
        exited.wait()
    }
}
