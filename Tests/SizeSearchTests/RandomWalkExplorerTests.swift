import XCTest
import Linalg
@testable import SizeSearch

final class RandomWalkExplorerTests: XCTestCase {
    /// A critic with Q1(s, ã) = relu(c·ã + 1): constant in the action for c = 0, increasing for c = 1.
    private func critic(slope c: Float) -> TwinCritic {
        let sizes = [4, 1, 1]
        // W0 (1×4), b0 (1), W1 (1×1), b1 (1)
        let q = MLP(sizes: sizes, parameters: [0, 0, 0, c, 1, 1, 0])
        return TwinCritic(q1: q, q2: q)
    }

    private func setup(entities n: Int, seed: UInt64) -> (Actor, [Float]) {
        var rng = RandomStream(seed: seed, purpose: "rw-test")
        var actor = Actor(hidden: [16, 16], random: &rng)
        // Spread the proposals over the whole range, borders included: a large last layer.
        actor.network.reinitializeWeights(layer: 2, bound: 40, random: &rng)
        let states = (0..<(3 * n)).map { _ in 2 * rng.unitFloat() - 1 }
        return (actor, states)
    }

    func testTiesGoToTheStartAndTheCriticArgmaxIsTaken() {
        let (actor, states) = setup(entities: 500, seed: 1)
        var flat = RandomWalkExplorer(seed: 7)
        let before = flat.random
        let tie = flat.select(states: states, actor: actor, critic: critic(slope: 0), noise: 0)
        XCTAssertEqual(tie.choices, tie.starts, "all candidates tie → the walk start")
        XCTAssertNotEqual(flat.random, before, "the walk was drawn")
        XCTAssertEqual(tie.starts, tie.proposals.map { Int($0.rounded(.toNearestOrEven)) })
        XCTAssertTrue(tie.proposals.contains { $0 < 10 } && tie.proposals.contains { $0 > 118 }, "borders exercised")

        // Increasing critic: d* = the largest vertex of the walk; replay the walks from the same stream.
        var up = RandomWalkExplorer(seed: 7)
        var replay = up.random
        let sel = up.select(states: states, actor: actor, critic: critic(slope: 1), noise: 0)
        var moved = 0
        for e in 0..<500 {
            let walk = up.graph.walk(from: sel.starts[e], length: 5, random: &replay)
            XCTAssertEqual(sel.choices[e], walk.max()!)
            XCTAssertTrue(walk.allSatisfy { $0 >= 1 && $0 <= 128 })
            if sel.choices[e] != sel.starts[e] { moved += 1 }
        }
        XCTAssertGreaterThan(moved, 250)   // P(walk never above start) ≈ 0.3 inside
        XCTAssertEqual(replay, up.random)
    }

    func testWithoutTheWalkTheCriticIsNotConsulted() {
        let (actor, states) = setup(entities: 200, seed: 2)
        var ex = RandomWalkExplorer(useWalk: false, seed: 3)
        let before = ex.random
        let sel = ex.select(states: states, actor: actor, critic: critic(slope: 1), noise: 2.5)
        XCTAssertEqual(sel.choices, sel.starts)
        XCTAssertEqual(ex.random, before, "no walk drawn")
        XCTAssertEqual(sel.executed, sel.starts.map { ExplorationNoise.executedAction(choice: $0, noise: 2.5) })
    }

    func testChunkedCriticEvaluationMatchesOneBatch() {
        var rng = RandomStream(seed: 4, purpose: "rw-test")
        let (actor, states) = setup(entities: 1000, seed: 4)
        let real = TwinCritic(hidden: [32, 32], random: &rng)
        var a = RandomWalkExplorer(seed: 9), b = RandomWalkExplorer(seed: 9)
        a.chunkRows = 97
        b.chunkRows = 1 << 14
        let sa = a.select(states: states, actor: actor, critic: real, noise: -3.7)
        let sb = b.select(states: states, actor: actor, critic: real, noise: -3.7)
        XCTAssertEqual(sa.choices, sb.choices)
        XCTAssertEqual(sa.executed, sb.executed)
        XCTAssertTrue(sa.executed.allSatisfy { $0 >= 1 && $0 <= 128 })
        XCTAssertEqual(sa.executed, sa.choices.map { ExplorationNoise.executedAction(choice: $0, noise: -3.7) })
    }
}
