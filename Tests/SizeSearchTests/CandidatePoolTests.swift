import XCTest
@testable import SizeSearch

final class CandidatePoolTests: XCTestCase {
    typealias E = CandidatePool.Entry
    let log: [E] = [
        E(episode: 0, iteration: 0, density: 1.00, validAVG: 0.30),
        E(episode: 0, iteration: 1, density: 0.20, validAVG: 0.25),   // exactly at c = 0.80: inclusive
        E(episode: 1, iteration: 0, density: 0.04, validAVG: 0.22),   // 96 % sparse: a candidate for every c
        E(episode: 1, iteration: 1, density: 0.15, validAVG: 0.25),   // ties with (0,1): later loses
        E(episode: 2, iteration: 0, density: 0.09, validAVG: 0.24),
        E(episode: 2, iteration: 1, density: 0.21, validAVG: 0.99),   // never within any budget
    ]

    func testInclusivePoolRankedByValidAVGWithTiesToTheEarlierIteration() {
        let top = CandidatePool.select(log, targetSparsity: 0.80)
        XCTAssertEqual(top.map { [$0.episode, $0.iteration] }, [[0, 1], [1, 1], [2, 0]])
        XCTAssertEqual(CandidatePool.select(log, targetSparsity: 0.90).map { [$0.episode, $0.iteration] }, [[2, 0], [1, 0]])
        XCTAssertEqual(CandidatePool.select(log, targetSparsity: 0.95).map { [$0.episode, $0.iteration] }, [[1, 0]])
    }

    func testUnreachedBudgetGivesAnEmptyPoolAndEpisodeRangesRestrictIt() {
        XCTAssertTrue(CandidatePool.select(log, targetSparsity: 0.97).isEmpty)
        XCTAssertEqual(CandidatePool.select(log, targetSparsity: 0.80, episodes: 1...2).map { [$0.episode, $0.iteration] },
                       [[1, 1], [2, 0], [1, 0]])
        XCTAssertEqual(CandidatePool.select(log, targetSparsity: 0.80, limit: 1).count, 1)
    }
}
