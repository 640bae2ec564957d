import XCTest
@testable import Harness

final class PlanMakefileTests: XCTestCase {
    func testTinyPlanMakefile() throws {
        let plan = try PlanFixtures.plan()
        let dir = try PlanFixtures.temporaryDirectory()
        let layout = ResultLayout(resultsDirectory: dir, profile: "tiny")
        try CellsMakefile.write(plan, layout: layout, profilesPath: "experiments/profiles.json")
        let text = try String(contentsOf: layout.makefile, encoding: .utf8)
        XCTAssertTrue(text.contains("PROFILE := tiny\n"))
        XCTAssertTrue(text.contains("RESULTS_DIR := \(dir.standardizedFileURL.path)\n"))
        XCTAssertTrue(text.contains("\nall: searches cells\n"))
        // One rule per search (no prerequisites) and per cell (its search's stamp); targets are done-<config hash> stamps.
        let grw = SearchID(dataset: "ml-1m", backbone: "lightgcn", method: "ciess", variant: SearchVariant(noise: "g", randomWalk: true), seed: 1)
        let grwStamp = "$(RESULTS_ROOT)/search/ml-1m/lightgcn/ciess/g-rw/seed1/done-\(plan.searchConfigHash(grw))"
        XCTAssertTrue(text.contains("\n\(grwStamp):\n\t$(call stage,ml-1m/lightgcn/ciess/g-rw/seed1/search)\n"))
        let i2 = plan.cells.first { $0.description == "ml-1m/lightgcn/ciess/g-rw-i2/c0.80/seed1/clean" }!
        XCTAssertTrue(text.contains("\n$(RESULTS_ROOT)/cells/ml-1m/lightgcn/ciess/g-rw-i2/c0.80/seed1/clean/done-\(plan.settings(i2).configHash): "
                                    + "\(grwStamp)\n\t$(call stage,ml-1m/lightgcn/ciess/g-rw-i2/c0.80/seed1/clean)\n"))
        let rules = text.split(separator: "\n").filter { $0.hasPrefix("\t$(call stage,") }
        XCTAssertEqual(rules.count, plan.searches.count + plan.cells.count)
        // Failures are recorded, and the rule fails so that make -k goes on.
        XCTAssertTrue(text.contains("--record-failure $$s --log $$log"))
        XCTAssertTrue(text.contains("exit $$s; fi"))
        // Baseline cells wait for their own search.
        let esapn = plan.cells.first { $0.description == "ml-1m/lightgcn/esapn/default/cnone/seed1/clean" }!
        XCTAssertTrue(text.contains("\n$(RESULTS_ROOT)/cells/ml-1m/lightgcn/esapn/default/cnone/seed1/clean/done-\(plan.settings(esapn).configHash): "
                                    + "$(RESULTS_ROOT)/search/ml-1m/lightgcn/esapn/default/seed1/done-\(plan.searchConfigHash(esapn.search))\n"))
        XCTAssertTrue(text.contains("stages-figure-5: \\\n  \(grwStamp)"))
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.root.path).filter { $0.hasPrefix(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}
