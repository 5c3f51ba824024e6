/// The `option` settings git sends (gitremote-helpers(7), "OPTIONS").
struct HelperOptions {
    var verbosity = 1
    var progress = false
    var dryRun = false
    var atomic = false
    var pushOptions: [String] = []
    /// `cas` expectations: ref -> expected id (nil: the ref must not exist).
    var expectations: [String: String?] = [:]
    var checkConnectivity = false
    var cloning = false

    /// The push options (`git push -o <option>`) this helper acts on: `merge` asks for a
    /// per-resource merge when the workspace branch moved, instead of a refusal; `archive`
    /// allows a push that archives many of a kind's resources (`ArchiveGuard`).
    static let knownPushOptions = ["merge", "archive"]

    /// Applies one option; the reply is `ok`, `unsupported` or `error <why>`.
    mutating func set(_ name: String, _ rawValue: String) -> String {
        let value = CQuote.unquote(rawValue)
        switch name {
        case "verbosity":
            guard let level = Int(value) else { return "error verbosity must be a number" }
            verbosity = level
        case "progress": progress = value == "true"
        case "dry-run": dryRun = value == "true"
        case "atomic": atomic = value == "true"
        case "push-option":
            // Like a git server, accept options it has no use for; say so (git would only
            // print "helper does not support 'push-option'" for a refusal here).
            if !HelperOptions.knownPushOptions.contains(value) {
                Log.error("workspace: ignoring push option '\(value)' (this remote acts on: \(HelperOptions.knownPushOptions.joined(separator: ", ")))")
            }
            pushOptions.append(value)
        case "check-connectivity": checkConnectivity = value == "true"
        case "cloning": cloning = value == "true"
        case "depth", "deepen-since", "deepen-not", "deepen-relative":
            // A workspace's history is whole or nothing: say so, and let git go on with a
            // full clone or fetch (git only warns that the option was ignored, and not always).
            if value != "false" {
                Log.error("workspace: shallow clones and fetches are not supported (--\(name == "depth" ? "depth" : name)); "
                          + "this fetch brings the whole history of each workspace branch")
            }
            return "unsupported"
        case "cas":
            // <ref>:<expected>; an empty or all-zero expectation means "must not exist".
            guard let colon = value.firstIndex(of: ":") else { return "error cas wants <ref>:<expected>" }
            let ref = String(value[..<colon])
            let expected = String(value[value.index(after: colon)...])
            let isID = expected.count == 40 && expected.allSatisfy { $0.isHexDigit }
            guard expected.isEmpty || isID else { return "error cas wants <ref>:<40-hex object id>" }
            expectations[ref] = expected.isEmpty || expected.allSatisfy({ $0 == "0" }) ? .some(nil) : .some(expected.lowercased())
        default:
            return "unsupported"
        }
        return "ok"
    }
}

/// git's C-style quoting (`"a\"b\n"`), which option values may use.
enum CQuote {
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var bytes: [UInt8] = []
        let inner = Array(text.utf8.dropFirst().dropLast())
        var index = 0
        while index < inner.count {
            let byte = inner[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < inner.count else {
                bytes.append(byte)
                index += 1
                continue
            }
            let next = inner[index + 1]
            index += 2
            switch next {
            case UInt8(ascii: "n"): bytes.append(10)
            case UInt8(ascii: "t"): bytes.append(9)
            case UInt8(ascii: "r"): bytes.append(13)
            case UInt8(ascii: "a"): bytes.append(7)
            case UInt8(ascii: "b"): bytes.append(8)
            case UInt8(ascii: "f"): bytes.append(12)
            case UInt8(ascii: "v"): bytes.append(11)
            case UInt8(ascii: "0")...UInt8(ascii: "3"):
                // Three octal digits.
                var value = Int(next - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < inner.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(inner[index]) {
                    value = value * 8 + Int(inner[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            default:
                bytes.append(next)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
