import Foundation

/// Where the package, its built executables and the shared corpus live, for tests.
public enum TestPaths {
    /// The package root: the directory holding `Package.swift`.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/corpus`, beside the project (tests read it there; it is never copied in).
    public static var corpus: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }

    /// The Tracecat workflow files of the corpus, sorted by name.
    public static func corpusWorkflows() -> [URL] {
        files(under: corpus.appendingPathComponent("tracecat-workflows"))
    }

    /// Every YAML file of the corpus (workflows and action templates), sorted by path.
    public static func corpusYAMLFiles() -> [URL] {
        files(under: corpus)
    }

    static func files(under root: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        var found: [URL] = []
        for case let url as URL in walker where url.pathExtension == "yml" || url.pathExtension == "yaml" {
            found.append(url)
        }
        return found.sorted { $0.path < $1.path }
    }

    /// The directory holding the built executables (`git-workspace`, `git-remote-workspace`).
    ///
    /// `swift test` builds them beside the test bundle; `WORKSPACE_BIN_DIR` overrides.
    public static let binDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["WORKSPACE_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("git-workspace").path) {
                return candidate
            }
        }
        for config in ["debug", "release"] {
            let dir = packageRoot.appendingPathComponent(".build/\(config)")
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("git-workspace").path) {
                return dir
            }
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }()
}
