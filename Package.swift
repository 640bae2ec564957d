// swift-tools-version: 6.0
import PackageDescription

// Release builds keep every precondition and trap (no `-Ounchecked`): a violated contract must stop
// with a message, never run on as undefined behaviour. Hot loops avoid bounds checks by working on
// unsafe pointers instead. The CPU target is chosen by the Makefile (`SWIFT_CPU`), not here, so the
// package stays portable.

let package = Package(
    name: "ciess-swift",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ciess", targets: ["ciess"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256, SHA-1 (git blob ids) and MD5 (archive checks). 3.x rather than 4.x: 4.x needs
        // swift-tools-version 6.1 and builds a second C library (XKCP) this project does not use.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Linalg", dependencies: ["CBLAS"]),
        .target(name: "RecData", dependencies: ["Linalg", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Evaluation", dependencies: ["Linalg", "RecData"]),
        .target(name: "Recommenders", dependencies: ["Linalg", "RecData", "Evaluation"]),
        .target(name: "SizeSearch", dependencies: ["Linalg", "RecData", "Evaluation", "Recommenders"]),
        .target(name: "Harness", dependencies: ["Linalg", "RecData", "Evaluation", "Recommenders", "SizeSearch",
                                             .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(name: "ciess", dependencies: [
            "Harness", "SizeSearch", "Recommenders", "Evaluation", "RecData", "Linalg",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg"]),
        .testTarget(name: "RecDataTests", dependencies: ["RecData", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "RecommendersTests", dependencies: ["Recommenders"]),
        .testTarget(name: "SizeSearchTests", dependencies: ["SizeSearch"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
