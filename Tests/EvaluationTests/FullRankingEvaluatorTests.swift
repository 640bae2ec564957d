import XCTest
import Linalg
import RecData
@testable import Evaluation

final class FullRankingEvaluatorTests: XCTestCase {
    private func lists(_ l: [[Int32]], items: Int) -> UserItemLists {
        UserItemLists(userCount: l.count, itemCount: items, lists: l)
    }

    /// Equal scores rank by ascending item index (a stable sort's order).
    func testTiesBrokenByAscendingItemIndex() {
        // 1 user, 30 items: items 25, 3, 17 share the top score; all others share a lower one.
        var table = [Float](repeating: 0.5, count: 30)
        for i in [25, 3, 17] { table[i] = 2 }
        let scorer = MatrixScorer(users: 1, items: 30, table: table)
        let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: lists([[]], items: 30), exclude: [])
        let expected: [Int32] = [3, 17, 25] + (0..<30).filter { ![3, 17, 25].contains($0) }.prefix(17).map(Int32.init)
        XCTAssertEqual(Array(report.ranking(of: 0)), expected)
    }

    /// The highest-scoring item is excluded and never ranks; the rest shift up.
    func testExcludedTopItemNeverRanks() {
        let items = 40
        let table = (0..<items).map { Float($0) }  // item 39 best
        let scorer = MatrixScorer(users: 1, items: items, table: table)
        let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: lists([[39, 38]], items: items),
                                                   exclude: [lists([[39]], items: items)])
        XCTAssertFalse(report.ranking(of: 0).contains(39))
        XCTAssertEqual(report.ranking(of: 0).first, 38)
        XCTAssertEqual(report.users[0].recall5, 0.5)  // 38 hit at rank 1, 39 (excluded) missed
    }

    /// Items in either of two exclusion lists (TRAIN and VAL for a TEST target) are removed.
    func testMultipleExclusionListsAllHonoured() {
        let items = 50
        let table = (0..<items).map { Float($0) }
        let scorer = MatrixScorer(users: 2, items: items, table: table + table)
        let train = lists([[49, 47], [10]], items: items)
        let val = lists([[48], [49, 48]], items: items)
        let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: lists([[], []], items: items),
                                                   exclude: [train, val])
        XCTAssertEqual(Array(report.ranking(of: 0).prefix(3)), [46, 45, 44])
        XCTAssertEqual(Array(report.ranking(of: 1).prefix(3)), [47, 46, 45])
    }

    /// Fewer items than the depth: the ranking lists them all (−∞ ones last) and pads with −1.
    func testFewerItemsThanDepthPadsRanking() {
        let scorer = MatrixScorer(users: 1, items: 5, table: [1, 5, 3, 5, 2])
        let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: lists([[2]], items: 5),
                                                   exclude: [lists([[1]], items: 5)])
        XCTAssertEqual(Array(report.ranking(of: 0)), [3, 2, 4, 0, 1] + [Int32](repeating: -1, count: 15))
    }

    /// eval(v) = mean of eval(u) over v's TRAIN interactors; 0 for an item without any.
    func testItemScoresAverageTrainInteractors() {
        let items = 30
        // user 0: its positive (item 29) is ranked first → all metrics 1 → eval 1.
        // user 1: no positives → eval 0. user 2: positive never ranked (scored lowest) → eval 0.
        var table = [Float](repeating: 0, count: 3 * items)
        for i in 0..<items { table[i] = Float(i); table[items + i] = Float(i); table[2 * items + i] = Float(i) }
        let scorer = MatrixScorer(users: 3, items: items, table: table)
        let positives = lists([[29], [], [0]], items: items)
        let train = lists([[1, 2], [2], [2, 3]], items: items)
        let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: positives, exclude: [train])
        XCTAssertEqual(report.userEval, [1, 0, 0])
        let scores = report.itemScores(trainByUser: train)
        var expected = [Double](repeating: 0, count: items)
        expected[1] = 1; expected[2] = 1.0 / 3; expected[3] = 0
        XCTAssertEqual(scores, expected)
    }

    /// The user without positives counts in the means with zeros.
    func testMeansCountUsersWithoutPositives() {
        let items = 30
        let table = (0..<items).map { Float($0) }
        let scorer = MatrixScorer(users: 2, items: items, table: table + table)
        let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: lists([[29], []], items: items), exclude: [])
        XCTAssertEqual(report.summary, MetricSummary(recall5: 0.5, recall10: 0.5, recall20: 0.5,
                                                     ndcg5: 0.5, ndcg10: 0.5, ndcg20: 0.5, avg: 0.5))
    }

    /// Random cases (continuous scores and heavy ties from 3 values, random exclusions incl. −∞-heavy
    /// rows, various block and tile sizes) against a full stable sort.
    func testMatchesBruteForceOnRandomCasesWithTies() {
        var rng = RandomStream(seed: 7, purpose: "evaluation-brute-force")
        var mismatches = 0, cases = 0
        for trial in 0..<60 {
            let users = 1 + rng.below(40), items = 1 + rng.below(trial % 3 == 0 ? 40 : 700)
            let tieValues: [Float] = [-1, 0, 0.25]
            let heavyTies = trial % 2 == 1
            let table = (0..<(users * items)).map { _ in heavyTies ? tieValues[rng.below(3)] : Float(rng.normal()) }
            let excludeRate = [0.0, 0.1, 0.9][trial % 3]
            func randomLists(_ rate: Double) -> UserItemLists {
                lists((0..<users).map { _ in (0..<items).filter { _ in rng.unitDouble() < rate }.map(Int32.init) }, items: items)
            }
            let exclude = [randomLists(excludeRate), randomLists(excludeRate / 2)]
            let positives = randomLists(0.05)
            let blockSize = [1, 3, 16, 64][trial % 4]
            let tile: Int? = [nil, 64, 100, 1][trial % 4]
            let scorer = MatrixScorer(users: users, items: items, table: table, tiles: trial % 5 != 0)
            let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: positives, exclude: exclude,
                                                       blockSize: blockSize, itemTile: tile)
            let reference = BruteForceRanking.rankings(table: table, users: users, items: items, exclude: exclude)
            for u in 0..<users {
                cases += 1
                let got = Array(report.ranking(of: u).prefix(min(20, items)))
                let want = BruteForceRanking.metrics(ranking: reference[u], positives: Set(positives.items(of: u)))
                let m = report.users[u]
                let metricsAgree = zip([m.recall5, m.recall10, m.recall20, m.ndcg5, m.ndcg10, m.ndcg20], want)
                    .allSatisfy { abs($0 - $1) <= 1e-12 }
                if got != reference[u] || !metricsAgree { mismatches += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(cases) users disagree with the full-sort reference")
    }

    /// The same evaluation with 1 and 2 threads gives bit-identical reports.
    func testThreadCountDoesNotChangeResults() {
        let users = 300, items = 700, d = 16
        var rng = RandomStream(seed: 11, purpose: "evaluation-threads")
        let u = Matrix(rows: users, cols: d, storage: (0..<(users * d)).map { _ in Float(rng.normal()) })
        let v = Matrix(rows: items, cols: d, storage: (0..<(items * d)).map { _ in Float(rng.normal()) })
        let train = lists((0..<users).map { _ in (0..<30).map { _ in Int32(rng.below(items)) } }, items: items)
        let held = lists((0..<users).map { _ in (0..<15).map { _ in Int32(rng.below(items)) } }, items: items)
        let scorer = DotProductScorer(users: u, items: v)
        let before = Threads.count
        defer { Threads.set(before) }
        Threads.set(1)
        let one = FullRankingEvaluator.evaluate(scorer: scorer, positives: held, exclude: [train], blockSize: 16)
        Threads.set(2)
        let two = FullRankingEvaluator.evaluate(scorer: scorer, positives: held, exclude: [train], blockSize: 16)
        let bitEqual = zip(one.users, two.users).allSatisfy { a, b in
            a.recall5.bitPattern == b.recall5.bitPattern && a.ndcg20.bitPattern == b.ndcg20.bitPattern
                && a.eval.bitPattern == b.eval.bitPattern
        }
        XCTAssertTrue(one == two && bitEqual && one.avg.bitPattern == two.avg.bitPattern,
                      "1-thread and 2-thread reports differ")
    }

    /// DotProductScorer: scores are the dot products (full rows and an item tile), and a repeated
    /// request gives the same bits (BLAS edge kernels may change last bits between ranges).
    func testDotProductScorerMatchesDotProductsAndIsRepeatable() {
        let users = 7, items = 300, d = 33
        var rng = RandomStream(seed: 5, purpose: "evaluation-dot")
        let u = Matrix(rows: users, cols: d, storage: (0..<(users * d)).map { _ in Float(rng.normal()) })
        let v = Matrix(rows: items, cols: d, storage: (0..<(items * d)).map { _ in Float(rng.normal()) })
        let scorer = DotProductScorer(users: u, items: v)
        var full = [Float](repeating: 0, count: 5 * items)
        full.withUnsafeMutableBufferPointer { scorer.scores(users: 2..<7, into: $0.baseAddress!) }
        var tile = [Float](repeating: 0, count: 5 * 100), again = tile
        tile.withUnsafeMutableBufferPointer { scorer.scores(users: 2..<7, items: 150..<250, into: $0.baseAddress!) }
        again.withUnsafeMutableBufferPointer { scorer.scores(users: 2..<7, items: 150..<250, into: $0.baseAddress!) }
        var maxError: Float = 0
        for r in 0..<5 {
            for i in 0..<items {
                var dot: Float = 0
                for k in 0..<d { dot += u[2 + r, k] * v[i, k] }
                maxError = max(maxError, abs(dot - full[r * items + i]))
                if (150..<250).contains(i) { maxError = max(maxError, abs(dot - tile[r * 100 + i - 150])) }
            }
        }
        XCTAssertTrue(maxError < 1e-4 && tile == again, "max |error| \(maxError), repeatable: \(tile == again)")
    }
}
