import Foundation
import Testing
import WorkspaceTestSupport

/// Credentials never enter the store, whichever door a document takes: a push, `git workspace
/// validate` and `git workspace app put` refuse the same documents, say where, never echo
/// the value, and leave the store byte-identical (DESIGN invariant 10).
@Suite struct CredentialPushTests {
    struct Leak: CustomStringConvertible, Sendable {
        var name: String
        var path: String
        var text: String
        /// `path:line:column: error: ` as the push and `validate` print it.
        var diagnostic: String
        /// What the message says instead of the value.
        var says: String
        /// The credential (or a telling part of it), which no output may contain.
        var secret: String
        var description: String { name }
    }

    /// An AWS access key id, built here so the repository holds none.
    static let accessKeyID = "AK" + "IA" + "IOSFODNN7EXAMPLE"

    static let cases: [Leak] = [
        Leak(name: "variable password", path: "variables/db.yml",
             text: "version: 1\ntype: variable\nid: db\nname: db\nvalues:\n  default:\n    host: db.internal\n    password: hunter2\n",
             diagnostic: "variables/db.yml:8:15: error: ",
             says: "a value under key 'password' looks like a credential; keep secrets in the application's secret store",
             secret: "hunter2"),
        Leak(name: "AWS key id in action args", path: "workflows/aws/definition.yml",
             text: workflow(accessKeyID: accessKeyID),
             diagnostic: "workflows/aws/definition.yml:10:24: error: ",
             says: "this string holds what looks like an AWS access key id; keep secrets in the application's secret store",
             secret: "IOSFODNN7EXAMPLE"),
    ]

    /// The workflow `aws` calling an AWS tool with `accessKeyID` as its key id argument.
    static func workflow(accessKeyID: String) -> String {
        """
        version: 1
        type: workflow
        id: aws
        definition:
          title: AWS
          actions:
            - ref: list
              action: tools.aws.call
              args:
                access_key_id: \(accessKeyID)
                secret_access_key: "${{ SECRETS.aws.secret_access_key }}"

        """
    }

    @Test(arguments: cases)
    func pushIsRefusedNamingThePlaceNotTheValue(_ leak: Leak) throws {
        let ws = try WorkspaceFixture("leak")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        let before = try ws.dump()
        try ws.write(clone, leak.path, leak.text)
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", leak.name)
        let push = try clone.git("push")
        #expect(push.status != 0)
        #expect(push.stderr.contains("! [remote rejected] main -> main"), "\(push)")
        let line = push.stderr.split(separator: "\n").first { $0.hasPrefix(leak.diagnostic) }
        #expect(line?.contains(leak.says) == true, "\(leak.name): \(push.stderr)")
        #expect(!push.stderr.contains(leak.secret) && !push.stdout.contains(leak.secret))
        #expect(try ws.dump() == before)
    }

    @Test(arguments: cases)
    func validateRefusesTheSameDocument(_ leak: Leak) throws {
        let ws = try WorkspaceFixture("leak-validate")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        try ws.write(clone, leak.path, leak.text)
        for arguments in [["workspace", "validate"], ["workspace", "validate", leak.path], ["workspace", "validate", "--staged"]] {
            if arguments.last == "--staged" { try clone.git("add", "-A") }
            let result = try clone.run(["git"] + arguments)
            #expect(result.status == 1, "\(arguments): \(result)")
            #expect(result.stderr.contains(leak.diagnostic + leak.says), "\(arguments): \(result)")
            #expect(!result.stderr.contains(leak.secret) && !result.stdout.contains(leak.secret))
        }
        let json = try clone.run(["git", "workspace", "validate", "--json"])
        #expect(json.status == 1 && json.stdout.contains("credential-") && !json.stdout.contains(leak.secret), "\(json)")
    }

    @Test(arguments: cases)
    func appPutRefusesTheSameDocument(_ leak: Leak) throws {
        let ws = try WorkspaceFixture("leak-put")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let before = try ws.dump()
        let put = try ws.run.run(["git", "workspace", "app", "put", "\(ws.store)#main", "--file", "-"], stdin: leak.text)
        #expect(put.status == 1, "\(put)")
        // The user's own text: the same line and column as in the repository file, named <stdin>.
        let position = leak.diagnostic.dropFirst(leak.path.count)
        #expect(put.stderr.contains("<stdin>" + position + leak.says), "\(put)")
        #expect(!put.stderr.contains(leak.secret) && !put.stdout.contains(leak.secret))
        #expect(try ws.dump() == before)
    }

    /// References to the secret store are what the refusals point to, and they go through.
    @Test func secretReferencesPushAndArrive() throws {
        let ws = try WorkspaceFixture("refs")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        let clone = try ws.clone("c")
        try ws.write(clone, "workflows/aws/definition.yml", Self.workflow(accessKeyID: "\"${{ SECRETS.aws.access_key_id }}\""))
        try ws.write(clone, "variables/db.yml", """
            version: 1
            type: variable
            id: db
            name: db
            values:
              default:
                host: db.internal
                password: "${{ SECRETS.db.password }}"
                token_url: https://auth.example.com/token
                max_tokens: 1000

            """)
        try clone.git("add", "-A")
        try clone.git("commit", "-qm", "Use secret references")
        #expect(try clone.run(["git", "workspace", "validate"]).status == 0)
        let push = try clone.git("push")
        #expect(push.status == 0, "\(push)")
        let shown = try ws.show("aws")
        #expect("\(shown)".contains("SECRETS.aws.access_key_id"), "\(shown)")
        #expect(try ws.show("db").description.contains("SECRETS.db.password"))
    }
}
