import Foundation
import Testing
@testable import WorkspaceStore
import WorkspaceTestSupport

/// PostgreSQL store URLs: their parts as libpq reads them, and their passwords kept out of
/// every message and every stored address.
@Suite struct StoreAddressTests {
    // MARK: Parsing

    @Test func allPartsOfAPlainURL() throws {
        let address = try #require(PostgresAddress("postgres://alice:s3cret@db.example:5433/acme"))
        #expect(address.user == "alice")
        #expect(address.password == "s3cret")
        #expect(address.hosts == ["db.example:5433"])
        #expect(address.host == "db.example")
        #expect(address.port == 5433)
        #expect(address.database == "acme")
    }

    @Test func partsArePercentDecoded() throws {
        let address = try #require(PostgresAddress("postgresql://al%40ice:p%40ss%3Aw%2Frd%25@db.example/my%20db+x"))
        #expect(address.user == "al@ice")
        #expect(address.password == "p@ss:w/rd%")
        #expect(address.host == "db.example")
        #expect(address.database == "my db+x", "'+' stays '+', as in libpq")
        let socket = try #require(PostgresAddress("postgres://%2Fvar%2Frun%2Fpostgresql/acme"))
        #expect(socket.host == "/var/run/postgresql")
        #expect(socket.hosts == ["/var/run/postgresql"])
    }

    @Test func multiHostURLsListEveryHostAndTakeTheFirst() throws {
        let address = try #require(PostgresAddress("postgres://u@a.example:1,b.example:2/db"))
        #expect(address.hosts == ["a.example:1", "b.example:2"])
        #expect(address.host == "a.example")
        #expect(address.port == 1)
        let firstWithoutPort = try #require(PostgresAddress("postgres://a,b:2/db"))
        #expect(firstWithoutPort.hosts == ["a", "b:2"])
        #expect(firstWithoutPort.host == "a")
        #expect(firstWithoutPort.port == nil)
    }

    @Test func ipv6HostsAreInBrackets() throws {
        let address = try #require(PostgresAddress("postgres://u:pw@[::1]:5432/db"))
        #expect(address.hosts == ["[::1]:5432"])
        #expect(address.host == "::1")
        #expect(address.port == 5432)
        #expect(address.password == "pw")
        let two = try #require(PostgresAddress("postgresql://[2001:db8::1],[2001:db8::2]:6432/db"))
        #expect(two.hosts == ["[2001:db8::1]", "[2001:db8::2]:6432"])
        #expect(two.host == "2001:db8::1")
        #expect(two.port == nil)
    }

    @Test func queryParametersWinOverTheURLsParts() throws {
        let address = try #require(PostgresAddress("postgres://h/db?sslmode=require&password=x%26y&user=bob"))
        #expect(address.user == "bob")
        #expect(address.password == "x&y")
        #expect(address.database == "db")
        let overridden = try #require(PostgresAddress("postgres://a:1@h/one?user=b&password=2&dbname=two"))
        #expect(overridden.user == "b" && overridden.password == "2" && overridden.database == "two")
        let socket = try #require(PostgresAddress("postgresql:///acme?host=/var/run/postgresql&port=5433"))
        #expect(socket.host == "/var/run/postgresql")
        #expect(socket.hosts == ["/var/run/postgresql:5433"])
        #expect(socket.port == 5433)
        #expect(socket.database == "acme")
        let queryHosts = try #require(PostgresAddress("postgres:///db?host=a,b&port=7"))
        #expect(queryHosts.hosts == ["a:7", "b:7"], "one port serves every host, as in libpq")
    }

    @Test func aURLWithoutUserinfoHasNoUserOrPassword() throws {
        let address = try #require(PostgresAddress("postgres://db.example/acme"))
        #expect(address.user == nil && address.password == nil)
        #expect(address.hosts == ["db.example"] && address.port == nil && address.database == "acme")
        let userOnly = try #require(PostgresAddress("postgres://alice@db.example"))
        #expect(userOnly.user == "alice" && userOnly.password == nil && userOnly.database == nil)
        let bare = try #require(PostgresAddress("postgres://"))
        #expect(bare == PostgresAddress("postgresql://"))
        #expect(bare.hosts.isEmpty && bare.host == nil && bare.port == nil && bare.database == nil)
        let empties = try #require(PostgresAddress("postgres://:@/"))
        #expect(empties.user == nil && empties.password == nil && empties.database == nil, "empty is not given, as in libpq")
    }

    @Test func theSchemeMatchesInAnyCase() throws {
        let address = try #require(PostgresAddress("POSTGRES://Alice:PW@DB.Example/Acme"))
        #expect(address.user == "Alice" && address.password == "PW" && address.host == "DB.Example" && address.database == "Acme")
        #expect(PostgresAddress("PostgreSQL://h/db")?.host == "h")
    }

    @Test func aRawAtSignInThePasswordOrUserSplitsAtTheLastOne() throws {
        let address = try #require(PostgresAddress("postgres://u:p@ss@db.example/acme"))
        #expect(address.user == "u" && address.password == "p@ss" && address.host == "db.example")
        // Azure's "user@server" user names, typed raw.
        let azure = try #require(PostgresAddress("postgres://admin@srv:pw@srv.postgres.example:5432/db"))
        #expect(azure.user == "admin@srv" && azure.password == "pw" && azure.host == "srv.postgres.example")
        // A raw "?" or "/" in the password.
        let odd = try #require(PostgresAddress("postgres://u:p?w/x@h/db?sslmode=require"))
        #expect(odd.password == "p?w/x" && odd.host == "h" && odd.database == "db")
        // A "@" in a query value is no separator.
        let query = try #require(PostgresAddress("postgres://h/db?user=a@b"))
        #expect(query.user == "a@b" && query.host == "h" && query.database == "db")
    }

    @Test(arguments: ["mysql://u:p@h/db", "postgresx://h/db", "postgres:/h/db", "postgres:h", "/srv/acme.db",
                      "file:///srv/acme.db", "workspace::postgres://h/db", " postgres://h/db", "", "postgres"])
    func otherURLsAreNotPostgres(url: String) {
        #expect(PostgresAddress(url) == nil)
        #expect(!StoreAddress.isPostgres(url))
    }

    @Test func isPostgresAcceptsBothSchemesInAnyCase() {
        for url in ["postgres://h/db", "postgresql://h/db", "POSTGRESQL://", "PostGres://u:p@h"] {
            #expect(StoreAddress.isPostgres(url), "\(url)")
        }
    }

    @Test(arguments: ["postgres://@", "postgres://:", "postgres://[", "postgres://[::1", "postgres://]:x",
                      "postgres://h:/", "postgres://h:99999999999999999999999/db", "postgres://h:-5/db", "postgres://%",
                      "postgres://%zz@h/%4", "postgres://?", "postgres://???@@@===&&&", "postgres://h/db?&&=&password",
                      "postgres://h/db?password", "postgres://ü:ö@ä/ß?ñ=ç", "postgres://u:p\u{0}w@h",
                      "postgres://,,,/", "postgres://u:pw@h/db?password=", "postgres://////", "postgres://@@/@?@=@&@",
                      "text postgres://", "postgres://postgres://u:p@h", "x postgresql://u:p@@ y"])
    func oddInputNeverCrashes(text: String) {
        _ = PostgresAddress(text)
        let redacted = StoreAddress.redacted(text)
        let stripped = StoreAddress.withoutPassword(text)
        #expect(StoreAddress.redacted(redacted) == redacted, "redacting twice changes nothing")
        #expect(StoreAddress.withoutPassword(stripped) == stripped)
    }

    @Test func oddPortsAreNil() {
        #expect(PostgresAddress("postgres://h:99999999999999999999999/db")?.port == nil)
        #expect(PostgresAddress("postgres://h:abc/db")?.port == nil)
        #expect(PostgresAddress("postgres://h:abc/db")?.hosts == ["h:abc"])
        #expect(PostgresAddress("postgres://h:/db")?.port == nil)
    }

    // MARK: Redaction

    @Test func aURLInASentenceLosesOnlyItsPassword() {
        #expect(StoreAddress.redacted("cannot open the store at 'postgres://u:pw@h/db': connection refused")
                == "cannot open the store at 'postgres://u:***@h/db': connection refused")
        #expect(StoreAddress.redacted("store \"postgresql://alice:s3cret@db.example:5432/acme?sslmode=require\".")
                == "store \"postgresql://alice:***@db.example:5432/acme?sslmode=require\".")
    }

    @Test func theWorkspacePrefixStays() {
        #expect(StoreAddress.redacted("git clone workspace::postgresql://alice:s3cret@db.example:5432/acme acme")
                == "git clone workspace::postgresql://alice:***@db.example:5432/acme acme")
    }

    @Test func rawAtSignsAndOtherDelimitersInPasswordsAreHidden() {
        #expect(StoreAddress.redacted("postgres://u:p@ss@h/db") == "postgres://u:***@h/db")
        #expect(StoreAddress.redacted("postgres://u:p@ss:w@rd@h:5432/db") == "postgres://u:***@h:5432/db")
        #expect(StoreAddress.redacted("postgres://admin@srv:pw@h/db") == "postgres://admin@srv:***@h/db")
        #expect(StoreAddress.redacted("postgres://u:p?w/x@h/db?sslmode=require") == "postgres://u:***@h/db?sslmode=require")
        #expect(StoreAddress.redacted("postgres://u:p%40ss%3A@h/db") == "postgres://u:***@h/db")
        #expect(StoreAddress.redacted("postgres://u:pw@h/db?user=a@b") == "postgres://u:***@h/db?user=a@b")
    }

    @Test func queryPasswordsAreHidden() {
        #expect(StoreAddress.redacted("postgres://h/db?sslmode=require&password=x")
                == "postgres://h/db?sslmode=require&password=***")
        #expect(StoreAddress.redacted("postgres://u:a@h/db?password=b&sslmode=require")
                == "postgres://u:***@h/db?password=***&sslmode=require")
        #expect(StoreAddress.redacted("postgres://h/db?PASSWORD=x&pass%77ord=y")
                == "postgres://h/db?PASSWORD=***&pass%77ord=***")
    }

    @Test(arguments: ["postgres://u@h/db", "no URL here", "postgres://h/db?sslmode=require", "/srv/acme.db",
                      "", "mysql://u:p@h/db", "postgres://u:@h/db?password=", "workspace::postgres://h:5432/db",
                      "postgres://h/my@db"])
    func textWithoutAPasswordIsUnchanged(text: String) {
        #expect(StoreAddress.redacted(text) == text)
    }

    @Test func everyURLInTheTextIsRedacted() {
        #expect(StoreAddress.redacted("copy postgres://a:one@h/x to POSTGRESQL://b:two@k/y?password=three then retry")
                == "copy postgres://a:***@h/x to POSTGRESQL://b:***@k/y?password=*** then retry")
        // A URL runs to white space, so punctuation right after it is hidden with a query
        // password: hiding too much is the safe side.
        #expect(StoreAddress.redacted("(postgres://h/db?password=x), postgres://u:pw@h/db.")
                == "(postgres://h/db?password=*** postgres://u:***@h/db.")
    }

    @Test(arguments: ["s3cret", "p@ss", "p:ss", "p/ss", "p?ss", "p@:?/#&=ss", "üñí©ødé", "p%40ss", "--sekret--"])
    func noPasswordSurvivesRedaction(password: String) {
        let texts = [
            "postgres://alice:\(password)@db.example:5432/acme",
            "fatal: 'workspace::postgresql://alice:\(password)@[::1]/acme' failed",
            "postgres://db.example/acme?sslmode=require&password=\(password)",
        ]
        for text in texts {
            let redacted = StoreAddress.redacted(text)
            #expect(!redacted.contains(password), "\(redacted)")
            #expect(redacted.contains("***"))
            #expect(!StoreAddress.withoutPassword(text).contains(password))
        }
    }

    // MARK: Without the password

    @Test func withoutPasswordDropsBothKinds() {
        #expect(StoreAddress.withoutPassword("postgres://u:pw@h:5432/db") == "postgres://u@h:5432/db")
        #expect(StoreAddress.withoutPassword("workspace::postgres://u:p@ss@h/db") == "workspace::postgres://u@h/db")
        #expect(StoreAddress.withoutPassword("postgres://:pw@h/db") == "postgres://h/db")
        #expect(StoreAddress.withoutPassword("postgres://u@h/db?password=x&sslmode=require") == "postgres://u@h/db?sslmode=require")
        #expect(StoreAddress.withoutPassword("postgres://h/db?sslmode=require&password=x") == "postgres://h/db?sslmode=require")
        #expect(StoreAddress.withoutPassword("postgres://u:a@h/db?password=b") == "postgres://u@h/db")
        #expect(StoreAddress.withoutPassword("postgres://u:@h/db") == "postgres://u@h/db")
        let stripped = StoreAddress.withoutPassword("postgresql://al%40ice:p%40ss@[::1]:5432/acme?password=x&connect_timeout=5")
        #expect(stripped == "postgresql://al%40ice@[::1]:5432/acme?connect_timeout=5")
        let address = PostgresAddress(stripped)
        #expect(address?.password == nil && address?.user == "al@ice" && address?.hosts == ["[::1]:5432"])
    }

    @Test(arguments: ["postgres://u@h/db", "postgres://h/db?sslmode=require", "/srv/acme.db", "mysql://u:p@h/db",
                      "file:///srv/acme.db", ""])
    func withoutPasswordLeavesOtherAddressesAlone(url: String) {
        #expect(StoreAddress.withoutPassword(url) == url)
    }

    // MARK: git credential

    /// An environment whose only git configuration is `credential.helper` = git's `store`
    /// helper writing `scratch/credentials` (nil helper: no helper at all).
    static func gitEnvironment(_ scratch: ScratchDirectory, helper: Bool = true) throws -> [String: String] {
        let config = helper ? "[credential]\n\thelper = store --file=\(scratch.path("credentials"))\n" : ""
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = try scratch.write("gitconfig", config)
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["HOME"] = scratch.path("home")
        environment["XDG_CONFIG_HOME"] = scratch.path("home/.config")
        return environment
    }

    /// The lines of the store helper's file (none when it does not exist).
    static func storedLines(_ scratch: ScratchDirectory) -> [String] {
        guard let text = try? String(contentsOfFile: scratch.path("credentials"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    @Test func approveFillAndRejectGoThroughGitsHelpers() throws {
        let scratch = try ScratchDirectory("credential")
        let environment = try Self.gitEnvironment(scratch)
        let address = try #require(PostgresAddress("postgres://al%40ice@db.example:5433/acme"))
        #expect(GitCredential.fill(for: address, environment: environment) == nil, "nothing stored yet")

        let credential = GitCredential(host: "db.example:5433", path: "acme", username: "al@ice", password: "p@ss:w/rd")
        credential.approve(environment: environment)
        // git's store helper writes one URL per credential, every part percent-encoded.
        let lines = Self.storedLines(scratch)
        #expect(lines.count == 1, "\(lines)")
        let stored = try #require(lines.first.flatMap(PostgresAddress.init))
        #expect(stored.user == "al@ice" && stored.password == "p@ss:w/rd", "\(lines)")
        #expect(stored.host == "db.example:5433" && stored.database == "acme", "\(lines)")

        #expect(GitCredential.fill(for: address, environment: environment) == credential)
        // Without a user in the URL the helper says whose password it is.
        let anyUser = try #require(PostgresAddress("postgresql://db.example:5433/acme"))
        #expect(GitCredential.fill(for: anyUser, environment: environment) == credential)
        // The path is the database: another database of the same server is another credential.
        let otherDatabase = try #require(PostgresAddress("postgres://al%40ice@db.example:5433/other"))
        #expect(GitCredential.fill(for: otherDatabase, environment: environment) == nil)
        let otherUser = try #require(PostgresAddress("postgres://bob@db.example:5433/acme"))
        #expect(GitCredential.fill(for: otherUser, environment: environment) == nil)

        credential.reject(environment: environment)
        #expect(Self.storedLines(scratch).isEmpty, "\(Self.storedLines(scratch))")
        #expect(GitCredential.fill(for: address, environment: environment) == nil)
    }

    @Test func gitNeverPromptsOrRunsAnAskpassProgram() throws {
        let scratch = try ScratchDirectory("credential")
        var environment = try Self.gitEnvironment(scratch, helper: false)
        let askpass = try scratch.write("askpass", "#!/bin/sh\necho from-askpass\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: askpass)
        environment["GIT_ASKPASS"] = askpass
        environment["SSH_ASKPASS"] = askpass
        environment["GIT_TERMINAL_PROMPT"] = "1"
        let address = try #require(PostgresAddress("postgres://alice@db.example/acme"))
        // Returning at all proves git did not wait for an answer.
        #expect(GitCredential.fill(for: address, environment: environment) == nil)
    }

    @Test func withoutGitThereIsNoCredential() throws {
        let scratch = try ScratchDirectory("credential")
        var environment = try Self.gitEnvironment(scratch)
        environment["PATH"] = scratch.path("no-such-directory")
        let address = try #require(PostgresAddress("postgres://alice@db.example/acme"))
        #expect(GitCredential.fill(for: address, environment: environment) == nil)
        GitCredential(host: "db.example", path: "acme", username: "alice", password: "pw").approve(environment: environment)
        #expect(Self.storedLines(scratch).isEmpty)
    }

    @Test func valuesThatWouldForgeAFieldAreNeverSent() throws {
        let scratch = try ScratchDirectory("credential")
        let environment = try Self.gitEnvironment(scratch)
        for password in ["pw\nhost=evil.example", "pw\rhost=evil.example", "pw\0x"] {
            GitCredential(host: "db.example", path: "acme", username: "alice", password: password).approve(environment: environment)
        }
        GitCredential(host: "db.example", path: "acme\nx", username: "alice", password: "pw").approve(environment: environment)
        #expect(Self.storedLines(scratch).isEmpty, "\(Self.storedLines(scratch))")

        GitCredential(host: "db.example", path: "acme", username: "alice", password: "pw").approve(environment: environment)
        #expect(Self.storedLines(scratch).count == 1)
        let forged = try #require(PostgresAddress("postgres://alice@db.example/acme%0Apath=x"))
        #expect(GitCredential.fill(for: forged, environment: environment) == nil)
        let newlineUser = try #require(PostgresAddress("postgres://alice%0D@db.example/acme"))
        #expect(GitCredential.fill(for: newlineUser, environment: environment) == nil)
    }

    @Test func theCredentialHostNamesTheFirstServerAndItsPort() throws {
        func host(_ url: String) throws -> String { GitCredential.credentialHost(for: try #require(PostgresAddress(url))) }
        #expect(try host("postgres://u@db.example/acme") == "db.example")
        #expect(try host("postgres://u@db.example:5433/acme") == "db.example:5433")
        #expect(try host("postgres://a:1,b:2/acme") == "a:1")
        #expect(try host("postgres://[::1]:5432/acme") == "[::1]:5432")
        #expect(try host("postgres://[::1]/acme") == "[::1]")
        #expect(try host("postgres:///acme") == "localhost", "the default Unix-domain socket, as .pgpass names it")
        #expect(try host("postgres://%2Ftmp:5433/acme") == "localhost:5433")
        #expect(try host("postgres:///acme?host=/var/run/postgresql") == "localhost")
    }
}
