import Foundation

/// One refused tree: its files and the diagnostic that must name the problem.
struct BadInput: CustomStringConvertible, Sendable {
    var name: String
    var files: [String: [UInt8]]
    /// `path:line:column: error: ` prefix and a fragment of the message.
    var location: String
    var fragment: String

    init(_ name: String, _ files: [String: String], _ location: String, _ fragment: String) {
        self.name = name
        self.files = files.mapValues { Array($0.utf8) }
        self.location = location
        self.fragment = fragment
    }

    init(_ name: String, bytes files: [String: [UInt8]], _ location: String, _ fragment: String) {
        self.name = name
        self.files = files
        self.location = location
        self.fragment = fragment
    }

    var description: String { name }
}

/// A valid workflow document with `actions` replaced; action lines start at line 7.
func workflow(_ id: String = "w", head: String = "", actions: String = """
    - ref: a
      action: core.noop
""", definition: String = "") -> String {
    """
version: 1
type: workflow
id: \(id)
\(head)definition:
  title: W
  actions:
\(actions)
\(definition)
"""
}

let wf = "workflows/w/definition.yml"

/// At least 40 ways to get a tree wrong, each with the diagnostic it must produce.
let badInputs: [BadInput] = [
    // YAML itself.
    BadInput("duplicate key", [wf: "version: 1\ntype: workflow\nid: w\ntype: workflow\n"], "\(wf):4:1", "duplicate key \"type\" (first at line 2)"),
    BadInput("billion laughs", [wf: """
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """], "\(wf):7:8", "expanding *f would make the document more than"),
    BadInput("10 000-deep nesting", [wf: String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)], "\(wf):1:", "deep"),
    BadInput("50 MB file", [wf: "version: 1\n# " + String(repeating: "x", count: 50 << 20) + "\n"], "\(wf):1:1", "bytes, more than the 8388608 allowed"),
    BadInput("invalid UTF-8", bytes: [wf: Array("version: 1\ntype: workflow\nid: \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)], "\(wf):3:", "UTF-8"),
    BadInput("tab indentation", [wf: "version: 1\ndefinition:\n\ttitle: W\n"], "\(wf):3:1", "a tab character where YAML expects spaces"),
    BadInput("unclosed quote", [wf: "version: 1\ntype: \"workflow\nid: w\n"], "\(wf):", "quoted scalar"),
    BadInput("non-string key", [wf: "version: 1\n42: answer\n"], "\(wf):2:1", "key"),
    BadInput("unknown YAML alias", [wf: "version: 1\ntype: *nothing\n"], "\(wf):2:7", "alias"),
    BadInput("two documents", [wf: "version: 1\n---\nversion: 2\n"], "\(wf):", "document"),
    BadInput("unsupported tag", [wf: "version: !!binary aGk=\n"], "\(wf):1:10", "tag"),
    BadInput("a list, not a mapping", [wf: "- version: 1\n"], "\(wf):1:1", "must be a mapping"),

    // The workflow document.
    BadInput("unknown dependency", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          depends_on: [ghost]
    """)], "\(wf):9:20", "depends on unknown action 'ghost'"),
    BadInput("dependency cycle", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          depends_on: [c]
        - ref: b
          action: core.noop
          depends_on: [a]
        - ref: c
          action: core.noop
          depends_on: [b]
    """)], "\(wf):7:12", "dependency cycle: a -> c -> b -> a"),
    BadInput("self dependency", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          depends_on: [a]
    """)], "\(wf):7:12", "dependency cycle: a -> a"),
    BadInput("duplicate refs", [wf: workflow(actions: """
        - ref: a
          action: core.noop
        - ref: a
          action: core.other
    """)], "\(wf):9:12", "duplicate action ref 'a' (first defined at line 7)"),
    BadInput("ref not slug-shaped", [wf: workflow(actions: """
        - ref: Fetch-Data
          action: core.noop
    """)], "\(wf):7:12", "action ref 'Fetch-Data' must be lowercase"),
    BadInput("no actions", [wf: workflow(actions: "    []")], "\(wf):7:5", "at least one action"),
    BadInput("missing title", [wf: "version: 1\ntype: workflow\nid: w\ndefinition:\n  actions:\n    - ref: a\n      action: core.noop\n"], "\(wf):5:3", "definition needs 'title'"),
    BadInput("missing action name", [wf: workflow(actions: "    - ref: a\n")], "\(wf):7:7", "definition.actions[0] needs 'action'"),
    BadInput("unknown entrypoint", [wf: workflow(definition: "  entrypoint: {ref: nowhere}")], "\(wf):9:21", "entrypoint refers to unknown action 'nowhere'"),
    BadInput("unknown trigger entrypoint", [wf: workflow(definition: """
      triggers:
        - type: webhook
          ref: hook
          entrypoint: gone
    """)], "\(wf):12:19", "trigger entrypoint refers to unknown action 'gone'"),
    BadInput("expression names an unknown action", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          args: {x: "${{ ACTIONS.b.result }}"}
    """)], "\(wf):9:17", "expression refers to unknown action 'b'"),
    BadInput("run_if not an expression", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          run_if: "True"
    """)], "\(wf):9:15", "'run_if' of action 'a' must be an expression"),
    BadInput("for_each not an expression", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          for_each: [x in y]
    """)], "\(wf):9:18", "'for_each' of action 'a' must be an expression"),
    BadInput("wrong field type", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          depends_on: b
    """)], "\(wf):9:19", "definition.actions[0].depends_on must be a list of strings"),
    BadInput("title is a list", [wf: "version: 1\ntype: workflow\nid: w\ndefinition:\n  title: [a]\n  actions:\n    - ref: a\n      action: core.noop\n"], "\(wf):5:10", "definition.title must be a string"),
    BadInput("schedule without cron or every", [wf: workflow(head: "schedules:\n  - offset: 5m\n")], "\(wf):5:5", "schedule 1 needs 'cron' or 'every'"),
    BadInput("cron with four fields", [wf: workflow(head: "schedules:\n  - cron: \"0 * * *\"\n")], "\(wf):5:11", "5 fields"),
    BadInput("cron value out of range", [wf: workflow(head: "schedules:\n  - cron: \"61 * * * *\"\n")], "\(wf):5:11", "cron minute value 61 is out of range 0-59"),
    BadInput("bad interval", [wf: workflow(head: "schedules:\n  - every: soon\n")], "\(wf):5:12", "'soon' is not an interval"),
    BadInput("webhook method", [wf: workflow(head: "webhook:\n  methods: [POST, FETCH]\n")], "\(wf):5:19", "'FETCH' is not an HTTP method"),
    BadInput("document version 2", [wf: workflow().replacingOccurrences(of: "version: 1", with: "version: 2")], "\(wf):1:10", "unsupported document version"),
    BadInput("type says variable", [wf: workflow().replacingOccurrences(of: "type: workflow", with: "type: variable")], "\(wf):2:7", "its type is 'variable'"),
    BadInput("unknown top-level key", [wf: workflow(head: "owner: me\n")], "\(wf):4:1", "unknown key 'owner' in the workflow document"),

    // Source ids and paths.
    BadInput("id does not match its directory", [wf: workflow("other")], "\(wf):3:5", "id 'other' does not match its path, which says 'w'"),
    BadInput("'..' as source id", ["workflows/w/definition.yml": workflow("..")], "\(wf):3:5", "'..' is not a usable source id"),
    BadInput("directory name is not a source id", ["workflows/my flow/definition.yml": workflow("my flow")], "workflows/my flow/definition.yml:3:5", "contains ' '"),
    BadInput("case-colliding source ids", [
        "workflows/Triage/definition.yml": workflow("Triage"),
        "workflows/triage/definition.yml": workflow("triage"),
    ], "workflows/triage/definition.yml:1:1", "differs from 'Triage' only by case"),

    // Cross-resource references.
    BadInput("unknown child workflow alias", [wf: workflow(actions: """
        - ref: a
          action: core.workflow.execute
          args: {workflow_alias: missing_child}
    """)], "\(wf):9:30", "workflow alias 'missing_child' is not defined in this tree"),
    BadInput("duplicate workflow alias", [
        "workflows/a/definition.yml": workflow("a", head: "alias: same\n"),
        "workflows/b/definition.yml": workflow("b", head: "alias: same\n"),
    ], "workflows/b/definition.yml:4:8", "workflow-alias 'same' is already used by workflows/a/definition.yml:4:8"),
    BadInput("unknown variable", [wf: workflow(actions: """
        - ref: a
          action: core.noop
          args: {x: "${{ VARS.nope.key }}"}
    """)], "\(wf):9:17", "variable 'nope' is not defined in this tree"),
    BadInput("variable with a secret", ["variables/v.yml": "version: 1\ntype: variable\nid: v\nname: v\nsecret: s3cr3t\n"], "variables/v.yml:5:1", "never carry secret values"),
    BadInput("variable name not an identifier", ["variables/v.yml": "version: 1\ntype: variable\nid: v\nname: my-var\n"], "variables/v.yml:4:7", "variable name 'my-var'"),

    // The manifest.
    BadInput("manifest is not JSON", ["workspace.json": "{\"version\": 1,,}"], "workspace.json:1:15", "did not find expected node content"),
    BadInput("manifest with an unknown kind", ["workspace.json": "{\"version\": 1, \"resources\": {\"gadgets\": \"g/\"}}"], "workspace.json:1:30", "unknown resource kind 'gadgets'"),
    BadInput("manifest version 2", ["workspace.json": "{\"version\": 2, \"resources\": {}}"], "workspace.json:1:13", "unsupported manifest version"),
    BadInput("nested manifest root", ["workspace.json": "{\"version\": 1, \"resources\": {\"workflows\": \"flows/\", \"variables\": \"flows/vars/\"}}"], "workspace.json:1:66", "nested inside the root of 'workflows'"),
    BadInput("manifest root escapes", ["workspace.json": "{\"version\": 1, \"resources\": {\"workflows\": \"../flows/\"}}"], "workspace.json:1:43", "must not contain '.' or '..'"),
    BadInput("second manifest inside a root", ["workflows/workspace.json": "{}", wf: workflow()], "workflows/workspace.json:1:1", "a manifest inside the workflow root"),
]
