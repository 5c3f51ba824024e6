import ArgumentParser
import Foundation
import YAML

/// Writing to the standard streams without buffering surprises: bytes out, flushed at once.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// A JSON value on stdout, pretty-printed.
    static func json(_ value: Value) {
        out(JSONEmitter.pretty(value))
    }
}

/// A failure that ends a command with a message and an exit status, never a stack trace.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: Int32 = ExitStatus.failure
    var description: String { message }
}

/// Runs a command body, turning `CommandFailure` into `git-workspace: message` and its status.
enum ParsableCommandRunner {
    static func run(_ body: () throws -> Int32) throws {
        let status: Int32
        do {
            status = try body()
        } catch let failure as CommandFailure {
            Output.err("git-workspace: \(failure.message)\n")
            status = failure.status
        }
        if status != 0 { throw ExitCode(status) }
    }
}
