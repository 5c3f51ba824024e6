import Foundation
import Testing
@testable import WorkspaceSpec
import WorkspaceTestSupport
import YAML

/// Credentials never enter the store: credential-named keys in variable values and
/// credential-shaped literals in every document are refused, by position, without the value.
@Suite struct CredentialTests {
    static func variable(_ values: String) -> String {
        "version: 1\ntype: variable\nid: db\nname: db\nvalues:\n" + values
    }

    static func workflow(args: String) -> String {
        "version: 1\ntype: workflow\nid: w\ndefinition:\n  title: W\n  actions:\n    - ref: a\n      action: core.noop\n      args:\n" + args
    }

    func load(_ text: String, _ kind: any ResourceKind.Type = VariableKind.self) -> [Diagnostic] {
        let path = kind == VariableKind.self ? "variables/db.yml" : "workflows/w/definition.yml"
        let id = kind == VariableKind.self ? "db" : "w"
        return ResourceLoader.load(Array(text.utf8), path: path, kind: kind, expectedID: id).diagnostics
    }

    func credentialErrors(_ text: String, _ kind: any ResourceKind.Type = VariableKind.self) -> [Diagnostic] {
        load(text, kind).filter { $0.rule.hasPrefix("credential-") }
    }

    // MARK: credential-key

    @Test func passwordUnderValuesIsRefusedAtTheValueWithoutEchoingIt() {
        let found = credentialErrors(Self.variable("  default:\n    user: app\n    password: hunter2\n"))
        #expect(found.map(\.description) == [
            "variables/db.yml:8:15: error: a value under key 'password' looks like a credential; keep secrets in the application's secret store and refer to them as ${{ SECRETS.<name>.<key> }}",
        ])
        #expect(!found.contains { $0.description.contains("hunter2") })
    }

    @Test func credentialKeysAtAnyDepthInSequencesAndNestedMappings() {
        let text = Self.variable("""
          default:
            db: {connection: {dbPassword: s3cr3t, host: db.internal}}
            api_keys: [one, two]
            credentials: {username: bob, password: ""}
            X-Api-Key: 12345
          production:
            slack_token: prod-value

        """)
        let found = credentialErrors(text)
        #expect(found.map { "\($0.mark!.line):\($0.mark!.column)" } == ["7:35", "8:16", "8:21", "9:29", "10:16", "12:18"])
        #expect(found.allSatisfy { $0.rule == "credential-key" })
        #expect(found.map(\.message).contains { $0.contains("key 'credentials'") })
    }

    @Test func referencesEmptyValuesSwitchesAndOrdinaryKeysStay() {
        let text = Self.variable("""
          default:
            password: ""
            secret: null
            token: true
            api_key: "${{ SECRETS.db.api_key }}"
            authorization: "Bearer ${{ SECRETS.api.token }}"
            token_url: https://auth.example.com/token
            password_policy: strict
            max_tokens: 1000
            next_page_token: abc
            aws_access_key_id_name: reader
            secret_name: db

        """)
        #expect(credentialErrors(text).isEmpty, "\(credentialErrors(text))")
    }

    @Test func environmentNamesAreNotValueKeys() {
        #expect(credentialErrors(Self.variable("  token: {channel: alerts}\n")).isEmpty)
    }

    @Test func topLevelSecretKeysAreRefusedAtTheKey() {
        let found = credentialErrors(Self.variable("  default: {a: 1}\nsecret: hunter2\napi_token: \"\"\n"))
        #expect(found.map { "\($0.rule) \($0.mark!.line):\($0.mark!.column)" } == ["credential-key 7:1", "credential-key 8:1"])
        #expect(!found.contains { $0.message.contains("hunter2") })
    }

    @Test func workflowArgsAreNotSubjectToTheKeyRule() {
        #expect(credentialErrors(Self.workflow(args: "        password: hunter2\n"), WorkflowKind.self).isEmpty)
    }

    @Test(arguments: [
        "password", "Password", "DB_PASSWORD", "db-password", "dbPassword", "password2", "passwd", "passphrase",
        "secret", "secrets", "client_secret", "clientSecret", "webhook.secret", "token", "slack_token", "githubToken",
        "oauth2_token", "csrf_token", "access_token", "api_key", "apiKey", "APIKey", "X-API-Key", "apikey",
        "private_key", "ssh-private-key", "signing_keys", "secret_key", "aws_secret_access_key", "access_key", "signing_key",
        "credentials", "creds", "authorization", "Authorization",
    ])
    func credentialNames(_ key: String) {
        #expect(Credentials.isCredentialName(key))
    }

    @Test(arguments: [
        "token_url", "token_type", "password_policy", "password_min_length", "max_tokens", "tokens", "next_token",
        "nextPageToken", "page_token", "secret_name", "aws_access_key_id", "private_key_id", "public_key", "key",
        "api_key_header", "tokenizer", "author", "username", "channel", "keys", "secretary", "pwd", "X-Atlassian-Token",
    ])
    func ordinaryNames(_ key: String) {
        #expect(!Credentials.isCredentialName(key))
    }

    // MARK: credential-literal

    @Test func everyNamedFormatIsFoundAndNeverEchoed() {
        var fake = FakeCredentials()
        for (noun, secret) in fake.samples() {
            #expect(Credentials.literalCredentials(in: secret) == [noun], "\(noun)")
            #expect(Credentials.literalCredentials(in: "see (" + secret + "), then") == [noun], "\(noun) in prose")
            let args = "        note: \(Self.quoted(secret))\n"
            let found = credentialErrors(Self.workflow(args: args), WorkflowKind.self)
            #expect(found.map(\.rule) == ["credential-literal"], "\(noun): \(found)")
            #expect(found.first.map { "\($0.mark!.line):\($0.mark!.column)" } == "10:15", "\(noun)")
            #expect(found.first?.message.contains(noun) == true)
            for diagnostic in found {
                let text = diagnostic.description + "\(diagnostic.jsonValue)"
                #expect(!text.contains(secret) && !text.contains(String(secret.suffix(12))), "\(noun) echoed")
            }
        }
    }

    @Test func everyShapeInTheTableMatchesAGeneratedSample() {
        var fake = FakeCredentials(seed: 7)
        for shape in CredentialShapes.all where shape.extra == nil {
            let alphabet = String((48..<123).map { UInt8($0) }.filter(shape.body.contains).map { Character(Unicode.Scalar($0)) })
            for prefix in shape.prefixes {
                let sample = prefix + fake.text(alphabet, shape.length.lowerBound)
                #expect(Credentials.literalCredentials(in: "x=" + sample + ";") == [shape.noun], "\(shape.id) \(prefix)")
                #expect(Credentials.literalCredentials(in: "x" + sample).isEmpty, "\(shape.id) \(prefix) after a letter")
            }
        }
    }

    @Test func lookalikesAndPlaceholdersPass() {
        var fake = FakeCredentials(seed: 11)
        for text in fake.lookalikes() {
            #expect(Credentials.literalCredentials(in: text).isEmpty, "\(text)")
        }
    }

    @Test func aLiteralUnderACredentialKeyIsReportedOnce() {
        var fake = FakeCredentials()
        let secret = "gh" + "p_" + fake.text(FakeCredentials.alnum, 36)
        let found = credentialErrors(Self.variable("  default:\n    github_token: \(secret)\n"))
        #expect(found.map(\.rule) == ["credential-literal"])
        #expect(found.first?.message.hasPrefix("this string holds what looks like a GitHub token; keep secrets") == true)
    }

    @Test func keysAndBlockScalarsAreScannedToo() {
        var fake = FakeCredentials()
        let key = "AK" + "IA" + fake.text(FakeCredentials.base32, 16)
        let pem = fake.pem("EC PRIVATE KEY").split(separator: "\n").map { "          " + $0 }.joined(separator: "\n")
        let found = credentialErrors(Self.workflow(args: "        \(key): user\n        key: |\n\(pem)\n"), WorkflowKind.self)
        #expect(found.map { "\($0.mark!.line):\($0.mark!.column)" } == ["10:9", "11:14"])
        #expect(found.first?.message.hasPrefix("this key holds what looks like an AWS access key id;") == true)
        #expect(found.last?.message.hasPrefix("this string holds what looks like a private key block;") == true)
    }

    /// A service account file pasted as JSON text keeps its key's line ends as `\n`.
    @Test func privateKeyInsideJSONTextIsFound() {
        var fake = FakeCredentials()
        let escaped = fake.pem("PRIVATE KEY").replacingOccurrences(of: "\n", with: "\\n")
        let json = #"{"type": "service_account", "private_key_id": "abc", "private_key": ""# + escaped + #"", "client_email": "x@y"}"#
        #expect(Credentials.literalCredentials(in: json) == ["a private key block"])
    }

    @Test func hostileInputStaysLinear() {
        let text = String(repeating: "sk-", count: 200_000) + String(repeating: "ey" + "J.", count: 200_000)
        #expect(Credentials.literalCredentials(in: text).isEmpty)
    }

    /// No credential-shaped literal anywhere in the real corpus: the rule would otherwise trip
    /// on ordinary workflows (or the corpus holds a leak, which must be reported, not hidden).
    @Test func corpusHoldsNoCredentialLiterals() throws {
        let files = TestPaths.corpusYAMLFiles()
        #expect(files.count > 900)
        for url in files {
            let node = try YAMLParser.parse(Array(try Data(contentsOf: url)))
            var sink = DiagnosticSink(path: url.lastPathComponent)
            Credentials.check(node, into: &sink)
            #expect(sink.diagnostics.isEmpty, "\(sink.diagnostics)")
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
