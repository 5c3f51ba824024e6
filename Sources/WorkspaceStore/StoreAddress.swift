import Foundation

/// A PostgreSQL store URL's parts, as far as this project needs them (libpq parses the URL
/// itself when connecting).
///
/// The syntax is libpq's connection URI (`postgresql://[userspec@][hostspec][/dbname][?paramspec]`,
/// see "Connection URIs" in the libpq documentation), read leniently: only the scheme can make
/// parsing fail, anything else odd leaves a part `nil` (libpq then reports the real problem).
///
/// - The userinfo ends at the **last** `@` before the host, so a password typed with a raw
///   `@` (`postgres://u:p@ss@host/db`) still splits as the user meant; the user name ends at
///   the first `:`. A `@` after the query's `?` (`?user=a@b`) is not taken for the separator
///   (see `StoreAddress` for the exact rule).
/// - A host is a name, an IP address, `[` an IPv6 address `]`, or a percent-encoded socket
///   directory (`%2Fvar%2Frun%2Fpostgresql`); several `host[:port]` items are separated by `,`.
/// - Query parameters `host`, `port`, `user`, `password` and `dbname` win over the parts in
///   front of the `?`, as they do in libpq; every other parameter is left to libpq.
/// - Every part is percent-decoded (`%40` is `@`); `+` stays `+`, as in libpq. An empty user,
///   password or database name is `nil`: libpq treats an empty one as not given.
public struct PostgresAddress: Equatable, Sendable {
    /// The user name, percent-decoded; nil when the URL names none (libpq then uses the
    /// operating system's user name).
    public var user: String?
    /// The password, percent-decoded: from the userinfo, or a `password=` query parameter.
    public var password: String?
    /// The `host` or `host:port` items of the URL (`postgres://a:1,b:2/db` gives `a:1` and
    /// `b:2`), hosts percent-decoded and IPv6 addresses in brackets (`[::1]:5432`). Empty when
    /// the URL names no host (libpq's default: the local Unix-domain socket).
    public var hosts: [String]
    /// The first host's name (an IPv6 address without brackets, a socket directory as a
    /// path); nil when the URL names none. A `host=` query parameter counts too.
    public var host: String?
    /// The first host's port; nil when the URL gives none or it is not a number.
    public var port: Int?
    /// The database name: the percent-decoded path without its leading `/`, or a `dbname=`
    /// query parameter.
    public var database: String?

    /// The parts of `url`; nil unless its scheme is `postgres://` or `postgresql://` (in any
    /// case). A `workspace::` prefix is not a PostgreSQL scheme: strip it first.
    public init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard let start = PostgresURLSyntax.schemeEnd(bytes, at: 0) else { return nil }
        let parts = PostgresURLSyntax.Parts(bytes, start..<bytes.count)
        let decode = { (range: Range<Int>) in PostgresURLSyntax.decode(bytes[range]) }

        var user = parts.user.map(decode)
        var password = parts.password.map(decode)
        var hostList: [String] = []
        var portList: [String] = []
        if !parts.hostspec.isEmpty {
            for item in parts.hostItems(bytes) {
                hostList.append(decode(item.host))
                portList.append(item.port.map(decode) ?? "")
            }
        }
        if portList.allSatisfy(\.isEmpty) { portList = [] }
        var database = parts.path.map(decode)
        for parameter in parts.queryParameters(bytes) {
            let value = parameter.value.map(decode) ?? ""
            switch decode(parameter.key) {
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "host": hostList = value.isEmpty ? [] : value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            case "port": portList = value.isEmpty ? [] : value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            default: break
            }
        }

        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password.flatMap { $0.isEmpty ? nil : $0 }
        self.database = database.flatMap { $0.isEmpty ? nil : $0 }
        // As libpq pairs them: one port serves every host, otherwise the n-th port the n-th host.
        func port(_ index: Int) -> String {
            if portList.count == 1 { return portList[0] }
            return index < portList.count ? portList[index] : ""
        }
        hosts = hostList.indices.map { index in
            let name = hostList[index].contains(":") ? "[\(hostList[index])]" : hostList[index]
            let number = port(index)
            return number.isEmpty ? name : "\(name):\(number)"
        }
        host = hostList.first.flatMap { $0.isEmpty ? nil : $0 }
        if let first = hostList.isEmpty ? portList.first : port(0), let number = Int(first), number > 0 {
            self.port = number
        } else {
            self.port = nil
        }
    }
}

/// PostgreSQL store URLs in text: recognizing them and keeping their passwords out of sight.
///
/// A URL is found wherever `postgres://` or `postgresql://` (any case) occurs, also after
/// `workspace::` or inside a sentence, and runs to the first white space, control character,
/// quote (`'`, `"`, `` ` ``) or angle bracket. Its password is what lies between the first
/// `:` of the userinfo and the userinfo's end, which is the **last** `@` of the URL, except
/// that a `@` behind the first `?` counts only when no `=` comes between that `?` and it (so
/// `?user=a@b` is a query parameter, while a password typed with a raw `?` or `/` is still
/// found). When in doubt the rule hides too much rather than too little: a database name
/// holding a raw `@` hides the host as well.
public enum StoreAddress {
    /// What a hidden password reads as.
    public static let mask = "***"

    /// Whether `url` names a PostgreSQL store (scheme postgres:// or postgresql://, any case).
    public static func isPostgres(_ url: String) -> Bool {
        PostgresURLSyntax.schemeEnd(Array(url.utf8.prefix(PostgresURLSyntax.longestScheme)), at: 0) != nil
    }

    /// `text` with every PostgreSQL URL's password replaced by `***` wherever such a URL
    /// occurs in it (the user, host, port, database and other parameters stay), including a
    /// `password=` query parameter (`?sslmode=require&password=x` → `password=***`). Text
    /// without a password is returned unchanged. Used on every message that could show a URL.
    public static func redacted(_ text: String) -> String {
        edit(text) { bytes, parts, edits in
            if let password = parts.password, !password.isEmpty {
                edits.append((password, Array(mask.utf8)))
            }
            for parameter in parts.queryParameters(bytes) where isPassword(parameter.key, in: bytes) {
                if let value = parameter.value, !value.isEmpty {
                    edits.append((value, Array(mask.utf8)))
                }
            }
        }
    }

    /// `url` without its password at all (userinfo password and `password=` query parameter
    /// removed), for places that store or show the address (e.g. remote URLs written into
    /// configs). `postgres://u:pw@h/db?password=x&sslmode=require` becomes
    /// `postgres://u@h/db?sslmode=require`; a userinfo with a password but no user goes
    /// entirely. Like `redacted`, it works on every PostgreSQL URL in the text, so a
    /// `workspace::` prefix stays; anything else is returned unchanged.
    public static func withoutPassword(_ url: String) -> String {
        edit(url) { bytes, parts, edits in
            if let password = parts.password, let userinfo = parts.userinfo {
                if let user = parts.user, !user.isEmpty {
                    edits.append(((password.lowerBound - 1)..<password.upperBound, []))   // ":" + password
                } else {
                    edits.append((userinfo.lowerBound..<(userinfo.upperBound + 1), []))  // userinfo + "@"
                }
            }
            guard let query = parts.query else { return }
            let parameters = parts.queryParameters(bytes)
            let kept = parameters.filter { !isPassword($0.key, in: bytes) }
            guard kept.count != parameters.count else { return }
            var replacement: [UInt8] = []
            for (index, parameter) in kept.enumerated() {
                replacement += index == 0 ? [UInt8(ascii: "?")] : [UInt8(ascii: "&")]
                replacement += bytes[parameter.whole]
            }
            edits.append(((query.lowerBound - 1)..<query.upperBound, replacement))      // "?" + query
        }
    }

    /// Whether a query parameter's key is `password` (percent-decoded, any case: libpq
    /// refuses other spellings, but a message may still show them).
    private static func isPassword(_ key: Range<Int>, in bytes: [UInt8]) -> Bool {
        PostgresURLSyntax.decode(bytes[key]).lowercased() == "password"
    }

    /// `text` with the edits `collect` asks for in each PostgreSQL URL it holds; `text` itself
    /// when there are none.
    private static func edit(_ text: String,
                             _ collect: ([UInt8], PostgresURLSyntax.Parts, inout [(Range<Int>, [UInt8])]) -> Void) -> String {
        let bytes = Array(text.utf8)
        var edits: [(Range<Int>, [UInt8])] = []
        var index = 0
        while index < bytes.count {
            guard let start = PostgresURLSyntax.schemeEnd(bytes, at: index) else {
                index += 1
                continue
            }
            let end = PostgresURLSyntax.tokenEnd(bytes, from: start)
            collect(bytes, PostgresURLSyntax.Parts(bytes, start..<end), &edits)
            index = max(end, start)
        }
        guard !edits.isEmpty else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        for (range, replacement) in edits.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) where range.lowerBound >= copied {
            result += bytes[copied..<range.lowerBound]
            result += replacement
            copied = range.upperBound
        }
        result += bytes[copied...]
        return String(decoding: result, as: UTF8.self)
    }
}

/// The byte-level reading of libpq's URI syntax shared by `PostgresAddress` and
/// `StoreAddress`. Every delimiter is ASCII, so working on UTF-8 bytes never splits a
/// character. All ranges index the caller's byte array.
enum PostgresURLSyntax {
    static let schemes = ["postgresql://", "postgres://"].map { Array($0.utf8) }
    static let longestScheme = schemes.map(\.count).max()!

    /// The index just past `postgres://` or `postgresql://` (any case) when `bytes` has one
    /// at `index`, else nil.
    static func schemeEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        for scheme in schemes where index + scheme.count <= bytes.count {
            var matches = true
            for offset in scheme.indices where lowercased(bytes[index + offset]) != scheme[offset] {
                matches = false
                break
            }
            if matches { return index + scheme.count }
        }
        return nil
    }

    /// Where a URL that starts at `start` ends inside longer text: the first white space,
    /// control character, quote or angle bracket, or the end of the text.
    static func tokenEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0..<0x21, 0x7F, UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"),
                 UInt8(ascii: "<"), UInt8(ascii: ">"):
                return index
            default:
                index += 1
            }
        }
        return index
    }

    /// The percent-decoded text of `bytes`; a `%` not followed by two hex digits stays as it is.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    /// Where one URL's parts lie (delimiters excluded).
    struct Parts {
        /// Everything before the userinfo's `@`; nil when the URL has no `@` separator.
        var userinfo: Range<Int>?
        /// The user name: the userinfo up to its first `:`.
        var user: Range<Int>?
        /// The password: the userinfo after its first `:`; nil when there is no `:`.
        var password: Range<Int>?
        /// The `host[:port][,host[:port]…]` list (possibly empty).
        var hostspec: Range<Int>
        /// The path after `/`; nil when there is no `/`.
        var path: Range<Int>?
        /// The parameters after `?`; nil when there is no `?`.
        var query: Range<Int>?

        /// Splits the URL in `bytes[range]`, `range` starting just after the scheme's `//`.
        init(_ bytes: [UInt8], _ range: Range<Int>) {
            let at = UInt8(ascii: "@"), question = UInt8(ascii: "?"), equals = UInt8(ascii: "=")
            let firstQuestion = bytes[range].firstIndex(of: question) ?? range.upperBound
            // The last "@" in front of the query, or behind the first "?" as long as no "="
            // came between (a raw "?" typed in a password).
            var separator: Int?
            var sawEquals = false
            for index in range where index > firstQuestion || bytes[index] == at {
                if index > firstQuestion && bytes[index] == equals { sawEquals = true }
                if sawEquals { break }
                if bytes[index] == at { separator = index }
            }
            var rest = range.lowerBound
            if let separator {
                let info = range.lowerBound..<separator
                userinfo = info
                if let colon = bytes[info].firstIndex(of: UInt8(ascii: ":")) {
                    user = info.lowerBound..<colon
                    password = (colon + 1)..<separator
                } else {
                    user = info
                }
                rest = separator + 1
            }
            let hostEnd = bytes[rest..<range.upperBound].firstIndex { $0 == UInt8(ascii: "/") || $0 == question }
                ?? range.upperBound
            hostspec = rest..<hostEnd
            var queryStart = hostEnd
            if hostEnd < range.upperBound && bytes[hostEnd] == UInt8(ascii: "/") {
                let pathEnd = bytes[(hostEnd + 1)..<range.upperBound].firstIndex(of: question) ?? range.upperBound
                path = (hostEnd + 1)..<pathEnd
                queryStart = pathEnd
            }
            if queryStart < range.upperBound {
                query = (queryStart + 1)..<range.upperBound
            }
        }

        /// The hostspec's items, each a host (without IPv6 brackets) and a port when given.
        func hostItems(_ bytes: [UInt8]) -> [(host: Range<Int>, port: Range<Int>?)] {
            split(bytes, hostspec, at: UInt8(ascii: ",")).map { item in
                var hostRange = item
                var portStart = item.lowerBound
                if item.lowerBound < item.upperBound && bytes[item.lowerBound] == UInt8(ascii: "["),
                   let close = bytes[item].firstIndex(of: UInt8(ascii: "]")) {
                    hostRange = (item.lowerBound + 1)..<close
                    portStart = close + 1
                } else {
                    hostRange = item.lowerBound..<(bytes[item].firstIndex(of: UInt8(ascii: ":")) ?? item.upperBound)
                    portStart = hostRange.upperBound
                }
                guard portStart < item.upperBound, bytes[portStart] == UInt8(ascii: ":") else {
                    return (hostRange, nil)
                }
                return (hostRange, (portStart + 1)..<item.upperBound)
            }
        }

        /// The query's `key=value` parameters (`value` nil when there is no `=`), each with
        /// its whole range; empty items (`&&`) are skipped.
        func queryParameters(_ bytes: [UInt8]) -> [(whole: Range<Int>, key: Range<Int>, value: Range<Int>?)] {
            guard let query else { return [] }
            return split(bytes, query, at: UInt8(ascii: "&")).filter { !$0.isEmpty }.map { item in
                guard let equals = bytes[item].firstIndex(of: UInt8(ascii: "=")) else {
                    return (item, item, nil)
                }
                return (item, item.lowerBound..<equals, (equals + 1)..<item.upperBound)
            }
        }

        private func split(_ bytes: [UInt8], _ range: Range<Int>, at separator: UInt8) -> [Range<Int>] {
            var items: [Range<Int>] = []
            var start = range.lowerBound
            for index in range where bytes[index] == separator {
                items.append(start..<index)
                start = index + 1
            }
            items.append(start..<range.upperBound)
            return items
        }
    }
}
