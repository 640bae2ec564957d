// swift-tools-version: 6.0
import PackageDescription

// Release builds of the numeric modules skip bounds checks in hot loops (`-Ounchecked`);
// the CPU target is chosen by the Makefile (`SWIFT_CPU`), not here, so the package stays portable.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "ciess-swift",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ciess", targets: ["ciess"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Linalg", dependencies: ["CBLAS"], swiftSettings: fastMath),
        .target(name: "RecData", dependencies: ["Linalg"], swiftSettings: fastMath),
        .target(name: "Evaluation", dependencies: ["Linalg", "RecData"], swiftSettings: fastMath),
        .target(name: "Recommenders", dependencies: ["Linalg", "RecData", "Evaluation"], swiftSettings: fastMath),
        .target(name: "SizeSearch", dependencies: ["Linalg", "RecData", "Evaluation", "Recommenders"],
                swiftSettings: fastMath),
        .target(name: "Harness", dependencies: ["Linalg", "RecData", "Evaluation", "Recommenders", "SizeSearch"],
                swiftSettings: fastMath),
        .executableTarget(name: "ciess", dependencies: [
            "Harness", "SizeSearch", "Recommenders", "Evaluation", "RecData", "Linalg",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fastMath),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg"]),
        .testTarget(name: "RecDataTests", dependencies: ["RecData"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "RecommendersTests", dependencies: ["Recommenders"]),
        .testTarget(name: "SizeSearchTests", dependencies: ["SizeSearch"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness"]),
    ]
)
