import Foundation
import SizeSearch
import XCTest
@testable import Harness

final class PlanRunnerTests: XCTestCase {
    /// Figure 5's interval pool: only the iterations of the interval's episodes are candidates.
    func testIntervalCandidatesComeFromTheirEpisodesOnly() throws {
        let plan = try PlanFixtures.plan()   // M = 4, T = 2, 2 intervals, l = 3
        let layout = ResultLayout(resultsDirectory: try PlanFixtures.temporaryDirectory(), profile: "tiny")
        let runner = CellRunner(plan: plan, layout: layout)
        guard case .cell(let cell) = try StageID.parse("ml-1m/lightgcn/ciess/g-rw-i2/c0.80/seed1/clean") else { return XCTFail() }
        let dir = layout.directory(cell.search)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("search.json"))
        var lines: [String] = []
        for e in 0..<4 {
            for i in 0..<2 {
                // Episode 0 has the best VAL AVG of all, but lies in interval 1.
                let avg = e == 0 ? 0.9 : 0.1 * Double(e) + 0.01 * Double(i)
                lines.append(try record(episode: e, iteration: i, density: 0.15, validAVG: avg))
            }
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("history.jsonl"))
        try runner.ensureCandidates(cell, searchDirectory: dir)
        let data = try Data(contentsOf: dir.appendingPathComponent("candidates-i2.json"))
        let selections = try JSONDecoder().decode([CIESSCandidates.Selection].self, from: data)
        XCTAssertEqual(selections.map(\.targetSparsity), [0.8, 0.9])
        XCTAssertEqual(selections[0].candidates.map { "\($0.episode)/\($0.iteration)" }, ["3/1", "3/0", "2/1"])
        XCTAssertEqual(selections[1].candidates, [])   // ρ = 0.15 > 0.10: not reached
        XCTAssertEqual(plan.candidatesFile(cell), "candidates-i2.json")
    }

    func testRetrainNeedsAFinishedSearch() throws {
        let plan = try PlanFixtures.plan()
        let layout = ResultLayout(resultsDirectory: try PlanFixtures.temporaryDirectory(), profile: "tiny")
        let runner = CellRunner(plan: plan, layout: layout)
        let id = try StageID.parse("ml-1m/lightgcn/es/default/c0.80/seed1/clean")
        XCTAssertThrowsError(try runner.run(id, load: { _ in fatalError("the dataset must not be loaded") }, progress: nil)) {
            XCTAssertEqual($0 as? RunnerError, .searchMissing("ml-1m/lightgcn/es/default/seed1/search"))
        }
        XCTAssertThrowsError(try runner.run(try StageID.parse("ml-1m/lightgcn/pep/default/c0.80/seed1/clean"),
                                            load: { _ in fatalError() }, progress: nil)) {
            XCTAssertEqual($0 as? RunnerError, .searchMissing("ml-1m/lightgcn/pep/default/seed1/search"))
        }
        XCTAssertThrowsError(try runner.run(try StageID.parse("yelp2018/lightgcn/es/default/c0.80/seed1/clean"),
                                            load: { _ in fatalError() }, progress: nil)) {
            XCTAssertEqual($0 as? RunnerError, .notInPlan("yelp2018/lightgcn/es/default/c0.80/seed1/clean", "tiny"))
        }
    }

    func record(episode: Int, iteration: Int, density: Double, validAVG: Double) throws -> String {
        let spread: [String: Double] = ["mean": 1, "min": 1, "max": 1]
        let r: [String: Any] = [
            "episode": episode, "iteration": iteration, "noise": "gaussian", "epsilon": 0, "protoUsers": spread,
            "protoItems": spread, "actionMeanUsers": 1, "actionMeanItems": 1, "actionMean": 1, "density": density,
            "evalMeanUsers": 0, "evalMeanItems": 0, "qMeanUsers": 0, "qMeanItems": 0, "rewardMeanUsers": 0,
            "rewardMeanItems": 0, "avgReward": 0, "validAVG": validAVG, "recall5": 0, "recall10": 0, "recall20": 0,
            "ndcg5": 0, "ndcg10": 0, "ndcg20": 0, "trainLoss": 0, "trainSeconds": 0, "evalSeconds": 0,
            "sizesFile": CIESSSearch.sizesPath(episode: episode, iteration: iteration),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]), as: UTF8.self)
    }
}
