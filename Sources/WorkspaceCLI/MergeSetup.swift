import Foundation
import WorkspaceSpec
import WorkspaceSync

/// The spec-aware merge driver's settings and the `.gitattributes` lines that select it for
/// resource files (the driver itself is `git workspace merge-driver`).
///
/// The attribute lines live in one block between marker comments, so that install-hooks can
/// refresh them and uninstall-hooks can remove exactly them. When install-hooks creates
/// `.gitattributes`, the begin marker says so, and uninstall-hooks deletes the file when the
/// block was all it held. The block is written from the manifest in the work tree
/// (`workspace.json`, else every kind's default root): run install-hooks again after
/// changing the manifest's roots.
enum MergeSetup {
    static let settings: [(key: String, value: String)] = [
        ("merge.workspace.name", "git-remote-workspace spec-aware merge"),
        ("merge.workspace.driver", "git workspace merge-driver %O %A %B %P"),
    ]

    static let fileName = ".gitattributes"
    static let beginMarker = "# >>> git-remote-workspace: spec-aware merge of resource files (git workspace install-hooks)"
    static let beginMarkerCreated = "# >>> git-remote-workspace: spec-aware merge of resource files (git workspace install-hooks; it created this file)"
    static let beginPrefix = "# >>> git-remote-workspace"
    static let endMarker = "# <<< git-remote-workspace"

    // MARK: Settings

    /// Sets the driver's settings in `.git/config`; true when something changed.
    static func configure() throws -> Bool {
        var changed = false
        for setting in settings where try GitConfigCommand.get(setting.key, local: true) != setting.value {
            try GitConfigCommand.setLocal(setting.key, setting.value)
            changed = true
        }
        Output.err(changed ? "merge driver: configured merge.workspace.name and merge.workspace.driver\n"
                           : "merge driver: already configured\n")
        return changed
    }

    /// Unsets the settings that still hold our values; true when something changed.
    static func unconfigure() throws -> Bool {
        var changed = false
        for setting in settings {
            guard let value = try GitConfigCommand.get(setting.key, local: true) else { continue }
            if value == setting.value {
                try GitConfigCommand.unsetLocal(setting.key)
                changed = true
            } else {
                Output.err("merge driver: \(setting.key) was changed to '\(value)', left alone\n")
            }
        }
        if changed { Output.err("merge driver: removed merge.workspace.name and merge.workspace.driver\n") }
        return changed
    }

    // MARK: Attributes

    /// The gitattributes pattern matching every canonical path of each kind the manifest
    /// declares (`workflows/*/definition.yml`, `variables/*.yml`), in `ResourceKinds.all` order.
    static func patterns(for manifest: Manifest) -> [String] {
        ResourceKinds.all.compactMap { kind in
            guard let root = manifest.roots[kind.rootKey] else { return nil }
            switch kind.layout {
            case .directory(let file): return quoted(escaped(root) + "*/" + escaped(file))
            case .file(let suffix): return quoted(escaped(root) + "*" + escaped(suffix))
            }
        }
    }

    /// Glob characters in a root are literal characters.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "*?[\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// A pattern with white space or a quote goes in C-style quotes, as gitattributes allows.
    static func quoted(_ pattern: String) -> String {
        guard pattern.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" }) else { return pattern }
        return "\"" + pattern.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The manifest in `workTree` (the default roots when there is none); a broken one stops
    /// install-hooks, since the attributes would name the wrong paths.
    static func manifest(in workTree: URL) throws -> Manifest {
        try GitWorkspace.Validate.manifest(of: DiskTree(directory: workTree.path))
    }

    /// The lines of `.gitattributes` and where our block is in them.
    struct Attributes {
        var lines: [String]
        /// The begin and end line indices of our block.
        var block: ClosedRange<Int>?
        var existed: Bool

        init(url: URL) throws {
            let data = FileManager.default.contents(atPath: url.path)
            existed = data != nil
            var text = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
            if text.hasSuffix("\n") { text.removeLast() }
            lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let clean = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
            guard let begin = clean.firstIndex(where: { $0.hasPrefix(MergeSetup.beginPrefix) }) else { return }
            guard let end = clean[begin...].firstIndex(of: MergeSetup.endMarker) else {
                throw CommandFailure(message: "\(url.path) line \(begin + 1) opens a git-remote-workspace block that never ends ('\(MergeSetup.endMarker)'); fix the file by hand")
            }
            block = begin...end
        }

        /// True when the block's begin marker says install-hooks created the file.
        var createdByUs: Bool {
            guard let block else { return false }
            return lines[block.lowerBound].hasPrefix(MergeSetup.beginMarkerCreated)
        }

        var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }
    }

    /// Writes or refreshes our block; true when the file changed.
    static func installAttributes(workTree: URL) throws -> Bool {
        let url = workTree.appendingPathComponent(fileName)
        var attributes = try Attributes(url: url)
        let patterns = patterns(for: try manifest(in: workTree))
        let created = attributes.block == nil ? !attributes.existed : attributes.createdByUs
        let block = [created ? beginMarkerCreated : beginMarker] + patterns.map { "\($0) merge=workspace" } + [endMarker]
        if let range = attributes.block {
            if Array(attributes.lines[range]) == block {
                Output.err("\(fileName): merge=workspace lines already in place\n")
                return false
            }
            attributes.lines.replaceSubrange(range, with: block)
        } else {
            attributes.lines += block
        }
        try write(attributes.text, to: url)
        Output.err("\(fileName): merge=workspace for \(patterns.joined(separator: ", ")) (commit it so that every clone merges resource files with the driver)\n")
        return true
    }

    /// Removes our block, and the file when we created it and nothing else is left; true
    /// when the file changed.
    static func removeAttributes(workTree: URL) throws -> Bool {
        let url = workTree.appendingPathComponent(fileName)
        var attributes = try Attributes(url: url)
        guard let range = attributes.block else { return false }
        let created = attributes.createdByUs
        attributes.lines.removeSubrange(range)
        if created, attributes.lines.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            do { try FileManager.default.removeItem(at: url) } catch {
                throw CommandFailure(message: "cannot remove \(url.path): \(error.localizedDescription)")
            }
            Output.err("\(fileName): removed (install-hooks had created it)\n")
        } else {
            try write(attributes.text, to: url)
            Output.err("\(fileName): removed the merge=workspace lines\n")
        }
        return true
    }

    static func write(_ text: String, to url: URL) throws {
        do { try Data(text.utf8).write(to: url) } catch {
            throw CommandFailure(message: "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
