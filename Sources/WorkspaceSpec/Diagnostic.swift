import YAML

/// One problem found in a file, reported the way a compiler does: `path:line:column: error: message`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// How bad it is: errors refuse a tree, warnings are only said.
    public enum Severity: String, Hashable, Sendable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var severity: Severity
    /// The repository path of the file (or the path given on the command line).
    public var path: String
    /// Where in the file; nil when the whole file is meant.
    public var mark: Mark?
    /// A short stable name of the rule that fired (`duplicate-ref`, `cycle`, ...), for tools and tests.
    public var rule: String
    public var message: String

    public init(_ severity: Severity, _ rule: String, _ message: String, path: String, at mark: Mark?) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.path = path
        self.mark = mark
    }

    /// `path:line:column: error: message`; the position is `1:1` when the whole file is meant,
    /// so every line can be read by editors that jump to `file:line:column`.
    ///
    /// Always one line of plain text: a path holding a control character (a file named with
    /// a newline, or with an escape sequence that would move a terminal's cursor or set its
    /// title) is printed quoted the way git prints it (`"a\nb/definition.yml"`, other
    /// controls in octal: `\033`), and a control character a message quotes from a file is
    /// escaped the same way. Repository content never writes to the terminal.
    public var description: String {
        let where_ = mark ?? .start
        return "\(Self.printable(path: path)):\(where_.line):\(where_.column): \(severity.rawValue): \(Self.escaping(message, quotes: false))"
    }

    /// `path` as it is when it holds no control character, else quoted like git's
    /// `core.quotePath` (C escapes in double quotes; UTF-8 letters are kept).
    public static func printable(path: String) -> String {
        guard path.unicodeScalars.contains(where: isControl) else { return path }
        return "\"" + escaping(path, quotes: true) + "\""
    }

    /// C0 controls, DEL and the C1 controls (U+0080-U+009F, which some terminals obey too).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `text` with every control character written as git writes it (`\n`, `\t`, octal
    /// bytes for the rest), and with `quotes`, `"` and `\\` escaped too.
    static func escaping(_ text: String, quotes: Bool) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) || (quotes && ($0 == "\"" || $0 == "\\")) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0B}": out += "\\v"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\"" where quotes: out += "\\\""
            case "\\" where quotes: out += "\\\\"
            default:
                if isControl(scalar) {
                    for byte in String(scalar).utf8 {
                        let octal = String(byte, radix: 8)
                        out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// The diagnostic as JSON data (for `--json`).
    public var jsonValue: Value {
        var members: [String: Value] = [
            "severity": .string(severity.rawValue),
            "path": .string(path),
            "rule": .string(rule),
            "message": .string(message),
        ]
        if let mark {
            members["line"] = .int(mark.line)
            members["column"] = .int(mark.column)
        }
        return .object(members)
    }
}

/// Collects diagnostics for one file while its checks run.
public struct DiagnosticSink: Sendable {
    public let path: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(path: String) { self.path = path }

    public mutating func error(_ rule: String, _ message: String, at mark: Mark?) {
        diagnostics.append(Diagnostic(.error, rule, message, path: path, at: mark))
    }

    public mutating func warning(_ rule: String, _ message: String, at mark: Mark?) {
        diagnostics.append(Diagnostic(.warning, rule, message, path: path, at: mark))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

extension Array where Element == Diagnostic {
    /// Sorted by path, then position, then message: the order every report prints.
    public func sortedForReport() -> [Diagnostic] {
        sorted {
            if $0.path != $1.path { return $0.path < $1.path }
            let left = $0.mark ?? .start, right = $1.mark ?? .start
            if left != right { return left < right }
            return $0.message < $1.message
        }
    }

    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

extension YAMLError {
    /// The rule name a YAML failure is reported under.
    public var rule: String { "yaml-" + code.name }

    /// The message, with a hint when libyaml stopped at a tab (its own words do not say so).
    public func message(in bytes: [UInt8]) -> String {
        guard code == .syntax, YAMLError.character(at: mark, in: bytes) == UInt8(ascii: "\t") else { return message }
        return "a tab character where YAML expects spaces: indent with spaces, not tabs (\(message))"
    }

    /// The byte at a 1-based line and column when that column holds an ASCII character.
    static func character(at mark: Mark, in bytes: [UInt8]) -> UInt8? {
        var line = 1, index = 0
        while line < mark.line {
            guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            index = newline + 1
            line += 1
        }
        let target = index + mark.column - 1
        guard target < bytes.count, bytes[index..<target].allSatisfy({ $0 < 0x80 }) else { return nil }
        return bytes[target]
    }
}
