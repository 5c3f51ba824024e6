import Foundation
import Testing
import WorkspaceTestSupport
import YAML

/// Real-world YAML: every corpus file parses, and parse/emit is a fixed point.
struct CorpusTests {
    static let files = TestPaths.corpusYAMLFiles()

    static func read(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    @Test func corpusHasAllFiles() {
        #expect(Self.files.count == 922)
    }

    @Test func everyFileParsesAndRoundTrips() throws {
        var failures: [String] = []
        for url in Self.files {
            let name = url.lastPathComponent
            do {
                let value = try YAMLParser.parse(try Self.read(url)).value
                let emitted = YAMLEmitter.emit(value)
                let reparsed = try YAMLParser.parse(emitted).value
                if reparsed != value { failures.append("\(name): value changed through emit") }
                if YAMLEmitter.emit(reparsed) != emitted { failures.append("\(name): emit is not idempotent") }
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
    }

    /// Known keys first in a fixed order, the rest byte-wise; sequence elements by path.
    static let documentOrder: YAMLEmitter.KeyOrder = { path, keys in
        let priority = ["type", "definition", "title", "description", "name", "namespace", "ref", "action",
                        "expects", "steps", "args", "secrets", "returns"]
        let known = priority.filter(keys.contains)
        return known + keys.filter { !priority.contains($0) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Checks every mapping of `node` is in `documentOrder`'s order for its path.
    static func checkOrder(_ node: Node, path: [String], problems: inout [String]) {
        switch node.content {
        case .scalar: return
        case .sequence(let elements):
            for element in elements { checkOrder(element, path: path + ["[]"], problems: &problems) }
        case .mapping(let pairs):
            let keys = pairs.map(\.key)
            let sorted = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            if keys != documentOrder(path, sorted) { problems.append("\(path): \(keys)") }
            for pair in pairs { checkOrder(pair.value, path: path + [pair.key], problems: &problems) }
        }
    }

    @Test(arguments: [0, 1, 100, 500, 921])
    func customKeyOrderIsWrittenAndReadBack(index: Int) throws {
        let url = Self.files[index]
        let value = try YAMLParser.parse(try Self.read(url)).value
        let emitted = YAMLEmitter.emit(value, keyOrder: Self.documentOrder)
        let node = try YAMLParser.parse(emitted)
        #expect(node.value == value)
        var problems: [String] = []
        Self.checkOrder(node, path: [], problems: &problems)
        #expect(problems.isEmpty, "\(url.lastPathComponent): \(problems)")
        if case .object(let members) = value, members["type"] != nil {
            #expect(node.pairs?.first?.key == "type")
        }
    }
}
