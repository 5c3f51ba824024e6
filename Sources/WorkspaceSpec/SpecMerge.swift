import YAML

/// A three-way merge of resource documents in spec space (normalized values), key by key.
///
/// Rules, applied at every level:
/// - a side that equals the base takes the other side's value (a deletion included);
/// - two sides that agree need no decision (converged edits are not conflicts);
/// - two mappings merge key by key;
/// - two sequences of mappings that each carry a unique string `ref` (a workflow's actions)
///   merge element by element, matched by `ref`, so edits to different actions never meet;
/// - anything else changed on both sides to different values is a conflict at that key.
///
/// The result carries resolutions that differ only where there are conflicts: each conflict
/// resolved to our side, to their side, to the base, or to a placeholder. Rendering ours,
/// theirs and the placeholder resolution canonically and merging the texts puts conflict
/// markers around exactly those keys (see `placeholders`).
public enum SpecMerge {
    /// One key changed on both sides to different values.
    public struct Conflict: Hashable, Sendable, CustomStringConvertible {
        /// One step of a key path: a mapping key, or the sequence element with that `ref`.
        public enum Step: Hashable, Sendable {
            case key(String)
            case ref(String)
        }

        public var steps: [Step]
        public var base: Value?
        public var ours: Value?
        public var theirs: Value?

        /// Where, as a key path: `definition.actions[ref=notify].args.url`.
        public var keyPath: String {
            var text = ""
            for step in steps {
                switch step {
                case .key(let key): text += text.isEmpty ? key : "." + key
                case .ref(let ref): text += "[ref=\(ref)]"
                }
            }
            return text
        }

        /// Where the conflicting key is in a parsed document (the nearest enclosing node that
        /// exists there), for diagnostics with a line and column.
        public func mark(in node: Node) -> Mark {
            var current = node
            var mark = node.mark
            for step in steps {
                switch step {
                case .key(let key):
                    guard let pair = current.pair(key) else { return mark }
                    mark = pair.keyMark
                    current = pair.value
                case .ref(let ref):
                    guard let element = current.elements?.first(where: { $0["ref"]?.string == ref }) else { return mark }
                    mark = element.mark
                    current = element
                }
            }
            return mark
        }

        public var description: String {
            "\(keyPath.isEmpty ? "the document" : keyPath): ours \(SpecMerge.show(ours)), theirs \(SpecMerge.show(theirs))"
        }
    }

    /// A value for a message: compact JSON, cut at 80 characters; "(absent)" for none.
    public static func show(_ value: Value?) -> String {
        guard let value else { return "(absent)" }
        let text = String(decoding: JSONEmitter.canonical(value), as: UTF8.self)
        return text.count > 80 ? text.prefix(77) + "..." : text
    }

    public struct Result: Sendable {
        /// Conflicts resolved to our side; nil when the merged resource is deleted.
        public var ours: Value?
        public var theirs: Value?
        public var base: Value?
        /// Each conflict resolved to `placeholder`: the base of a text merge that must conflict
        /// at every conflicting key. With the base resolution a text merge can come out clean
        /// where the sides changed different lines of one value (one appended to a list, the
        /// other prepended); a placeholder line differs from both sides, so it cannot.
        public var placeholders: Value?
        public var conflicts: [Conflict]

        /// The merge, when it has no conflict.
        public var merged: Value?? { conflicts.isEmpty ? .some(ours) : .none }
        public var isClean: Bool { conflicts.isEmpty }
    }

    /// Merges `ours` and `theirs` against `base`; nil stands for "absent" on that side.
    public static func merge(base: Value?, ours: Value?, theirs: Value?) -> Result {
        var conflicts: [Conflict] = []
        let triple = merge(base, ours, theirs, keyPath: [], conflicts: &conflicts)
        return Result(ours: triple.ours, theirs: triple.theirs, base: triple.base,
                      placeholders: triple.placeholder, conflicts: conflicts)
    }

    /// What `placeholders` holds at each conflicting key: one line no side can contain.
    public static let placeholder = Value.string("%%workspace merge conflict%%")

    /// The resolutions of one value (equal unless a conflict lies beneath).
    struct Triple {
        var ours: Value?
        var theirs: Value?
        var base: Value?
        var placeholder: Value?
        static func agreed(_ value: Value?) -> Triple { Triple(ours: value, theirs: value, base: value, placeholder: value) }
    }

    static func merge(_ base: Value?, _ ours: Value?, _ theirs: Value?, keyPath: [Conflict.Step],
                      conflicts: inout [Conflict]) -> Triple {
        if ours == theirs { return .agreed(ours) }
        if base == ours { return .agreed(theirs) }
        if base == theirs { return .agreed(ours) }
        switch (ours, theirs) {
        case (.object(let o)?, .object(let t)?):
            let b = base?.objectValue ?? [:]
            var result = (ours: [String: Value](), theirs: [String: Value](), base: [String: Value](), placeholder: [String: Value]())
            for key in Set(o.keys).union(t.keys).union(b.keys).sorted() {
                let child = merge(b[key], o[key], t[key], keyPath: keyPath + [.key(key)], conflicts: &conflicts)
                result.ours[key] = child.ours
                result.theirs[key] = child.theirs
                result.base[key] = child.base
                result.placeholder[key] = child.placeholder
            }
            return Triple(ours: .object(result.ours), theirs: .object(result.theirs), base: .object(result.base),
                          placeholder: .object(result.placeholder))
        case (.array(let o)?, .array(let t)?):
            let b = base?.arrayValue ?? []
            if let ob = keyedByRef(o), let tb = keyedByRef(t), let bb = base == nil ? [:] : keyedByRef(b) {
                return mergeByRef(base: (b, bb), ours: (o, ob), theirs: (t, tb), keyPath: keyPath, conflicts: &conflicts)
            }
        default:
            break
        }
        conflicts.append(Conflict(steps: keyPath, base: base, ours: ours, theirs: theirs))
        return Triple(ours: ours, theirs: theirs, base: base, placeholder: placeholder)
    }

    /// Elements by `ref` when every element is a mapping with a string `ref` and no ref repeats.
    static func keyedByRef(_ elements: [Value]) -> [String: Value]? {
        var keyed: [String: Value] = [:]
        for element in elements {
            guard let ref = element["ref"]?.stringValue, keyed.updateValue(element, forKey: ref) == nil else { return nil }
        }
        return keyed
    }

    static func refs(_ elements: [Value]) -> [String] { elements.compactMap { $0["ref"]?.stringValue } }

    static func mergeByRef(base: ([Value], [String: Value]), ours: ([Value], [String: Value]),
                           theirs: ([Value], [String: Value]), keyPath: [Conflict.Step],
                           conflicts: inout [Conflict]) -> Triple {
        // Order: the side that reordered the elements all three share leads; both reordering
        // them differently is a conflict on the sequence. Refs only the other side added go in
        // after the element they follow there.
        let baseOrder = refs(base.0), ourOrder = refs(ours.0), theirOrder = refs(theirs.0)
        let shared = Set(baseOrder).intersection(ourOrder).intersection(theirOrder)
        let baseShared = baseOrder.filter(shared.contains), ourShared = ourOrder.filter(shared.contains)
        let theirShared = theirOrder.filter(shared.contains)
        if ourShared != baseShared && theirShared != baseShared && ourShared != theirShared {
            let values = (base: Value.array(base.0), ours: Value.array(ours.0), theirs: Value.array(theirs.0))
            conflicts.append(Conflict(steps: keyPath, base: values.base, ours: values.ours, theirs: values.theirs))
            return Triple(ours: values.ours, theirs: values.theirs, base: values.base, placeholder: placeholder)
        }
        let oursLead = !(theirShared != baseShared && ourShared == baseShared)
        var order = oursLead ? ourOrder : theirOrder
        let other = oursLead ? theirOrder : ourOrder
        for (index, ref) in other.enumerated() where !order.contains(ref) {
            if index > 0, let after = order.firstIndex(of: other[index - 1]) {
                order.insert(ref, at: after + 1)
            } else {
                order.insert(ref, at: index == 0 ? 0 : order.count)
            }
        }
        for ref in baseOrder where !order.contains(ref) { order.append(ref) }
        var result = (ours: [Value](), theirs: [Value](), base: [Value](), placeholder: [Value]())
        for ref in order {
            let child = merge(base.1[ref], ours.1[ref], theirs.1[ref], keyPath: keyPath + [.ref(ref)], conflicts: &conflicts)
            if let value = child.ours { result.ours.append(value) }
            if let value = child.theirs { result.theirs.append(value) }
            if let value = child.base { result.base.append(value) }
            if let value = child.placeholder { result.placeholder.append(value) }
        }
        return Triple(ours: .array(result.ours), theirs: .array(result.theirs), base: .array(result.base),
                      placeholder: .array(result.placeholder))
    }
}
