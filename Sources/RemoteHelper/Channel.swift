import Foundation

/// git's side of the conversation: lines in on stdin, replies out on stdout, written and
/// flushed at once (stdout to a pipe is block-buffered; a buffered reply would hang git).
///
/// `GIT_REMOTE_WORKSPACE_TRACE=1` copies every line in and out to stderr.
public final class Channel {
    /// The next chunk of input as it arrives (as a pipe delivers it); empty at the end.
    private let readChunk: () -> [UInt8]
    /// Writes one reply's bytes at once.
    private let writeBytes: ([UInt8]) -> Void
    let trace: Bool
    private var buffer: [UInt8] = []
    private var atEnd = false

    public convenience init(input: FileHandle = .standardInput, output: FileHandle = .standardOutput, trace: Bool) {
        self.init(trace: trace, read: { Array(input.availableData) }, write: { output.write(Data($0)) })
    }

    /// A channel over any byte source and sink: the seam the tests and the protocol fuzzer
    /// (`Fuzz/FuzzProtocol`) drive the reader through, with the bytes git would send.
    package init(trace: Bool, read: @escaping () -> [UInt8], write: @escaping ([UInt8]) -> Void) {
        self.readChunk = read
        self.writeBytes = write
        self.trace = trace
    }

    /// A channel reading `bytes`, `chunkSize` bytes at a time (a pipe may split a line
    /// anywhere), and handing every reply to `write`.
    package convenience init(bytes: [UInt8], chunkSize: Int = 4096, trace: Bool = false,
                             write: @escaping ([UInt8]) -> Void) {
        var offset = 0
        let step = max(chunkSize, 1)
        self.init(trace: trace, read: {
            let end = min(offset + step, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }, write: write)
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
            let chunk = readChunk()
            if chunk.isEmpty { atEnd = true } else { buffer += chunk }
        }
    }

    /// Writes `text` (the caller includes newlines) and flushes.
    public func write(_ text: String) {
        if trace {
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { Log.error("> \(line)") }
        }
        writeBytes(Array(text.utf8))
    }
}

/// Messages for people, on stderr.
enum Log {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
