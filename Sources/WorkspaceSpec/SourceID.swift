/// Rules for source ids: the stable, path-safe names resources have in a repository.
///
/// A source id is one path segment of 1 to 128 characters from `A-Z a-z 0-9 . _ -`, not
/// starting with `.` or `-` (so never `.`, `..`, a hidden file or something that reads as a
/// command-line option). Ids are compared case-insensitively for collisions: two ids that
/// differ only by case would be one directory on a case-insensitive file system.
public enum SourceID {
    /// Longest accepted id.
    public static let maxLength = 128
    /// Longest id that slugging produces (before a `-N` suffix).
    public static let maxSlugLength = 64

    /// Why `id` is not a valid source id, or nil when it is.
    public static func problem(with id: String) -> String? {
        if id.isEmpty { return "a source id must not be empty" }
        if id == "." || id == ".." { return "'\(id)' is not a usable source id: it names a directory of its own" }
        if id.unicodeScalars.count > maxLength { return "a source id is at most \(maxLength) characters" }
        for scalar in id.unicodeScalars {
            if scalar == "/" || scalar == "\\" {
                return "a source id is one path segment: '\(id)' contains a path separator"
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "a source id must not contain control characters"
            }
            if !isAllowed(scalar) {
                // A non-ASCII letter is named by its code point too: a combining mark (the
                // accent of a decomposed `é`) shows as nothing between quotes.
                let named = scalar.isASCII ? "'\(Character(scalar))'" : "'\(Character(scalar))' (U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)))"
                return "a source id uses only letters a-z, A-Z, digits, '.', '_' and '-': '\(id)' contains \(named)"
            }
        }
        if let first = id.unicodeScalars.first, first == "." || first == "-" {
            return "a source id must not start with '\(Character(first))'"
        }
        return nil
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return true
        default: return false
        }
    }

    /// The slug of a name: lowercase ASCII letters and digits, runs of anything else as one
    /// `-`, no `-` at either end, at most `maxSlugLength` characters. Nil when nothing is left.
    ///
    /// Latin letters with accents become their base letters by `transliterations`
    /// (`Café Überwachung` -> `cafe-uberwachung`); combining marks (a decomposed `é`) are
    /// dropped. The table is fixed, not the platform's locale data, so every machine derives
    /// the same ids (invariant 4). Other scripts count as separators.
    public static func slug(_ name: String) -> String? {
        var out: [Character] = []
        var pendingDash = false
        for scalar in name.lowercased().unicodeScalars {
            if (0x300...0x36F).contains(scalar.value) { continue }
            let letters = transliterations[scalar].map { Array($0.unicodeScalars) } ?? [scalar]
            for letter in letters {
                switch letter {
                case "a"..."z", "0"..."9":
                    if pendingDash && !out.isEmpty { out.append("-") }
                    pendingDash = false
                    out.append(Character(letter))
                default:
                    pendingDash = true
                }
            }
            if out.count >= maxSlugLength { break }
        }
        if out.count > maxSlugLength { out.removeLast(out.count - maxSlugLength) }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? nil : String(out)
    }

    /// The transliteration table (lowercase Latin-1 Supplement and Latin Extended-A letters
    /// to ASCII), documented in git-workspace(1): each base letter or pair with the letters
    /// that become it.
    static let transliterationTable: [(String, String)] = [
        ("a", "àáâãäåāăą"), ("ae", "æ"), ("c", "çćĉċč"), ("d", "ďđð"), ("e", "èéêëēĕėęě"),
        ("g", "ĝğġģ"), ("h", "ĥħ"), ("i", "ìíîïĩīĭįı"), ("ij", "ĳ"), ("j", "ĵ"), ("k", "ķĸ"),
        ("l", "ĺļľŀł"), ("n", "ñńņňŉŋ"), ("o", "òóôõöøōŏő"), ("oe", "œ"), ("r", "ŕŗř"),
        ("s", "śŝşšſ"), ("ss", "ß"), ("t", "ţťŧ"), ("th", "þ"), ("u", "ùúûüũūŭůűų"), ("w", "ŵ"),
        ("y", "ýÿŷ"), ("z", "źżž"),
    ]

    static let transliterations: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [:]
        for (ascii, letters) in transliterationTable {
            for letter in letters.unicodeScalars { table[letter] = ascii }
        }
        return table
    }()

    /// The base id for a new resource: the slug of the first usable name, else the kind's name.
    ///
    /// Names are tried in order (alias, then title); one that slugs to nothing (empty, only
    /// whitespace or punctuation) falls through to the next.
    public static func base(from names: [String?], kind: String) -> String {
        for case let name? in names {
            if let slug = slug(name) { return slug }
        }
        return slug(kind) ?? "resource"
    }
}

/// Hands out unique source ids: `base`, then `base-2`, `base-3`, ... in call order.
///
/// Uniqueness is case-insensitive. Callers make the order deterministic (for example by a
/// resource's creation sequence), so every projection and every mapping agrees.
public struct SourceIDAllocator: Sendable {
    private var taken: Set<String>

    /// Starts with `taken` ids already in use.
    public init<S: Sequence>(taken: S) where S.Element == String {
        self.taken = Set(taken.map { $0.lowercased() })
    }

    /// Reserves and returns the first free id for `base`.
    public mutating func allocate(_ base: String) -> String {
        var candidate = base
        var suffix = 2
        while taken.contains(candidate.lowercased()) {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        taken.insert(candidate.lowercased())
        return candidate
    }

    /// True when `id` (or an id differing only by case) is in use.
    public func isTaken(_ id: String) -> Bool { taken.contains(id.lowercased()) }
}

extension String {
    /// The string with `0`s in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
