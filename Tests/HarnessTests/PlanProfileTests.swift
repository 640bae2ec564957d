import Foundation
import XCTest
@testable import Harness
import SizeSearch

final class PlanProfileTests: XCTestCase {
    func testRepositoryProfilesLoadAndExpand() throws {
        let file = try ExperimentProfiles.load(PlanFixtures.repositoryProfiles)
        XCTAssertEqual(Set(file.profiles.keys), ["paper", "quick", "smoke"])
        let paper = ExperimentPlan(profileName: "paper", profile: try file.profile("paper"))
        // Searches per dataset: CIESS g-rw, PEP, ES, ESAPN, OptEmbed ×3 backbones, MR ×3 × 3 seeds, Table 2 extra ×3,
        // Figure 4 extra ×5.
        XCTAssertEqual(paper.searches.count, 2 * (5 * 3 + 9 + 3 + 5))
        // Cells per dataset: Table 1 3 backbones × (3 c × (CIESS + PEP + ES + 3 MR seeds) + ESAPN + OptEmbed) × 2 protocols,
        // + Table 2 9, + Figure 4 15, + Figure 5 15.
        XCTAssertEqual(paper.cells.count, 2 * (3 * (3 * 6 + 2) * 2 + 9 + 15 + 15))
        XCTAssertEqual(try file.profile("paper").ciess.episodes, 30)
        XCTAssertEqual(try file.profile("paper").retrain.config, .init(chunkBatches: 3000, patience: 2, maxChunks: 30))
        let quick = ExperimentPlan(profileName: "quick", profile: try file.profile("quick"))
        // Quick: one seed for every method (MR included).
        XCTAssertEqual(quick.searches.count, 2 * (5 * 3 + 3 + 3 + 5))
        XCTAssertEqual(quick.cells.count, 2 * (3 * (3 * 4 + 2) * 2 + 9 + 15 + 15))
        let smoke = ExperimentPlan(profileName: "smoke", profile: try file.profile("smoke"))
        // Smoke: Table 1 on Yelp2018 with LightGCN only (table1.dataset_backbones).
        XCTAssertEqual(smoke.searches.count, (5 * 3 + 6 + 3 + 1) + (5 * 1 + 2 + 3 + 1))
        XCTAssertEqual(smoke.cells.count, (3 * (2 * 5 + 2) * 2 + 6 + 2 + 4) + (1 * (2 * 5 + 2) * 2 + 6 + 2 + 4))
        XCTAssertEqual(try file.profile("paper").baselineSettings, .paper)
        XCTAssertEqual(paper.optembedConfig(paper.searches.first { $0.method == "optembed" }!).evolution,
                       OptEmbedEvolutionConfig(), "the paper profile gives OptEmbed the evolution of docs/method.md §3.5")
    }

    func testTinyPlanDedupesAcrossTablesAndFigures() throws {
        let plan = try PlanFixtures.plan()
        let searches = plan.searches.map(\.description)
        // g-rw is shared by Table 1, Table 2, Figures 3/4 (λ = default)/5; λ 0.8 adds one search; g-norw one.
        XCTAssertEqual(searches, [
            "ml-1m/lightgcn/ciess/g-norw/seed1/search", "ml-1m/lightgcn/ciess/g-rw-l0.8/seed1/search",
            "ml-1m/lightgcn/ciess/g-rw/seed1/search", "ml-1m/lightgcn/es/default/seed1/search",
            "ml-1m/lightgcn/esapn/default/seed1/search",
            "ml-1m/lightgcn/mr/default/seed1/search", "ml-1m/lightgcn/mr/default/seed2/search",
            "ml-1m/lightgcn/pep/default/seed1/search",
        ])
        // Table 1: (2 c × (ciess + pep + es + 2 mr) + esapn cnone) × 2 protocols = 22; Table 2 g-norw: 2;
        // Figure 4 λ 0.8: 2; Figure 5: 2 intervals × 2 c.
        XCTAssertEqual(plan.cells.count, 22 + 2 + 2 + 4)
        XCTAssertTrue(plan.cells.contains { $0.description == "ml-1m/lightgcn/esapn/default/cnone/seed1/clean" })
        XCTAssertTrue(plan.cells.contains { $0.description == "ml-1m/lightgcn/ciess/g-rw-i2/c0.90/seed1/clean" })
        XCTAssertEqual(plan.episodes(ofInterval: 1), 0...1)
        XCTAssertEqual(plan.episodes(ofInterval: 2), 2...3)
        XCTAssertEqual(plan.stages(for: "figure-3").count, 2)
        XCTAssertEqual(plan.uses["ml-1m/lightgcn/ciess/g-rw/seed1/search"],
                       ["table-1", "table-2", "figure-3", "figure-4", "figure-5", "figure-6"])
    }

    func testCIESSConfigFollowsProfile() throws {
        let plan = try PlanFixtures.plan()
        guard case .search(let s) = try StageID.parse("ml-1m/lightgcn/ciess/g-norw/seed1/search") else { return XCTFail() }
        let c = plan.ciessConfig(s)
        XCTAssertEqual(c.episodes, 4)
        XCTAssertEqual(c.iterations, 2)
        XCTAssertEqual(c.batchesPerIteration, 2000)   // null → docs/method.md §2.4
        XCTAssertEqual(c.batchSize, 100)
        XCTAssertEqual(c.lambda, 0.4)
        XCTAssertFalse(c.randomWalk)
        guard case .search(let l) = try StageID.parse("ml-1m/lightgcn/ciess/g-rw-l0.8/seed1/search") else { return XCTFail() }
        XCTAssertEqual(plan.ciessConfig(l).lambda, 0.8)
    }

    /// A profile object whose `baselines.pep` is `pep` (the other two baselines at small valid values).
    private func profile(withPEP pep: [String: Any]) -> [String: Any] {
        var p = PlanFixtures.profileObject()
        let converge: [String: Any] = ["chunk_batches": 5, "patience": 1, "max_chunks": 1]
        p["baselines"] = ["pep": pep, "esapn": ["search": converge],
                          "optembed": ["supernet": converge, "population": 4, "keep": 2, "mutants": 1, "crossovers": 1,
                                       "generations": 1] as [String: Any]] as [String: Any]
        return p
    }

    func testPEPConfigFollowsProfile() throws {
        func pepConfig(_ pep: [String: Any]) throws -> PEPConfig {
            let file = try ExperimentProfiles.decode(try PlanFixtures.data(profile(withPEP: pep)), source: "fixture.json")
            let plan = ExperimentPlan(profileName: "tiny", profile: try file.profile("tiny"))
            return plan.pepConfig(try XCTUnwrap(plan.searches.first { $0.method == "pep" }))
        }
        let own = try pepConfig(["chunk_batches": 7, "max_chunks": 3, "threshold_lr": 0.01, "own_optimizer": true])
        XCTAssertTrue(own.useOwnOptimizer)
        XCTAssertEqual(own.thresholdLR, 0.01)
        XCTAssertEqual(own.maxBatches, 21)
        let plain = try pepConfig(["chunk_batches": 7, "max_chunks": 3])
        XCTAssertTrue(plain.useOwnOptimizer, "absent own_optimizer means PEP's own optimiser")
        XCTAssertEqual(plain.thresholdLR, 1e-3)
        let backbone = try pepConfig(["chunk_batches": 7, "max_chunks": 3, "own_optimizer": false])
        XCTAssertFalse(backbone.useOwnOptimizer)
        XCTAssertNotEqual(backbone, plain, "the flag is part of the configuration, so of the cells' hashes")
        let tiny = try PlanFixtures.plan()
        XCTAssertTrue(tiny.pepConfig(try XCTUnwrap(tiny.searches.first { $0.method == "pep" })).useOwnOptimizer,
                      "a profile without baselines gets the paper settings")
    }

    func testMalformedProfilesAreRejectedWithTheField() throws {
        func rejects(_ mutate: (inout [String: Any]) -> Void, mentioning needle: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
            var p = PlanFixtures.profileObject()
            mutate(&p)
            XCTAssertThrowsError(try ExperimentProfiles.decode(try PlanFixtures.data(p), source: "fixture.json"),
                                 file: file, line: line) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(needle), "'\(text)' does not mention '\(needle)'", file: file, line: line)
                XCTAssertTrue(text.contains("fixture.json"), file: file, line: line)
            }
        }
        try rejects({ $0.removeValue(forKey: "budgets") }, mentioning: "missing field 'profiles.tiny.budgets'")
        try rejects({ $0["batch_size"] = "big" }, mentioning: "batch_size")
        try rejects({ $0["methods"] = ["ciess", "magic"] }, mentioning: "unknown value 'magic'")
        try rejects({ $0["budgets"] = [0.8, 1.2] }, mentioning: "1.2 is out of range")
        try rejects({ $0["budgets"] = [0.0] }, mentioning: "out of range")
        try rejects({ $0["budgets"] = [0.825] }, mentioning: "two decimals")
        try rejects({ $0["datasets"] = ["netflix"] }, mentioning: "unknown value 'netflix'")
        try rejects({ $0["table1"] = ["protocols": ["dirty"]] }, mentioning: "table1.protocols")
        try rejects({ $0["table2"] = ["backbones": ["lightgcn"], "variants": ["x-rw"], "protocols": ["clean"]] }, mentioning: "unknown variant 'x-rw'")
        try rejects({ $0["figure5"] = ["backbones": ["lightgcn"], "intervals": 3, "protocols": ["clean"]] }, mentioning: "divide")
        try rejects({ $0["retrain"] = ["chunk_batches": 0, "patience": 1, "max_chunks": 1] }, mentioning: "retrain")
        try rejects({ $0["seeds"] = [Int]() }, mentioning: "seeds")
        try rejects({ $0["method_seeds"] = ["bogus": [1]] }, mentioning: "unknown method 'bogus'")
        try rejects({ $0["table1"] = ["protocols": ["clean"], "dataset_backbones": ["ml-1m": ["ngcf"]]] },
                    mentioning: "table1.dataset_backbones.ml-1m")
        try rejects({ $0["table1"] = ["protocols": ["clean"], "dataset_backbones": ["yelp2018": ["lightgcn"]]] },
                    mentioning: "unknown value 'yelp2018'")
        try rejects({ $0["budgetz"] = [0.5] }, mentioning: "field 'budgetz': unknown field")
        try rejects({ $0 = self.profile(withPEP: ["chunk_batches": 5, "max_chunks": 1, "own_optimizer": "yes"]) },
                    mentioning: "own_optimizer")
        try rejects({ $0 = self.profile(withPEP: ["chunk_batches": 5, "max_chunks": 1, "threshold_lr": 0]) },
                    mentioning: "baselines.pep.threshold_lr")
        try rejects({ $0 = self.profile(withPEP: ["chunk_batches": 5, "max_chunks": 1, "own_optimiser": true]) },
                    mentioning: "unknown field")
        try rejects({ $0["table1"] = ["protocols": ["clean"], "dataset_backbone": ["ml-1m": ["lightgcn"]]] },
                    mentioning: "field 'table1.dataset_backbone': unknown field")
        XCTAssertThrowsError(try ExperimentProfiles.decode(Data("{not json".utf8), source: "fixture.json")) { error in
            XCTAssertTrue("\(error)".contains("fixture.json"))
        }
        // A negative seed: the field and the rule, not "invalid JSON at (top level)".
        try rejects({ $0["seeds"] = [-1] }, mentioning: "field 'profiles.tiny.seeds[0]' is -1: it must be a non-negative integer")
        try rejects({ $0["method_seeds"] = ["mr": [1, 2.5]] }, mentioning: "profiles.tiny.method_seeds.mr[1]' is 2.5")
        // A syntax error names its line and column.
        XCTAssertThrowsError(try ExperimentProfiles.decode(Data("{\n  \"profiles\": {\n    \"a\": [1,, 2]\n  }\n}".utf8), source: "fixture.json")) { error in
            XCTAssertTrue("\(error)".contains("syntax error at line 3, column"), "\(error)")
        }
        XCTAssertThrowsError(try ExperimentProfiles.load(URL(fileURLWithPath: "/nonexistent/profiles.json"))) { error in
            XCTAssertTrue("\(error)".contains("no such profiles file"), "\(error)")
        }
        let file = try ExperimentProfiles.decode(try PlanFixtures.data(PlanFixtures.profileObject()), source: "f")
        XCTAssertThrowsError(try file.profile("huge")) { XCTAssertTrue("\($0)".contains("defines: tiny")) }
    }
}
