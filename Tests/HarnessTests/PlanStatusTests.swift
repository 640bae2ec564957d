import Foundation
import XCTest
@testable import Harness

final class PlanStatusTests: XCTestCase {
    func testClassificationFromFilesOnDisk() throws {
        let plan = try PlanFixtures.plan()
        let dir = try PlanFixtures.temporaryDirectory()
        let layout = ResultLayout(resultsDirectory: dir, profile: "tiny")
        let runner = CellRunner(plan: plan, layout: layout)
        let search = plan.searches.first { $0.method == "es" }!
        let cached = plan.cells.first { $0.method == "es" && $0.finalProtocol == "clean" }!
        let failed = plan.cells.first { $0.method == "es" && $0.finalProtocol == "code" }!
        let stale = plan.cells.first { $0.method == "ciess" }!
        let failedSearch = plan.searches.first { $0.method == "mr" }!
        // A finished search: search.json and candidates.json.
        let sdir = layout.directory(search)
        try FileManager.default.createDirectory(at: sdir, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: sdir.appendingPathComponent("search.json"))
        try Data("[]".utf8).write(to: sdir.appendingPathComponent("candidates.json"))
        // A valid result, a failed cell (with its log tail), a stale result.
        try write(result(for: cached, plan: plan), to: layout.doneFile(.cell(cached)))
        let log = dir.appendingPathComponent("x.log")
        try Data((1...50).map { "line \($0)" }.joined(separator: "\n").appending("\n").utf8).write(to: log)
        try CellRunner.recordFailure(.cell(failed), layout: layout, exitStatus: 3, log: log)
        try CellRunner.recordFailure(.search(failedSearch), layout: layout, exitStatus: 137, log: nil)
        var old = result(for: stale, plan: plan)
        old.configHash = "0000000000000000"
        try write(old, to: layout.doneFile(.cell(stale)))

        let report = StatusReport(plan: plan, layout: layout)
        func state(_ id: String) -> StatusReport.State? { report.rows.first { $0.id.description == id }?.state }
        XCTAssertEqual(state(search.description), .cached)
        XCTAssertEqual(state(cached.description), .cached)
        XCTAssertEqual(state(failed.description), .failed)
        XCTAssertEqual(state(failedSearch.description), .failed)
        XCTAssertEqual(state(stale.description), .stale)
        XCTAssertEqual(state("ml-1m/lightgcn/pep/default/c0.80/seed1/clean"), .pending)
        XCTAssertEqual(report.count(.pending), plan.searches.count + plan.cells.count - 5)
        XCTAssertEqual(report.failures.count, 2)

        let failure = try JSONOutput.decoder.decode(CellFailure.self, from: Data(contentsOf: layout.failedFile(.cell(failed))))
        XCTAssertEqual(failure.exitStatus, 3)
        XCTAssertEqual(failure.logTail.count, 40)
        XCTAssertEqual(failure.logTail.last, "line 50")
        XCTAssertEqual(failure.stage, "retrain")

        let cal = Calibration(cpu: "test", loadSeconds: ["ml-1m": 1],
                              entries: ["ml-1m/lightgcn": .init(batchFixedSeconds: 0.01, batchPerTripleSeconds: 0, evalSeconds: 1)])
        let text = report.render(plan: plan, layout: layout, cost: CostModel(plan: plan, calibration: cal), verbose: true)
        XCTAssertTrue(text.contains("estimated core-hours left"))
        XCTAssertTrue(text.contains("FAILED (2)"))
        XCTAssertTrue(text.contains("pending          ml-1m/lightgcn/pep/default/c0.80/seed1/clean"))
    }

    func testCostModelCountsSearchAndRetrainWork() throws {
        let plan = try PlanFixtures.plan()
        let cal = Calibration(cpu: "test", loadSeconds: ["ml-1m": 2],
                              entries: ["ml-1m/lightgcn": .init(batchFixedSeconds: 0.5, batchPerTripleSeconds: 0.01, evalSeconds: 3)])
        let model = CostModel(plan: plan, calibration: cal)
        // batch of 100 triples: 0.5 + 1 = 1.5 s.
        let es = try StageID.parse("ml-1m/lightgcn/es/default/c0.80/seed1/clean")
        // load 2 + 1 candidate × (2 chunks × (5 × 1.5 + 3) + 2 × 3) — the cap (2) is below 3 + patience.
        XCTAssertEqual(model.seconds(es, .typical)!, 2 + (2 * (7.5 + 3) + 6), accuracy: 1e-9)
        let search = try StageID.parse("ml-1m/lightgcn/ciess/g-rw/seed1/search")
        // load 2 + pretrain 1 × (5 × 1.5 + 3) + 4 × 2 iterations × (2000 × 1.5 + 3).
        XCTAssertEqual(model.seconds(search, .upperBound)!, 2 + 10.5 + 8 * 3003, accuracy: 1e-9)
        XCTAssertEqual(model.seconds(search, .upperBound, fractionDone: 0.5)!, 2 + 4 * 3003, accuracy: 1e-9)
        XCTAssertNil(model.seconds(try StageID.parse("yelp2018/lightgcn/es/default/c0.80/seed1/clean"), .typical))
    }

    func testConfigHashDependsOnSettings() throws {
        let plan = try PlanFixtures.plan()
        let a = plan.cells[0], b = plan.cells[1]
        XCTAssertEqual(plan.settings(a).configHash, plan.settings(a).configHash)
        XCTAssertNotEqual(plan.settings(a).configHash, plan.settings(b).configHash)
        XCTAssertEqual(plan.settings(a).configHash.count, 16)
    }

    func result(for c: CellID, plan: ExperimentPlan) -> CellResult {
        CellResult(
            cell: c.description, profile: "tiny", dataset: c.dataset, backbone: c.backbone, method: c.method,
            variant: c.variant, targetSparsity: c.target, lambda: nil, seed: c.seed, finalProtocol: c.finalProtocol,
            protocolLabel: "P-clean", status: .notReached, achievedSparsity: nil, valid: nil, test: nil, bestChunk: nil,
            chunksRun: nil, audit: nil, searchDirectory: "search/x", configHash: plan.settings(c).configHash,
            rawDigest: "r", splitDigest: "s",
            provenance: Provenance(gitCommit: "c", gitDirty: false, toolchain: "t", machine: "m", cpu: "cpu", threads: 1),
            wallSeconds: 0)
    }

    func write(_ r: CellResult, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONOutput.encodeRaw(r).write(to: url)
    }
}
