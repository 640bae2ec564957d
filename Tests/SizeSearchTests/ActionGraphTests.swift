import XCTest
import Linalg
@testable import SizeSearch

final class ActionGraphTests: XCTestCase {
    let graph = ActionGraph()

    func testTransitionRowsSumToOneAndBordersHaveFiveNeighbours() {
        XCTAssertEqual(graph.vertexCount, 128)
        for d in 1...128 {
            let p = graph.probabilities[d - 1]
            XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12, "row \(d)")
            XCTAssertTrue(graph.neighbours[d - 1].allSatisfy { $0 >= 1 && $0 <= 128 && $0 != d && abs($0 - d) <= 5 })
            let expectedCount = (max(1, d - 5)...min(128, d + 5)).count - 1
            XCTAssertEqual(graph.neighbours[d - 1].count, expectedCount, "vertex \(d)")
        }
        XCTAssertEqual(graph.neighbours[0], [2, 3, 4, 5, 6])
        XCTAssertEqual(graph.neighbours[127], [123, 124, 125, 126, 127])
        XCTAssertEqual(graph.neighbours[2].count, 7)   // vertex 3: 1, 2, 4…8
        XCTAssertEqual(graph.neighbours[63].count, 10)
    }

    func testInteriorProbabilitiesMatchSpec() {
        let expected = [0.2190, 0.1095, 0.0730, 0.0547, 0.0438]
        for d in [6, 64, 123] {
            for k in 1...5 {
                XCTAssertEqual(graph.probability(from: d, to: d + k), expected[k - 1], accuracy: 5e-5)
                XCTAssertEqual(graph.probability(from: d, to: d - k), expected[k - 1], accuracy: 5e-5)
            }
            XCTAssertEqual(graph.probability(from: d, to: d), 0)
            XCTAssertEqual(graph.probability(from: d, to: d + 6), 0)
        }
        // Border vertex 1: weights 1, 1/2, …, 1/5 over their sum H₅ = 137/60.
        XCTAssertEqual(graph.probability(from: 1, to: 2), 60.0 / 137, accuracy: 1e-12)
        XCTAssertEqual(graph.probability(from: 128, to: 123), 12.0 / 137, accuracy: 1e-12)
    }

    func testWalksStayInRangeAndStepFrequenciesFollowTheTable() {
        var rng = RandomStream(seed: 1, purpose: "walk-test")
        for start in [1, 2, 3, 64, 126, 127, 128] {
            for _ in 0..<500 {
                let w = graph.walk(from: start, length: 5, random: &rng)
                XCTAssertEqual(w.count, 6)
                XCTAssertEqual(w[0], start)
                for k in 1..<w.count {
                    XCTAssertTrue(w[k] >= 1 && w[k] <= 128)
                    XCTAssertTrue(abs(w[k] - w[k - 1]) >= 1 && abs(w[k] - w[k - 1]) <= 5)
                }
            }
        }
        // Empirical step distribution from an interior vertex and from the border vertex 1.
        for d in [64, 1] {
            var counts = [Int: Int]()
            let n = 200_000
            for _ in 0..<n { counts[graph.step(from: d, random: &rng), default: 0] += 1 }
            XCTAssertEqual(Set(counts.keys), Set(graph.neighbours[d - 1]))
            for (to, c) in counts {
                let p = graph.probability(from: d, to: to)
                XCTAssertEqual(Double(c) / Double(n), p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot() + 1e-4)
            }
        }
    }
}
