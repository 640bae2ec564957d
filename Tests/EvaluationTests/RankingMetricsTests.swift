import Foundation
import XCTest
@testable import Evaluation

/// Hand-computed metric cases (docs/method.md §4.3, §4.6).
final class RankingMetricsTests: XCTestCase {
    private func bits(_ ranks: [Int]) -> UInt32 { ranks.reduce(0) { $0 | (1 << UInt32($1 - 1)) } }

    /// docs/method.md §4.6: |P_u| = 3, hits at ranks 1 and 4.
    func testSpecExampleThreePositivesHitsAtRanksOneAndFour() {
        let m = RankingMetrics.userMetrics(hits: bits([1, 4]), positiveCount: 3)
        let ndcg5 = (1 + 1 / log2(5.0)) / (1 + 1 / log2(3.0) + 1 / log2(4.0))
        XCTAssertEqual(m.recall5, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(m.recall10, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(m.recall20, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(m.ndcg10, ndcg5, accuracy: 1e-15)  // no further hits, IDCG saturates at 3
        XCTAssertEqual(m.ndcg5, ndcg5, accuracy: 1e-15)
    }

    func testUserWithoutPositivesScoresZero() {
        let m = RankingMetrics.userMetrics(hits: 0, positiveCount: 0)
        XCTAssertEqual(m, UserMetrics.zero)
    }

    /// |P_u| = 30 > k: Recall divides by the full 30; IDCG@k uses min(k, |P_u|) = k ideal ranks.
    func testManyPositivesUseFullRecallDenominatorAndCappedIdcg() {
        let m = RankingMetrics.userMetrics(hits: bits([2, 7, 20]), positiveCount: 30)
        func idcg(_ k: Int) -> Double { (1...k).reduce(0.0) { $0 + 1 / log2(Double($1 + 1)) } }
        let d2 = 1 / log2(3.0), d7 = 1 / log2(8.0), d20 = 1 / log2(21.0)
        XCTAssertEqual(m.recall5, 1.0 / 30, accuracy: 1e-15)
        XCTAssertEqual(m.recall10, 2.0 / 30, accuracy: 1e-15)
        XCTAssertEqual(m.recall20, 3.0 / 30, accuracy: 1e-15)
        XCTAssertEqual(m.ndcg5, d2 / idcg(5), accuracy: 1e-15)
        XCTAssertEqual(m.ndcg10, (d2 + d7) / idcg(10), accuracy: 1e-15)
        XCTAssertEqual(m.ndcg20, (d2 + d7 + d20) / idcg(20), accuracy: 1e-15)
    }

    /// A perfect ranking of 2 positives has NDCG 1 at every k and Recall 1.
    func testPerfectRankingOfTwoPositivesIsOne() {
        let m = RankingMetrics.userMetrics(hits: bits([1, 2]), positiveCount: 2)
        XCTAssertEqual([m.recall5, m.recall10, m.recall20, m.ndcg5, m.ndcg10, m.ndcg20, m.eval],
                       [1, 1, 1, 1, 1, 1, 1])
    }

    func testEvalIsMeanOfSixMetrics() {
        let m = UserMetrics(recall5: 0.1, recall10: 0.2, recall20: 0.3, ndcg5: 0.4, ndcg10: 0.5, ndcg20: 0.6)
        XCTAssertEqual(m.eval, 2.1 / 6, accuracy: 1e-15)
    }

    func testHitPatternMarksRanksOfPositives() {
        let positives: [Int32] = [3, 8, 11]
        let hits = RankingMetrics.hitPattern(ranking: [8, 5, 2, 3, -1], positives: positives[...])
        XCTAssertEqual(hits, bits([1, 4]))
    }

    /// Summary means count every user, including those without positives.
    func testSummaryAveragesOverAllUsersIncludingEmpty() {
        let a = RankingMetrics.userMetrics(hits: bits([1, 4]), positiveCount: 3)
        let report = EvaluationReport(users: [a, .zero], topItems: [Int32](repeating: -1, count: 40))
        XCTAssertEqual(report.summary.recall5, (2.0 / 3.0) / 2, accuracy: 1e-15)
        XCTAssertEqual(report.avg, a.eval / 2, accuracy: 1e-15)
    }

    func testSummaryEncodesAsJSONWithNamedFields() throws {
        let s = MetricSummary(recall5: 0.1, recall10: 0.2, recall20: 0.3, ndcg5: 0.4, ndcg10: 0.5, ndcg20: 0.6, avg: 0.35)
        let obj = try JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as! [String: Double]
        XCTAssertEqual(obj, ["recall5": 0.1, "recall10": 0.2, "recall20": 0.3,
                             "ndcg5": 0.4, "ndcg10": 0.5, "ndcg20": 0.6, "avg": 0.35])
    }
}
