import Testing
import WorkspaceSpec

/// The second kind goes through the same loader and tree validator as workflows.
@Suite struct VariableKindTests {
    static let variable = """
    version: 1
    type: variable
    id: slack
    name: slack
    values:
      default: {channel: "#alerts", retries: null}
    """

    static func workflow(using name: String) -> String {
        """
        version: 1
        type: workflow
        id: w
        definition:
          title: W
          actions:
            - ref: a
              action: core.noop
              args: {to: "${{ VARS.\(name).channel }}"}
        """
    }

    func validate(_ files: [String: String]) -> TreeValidator.Report {
        TreeValidator.validate(paths: files.keys.map { Array($0.utf8) }) { Array(files[$0]!.utf8) }
    }

    @Test func variableAndReferenceValidate() {
        let report = validate(["variables/slack.yml": Self.variable, "workflows/w/definition.yml": Self.workflow(using: "slack")])
        #expect(report.isValid, "\(report.diagnostics)")
        #expect(report.resources.map(\.spec.kindName).sorted() == ["variable", "workflow"])
        let variable = report.resources.first { $0.spec.kindName == "variable" }!.spec
        #expect(variable.value["values"]?["default"]?["retries"] == .null)
        #expect(variable.canonicalText().hasPrefix("version: 1\ntype: variable\nid: slack\nname: slack\n"))
    }

    @Test func unknownVariableIsReported() {
        let report = validate(["variables/slack.yml": Self.variable, "workflows/w/definition.yml": Self.workflow(using: "teams")])
        #expect(report.diagnostics.map(\.description) == ["workflows/w/definition.yml:9:18: error: variable 'teams' is not defined in this tree"])
    }

    @Test func secretsAreRefused() {
        let report = validate(["variables/slack.yml": Self.variable + "\nsecret: hunter2\n"])
        #expect(report.diagnostics.contains { $0.rule == "credential-key" && $0.mark?.line == 7 })
        #expect(!report.isValid)
    }
}
