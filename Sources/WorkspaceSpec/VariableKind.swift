import YAML

/// A variable: named, non-secret values per environment.
///
/// ```yaml
/// version: 1
/// type: variable
/// id: slack              # = the file name without .yml
/// name: slack            # what expressions use: ${{ VARS.slack.channel }}
/// description: Where alerts go
/// values:                # per environment, free-form values
///   default: {channel: "#alerts"}
///   production: {channel: "#prod-alerts"}
/// ```
/// Secret values never live in a repository: a top-level key named like a credential
/// (`secret`, `secrets`, `password`, …) is refused whatever its value, and inside `values` a
/// key named like a credential may not hold a literal (`Credentials`, rule `credential-key`).
public enum VariableKind: CredentialKeyedKind {
    public static let name = "variable"
    public static let rootKey = "variables"
    public static let defaultRoot = "variables/"
    public static let layout = PathLayout.file(suffix: ".yml")

    public static let schema = Shape.object([
        CommonFields.version, CommonFields.type, CommonFields.id,
        Field("name", .string, required: true),
        Field("description", .string, default: .string("")),
        Field("values", .map(.map(.data)), default: .object([:])),
    ], unknown: .refuse)

    public static func sourceIDNames(_ document: Value) -> [String?] {
        [document["name"]?.stringValue]
    }

    /// Values per environment are free-form data: credential-named keys are checked inside.
    public static let credentialKeyRoots = ["values"]

    /// Top-level keys refused besides credential names: older spellings of a secret's value.
    static let secretKeys: Set<String> = ["secret_value", "secret_values"]

    public static func check(_ document: Node, into sink: inout DiagnosticSink, findings: inout KindFindings) {
        for pair in document.pairs ?? [] where secretKeys.contains(pair.key) || Credentials.isCredentialName(pair.key) {
            sink.error("credential-key", "variables never carry secret values (key '\(pair.key)'); \(Credentials.advice)", at: pair.keyMark)
        }
        if let nameNode = document["name"], let name = nameNode.string {
            if name.isEmpty || !name.unicodeScalars.allSatisfy(Expressions.isIdentifier)
                || ("0"..."9").contains(name.unicodeScalars.first!) {
                sink.error("variable-name", "variable name '\(name)' must be letters, digits and '_', not starting with a digit (it is used as VARS.\(name))", at: nameNode.mark)
            } else {
                findings.exports.append(Export("variable", name, at: nameNode.mark))
            }
        }
    }
}
