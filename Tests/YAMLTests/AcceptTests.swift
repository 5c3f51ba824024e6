import Testing
import YAML

/// Inputs the parser must take, with the values and marks they give.
struct AcceptTests {
    @Test func emptyBlankAndCommentOnlyTextsAreNull() throws {
        for text in ["", "   \n\n", "# only a comment\n  # another\n"] {
            let node = try YAMLParser.parse(text)
            #expect(node.value == .null)
            #expect(node.mark == .start)
        }
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let node = try YAMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\nb: two\n".utf8))
        #expect(node.value == .object(["a": .int(1), "b": .string("two")]))
        #expect(node.pair("a")?.keyMark == Mark(line: 1, column: 1))
        #expect(node.pair("b")?.keyMark == Mark(line: 2, column: 1))
    }

    @Test func crlfLineEndsKeepLineNumbers() throws {
        let node = try YAMLParser.parse("a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  one\r\n  two\r\n")
        #expect(node.value == .object([
            "a": .int(1), "b": .array([.string("x"), .string("y")]), "c": .string("one\ntwo\n"),
        ]))
        #expect(node.pair("b")?.keyMark == Mark(line: 2, column: 1))
        #expect(node["b"]?.elements?[1].mark == Mark(line: 4, column: 5))
        #expect(node.pair("c")?.keyMark == Mark(line: 5, column: 1))
    }

    @Test func crlfErrorsNameTheRightLine() {
        expectError("a: 1\r\nb: 2\r\na: 3\r\n", .duplicateKey, line: 3, column: 1)
    }

    @Test func commentsAreIgnored() throws {
        let node = try YAMLParser.parse("# head\na: 1 # trailing\n# between\nb: 'x # not a comment'\n")
        #expect(node.value == .object(["a": .int(1), "b": .string("x # not a comment")]))
    }

    @Test func blockScalars() throws {
        let text = """
            folded: >
              one
              two

              three
            literal: |
              line 1
                indented
            strip: |-
              no newline
            keep: |+
              kept


            after: x
            """
        let node = try YAMLParser.parse(text)
        #expect(node["folded"]?.value == .string("one two\nthree\n"))
        #expect(node["literal"]?.value == .string("line 1\n  indented\n"))
        #expect(node["strip"]?.value == .string("no newline"))
        #expect(node["keep"]?.value == .string("kept\n\n\n"))
        #expect(node["after"]?.value == .string("x"))
    }

    @Test func anchorsAndAliasesAreCopied() throws {
        let text = "base: &base\n  image: alpine\n  tags: [a, b]\nfirst: *base\nname: &n hello\nsecond: *n\n"
        let node = try YAMLParser.parse(text)
        let base: Value = .object(["image": .string("alpine"), "tags": .array([.string("a"), .string("b")])])
        #expect(node.value == .object(["base": base, "first": base, "name": .string("hello"), "second": .string("hello")]))
        // The copy's root sits at the alias; what is inside keeps the anchored text's marks.
        #expect(node["first"]?.mark == Mark(line: 4, column: 8))
        #expect(node["first"]?.pair("image")?.keyMark == Mark(line: 2, column: 3))
    }

    @Test func mergeKeyIsAnOrdinaryKey() throws {
        let node = try YAMLParser.parse("a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n")
        #expect(node["b"]?.value == .object(["<<": .object(["x": .int(1)]), "y": .int(2)]))
    }

    @Test func jsonParsesAsYAMLWithMarks() throws {
        let text = """
            {
              "name": "demo",
              "count": 3,
              "ratio": 0.5,
              "tags": ["a", "b"],
              "nested": {"ok": true, "none": null},
              "escaped": "tab\\tquote\\"\\u00e9"
            }
            """
        let node = try YAMLParser.parse(text)
        #expect(node.value == .object([
            "name": .string("demo"), "count": .int(3), "ratio": .double(0.5),
            "tags": .array([.string("a"), .string("b")]),
            "nested": .object(["ok": .bool(true), "none": .null]),
            "escaped": .string("tab\tquote\"é"),
        ]))
        #expect(node.mark == Mark(line: 1, column: 1))
        #expect(node.pair("name")?.keyMark == Mark(line: 2, column: 3))
        #expect(node["name"]?.mark == Mark(line: 2, column: 11))
        #expect(node["tags"]?.elements?[1].mark == Mark(line: 5, column: 17))
        #expect(node["nested"]?.pair("none")?.keyMark == Mark(line: 6, column: 26))
        #expect(node.pairs?.map(\.key) == ["name", "count", "ratio", "tags", "nested", "escaped"])
    }

    @Test func marksCountUnicodeScalars() throws {
        let node = try YAMLParser.parse("é€😀: x\nk: [ü, v]\n")
        #expect(node["é€😀"]?.mark == Mark(line: 1, column: 6))
        #expect(node["k"]?.elements?[1].mark == Mark(line: 2, column: 8))
    }

    @Test func explicitDocumentMarkersAreOneDocument() throws {
        let node = try YAMLParser.parse("---\na: 1\n...\n")
        #expect(node.value == .object(["a": .int(1)]))
        #expect(try YAMLParser.parse("---\n").value == .null)
    }

    @Test func stringConvenienceMatchesBytes() throws {
        #expect(try YAMLParser.parse("a: [1, x]").value == YAMLParser.parse(Array("a: [1, x]".utf8)).value)
    }
}
