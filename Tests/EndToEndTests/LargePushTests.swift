import Foundation
import Testing
import WorkspaceTestSupport

/// A push of more documents than the import takes at once (`PushImporter.chunk`, 1 024): it
/// reads, checks and stores them a chunk at a time and keeps only their stored form, so these
/// tests hold it to what a push of a few files does. An error found in a later chunk, and a
/// name clash between documents of different chunks, still refuse the whole push and leave
/// the store as it was; once fixed, every document is imported and every pushed object (the
/// documents, and files that are no resource) comes back in a fresh clone.
@Suite struct LargePushTests {
    static let count = 1_100

    func workflow(_ index: Int, alias: String? = nil, title: String? = nil) -> String {
        """
        version: 1
        type: workflow
        id: wf-\(index)
        alias: \(alias ?? "wf_\(index)")
        definition:
          title: \(title ?? "Flow \(index)")
          actions:
            - ref: a
              action: core.noop

        """
    }

    @Test func aPushLargerThanAChunkIsJudgedWholeAndStoredWhole() throws {
        let ws = try WorkspaceFixture("large-push")
        let writer = try ws.clone("writer")
        for index in 1...Self.count {
            try ws.write(writer, "workflows/wf-\(index)/definition.yml", workflow(index))
        }
        // Both mistakes are in the second chunk: a document that does not parse, and an alias
        // the first chunk's wf-1 already has.
        try ws.write(writer, "workflows/wf-1050/definition.yml", workflow(1050, title: "[unclosed"))
        try ws.write(writer, "workflows/wf-1099/definition.yml", workflow(1099, alias: "wf_1"))
        try ws.write(writer, "README.md", "Not a resource: stored as it is.\n")
        try ws.write(writer, "notes/plan.txt", "Neither is this.\n")
        try #require(try writer.git("add", "-A").status == 0)
        try #require(try writer.git("commit", "-qm", "Many workflows").status == 0)
        let before = try ws.dump()
        let refused = try writer.git("push", "origin", "HEAD:main")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("! [remote rejected] HEAD -> main"), "\(refused)")
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("workflows/wf-1050/definition.yml:") && $0.contains(": error: ") }, "\(refused.stderr)")
        #expect(lines.contains { $0.hasPrefix("workflows/wf-1099/definition.yml:") && $0.contains("is already used by workflows/wf-1/") }, "\(refused.stderr)")
        #expect(try ws.dump() == before)

        try ws.write(writer, "workflows/wf-1050/definition.yml", workflow(1050))
        try ws.write(writer, "workflows/wf-1099/definition.yml", workflow(1099))
        try #require(try writer.git("commit", "-qam", "Fixed").status == 0)
        let pushed = try writer.git("push", "origin", "HEAD:main")
        try #require(pushed.status == 0, "\(pushed)")
        #expect(try ws.sql("SELECT count(*) FROM resources WHERE NOT archived").trimmingCharacters(in: .whitespacesAndNewlines) == "\(Self.count)")
        let last = try ws.show("wf-\(Self.count)")
        #expect((last["spec"] as? [String: Any])?["alias"] as? String == "wf_\(Self.count)", "\(last)")

        let reader = try ws.clone("reader")
        #expect(try reader.git("rev-parse", "HEAD").stdout == (try writer.git("rev-parse", "HEAD").stdout))
        #expect(try reader.git("fsck", "--strict", "--no-dangling").status == 0)
        #expect(try ws.read(reader, "notes/plan.txt") == "Neither is this.\n")
        #expect(try ws.read(reader, "workflows/wf-1099/definition.yml") == workflow(1099))
        #expect(try reader.git("ls-files").lines.count == Self.count + 2)
    }
}
