import Testing
import YAML

/// Plain scalars resolve by the YAML 1.2 core schema; tags override.
struct ScalarTests {
    func scalar(_ text: String) throws -> Value {
        try #require(YAMLParser.parse("v: \(text)\n")["v"]).value
    }

    @Test(arguments: [
        ("~", Value.null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("0", .int(0)), ("-12", .int(-12)), ("+7", .int(7)), ("007", .int(7)),
        ("0o17", .int(15)), ("0x1F", .int(31)), ("0xff", .int(255)),
        ("9223372036854775807", .int(.max)),
        ("9223372036854775808", .double(9223372036854775808)),
        ("0x10000000000000000", .double(18446744073709551616)),
        ("1.0", .double(1)), ("-.5", .double(-0.5)), ("1.", .double(1)), ("1e3", .double(1000)),
        ("6.02E+23", .double(6.02e23)), ("1.e-2", .double(0.01)),
        (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)), ("+.INF", .double(.infinity)),
        // YAML 1.1 forms are strings in the core schema.
        ("yes", .string("yes")), ("off", .string("off")), ("0755x", .string("0755x")),
        ("0b101", .string("0b101")), ("1_000", .string("1_000")), ("12:30", .string("12:30")),
        ("2024-01-01", .string("2024-01-01")), ("0o8", .string("0o8")), ("-0x1", .string("-0x1")),
        (".", .string(".")), ("1e", .string("1e")), ("nulls", .string("nulls")),
        ("${{ inputs.x }}", .string("${{ inputs.x }}")),
    ])
    func plainResolution(text: String, expected: Value) throws {
        #expect(try scalar(text) == expected)
    }

    @Test func nanResolvesToNaN() throws {
        for text in [".nan", ".NaN", ".NAN"] {
            guard case .double(let double) = try scalar(text) else {
                Issue.record("\(text) did not resolve to a double")
                continue
            }
            #expect(double.isNaN)
        }
    }

    @Test(arguments: ["'true'", "\"1\"", "\"null\"", "'~'", "|\n  12\n", ">-\n  1.5\n"])
    func quotedAndBlockScalarsAreStrings(text: String) throws {
        #expect(try scalar(text).stringValue != nil)
    }

    @Test(arguments: [
        ("!!str 12", Value.string("12")), ("!!str", .string("")), ("! 12", .string("12")),
        ("!!int \"12\"", .int(12)), ("!!float 3", .double(3)), ("!!float '2.5'", .double(2.5)),
        ("!!bool 'false'", .bool(false)), ("!!null ''", .null),
        ("!<tag:yaml.org,2002:str> 0x10", .string("0x10")),
        ("!<tag:yaml.org,2002:int> 0x10", .int(16)),
        ("!!seq [1]", .array([.int(1)])), ("!!map {a: 1}", .object(["a": .int(1)])),
        ("! [1]", .array([.int(1)])),
    ])
    func tags(text: String, expected: Value) throws {
        #expect(try scalar(text) == expected)
    }
}
