import Foundation
import Testing
import WorkspaceTestSupport

/// The man pages render cleanly: `man -l` through `col -b` succeeds without a word on
/// stderr, groff finds nothing to warn about, and no font-alternating macro runs prose
/// words together.
@Suite struct ManPageTests {
    static let pages = ["git-workspace.1", "git-remote-workspace.1", "git-workspace-hooks.7"]

    func page(_ name: String) -> String {
        TestPaths.packageRoot.appendingPathComponent("man/\(name)").path
    }

    @Test(arguments: pages)
    func rendersWithoutWarnings(_ name: String) throws {
        let runner = Runner(directory: TestPaths.packageRoot)
        let rendered = try runner.run(["sh", "-c", "MANWIDTH=80 man -l \"$1\" | col -b", "render", page(name)],
                                      extraEnvironment: ["MAN_DISABLE_SECCOMP": "1"])
        #expect(rendered.status == 0, "\(rendered)")
        #expect(rendered.stderr.isEmpty, "\(rendered)")
        #expect(rendered.stdout.contains("NAME"), "\(rendered)")
        let checked = try runner.run(["groff", "-man", "-Tutf8", "-ww", "-z", page(name)])
        #expect(checked.status == 0 && checked.stderr.isEmpty, "\(name): \(checked)")
    }

    /// `.BR`, `.IR` and their kin join their arguments without spaces, so two plain words
    /// in neighbouring arguments run together (`.BR "a" ); more words here` renders
    /// `);morewordshere`): prose belongs on the next line.
    @Test(arguments: pages)
    func alternatingFontMacrosDoNotRunWordsTogether(_ name: String) throws {
        let text = try String(contentsOfFile: page(name), encoding: .utf8)
        var offenders: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let macro = line.prefix(3)
            guard [".BR", ".BI", ".IB", ".IR", ".RB", ".RI"].contains(macro), line.count > 3 else { continue }
            let arguments = Self.arguments(String(line.dropFirst(3)))
            for (left, right) in zip(arguments, arguments.dropFirst()) where Self.isWord(left) && Self.isWord(right) {
                offenders.append("\(name):\(number + 1): '\(left)' and '\(right)' run together: \(line)")
            }
        }
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }

    /// A plain word of two letters or more (a one-letter argument is a deliberate join, as in
    /// `YYYYMMDD T hhmmss`).
    static func isWord(_ text: String) -> Bool {
        text.count >= 2 && text.allSatisfy { $0.isLetter }
    }

    /// A macro line's arguments: blank-separated, double quotes grouping.
    static func arguments(_ text: String) -> [String] {
        var arguments: [String] = [], current = "", quoted = false, started = false
        for character in text {
            if character == "\"" { quoted.toggle(); started = true; continue }
            if character == " " && !quoted {
                if started { arguments.append(current) }
                current = ""
                started = false
                continue
            }
            current.append(character)
            started = true
        }
        if started { arguments.append(current) }
        return arguments
    }
}
