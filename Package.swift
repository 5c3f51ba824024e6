// swift-tools-version:6.0
// git-remote-workspace: a workspace of an application's resources, served as a git remote.
import PackageDescription

let package = Package(
    name: "git-remote-workspace",
    products: [
        .executable(name: "git-remote-workspace", targets: ["git-remote-workspace"]),
        .executable(name: "git-workspace", targets: ["git-workspace"]),
        .library(name: "WorkspaceSpec", targets: ["WorkspaceSpec"]),
        .library(name: "WorkspaceSync", targets: ["WorkspaceSync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", .upToNextMajor(from: "1.5.0")),
        .package(url: "https://github.com/apple/swift-crypto", .upToNextMajor(from: "3.12.3")),
        .package(url: "https://github.com/groue/GRDB.swift", .upToNextMajor(from: "7.10.0")),
    ],
    targets: [
        // C libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libpq, PostgreSQL's own client library (see PostgresConnection for why this one): its
        // header only; the library is loaded when a PostgreSQL store is opened (shim.h).
        .systemLibrary(name: "CPostgres", providers: [.apt(["libpq-dev"])]),

        // The only importer of CGit2.
        .target(name: "Git", dependencies: [
            "CGit2", "CZlib",
            .product(name: "Crypto", package: "swift-crypto"),
        ], linkerSettings: [
            // Every program that links Git exports its stand-in for the mbedTLS function that
            // reads the certificate bundle, so libgit2's start-up calls it (Certificates.swift).
            .unsafeFlags(["-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_file"]),
        ]),
        // The only importer of CYAML.
        .target(name: "YAML", dependencies: ["CYAML"]),
        // Canonical documents, kinds, normalization, hashing, validation, diagnostics.
        .target(name: "WorkspaceSpec", dependencies: [
            "YAML",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The Store protocol, migrations, the SQLite store and the PostgreSQL store (Git for
        // the zlib and delta formats its object rows use).
        .target(name: "WorkspaceStore", dependencies: [
            "WorkspaceSpec", "YAML", "CPostgres", "Git",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Projection (application changes), fetch transfer, push reconciliation.
        .target(name: "WorkspaceSync", dependencies: ["Git", "WorkspaceSpec", "WorkspaceStore", "YAML"]),
        // gitremote-helpers(7): protocol reader, dispatcher and writer.
        .target(name: "RemoteHelper", dependencies: ["Git", "WorkspaceSync", "WorkspaceStore", "WorkspaceSpec"]),
        // One file per `git workspace` command.
        .target(name: "WorkspaceCLI", dependencies: [
            "WorkspaceSpec", "Git", "WorkspaceStore", "WorkspaceSync", "YAML",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "git-workspace", dependencies: ["WorkspaceCLI"]),
        .executableTarget(name: "git-remote-workspace", dependencies: ["RemoteHelper"]),

        // Scratch directories, git runners, corpus access: shared by the test targets.
        .target(name: "WorkspaceTestSupport", dependencies: []),

        .testTarget(name: "YAMLTests", dependencies: ["YAML", "WorkspaceTestSupport"]),
        .testTarget(name: "WorkspaceSpecTests", dependencies: ["WorkspaceSpec", "YAML", "WorkspaceTestSupport"]),
        .testTarget(name: "GitTests", dependencies: ["Git", "WorkspaceTestSupport"]),
        .testTarget(name: "WorkspaceStoreTests", dependencies: [
            "WorkspaceStore", "WorkspaceSpec", "YAML", "WorkspaceTestSupport", "Git",
            // Two tests change a store file from outside (a future migration, a foreign database).
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["WorkspaceTestSupport"]),
        .testTarget(name: "RemoteHelperTests", dependencies: ["RemoteHelper"]),
        .testTarget(name: "WorkspaceSyncTests", dependencies: ["WorkspaceSync", "Git", "WorkspaceTestSupport"]),
    ]
)

// libFuzzer targets (Fuzz/, run by scripts/fuzz.sh): declared only when WORKSPACE_FUZZ is set,
// so the ordinary build and `swift test` never see them. Each main.swift hands its input
// callback to libFuzzer's driver, so they link only with `-sanitize=fuzzer`.
if Context.environment["WORKSPACE_FUZZ"] != nil {
    let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzYAML", ["YAML"]),
        ("FuzzResource", ["WorkspaceSpec", "YAML"]),
        ("FuzzProtocol", ["RemoteHelper", "Git", "WorkspaceStore", "WorkspaceSync"]),
        ("FuzzManifest", ["WorkspaceSpec", "YAML"]),
    ]
    package.targets.append(.systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
    for fuzzer in fuzzers {
        package.targets.append(.executableTarget(name: fuzzer.name, dependencies: fuzzer.dependencies + ["CLibFuzzer"],
                                                 path: "Fuzz/\(fuzzer.name)"))
        package.products.append(.executable(name: fuzzer.name, targets: [fuzzer.name]))
    }
}
