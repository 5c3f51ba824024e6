import Foundation
import Testing
@testable import YAML
import WorkspaceTestSupport

/// The emitter's quick answer to "may this string be written plain?" (`plainSafeByFirstByte`)
/// never disagrees with the full rules (`plainSafeByRules`) where it gives one.
struct PlainStyleTests {
    /// Every first byte, followed by the tails that make the rules take different turns.
    @Test func theFirstByteAnswerAgreesWithTheRules() {
        let tails = ["", "es", "ull", "rue", "alse", "1", "0", ".5", "x1F", "o7", "2:30", " a", "a ", "\n", "\u{2028}", "inf", "nan"]
        var texts: [String] = []
        for byte in 0x20..<0x7F { for tail in tails { texts.append(String(UnicodeScalar(UInt8(byte))) + tail) } }
        texts += ["é", "€5", "✓ done", "yes", "Y", "ON", "<<", "=", "~", "-.inf", "${{ ACTIONS.a.result }}", "\u{85}x", "a\u{0B}b"]
        var judged = 0
        for text in texts {
            guard let quick = ScalarResolver.plainSafeByFirstByte(text) else { continue }
            judged += 1
            #expect(quick == ScalarResolver.plainSafeByRules(text), "\(text.debugDescription)")
        }
        #expect(judged > texts.count / 2)
    }

    /// The same over every scalar of the corpus documents.
    @Test func theFirstByteAnswerAgreesOnTheCorpus() throws {
        var strings: Set<String> = []
        func collect(_ value: Value) {
            switch value {
            case .string(let text): strings.insert(text)
            case .array(let items): items.forEach(collect)
            case .object(let members): for (key, member) in members { strings.insert(key); collect(member) }
            default: break
            }
        }
        for url in TestPaths.corpusYAMLFiles() {
            collect(try YAMLParser.parse(Array(try Data(contentsOf: url))).value)
        }
        #expect(strings.count > 1000)
        for text in strings {
            if let quick = ScalarResolver.plainSafeByFirstByte(text) {
                #expect(quick == ScalarResolver.plainSafeByRules(text), "\(text.debugDescription)")
            }
        }
    }
}
