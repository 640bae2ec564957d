import Foundation
import XCTest
@testable import Harness

final class PlanSliceTests: XCTestCase {
    /// A slice's stages are the whole plan's stages (same ids), filtered, plus the searches its cells read.
    func testSliceIsASubsetWithTheSameIdsAndPrerequisites() throws {
        let file = try ExperimentProfiles.load(PlanFixtures.repositoryProfiles)
        let plan = ExperimentPlan(profileName: "paper", profile: try file.profile("paper"))
        let slice = PlanSlice(datasets: "ml-1m", backbones: "lightgcn", methods: nil, artifacts: "table-1")
        let (searches, cells) = slice.stages(of: plan)
        // Table 1, ML-1M × LightGCN: (CIESS + PEP + ES + 3 MR seeds) × 3 budgets + ESAPN + OptEmbed, × 2 protocols.
        XCTAssertEqual(cells.count, (6 * 3 + 2) * 2)
        XCTAssertEqual(searches.count, 1 + 1 + 1 + 3 + 1 + 1)
        XCTAssertTrue(Set(cells).isSubset(of: Set(plan.cells)))
        XCTAssertTrue(Set(searches).isSubset(of: Set(plan.searches)))
        XCTAssertTrue(cells.allSatisfy { $0.dataset == "ml-1m" && $0.backbone == "lightgcn" && plan.uses[$0.description]!.contains("table-1") })
        for c in cells { XCTAssertEqual(plan.settings(c).configHash, plan.settings(c).configHash) }
        // Only ES of the same slice: its P-code cells still bring the CIESS search whose pretraining gives K*.
        let es = PlanSlice(datasets: "ml-1m", backbones: "lightgcn", methods: "es", artifacts: "table-1").stages(of: plan)
        XCTAssertEqual(es.searches.map(\.description), ["ml-1m/lightgcn/ciess/g-rw/seed1/search", "ml-1m/lightgcn/es/default/seed1/search"])
        XCTAssertEqual(es.cells.count, 3 * 2)
        XCTAssertEqual(PlanSlice.whole.stages(of: plan).cells, plan.cells)
    }

    func testUnknownNamesAreRefusedWithTheValidOnes() throws {
        let plan = try PlanFixtures.plan()
        XCTAssertThrowsError(try PlanSlice(datasets: "ml-10m", backbones: nil, methods: nil, artifacts: nil).validate(against: plan)) {
            XCTAssertTrue("\($0)".hasPrefix("dataset 'ml-10m' is not in profile 'tiny'; valid: "), "\($0)")
        }
        XCTAssertThrowsError(try PlanSlice(datasets: nil, backbones: nil, methods: nil, artifacts: "table-9").validate(against: plan)) {
            XCTAssertTrue("\($0)".contains("artefact 'table-9'") && "\($0)".contains("table-1, table-2"), "\($0)")
        }
        XCTAssertNoThrow(try PlanSlice(datasets: "", backbones: " ", methods: nil, artifacts: nil).validate(against: plan))
        XCTAssertTrue(PlanSlice(datasets: "", backbones: " ", methods: nil, artifacts: nil).isWhole)
    }

    /// cells.mk: every rule is written; `all` lists the slice; a P-code cell names the K* search as a prerequisite.
    func testMakefileOfASlice() throws {
        let plan = try PlanFixtures.plan()
        let layout = ResultLayout(resultsDirectory: URL(fileURLWithPath: "/tmp/r"), profile: "tiny")
        let slice = PlanSlice(datasets: nil, backbones: nil, methods: "es", artifacts: "table-1")
        let text = CellsMakefile.render(plan, layout: layout, profilesPath: "p.json", slice: slice)
        let whole = CellsMakefile.render(plan, layout: layout, profilesPath: "p.json")
        let rules = { (t: String) in t.split(separator: "\n").filter { $0.hasPrefix("$(RESULTS_ROOT)") } }
        XCTAssertEqual(rules(text), rules(whole), "the rules are the whole profile's")
        let cellsBlock = text.components(separatedBy: "cells:")[1].components(separatedBy: "stages-")[0]
        XCTAssertFalse(cellsBlock.contains("/ciess/"))
        XCTAssertTrue(cellsBlock.contains("/es/"))
        let esCode = plan.cells.first { $0.method == "es" && $0.finalProtocol == "code" }!
        let esClean = plan.cells.first { $0.method == "es" && $0.finalProtocol == "clean" }!
        XCTAssertEqual(plan.prerequisites(esCode).map(\.description), [esCode.search.description, "ml-1m/lightgcn/ciess/g-rw/seed1/search"])
        XCTAssertEqual(plan.prerequisites(esClean), [esClean.search])
        let kSource = plan.fixedChunkSource(esCode)!
        XCTAssertTrue(text.contains("$(RESULTS_ROOT)/cells/\(esCode)/done-\(plan.settings(esCode).configHash): "
                                    + "$(RESULTS_ROOT)/search/\(esCode.search.path)/done-\(plan.searchConfigHash(esCode.search)) "
                                    + "$(RESULTS_ROOT)/search/ml-1m/lightgcn/ciess/g-rw/seed1/done-\(plan.searchConfigHash(kSource))"))
    }
}
