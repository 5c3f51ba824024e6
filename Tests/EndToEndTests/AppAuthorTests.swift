import Foundation
import Testing
import WorkspaceTestSupport

/// Who an application change's commit is by, and the local time zone it is dated in, when
/// `app put` is given no `--author` (git-workspace(1), `app`).
@Suite struct AppAuthorTests {
    /// The author line of the newest commit of `main`, as `Name <email> <unix time> <offset>`.
    static func newestAuthor(_ fixture: WorkspaceFixture) throws -> String {
        let clone = try fixture.clone("c\(UUID().uuidString.prefix(8))")
        let log = try clone.run(["git", "log", "-1", "--format=%an <%ae> %ad", "--date=raw"])
        try #require(log.status == 0, "\(log)")
        return log.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Without `--author` or `workspace.author`, `GIT_AUTHOR_NAME` and `GIT_AUTHOR_EMAIL` name
    /// the acting user, and the commit carries the offset of the local time zone (`TZ`, here
    /// POSIX rules that need no zone files), as git dates its own commits.
    @Test(arguments: [("IST-5:30", "+0530"), ("UTC0", "+0000"), ("EST5", "-0500")])
    func theEnvironmentsAuthorAndTimeZoneDateTheCommit(zone: String, offset: String) throws {
        let fixture = try WorkspaceFixture("author")
        let put = try fixture.run.run(["git", "workspace", "app", "put", "\(fixture.store)#main", "--file", "-"],
                                      stdin: appWorkflow(title: "Dated"), extraEnvironment: ["TZ": zone])
        try #require(put.status == 0, "\(put)")
        let author = try Self.newestAuthor(fixture)
        #expect(author.hasPrefix("Test Author <author@example.com> "), "\(author)")
        #expect(author.hasSuffix(" " + offset), "\(author)")
    }
}
