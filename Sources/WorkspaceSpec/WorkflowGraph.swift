import YAML

/// The rules about a workflow definition's actions: refs, dependencies, entrypoints and
/// the expressions that refer to actions and variables.
enum WorkflowGraph {
    struct Action {
        var ref: String
        var mark: Mark
        var node: Node
    }

    static func isRefShaped(_ ref: String) -> Bool {
        guard let first = ref.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return ref.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func check(_ definition: Node, into sink: inout DiagnosticSink, findings: inout KindFindings) {
        var actions: [Action] = []
        var firstMark: [String: Mark] = [:]
        if let list = definition["actions"] {
            if let elements = list.elements, elements.isEmpty {
                sink.error("no-actions", "a workflow needs at least one action", at: list.mark)
            }
            for element in list.elements ?? [] {
                guard let refNode = element["ref"], let ref = refNode.string else { continue }
                if !isRefShaped(ref) {
                    sink.error("ref-shape", "action ref '\(ref)' must be lowercase letters, digits and '_', starting with a letter", at: refNode.mark)
                }
                if let first = firstMark[ref] {
                    sink.error("duplicate-ref", "duplicate action ref '\(ref)' (first defined at line \(first.line))", at: refNode.mark)
                    continue
                }
                firstMark[ref] = refNode.mark
                actions.append(Action(ref: ref, mark: refNode.mark, node: element))
            }
        }
        let known = Set(actions.map(\.ref))

        // Dependencies.
        var edges: [String: [String]] = [:]
        for action in actions {
            for dependency in action.node["depends_on"]?.elements ?? [] {
                guard let name = dependency.string else { continue }
                if !known.contains(name) {
                    sink.error("unknown-dependency", "action '\(action.ref)' depends on unknown action '\(name)'", at: dependency.mark)
                } else {
                    edges[action.ref, default: []].append(name)
                }
            }
            checkExpression(action.node["run_if"], field: "run_if", action: action.ref, into: &sink)
            if let forEach = action.node["for_each"] {
                for item in forEach.elements ?? [forEach] {
                    checkExpression(item, field: "for_each", action: action.ref, into: &sink)
                }
            }
            if let kind = action.node["action"]?.string, kind == "core.workflow.execute",
               let alias = action.node["args"]?["workflow_alias"], let text = alias.string,
               !Expressions.isExpression(text), !text.contains("${{") {
                findings.references.append(Reference("workflow-alias", text, noun: "workflow alias", at: alias.mark))
            }
        }
        for cycle in cycles(actions.map(\.ref), edges: edges) {
            let mark = firstMark[cycle[0]] ?? definition.mark
            sink.error("cycle", "dependency cycle: \((cycle + [cycle[0]]).joined(separator: " -> "))", at: mark)
        }

        // Entrypoints.
        if let ref = definition["entrypoint"]?["ref"], let name = ref.string, !known.contains(name) {
            sink.error("unknown-entrypoint", "entrypoint refers to unknown action '\(name)'", at: ref.mark)
        }
        for trigger in definition["triggers"]?.elements ?? [] {
            if let entry = trigger["entrypoint"], let name = entry.string, !known.contains(name) {
                sink.error("unknown-entrypoint", "trigger entrypoint refers to unknown action '\(name)'", at: entry.mark)
            }
        }

        // Expressions anywhere in the definition.
        visitStrings(definition) { text, mark in
            let spans = Expressions.spans(in: text)
            guard !spans.isEmpty else { return }
            for name in Expressions.names(after: "ACTIONS", in: spans) where !known.contains(name) {
                sink.error("unknown-action-reference", "expression refers to unknown action '\(name)'", at: mark)
            }
            for name in Expressions.names(after: "VARS", in: spans) {
                findings.references.append(Reference("variable", name, noun: "variable", at: mark))
            }
        }
    }

    static func checkExpression(_ node: Node?, field: String, action: String, into sink: inout DiagnosticSink) {
        guard let node, let text = node.string else { return }
        if !Expressions.isExpression(text) {
            sink.error("expression", "'\(field)' of action '\(action)' must be an expression '${{ ... }}'", at: node.mark)
        }
    }

    /// Calls `body` for every string scalar under `node` (keys excluded).
    static func visitStrings(_ node: Node, _ body: (String, Mark) -> Void) {
        switch node.content {
        case .scalar(.string(let text)): body(text, node.mark)
        case .scalar: return
        case .sequence(let nodes): for item in nodes { visitStrings(item, body) }
        case .mapping(let pairs): for pair in pairs { visitStrings(pair.value, body) }
        }
    }

    /// Each dependency cycle once, as the list of refs around it, starting at the cycle's
    /// first action in document order. Found per strongly connected component (Tarjan).
    static func cycles(_ order: [String], edges: [String: [String]]) -> [[String]] {
        var index = 0
        var indices: [String: Int] = [:], lowlink: [String: Int] = [:]
        var stack: [String] = [], onStack: Set<String> = []
        var components: [[String]] = []

        func connect(_ node: String) {
            indices[node] = index; lowlink[node] = index; index += 1
            stack.append(node); onStack.insert(node)
            for next in edges[node] ?? [] {
                if indices[next] == nil {
                    connect(next)
                    lowlink[node] = min(lowlink[node]!, lowlink[next]!)
                } else if onStack.contains(next) {
                    lowlink[node] = min(lowlink[node]!, indices[next]!)
                }
            }
            if lowlink[node] == indices[node] {
                var component: [String] = []
                while let top = stack.popLast() {
                    onStack.remove(top)
                    component.append(top)
                    if top == node { break }
                }
                components.append(component)
            }
        }
        for node in order where indices[node] == nil { connect(node) }

        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        var result: [[String]] = []
        for component in components {
            let members = Set(component)
            guard component.count > 1 || (edges[component[0]] ?? []).contains(component[0]) else { continue }
            let start = component.min { position[$0, default: 0] < position[$1, default: 0] }!
            // Walk inside the component back to the start (breadth-first: shortest cycle).
            var previous: [String: String] = [:]
            var queue = [start], seen: Set<String> = [start]
            var found: String?
            search: while !queue.isEmpty {
                let current = queue.removeFirst()
                for next in edges[current] ?? [] where members.contains(next) {
                    if next == start { found = current; break search }
                    if seen.insert(next).inserted { previous[next] = current; queue.append(next) }
                }
            }
            var path: [String] = []
            var cursor = found
            while let node = cursor, node != start { path.append(node); cursor = previous[node] }
            result.append([start] + path.reversed())
        }
        return result.sorted { position[$0[0], default: 0] < position[$1[0], default: 0] }
    }
}
