import Foundation

/// Reading `${{ ... }}` expressions inside strings, enough to check what they refer to.
enum Expressions {
    /// The bytes (UTF-8) inside each `${{ ... }}` of `text`: from `${{` to the next `}}`.
    ///
    /// Read byte by byte: the markers are ASCII, so they can only match whole characters of
    /// the UTF-8 text, and a scan of bytes costs a few instructions per byte where a search
    /// through `String` costs hundreds (every string of every document passes here).
    static func spans(in text: String) -> [ArraySlice<UInt8>] {
        let dollar = UInt8(ascii: "$"), open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var text = text
        guard text.withUTF8({ $0.count > 0 && memchr($0.baseAddress!, Int32(dollar), $0.count) != nil }) else { return [] }
        let bytes = Array(text.utf8)
        var spans: [ArraySlice<UInt8>] = []
        var index = 0
        scan: while index + 3 <= bytes.count {
            guard bytes[index] == dollar, bytes[index + 1] == open, bytes[index + 2] == open else {
                index += 1
                continue
            }
            var end = index + 3
            while end + 1 < bytes.count {
                if bytes[end] == close && bytes[end + 1] == close {
                    spans.append(bytes[(index + 3)..<end])
                    index = end + 2
                    continue scan
                }
                end += 1
            }
            break
        }
        return spans
    }

    /// True when the whole string (spaces aside) is one `${{ ... }}` expression.
    static func isExpression(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.hasPrefix("${{") && trimmed.hasSuffix("}}") && trimmed.count >= 5
    }

    /// The names following `context.` inside expressions (`ACTIONS.fetch.result` gives
    /// `fetch` for context `ACTIONS`), in order of appearance, from a string's `spans`.
    static func names(after context: String, in spans: [ArraySlice<UInt8>]) -> [String] {
        guard !spans.isEmpty else { return [] }
        var names: [String] = []
        let prefix = Array((context + ".").utf8)
        for span in spans {
            var index = span.startIndex
            while index + prefix.count <= span.endIndex {
                // The first byte alone rules out almost every place.
                let startsHere = span[index] == prefix[0] && span[index..<(index + prefix.count)].elementsEqual(prefix)
                let boundary = index == span.startIndex || !isIdentifier(span[index - 1]) && span[index - 1] != UInt8(ascii: ".")
                if startsHere && boundary {
                    var end = index + prefix.count
                    while end < span.endIndex && isIdentifier(span[end]) { end += 1 }
                    if end > index + prefix.count {
                        names.append(String(decoding: span[(index + prefix.count)..<end], as: UTF8.self))
                    }
                    index = end
                } else {
                    index += 1
                }
            }
        }
        return names
    }

    /// An identifier's byte (ASCII letters, digits, `_`); a byte of a longer UTF-8
    /// character is not one, as its scalar is not.
    static func isIdentifier(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    static func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": return true
        default: return false
        }
    }
}
