import Synchronization
import Testing
import YAML

/// The canonical YAML emitter: exact bytes, quoting, block scalars, key order.
struct EmitterTests {
    @Test func mixedDocumentExactBytes() {
        let value: Value = .object([
            "name": .string("demo"),
            "count": .int(3),
            "ratio": .double(1),
            "on": .bool(true),
            "none": .null,
            "empty": .object([:]),
            "list": .array([.string("a"), .array([]), .object(["k": .string("v"), "b": .int(-1)])]),
        ])
        #expect(YAMLEmitter.emit(value) == """
            count: 3
            empty: {}
            list:
            - a
            - []
            - b: -1
              k: v
            name: demo
            none: null
            "on": true
            ratio: 1.0

            """)
    }

    @Test(arguments: [
        "yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "OFF", "~", "null", "Null", "true", "False",
        "1.0", "0755", "1_000", "12:30", "190:20:30", "2024-01-01", "2001-12-14 21:59:43.10 -5", ".5", "-",
        "", " lead", "trail ", "12", "-3", "0x1F", "0o7", "0b101", "1e5", ".inf", "-.inf", ".nan", ".NaN",
        "<<", "=", "+1", "1.", "._5",
    ])
    func ambiguousStringsAreQuotedAndRoundTrip(text: String) throws {
        let emitted = YAMLEmitter.emit(.object(["v": .string(text)]))
        #expect(emitted == "v: \"\(text)\"\n" || emitted == "v: '\(text)'\n", "\(emitted)")
        #expect(try YAMLParser.parse(emitted).value == .object(["v": .string(text)]))
    }

    @Test(arguments: [
        "${{ ACTIONS.a.result }}", "https://example.com/a?b=c#d", "core.http_request", "hello world",
        "str | None", "10.0.0.0/8", "3 days", "yesterday", "nullable", "true-ish", "é€ unicode ✓",
        "a-b_c", "GET", "${{ FN.to_json(inputs.x) }}", "1password", "v1.2", "e5",
    ])
    func ordinaryStringsStayPlain(text: String) throws {
        let emitted = YAMLEmitter.emit(.object([text: .string(text)]))
        #expect(emitted == "\(text): \(text)\n")
        #expect(try YAMLParser.parse(emitted).value == .object([text: .string(text)]))
    }

    @Test func stringsYAMLGrammarForbidsPlainAreQuotedByLibYAML() throws {
        for text in ["- a", "a: b", "#x", "x #y", "[a]", "{a}", "*a", "&a", "!a", "@a", "`a", "'a", "\"a", "%a", "? a"] {
            let emitted = YAMLEmitter.emit(.array([.string(text)]))
            #expect(emitted != "- \(text)\n", "\(text) came out plain")
            #expect(try YAMLParser.parse(emitted).value == .array([.string(text)]), "\(emitted)")
        }
    }

    @Test func ambiguousKeysAreQuoted() throws {
        let value: Value = .object(["yes": .int(1), "1": .int(2), "null": .int(3), "plain": .int(4)])
        let emitted = YAMLEmitter.emit(value)
        #expect(emitted == "\"1\": 2\n\"null\": 3\nplain: 4\n\"yes\": 1\n")
        #expect(try YAMLParser.parse(emitted).value == value)
    }

    @Test func multiLineStringsAreLiteralBlocks() throws {
        let value: Value = .object([
            "clip": .string("one\ntwo\n"),
            "keep": .string("kept\n\n"),
            "strip": .string("no end\nnewline"),
            "indented": .string("  lead\nnext\n"),
        ])
        let emitted = YAMLEmitter.emit(value)
        #expect(emitted == """
            clip: |
              one
              two
            indented: |2
                lead
              next
            keep: |+
              kept

            strip: |-
              no end
              newline

            """)
        #expect(try YAMLParser.parse(emitted).value == value)
    }

    @Test func lineBreaksOtherThanNewlineAreEscaped() throws {
        for text in ["a\r\nb", "a\rb", "a\u{85}b", "a\u{2028}b", "tab\there", "nul\u{0}"] {
            let emitted = YAMLEmitter.emit(.array([.string(text)]))
            #expect(emitted.hasPrefix("- \""), "\(emitted)")
            #expect(try YAMLParser.parse(emitted).value == .array([.string(text)]), "\(emitted)")
        }
    }

    @Test func exactlyOneTrailingNewline() {
        let values: [Value] = [
            .null, .string("x"), .int(1), .array([]), .object([:]), .object(["a": .string("b\n")]),
            .array([.string("tail\n\n")]), .string("multi\nline"),
        ]
        for value in values {
            let emitted = YAMLEmitter.emit(value)
            #expect(emitted.hasSuffix("\n") && !emitted.hasSuffix("\n\n"), "\(emitted)")
            #expect(!emitted.hasPrefix("---"), "\(emitted)")
        }
        #expect(YAMLEmitter.emit(.object([:])) == "{}\n")
        #expect(YAMLEmitter.emit(.array([])) == "[]\n")
        #expect(YAMLEmitter.emit(.string("x")) == "x\n")
    }

    @Test func rootKeepBlockRoundTrips() throws {
        let value: Value = .array([.string("tail\n\n")])
        #expect(try YAMLParser.parse(YAMLEmitter.emit(value)).value == value)
    }

    @Test func keyOrderCallbackGetsPathsAndIsRespected() throws {
        let seen = Mutex<[[String]]>([])
        let reverse: YAMLEmitter.KeyOrder = { path, keys in
            seen.withLock { $0.append(path) }
            return keys.reversed()
        }
        let value: Value = .object([
            "a": .int(1),
            "b": .array([.object(["u": .int(1), "w": .int(2)])]),
            "c": .object(["m": .object(["p": .int(1), "q": .int(2)])]),
        ])
        let emitted = YAMLEmitter.emit(value, keyOrder: reverse)
        #expect(emitted == """
            c:
              m:
                q: 2
                p: 1
            b:
            - w: 2
              u: 1
            a: 1

            """)
        #expect(seen.withLock { $0 } == [[], ["c"], ["c", "m"], ["b", "[]"]])
    }

    @Test func keyOrderMayOmitOrInventKeys() {
        let value: Value = .object(["a": .int(1), "b": .int(2), "c": .int(3)])
        let emitted = YAMLEmitter.emit(value) { _, _ in ["c", "zzz", "c"] }
        #expect(emitted == "c: 3\na: 1\nb: 2\n")
        // A name equal to a key under Unicode equivalence but not byte for byte (KELVIN SIGN
        // is K) places that key, once, as `members[name]` finds it.
        let kelvin: Value = .object(["\u{212A}": .int(1), "a": .int(2)])
        #expect(YAMLEmitter.emit(kelvin) { _, _ in ["a", "K", "\u{212A}"] } == "a: 2\nK: 1\n")
    }

    @Test func sortedKeysIsByteWise() {
        #expect(YAMLEmitter.sortedKeys([], ["b", "B", "é", "a", "Z", "e\u{301}"]) == ["B", "Z", "a", "b", "e\u{301}", "é"])
    }

    @Test func doublesAndIntsStayApart() throws {
        let value: Value = .array([
            .int(1), .double(1), .double(-0.5), .double(1e20), .double(1e-5), .double(123456.789),
            .double(.infinity), .double(-.infinity), .int(.min), .double(0.1 + 0.2),
        ])
        let emitted = YAMLEmitter.emit(value)
        #expect(emitted == """
            - 1
            - 1.0
            - -0.5
            - 1.0e+20
            - 1.0e-05
            - 123456.789
            - .inf
            - -.inf
            - -9223372036854775808
            - 0.30000000000000004

            """)
        #expect(try YAMLParser.parse(emitted).value == value)
        let nan = try YAMLParser.parse(YAMLEmitter.emit(.double(.nan))).value
        #expect(nan.isNaNDouble)
    }

    @Test func unicodeIsWrittenRaw() throws {
        let value: Value = .object(["clé": .string("naïve ☃ 日本語"), "emoji 😀": .string("x 😀\u{10FFFD}")])
        let emitted = YAMLEmitter.emit(value)
        // libyaml double-quotes strings with characters past U+FFFF; they stay raw inside.
        #expect(emitted == "clé: naïve ☃ 日本語\n\"emoji 😀\": \"x 😀\u{10FFFD}\"\n")
        #expect(try YAMLParser.parse(emitted).value == value)
    }

    @Test func backslashUTextIsNotUnescaped() throws {
        let value: Value = .array([.string(#"C:\Users\U0001F600"#), .string("😀")])
        let emitted = YAMLEmitter.emit(value)
        #expect(try YAMLParser.parse(emitted).value == value)
    }

    @Test func longStringsAreNotWrapped() {
        let long = Array(repeating: "word", count: 100).joined(separator: " ")
        #expect(YAMLEmitter.emit(.object(["k": .string(long)])) == "k: \(long)\n")
    }
}

extension Value {
    var isNaNDouble: Bool {
        if case .double(let double) = self { return double.isNaN }
        return false
    }
}
