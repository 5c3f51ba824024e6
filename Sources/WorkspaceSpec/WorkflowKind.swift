import YAML

/// A workflow: the resource document around a Tracecat-style DSL definition.
///
/// ```yaml
/// version: 1
/// type: workflow
/// id: triage                # = the directory name
/// alias: triage             # optional; how other workflows call this one
/// folder_path: /security    # optional, default "/"
/// tags: [...]               # optional
/// schedules: [{cron: "0 * * * *"} | {every: 1h}]
/// webhook: {methods: [POST], status: online}
/// case_trigger: {...}
/// definition: {title, description, entrypoint, triggers, actions, config, returns, ...}
/// ```
public enum WorkflowKind: ResourceKind {
    public static let name = "workflow"
    public static let rootKey = "workflows"
    public static let defaultRoot = "workflows/"
    public static let layout = PathLayout.directory(file: "definition.yml")

    static let retryPolicy = Shape.object([
        Field("max_attempts", .integer, default: .int(1)),
        Field("timeout", .number, default: .int(300)),
        Field("retry_until", .string),
    ], unknown: .warn)

    static let action = Shape.object([
        Field("ref", .string, required: true),
        Field("action", .string, required: true),
        Field("description", .string, default: .string("")),
        Field("depends_on", .list(.string), default: .array([])),
        Field("run_if", .string),
        Field("for_each", .either([.string, .list(.string)])),
        Field("join_strategy", .string, default: .string("all")),
        Field("retry_policy", retryPolicy, default: .object([:])),
        Field("start_delay", .number, default: .int(0)),
        Field("wait_until", .string),
        Field("environment", .string),
        Field("interaction", .data),
        Field("args", .data, default: .object([:])),
    ], unknown: .warn)

    static let trigger = Shape.object([
        Field("type", .string, required: true),
        Field("ref", .string, required: true),
        Field("id", .string),
        Field("entrypoint", .string),
        Field("args", .data, default: .object([:])),
    ], unknown: .warn)

    static let dsl = Shape.object([
        Field("title", .string, required: true),
        Field("description", .string),
        Field("entrypoint", .object([
            Field("ref", .string),
            Field("expects", .data, default: .object([:])),
        ], unknown: .warn), default: .object([:])),
        Field("inputs", .data, default: .object([:])),
        Field("config", .object([
            Field("scheduler", .string, default: .string("dynamic")),
            Field("environment", .string, default: .string("default")),
            Field("timeout", .number, default: .int(300)),
        ], unknown: .warn), default: .object([:])),
        Field("triggers", .list(trigger), default: .array([])),
        Field("actions", .list(action), required: true),
        Field("returns", .data),
        Field("error_handler", .string),
    ], unknown: .warn)

    static let schedule = Shape.object([
        Field("cron", .string),
        Field("every", .string),
        Field("offset", .string),
        Field("start_at", .string),
        Field("end_at", .string),
        Field("timeout", .number),
        Field("status", .string, default: .string("online")),
        Field("inputs", .data, default: .object([:])),
    ], unknown: .refuse)

    static let webhook = Shape.object([
        Field("status", .string, default: .string("offline")),
        Field("methods", .list(.string), default: .array([.string("POST")])),
        Field("include_headers", .list(.string), default: .array([])),
        Field("allowlisted_cidrs", .list(.string), default: .array([])),
    ], unknown: .refuse)

    public static let schema = Shape.object([
        CommonFields.version, CommonFields.type, CommonFields.id,
        Field("alias", .string),
        Field("folder_path", .string, default: .string("/")),
        Field("tags", .list(.string), default: .array([])),
        Field("schedules", .list(schedule), default: .array([])),
        Field("webhook", webhook, default: .object([:])),
        Field("case_trigger", .data),
        Field("definition", dsl, required: true),
    ], unknown: .refuse)

    public static func sourceIDNames(_ document: Value) -> [String?] {
        [document["alias"]?.stringValue, document["definition"]?["title"]?.stringValue]
    }

    /// HTTP methods a webhook may accept.
    public static let httpMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    public static func check(_ document: Node, into sink: inout DiagnosticSink, findings: inout KindFindings) {
        if let alias = document.pair("alias"), let text = alias.value.string,
           !text.trimmingCharacters(in: .whitespaces).isEmpty {
            findings.exports.append(Export("workflow-alias", text, at: alias.value.mark))
        }
        checkSchedules(document["schedules"], into: &sink)
        if let methods = document["webhook"]?["methods"]?.elements {
            for method in methods {
                if let text = method.string, !httpMethods.contains(text) {
                    sink.error("webhook-method", "'\(text)' is not an HTTP method (use one of \(httpMethods.sorted().joined(separator: ", ")))", at: method.mark)
                }
            }
        }
        if let definition = document["definition"], definition.pairs != nil {
            WorkflowGraph.check(definition, into: &sink, findings: &findings)
        }
    }

    static func checkSchedules(_ schedules: Node?, into sink: inout DiagnosticSink) {
        guard let schedules = schedules?.elements else { return }
        for (index, schedule) in schedules.enumerated() where schedule.pairs != nil {
            let cron = schedule["cron"], every = schedule["every"]
            if cron?.string == nil && every?.string == nil {
                sink.error("schedule", "schedule \(index + 1) needs 'cron' or 'every'", at: schedule.mark)
            }
            if let cron, let text = cron.string, let problem = ScheduleSyntax.cronProblem(text) {
                sink.error("cron", problem, at: cron.mark)
            }
            if let every, let text = every.string, let problem = ScheduleSyntax.intervalProblem(text) {
                sink.error("interval", problem, at: every.mark)
            }
        }
    }
}
