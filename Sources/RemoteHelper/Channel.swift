import Foundation

/// git's side of the conversation: lines in on stdin, replies out on stdout, written and
/// flushed at once (stdout to a pipe is block-buffered; a buffered reply would hang git).
///
/// `GIT_REMOTE_WORKSPACE_TRACE=1` copies every line in and out to stderr.
public final class Channel {
    let input: FileHandle
    let output: FileHandle
    let trace: Bool
    private var buffer: [UInt8] = []
    private var atEnd = false

    public init(input: FileHandle = .standardInput, output: FileHandle = .standardOutput, trace: Bool) {
        self.input = input
        self.output = output
        self.trace = trace
    }

    /// The next line without its newline, or nil at the end of input.
    public func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                if trace { Log.error("< \(line)") }
                return line
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                return line
            }
            let chunk = input.availableData
            if chunk.isEmpty { atEnd = true } else { buffer += chunk }
        }
    }

    /// Writes `text` (the caller includes newlines) and flushes.
    public func write(_ text: String) {
        if trace {
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { Log.error("> \(line)") }
        }
        output.write(Data(text.utf8))
    }
}

/// Messages for people, on stderr.
enum Log {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
