import Foundation

/// Reading `${{ ... }}` expressions inside strings, enough to check what they refer to.
enum Expressions {
    /// The text inside each `${{ ... }}` of `text`.
    static func spans(in text: String) -> [Substring] {
        var spans: [Substring] = []
        var rest = text[...]
        while let open = rest.range(of: "${{") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { break }
            spans.append(after[..<close.lowerBound])
            rest = after[close.upperBound...]
        }
        return spans
    }

    /// True when the whole string (spaces aside) is one `${{ ... }}` expression.
    static func isExpression(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.hasPrefix("${{") && trimmed.hasSuffix("}}") && trimmed.count >= 5
    }

    /// The names following `context.` inside expressions (`ACTIONS.fetch.result` gives
    /// `fetch` for context `ACTIONS`), in order of appearance.
    static func names(after context: String, in text: String) -> [String] {
        var names: [String] = []
        let prefix = Array((context + ".").unicodeScalars)
        for span in spans(in: text) {
            let scalars = Array(span.unicodeScalars)
            var index = 0
            while index + prefix.count <= scalars.count {
                let startsHere = Array(scalars[index..<(index + prefix.count)]) == prefix
                let boundary = index == 0 || !isIdentifier(scalars[index - 1]) && scalars[index - 1] != "."
                if startsHere && boundary {
                    var end = index + prefix.count
                    while end < scalars.count && isIdentifier(scalars[end]) { end += 1 }
                    if end > index + prefix.count {
                        names.append(String(String.UnicodeScalarView(scalars[(index + prefix.count)..<end])))
                    }
                    index = end
                } else {
                    index += 1
                }
            }
        }
        return names
    }

    static func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": return true
        default: return false
        }
    }
}
