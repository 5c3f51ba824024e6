import Testing
import WorkspaceSpec
import YAML

/// The key-by-key three-way merge of normalized documents.
struct SpecMergeTests {
    func doc(_ text: String) throws -> Value { try YAMLParser.parse(Array(text.utf8)).value }

    let base = """
    definition:
      title: T
      actions:
        - ref: a
          action: core.noop
          args: {x: 1}
        - ref: b
          action: core.noop
          args: {y: 1}
    """

    @Test func editsToDifferentActionsMerge() throws {
        let ours = base.replacingOccurrences(of: "{x: 1}", with: "{x: 2}")
        let theirs = base.replacingOccurrences(of: "{y: 1}", with: "{y: 3}")
        let result = SpecMerge.merge(base: try doc(base), ours: try doc(ours), theirs: try doc(theirs))
        #expect(result.isClean)
        let expected = base.replacingOccurrences(of: "{x: 1}", with: "{x: 2}").replacingOccurrences(of: "{y: 1}", with: "{y: 3}")
        #expect(result.merged == .some(try doc(expected)))
    }

    @Test func sameKeyChangedBothWaysConflictsAtThatKey() throws {
        let ours = base.replacingOccurrences(of: "{x: 1}", with: "{x: 2}")
        let theirs = base.replacingOccurrences(of: "{x: 1}", with: "{x: 3}")
        let result = SpecMerge.merge(base: try doc(base), ours: try doc(ours), theirs: try doc(theirs))
        #expect(result.conflicts.map(\.keyPath) == ["definition.actions[ref=a].args.x"])
        #expect(result.ours == .some(try doc(ours)))
        #expect(result.theirs == .some(try doc(theirs)))
        #expect(result.base == .some(try doc(base)))
    }

    @Test func convergedEditsAreNotConflicts() throws {
        let both = base.replacingOccurrences(of: "title: T", with: "title: U")
        let result = SpecMerge.merge(base: try doc(base), ours: try doc(both), theirs: try doc(both))
        #expect(result.isClean)
        #expect(result.merged == .some(try doc(both)))
    }

    @Test func actionsAddedOnBothSidesKeepEachSidesPlace() throws {
        let ours = base + "\n    - ref: c\n      action: core.noop"
        let theirs = base.replacingOccurrences(of: "    - ref: b", with: "    - ref: z\n      action: core.noop\n    - ref: b")
        let result = SpecMerge.merge(base: try doc(base), ours: try doc(ours), theirs: try doc(theirs))
        #expect(result.isClean)
        let refs = result.ours?["definition"]?["actions"]?.arrayValue?.compactMap { $0["ref"]?.stringValue }
        #expect(refs == ["a", "z", "b", "c"])
    }

    @Test func deletedActionOnOneSideAndEditedOnTheOtherConflicts() throws {
        let ours = base.replacingOccurrences(of: "    - ref: b\n      action: core.noop\n      args: {y: 1}", with: "")
        let theirs = base.replacingOccurrences(of: "{y: 1}", with: "{y: 2}")
        let unchanged = SpecMerge.merge(base: try doc(base), ours: try doc(ours), theirs: try doc(base))
        #expect(unchanged.merged == .some(try doc(ours)))
        let result = SpecMerge.merge(base: try doc(base), ours: try doc(ours), theirs: try doc(theirs))
        #expect(result.conflicts.map(\.keyPath) == ["definition.actions[ref=b]"])
        #expect(result.conflicts.first?.ours == nil)
    }

    @Test func documentAddedOnBothSidesMergesKeys() throws {
        let result = SpecMerge.merge(base: nil, ours: try doc("a: 1\nb: 2"), theirs: try doc("a: 1\nc: 3"))
        #expect(result.merged == .some(try doc("a: 1\nb: 2\nc: 3")))
        let deleted = SpecMerge.merge(base: try doc("a: 1"), ours: nil, theirs: try doc("a: 1"))
        #expect(deleted.merged == .some(nil))
    }

    @Test func listsWithoutRefsConflictWhenBothChanged() throws {
        let result = SpecMerge.merge(base: try doc("tags: [a]"), ours: try doc("tags: [a, b]"), theirs: try doc("tags: [a, c]"))
        #expect(result.conflicts.map(\.keyPath) == ["tags"])
    }

    /// The placeholder resolution differs from both sides at every conflict and nowhere else,
    /// so a text merge against it cannot come out clean where the sides touched different
    /// lines of one conflicting value.
    @Test func placeholdersStandInForEveryConflictingValueOnly() throws {
        let result = SpecMerge.merge(base: try doc("tags: [b, c]\nname: n"), ours: try doc("tags: [b, c, d]\nname: o"),
                                     theirs: try doc("tags: [a, b, c]\nname: o"))
        #expect(result.conflicts.map(\.keyPath) == ["tags"])
        #expect(result.placeholders == .some(.object(["tags": SpecMerge.placeholder, "name": .string("o")])))
        let clean = SpecMerge.merge(base: try doc("a: 1"), ours: try doc("a: 2"), theirs: try doc("a: 1"))
        #expect(clean.placeholders == clean.ours)
    }

    @Test func actionsReorderedDifferentlyOnBothSidesConflict() throws {
        let three = base + "\n    - ref: c\n      action: core.noop"
        func reordered(_ refs: [String]) throws -> Value {
            var value = try doc(three)
            guard case .object(var top) = value, case .object(var definition)? = top["definition"],
                  let actions = definition["actions"]?.arrayValue else { return value }
            let byRef = Dictionary(uniqueKeysWithValues: actions.map { ($0["ref"]!.stringValue!, $0) })
            definition["actions"] = .array(refs.map { byRef[$0]! })
            top["definition"] = .object(definition)
            value = .object(top)
            return value
        }
        let result = SpecMerge.merge(base: try doc(three), ours: try reordered(["c", "a", "b"]), theirs: try reordered(["b", "a", "c"]))
        #expect(result.conflicts.map(\.keyPath) == ["definition.actions"])
        // One side reordering while the other appends keeps the reorder and the addition (after c, which
        // it follows on the side that added it).
        let appended = three + "\n    - ref: d\n      action: core.noop"
        let merged = SpecMerge.merge(base: try doc(three), ours: try doc(appended), theirs: try reordered(["c", "b", "a"]))
        #expect(merged.isClean)
        #expect(merged.ours?["definition"]?["actions"]?.arrayValue?.compactMap { $0["ref"]?.stringValue } == ["c", "d", "b", "a"])
    }
}
