import Foundation
@testable import Harness

/// Tiny profiles made in code for the Plan* tests.
enum PlanFixtures {
    /// A valid profile as a JSON object (mutate it to make malformed ones).
    static func profileObject() -> [String: Any] {
        [
            "description": "tiny",
            "datasets": ["ml-1m"],
            "backbones": ["lightgcn"],
            "budgets": [0.8, 0.9],
            "methods": ["ciess", "es", "mr", "pep", "esapn"],
            "seeds": [1],
            "method_seeds": ["mr": [1, 2]],
            "batch_size": 100,
            "threads_per_cell": 1,
            "ciess": [
                "episodes": 4, "iterations": 2, "batches_per_iteration": NSNull(),
                "pretrain": ["chunk_batches": 5, "patience": 1, "max_chunks": 1],
                "lambda": ["ml-1m": 0.4], "candidates": 3,
            ] as [String: Any],
            "retrain": ["chunk_batches": 5, "patience": 1, "max_chunks": 2],
            "table1": ["protocols": ["clean", "code"]],
            "table2": ["backbones": ["lightgcn"], "variants": ["g-rw", "g-norw"], "protocols": ["clean"]] as [String: Any],
            "figure3": ["backbones": ["lightgcn"], "variants": ["g-rw", "g-norw"]],
            "figure4": ["backbones": ["lightgcn"], "lambdas": ["ml-1m": [0.4, 0.8]], "protocols": ["clean"]] as [String: Any],
            "figure5": ["backbones": ["lightgcn"], "intervals": 2, "protocols": ["clean"]] as [String: Any],
        ]
    }

    static func data(_ profile: [String: Any], name: String = "tiny") throws -> Data {
        try JSONSerialization.data(withJSONObject: ["profiles": [name: profile]], options: [.sortedKeys])
    }

    static func plan() throws -> ExperimentPlan {
        let file = try ExperimentProfiles.decode(try data(profileObject()), source: "fixture.json")
        return ExperimentPlan(profileName: "tiny", profile: try file.profile("tiny"))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plan-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The repository's experiments/profiles.json (tests run from the package root).
    static var repositoryProfiles: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("experiments/profiles.json")
    }
}
