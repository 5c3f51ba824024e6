import Testing
import RemoteHelper

/// The command reader driven through `Channel(bytes:)`, the seam the protocol fuzzer uses: the
/// same lines whatever pieces the input arrives in, and the session's answers to the commands
/// that need no store.
@Suite struct ChannelTests {
    static let input = Array("capabilities\noption progress true\n\nlist\nlast without newline".utf8)

    static func lines(_ channel: Channel) -> [String] {
        var lines: [String] = []
        while let line = channel.readLine() { lines.append(line) }
        return lines
    }

    @Test(arguments: [1, 2, 7, 4096])
    func linesDoNotDependOnHowTheInputArrives(chunkSize: Int) {
        let channel = Channel(bytes: Self.input, chunkSize: chunkSize, write: { _ in })
        #expect(Self.lines(channel) == ["capabilities", "option progress true", "", "list", "last without newline"])
        #expect(channel.readLine() == nil)
    }

    @Test func emptyInputHasNoLines() {
        #expect(Self.lines(Channel(bytes: [], write: { _ in })).isEmpty)
    }

    /// Answers `capabilities` and `option`, and stops at the blank line without reading on.
    @Test func sessionAnswersUntilTheBlankLine() {
        var replies: [String] = []
        let channel = Channel(bytes: Self.input, chunkSize: 3, write: { replies.append(String(decoding: $0, as: UTF8.self)) })
        let status = Session(address: "/nonexistent/store.db", channel: channel).run()
        #expect(status == 0)
        #expect(replies == ["fetch\npush\noption\ncheck-connectivity\n\n", "ok\n"])
        #expect(channel.readLine() == "list")
    }

    @Test func optionReplies() {
        var replies: [String] = []
        let text = "option dry-run true\noption depth 1\noption verbosity x\noption nothing-like-it 1\noption cas\n\n"
        let channel = Channel(bytes: Array(text.utf8), write: { replies.append(String(decoding: $0, as: UTF8.self)) })
        #expect(Session(address: "/nonexistent/store.db", channel: channel).run() == 0)
        #expect(replies == ["ok\n", "unsupported\n", "error verbosity must be a number\n", "unsupported\n",
                            "error option needs a name and a value\n"])
    }

    /// An unknown command, or a store that is not there, ends the session with 128.
    @Test(arguments: ["bogus\n", "list\n", "fetch 0000000000000000000000000000000000000000 refs/heads/main\n\n"])
    func failuresEndTheSession(text: String) {
        let channel = Channel(bytes: Array(text.utf8), write: { _ in })
        #expect(Session(address: "/nonexistent/store.db", channel: channel).run() == 128)
    }
}
