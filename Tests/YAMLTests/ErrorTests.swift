import Testing
import YAML

/// Each refusal has its own code and points at the offending place.
struct ErrorTests {
    @Test func duplicateKeyPointsAtTheSecondKey() {
        guard let error = parseError("name: a\nother: b\n  \nname: c\n") else { return }
        #expect(error.code == .duplicateKey)
        #expect(error.mark == Mark(line: 4, column: 1))
        #expect(error.message.contains("\"name\""))
        #expect(error.message.contains("line 1"))
    }

    @Test func duplicateKeyInNestedFlowMapping() {
        expectError("outer:\n  inner: {a: 1, b: 2, a: 3}\n", .duplicateKey, line: 2, column: 23)
    }

    @Test(arguments: [
        ("1: a\n", 1, 1),
        ("x: 1\ntrue: a\n", 2, 1),
        ("x: 1\nnull: a\n", 2, 1),
        ("x: 1\n~: a\n", 2, 1),
        ("x:\n  1.5: a\n", 2, 3),
        ("[a]: b\n", 1, 1),
        ("x: 1\n{a: 1}: b\n", 2, 1),
        ("? - a\n: b\n", 1, 3),
        ("!!int \"3\": a\n", 1, 1),
    ])
    func nonStringKeys(text: String, line: Int, column: Int) {
        expectError(text, .nonStringKey, line: line, column: column)
    }

    @Test func quotedAndTaggedScalarKeysAreStrings() throws {
        let node = try YAMLParser.parse("\"1\": a\n'true': b\n!!str null: c\n")
        #expect(node.value == .object(["1": .string("a"), "true": .string("b"), "null": .string("c")]))
    }

    @Test func aliasToANonStringIsNotAKey() {
        expectError("a: &n 1\n*n : b\n", .nonStringKey, line: 2, column: 1)
    }

    @Test func billionLaughsFailsBeforeExpanding() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            let refs = Array(repeating: "*\(previous)", count: 9).joined(separator: ",")
            text += "\(name): &\(name) [\(refs)]\n"
        }
        guard let error = parseError(text) else { return }
        #expect(error.code == .aliasExpansion)
        // Levels a..f already hold 672 610 nodes; the first `*f` (597 871 more) is refused.
        #expect(error.mark == Mark(line: 7, column: 8))
    }

    @Test func aliasWithinLimitsCountsAgainstMaxNodes() throws {
        let text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
        // root, 3 keys, the anchored sequence (4 nodes) and two copies of it: 16 nodes.
        let node = try YAMLParser.parse(text, limits: YAMLLimits(maxNodes: 16))
        #expect(node.value["c"] == .array([.int(1), .int(2), .int(3)]))
        expectError(text, .aliasExpansion, line: 3, column: 4, limits: YAMLLimits(maxNodes: 15))
    }

    @Test func tooManyNodesWithoutAliasesIsTooLarge() {
        expectError("[1, 2, 3, 4]", .tooLarge, line: 1, column: 11, limits: YAMLLimits(maxNodes: 4))
    }

    @Test func deepFlowNestingFailsAtTheFirstTooDeepNode() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        expectError(text, .tooDeep, line: 1, column: 129)
    }

    @Test func deepBlockNestingFailsAtTheFirstTooDeepNode() {
        let text = String(repeating: "- ", count: 10_000) + "x\n"
        expectError(text, .tooDeep, line: 1, column: 257)
    }

    @Test func depthLimitIsInclusive() throws {
        let limits = YAMLLimits(maxDepth: 3)
        _ = try YAMLParser.parse("a:\n  b:\n    c: 1\n", limits: limits)
        expectError("a:\n  b:\n    c:\n      - 1\n", .tooDeep, line: 4, column: 7, limits: limits)
    }

    @Test func fiftyMegabytesIsTooLargeBeforeParsing() {
        // Unclosed quotes everywhere: any parsing at all would fail differently.
        let bytes = [UInt8](repeating: UInt8(ascii: "\""), count: 50 << 20)
        guard let error = parseError(bytes) else { return }
        #expect(error.code == .tooLarge)
        #expect(error.mark == .start)
    }

    @Test func invalidUTF8NamesTheLineAndColumn() {
        var bytes = Array("a: 1\nb: é2\nc: x".utf8)
        bytes += [0xFF, 0x41]
        bytes += Array(" y\n".utf8)
        guard let error = parseError(bytes) else { return }
        #expect(error.code == .encoding)
        #expect(error.mark == Mark(line: 3, column: 5))
    }

    @Test(arguments: [
        [0xC0, 0x80] as [UInt8],     // overlong NUL
        [0xED, 0xA0, 0x80],          // surrogate
        [0xF4, 0x90, 0x80, 0x80],    // past U+10FFFF
        [0xE2, 0x82],                // truncated
    ])
    func malformedSequencesAreEncodingErrors(sequence: [UInt8]) {
        guard let error = parseError(Array("k: ".utf8) + sequence) else { return }
        #expect(error.code == .encoding)
        #expect(error.mark == Mark(line: 1, column: 4))
    }

    @Test func tabIndentationIsASyntaxErrorWithAPosition() {
        guard let error = parseError("a:\n  b: 1\n\tc: 2\n") else { return }
        #expect(error.code == .syntax)
        #expect(error.mark.line == 3)
        #expect(!error.message.isEmpty)
    }

    @Test func badIndentationIsASyntaxError() {
        expectError("a:\n    b: 1\n  c: 2\n", .syntax, line: 3, column: 3)
    }

    @Test func unclosedQuoteIsASyntaxError() {
        guard let error = parseError("a: 1\nb: \"open\nc: 2\n") else { return }
        #expect(error.code == .syntax)
        #expect(error.mark.line == 4)
        #expect(error.message.contains("quoted scalar"))
        #expect(error.message.contains("2:4"))
    }

    @Test func controlCharacterIsASyntaxErrorAtItsPlace() {
        expectError("a: 1\nb: x\u{1}y\n", .syntax, line: 2, column: 5)
    }

    @Test func unknownAlias() {
        expectError("a: 1\nb: *nope\n", .unknownAlias, line: 2, column: 4)
    }

    @Test func recursiveAliasIsUnknown() {
        expectError("a: &x [1, *x]\n", .unknownAlias, line: 1, column: 11)
    }

    @Test func twoDocuments() {
        expectError("a: 1\n---\nb: 2\n", .multipleDocuments, line: 2, column: 1)
        expectError("--- 1\n--- 2\n", .multipleDocuments, line: 2, column: 1)
    }

    @Test(arguments: [
        ("a: !!binary aGk=\n", 1, 4),
        ("a: !custom x\n", 1, 4),
        ("a:\n  - !!set {x: null}\n", 2, 5),
        ("a: !!str [1]\n", 1, 4),
        ("a: !!seq {b: 1}\n", 1, 4),
    ])
    func unsupportedTags(text: String, line: Int, column: Int) {
        expectError(text, .unsupportedTag, line: line, column: column)
    }

    @Test func taggedScalarThatDoesNotFitItsTag() {
        expectError("a: !!int abc\n", .invalidScalar, line: 1, column: 4)
        expectError("a: !!bool yes\n", .invalidScalar, line: 1, column: 4)
    }
}
