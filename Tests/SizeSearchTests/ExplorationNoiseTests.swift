import XCTest
import Linalg
@testable import SizeSearch

final class ExplorationNoiseTests: XCTestCase {
    private func std(_ v: [Double]) -> Double {
        let m = v.reduce(0, +) / Double(v.count)
        return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
    }

    func testGaussianAndUniformMagnitudes() {
        var g = ExplorationNoise(kind: .gaussian, seed: 1)
        let gs = (0..<40_000).map { _ in g.next() }
        XCTAssertEqual(std(gs), 6, accuracy: 0.1)
        XCTAssertEqual(gs.reduce(0, +) / Double(gs.count), 0, accuracy: 0.15)
        var u = ExplorationNoise(kind: .uniform, seed: 2)
        let us = (0..<40_000).map { _ in u.next() }
        XCTAssertTrue(us.allSatisfy { $0 >= -11 && $0 < 11 })
        XCTAssertEqual(std(us), 22 / 12.0.squareRoot(), accuracy: 0.1)
        var z = ExplorationNoise(kind: .none, seed: 3)
        XCTAssertEqual(z.next(), 0)
    }

    func testOrnsteinUhlenbeckPerStepStdIsFourAndResetReturnsToZero() {
        var ou = ExplorationNoise(kind: .ornsteinUhlenbeck, seed: 4)
        var xs: [Double] = [0]
        for _ in 0..<40_000 { xs.append(ou.next()) }
        let increments = (1..<xs.count).map { xs[$0] - xs[$0 - 1] }
        XCTAssertEqual(std(increments), 4, accuracy: 0.1)   // σ√dt = 40·0.1
        // The mean reversion θ(μ − x)dt: E[x_{t+1} | x_t] = 0.9985·x_t.
        var num = 0.0, den = 0.0
        for t in 1..<(xs.count - 1) { num += xs[t] * xs[t + 1]; den += xs[t] * xs[t] }
        XCTAssertEqual(num / den, 1 - 0.15 * 0.01, accuracy: 0.002)
        // After a reset, the first step is N(0, 4²) around x_0 = 0.
        var firsts: [Double] = []
        for _ in 0..<20_000 { ou.resetEpisode(); XCTAssertEqual(ou.ouState, 0); firsts.append(ou.next()) }
        XCTAssertEqual(std(firsts), 4, accuracy: 0.1)
        XCTAssertEqual(firsts.reduce(0, +) / Double(firsts.count), 0, accuracy: 0.1)
    }

    func testExecutedActionRoundsHalfToEvenAndClips() {
        XCTAssertEqual(ExplorationNoise.executedAction(choice: 37, noise: 0.5), 38)   // 37.5 → 38
        XCTAssertEqual(ExplorationNoise.executedAction(choice: 36, noise: 0.5), 36)   // 36.5 → 36
        XCTAssertEqual(ExplorationNoise.executedAction(choice: 36, noise: 0.51), 37)
        XCTAssertEqual(ExplorationNoise.executedAction(choice: 40, noise: -2.4), 38)
        XCTAssertEqual(ExplorationNoise.executedAction(choice: 3, noise: -10), 1)
        XCTAssertEqual(ExplorationNoise.executedAction(choice: 125, noise: 11), 128)
    }

    func testCodableStateContinuesTheSameSequence() throws {
        var ou = ExplorationNoise(kind: .ornsteinUhlenbeck, seed: 5)
        for _ in 0..<17 { _ = ou.next() }
        var copy = try JSONDecoder().decode(ExplorationNoise.self, from: JSONEncoder().encode(ou))
        XCTAssertEqual(copy, ou)
        for _ in 0..<5 { XCTAssertEqual(copy.next(), ou.next()) }
    }
}
