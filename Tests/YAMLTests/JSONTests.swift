import Testing
import YAML

/// Canonical and pretty JSON output.
struct JSONTests {
    static let mixed: Value = .object([
        "z": .int(-3),
        "a": .array([.bool(true), .null, .double(1), .double(1e-5), .double(0.1), .string("x")]),
        "é": .string("q\"b\\n\nt\tc\u{1}\u{7f}é😀"),
        "B": .object([:]),
        "m": .array([]),
        "n": .object(["k2": .double(2.5), "k1": .double(1e21)]),
    ])

    @Test func canonicalExactBytes() {
        let expected = #"{"B":{},"a":[true,null,1.0,1e-05,0.1,"x"],"m":[],"n":{"k1":1e+21,"k2":2.5},"z":-3,"é":"q\"b\\n\nt\tc\u0001"#
            + "\u{7f}é😀\"}"
        #expect(String(decoding: JSONEmitter.canonical(Self.mixed), as: UTF8.self) == expected)
    }

    @Test func allControlCharactersEscaped() {
        let text = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let json = String(decoding: JSONEmitter.canonical(.string(text)), as: UTF8.self)
        #expect(json == #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
                + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#)
    }

    @Test func keyOrderDoesNotDependOnInputOrder() throws {
        let one = try YAMLParser.parse("b: 1\na: {y: 2, x: 3}\nc: [1]\n").value
        let two = try YAMLParser.parse("c: [1]\na: {x: 3, y: 2}\nb: 1\n").value
        #expect(JSONEmitter.canonical(one) == JSONEmitter.canonical(two))
        #expect(String(decoding: JSONEmitter.canonical(one), as: UTF8.self) == #"{"a":{"x":3,"y":2},"b":1,"c":[1]}"#)
    }

    @Test func keysSortByUTF8Bytes() {
        let value: Value = .object(["é": .int(1), "z": .int(2), "Z": .int(3), "ü": .int(4), "~": .int(5)])
        #expect(String(decoding: JSONEmitter.canonical(value), as: UTF8.self)
                == "{\"Z\":3,\"z\":2,\"~\":5,\"é\":1,\"ü\":4}")
    }

    @Test func nonFiniteDoublesAreBareTokens() {
        let value: Value = .array([.double(.nan), .double(.infinity), .double(-.infinity), .int(.max)])
        #expect(String(decoding: JSONEmitter.canonical(value), as: UTF8.self)
                == "[NaN,Infinity,-Infinity,9223372036854775807]")
    }

    @Test func prettyExactText() {
        let value: Value = .object(["b": .array([.int(1), .object(["k": .string("v")])]), "a": .object([:]), "c": .array([])])
        #expect(JSONEmitter.pretty(value) == """
            {
              "a": {},
              "b": [
                1,
                {
                  "k": "v"
                }
              ],
              "c": []
            }

            """)
        #expect(JSONEmitter.pretty(.int(5)) == "5\n")
    }

    @Test func canonicalJSONReadsBackThroughTheYAMLParser() throws {
        var finite = Self.mixed
        if case .object(var members) = finite {
            members["é"] = .string("q\"b\\n\nt\tc\u{1}é😀")   // YAML refuses raw DEL
            finite = .object(members)
        }
        let text = String(decoding: JSONEmitter.canonical(finite), as: UTF8.self)
        #expect(try YAMLParser.parse(text).value == finite)
        #expect(try YAMLParser.parse(JSONEmitter.pretty(finite)).value == finite)
    }
}
