import Foundation
import Testing
import WorkspaceTestSupport

/// Every bad tree is refused by `git workspace validate` with exit status 1 and a
/// `path:line:column: error:` line naming the problem; never a crash, never a hang.
@Suite struct ValidateBadInputTests {
    @Test func thereAreAtLeastFortyCases() {
        #expect(badInputs.count >= 40)
        #expect(Set(badInputs.map(\.name)).count == badInputs.count)
    }

    @Test(arguments: badInputs)
    func refused(_ bad: BadInput) throws {
        let scratch = try ScratchDirectory("bad")
        for (path, bytes) in bad.files { try scratch.write("tree/" + path, bytes: bytes) }
        let result = try Runner(directory: scratch.url).run(["git-workspace", "validate", "tree"])
        #expect(result.status == 1, "\(bad.name): \(result)")
        let prefix = "tree/" + bad.location
        let line = result.stderr.split(separator: "\n").first { $0.hasPrefix(prefix) && $0.contains(": error: ") && $0.contains(bad.fragment) }
        #expect(line != nil, "\(bad.name): expected '\(prefix)...: error: ...\(bad.fragment)...' in\n\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
    }
}
