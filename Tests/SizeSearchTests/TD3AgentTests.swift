import XCTest
import Foundation
import Linalg
@testable import SizeSearch

/// A toy continuous problem with a known best action, run through the real CIESS loop pieces:
/// SELECT (actor → walk → Q1 argmax → shared noise → round/clip), the FIFO buffer and one TD3
/// update per iteration. Reward r = 1 − |a − 37|/32 (a peak with slope 1/32 per size unit), the same for every state; the state is
/// fixed per entity (s′ = s), so the best action is 37 everywhere.
struct ToyProblem {
    static let best = 37
    var agent: TD3Agent
    var buffer: ReplayBuffer
    var explorer: RandomWalkExplorer
    var noise: ExplorationNoise
    let states: [Float]
    var criticLosses: [Double] = []

    static func configuration() -> TD3Configuration {
        var c = TD3Configuration()
        c.hidden = [64, 64]
        c.batchSize = Int(ProcessInfo.processInfo.environment["TOY_BATCH"] ?? "") ?? 128
        return c
    }

    init(entities: Int = 16, seed: UInt64) {
        agent = TD3Agent(configuration: ToyProblem.configuration(), seed: seed, purpose: "toy")
        buffer = ReplayBuffer(entities: entities)
        explorer = RandomWalkExplorer(seed: seed)
        noise = ExplorationNoise(kind: .gaussian, seed: seed)
        var rng = RandomStream(seed: seed, purpose: "toy/states")
        states = (0..<(3 * entities)).map { _ in 2 * rng.unitFloat() - 1 }
    }

    /// The same problem with the states of another run (the states are data, not checkpointed state).
    init(restoring other: ToyProblem, states: [Float]) {
        agent = other.agent; buffer = other.buffer; explorer = other.explorer; noise = other.noise
        self.states = states
    }

    static func reward(_ a: UInt8) -> Float { 1 - abs(Float(a) - Float(best)) / 32 }

    mutating func iterate() {
        let eps = noise.next()
        let sel = explorer.select(states: states, actor: agent.actor, critic: agent.critic, noise: eps)
        buffer.append(states: states, actions: sel.executed, rewards: sel.executed.map(ToyProblem.reward), nextStates: states)
        criticLosses.append(agent.update(from: buffer).criticLoss)
    }

    var proposals: [Float] { agent.actor.propose(states: states) }
}

final class TD3AgentTests: XCTestCase {
    func testFindsTheBestActionOfAToyProblem() {
        var toy = ToyProblem(seed: UInt64(ProcessInfo.processInfo.environment["TOY_SEED"] ?? "") ?? 11)
        XCTAssertTrue(toy.proposals.allSatisfy { abs($0 - 64.5) < 8 }, "starts near the middle (|b₃| ≤ 1/8 at width 64)")
        let iterations = Int(ProcessInfo.processInfo.environment["TOY_ITERS"] ?? "") ?? 300
        for i in 0..<iterations {
            toy.iterate()
            if ProcessInfo.processInfo.environment["TOY_TRACE"] != nil && i % 20 == 19 {
                let p = toy.proposals
                print("iter \(i + 1): proposals \(p.min()!)…\(p.max()!) mean \(p.reduce(0, +) / Float(p.count)) critic loss \(toy.criticLosses.last!)")
            }
        }
        let p = toy.proposals
        print("toy problem after \(iterations) iterations: proposals \(p.min()!)…\(p.max()!) (best \(ToyProblem.best))")
        for v in p { XCTAssertEqual(v, Float(ToyProblem.best), accuracy: 3) }
    }

    func testFirstUpdateIsCriticOnlyAndSecondUpdatesTheActor() {
        var toy = ToyProblem(entities: 8, seed: 3)
        let eps = toy.noise.next()
        let sel = toy.explorer.select(states: toy.states, actor: toy.agent.actor, critic: toy.agent.critic, noise: eps)
        toy.buffer.append(states: toy.states, actions: sel.executed, rewards: sel.executed.map(ToyProblem.reward), nextStates: toy.states)
        let a0 = toy.agent
        let r1 = toy.agent.update(from: toy.buffer)
        XCTAssertEqual(r1.step, 1)
        XCTAssertNil(r1.actorLoss)
        XCTAssertTrue(r1.criticLoss.isFinite && r1.criticLoss > 0)
        XCTAssertEqual(toy.agent.actor, a0.actor, "no actor step at k = 1")
        XCTAssertEqual(toy.agent.actorTarget, a0.actorTarget)
        XCTAssertEqual(toy.agent.actorOptimizer.step, 0)
        XCTAssertNotEqual(toy.agent.critic, a0.critic)
        XCTAssertNotEqual(toy.agent.criticTarget, a0.criticTarget, "critic targets move every update")
        XCTAssertEqual(toy.agent.q1Optimizer.step, 1)
        // Target = exactly θ′ + τ(θ − θ′) of the stepped critic.
        var expected = a0.criticTarget
        expected.softUpdate(toward: toy.agent.critic, tau: 0.005)
        XCTAssertEqual(toy.agent.criticTarget, expected)
        let a1 = toy.agent
        let r2 = toy.agent.update(from: toy.buffer)
        XCTAssertEqual(r2.step, 2)
        XCTAssertNotNil(r2.actorLoss)
        XCTAssertNotEqual(toy.agent.actor, a1.actor)
        var expectedActorTarget = a1.actorTarget.network
        expectedActorTarget.softUpdate(toward: toy.agent.actor.network, tau: 0.005)
        XCTAssertEqual(toy.agent.actorTarget.network, expectedActorTarget)
        XCTAssertEqual(toy.agent.actorOptimizer.step, 1)
        XCTAssertNil(toy.agent.update(from: toy.buffer).actorLoss)
    }

    func testGradientNormClippingFollowsTorch() {
        var a: [Float] = [3, 0, 0], b: [Float] = [4]   // ‖(a, b)‖ = 5
        let n = TD3Agent.clipGradientNorm(&a, &b, maxNorm: 0.01)
        XCTAssertEqual(n, 5, accuracy: 1e-12)
        let c = Float(0.01 / (5 + 1e-6))
        XCTAssertEqual(a, [3 * c, 0, 0])
        XCTAssertEqual(b, [4 * c])
        var small: [Float] = [0.003, 0.004], none: [Float] = []   // ‖g‖ = 0.005 < 0.01: unchanged
        TD3Agent.clipGradientNorm(&small, &none, maxNorm: 0.01)
        XCTAssertEqual(small, [0.003, 0.004])
    }

    func testCheckpointRestoreContinuesBitIdentically() throws {
        var straight = ToyProblem(entities: 8, seed: 5)
        for _ in 0..<7 { straight.iterate() }
        // Checkpoint everything that carries state across iterations, through JSON.
        let enc = JSONEncoder(), dec = JSONDecoder()
        let agentData = try enc.encode(straight.agent), bufferData = try enc.encode(straight.buffer)
        let explorerData = try enc.encode(straight.explorer), noiseData = try enc.encode(straight.noise)
        var resumed = ToyProblem(entities: 8, seed: 999)   // different seed: everything must come from the checkpoint
        resumed.agent = try dec.decode(TD3Agent.self, from: agentData)
        resumed.buffer = try dec.decode(ReplayBuffer.self, from: bufferData)
        resumed.explorer = try dec.decode(RandomWalkExplorer.self, from: explorerData)
        resumed.noise = try dec.decode(ExplorationNoise.self, from: noiseData)
        XCTAssertEqual(resumed.agent, straight.agent)
        XCTAssertEqual(resumed.buffer, straight.buffer)
        resumed = ToyProblem(restoring: resumed, states: straight.states)
        for _ in 0..<6 {
            straight.iterate()
            resumed.iterate()
        }
        XCTAssertEqual(resumed.agent, straight.agent)
        XCTAssertEqual(resumed.buffer, straight.buffer)
        XCTAssertEqual(resumed.explorer, straight.explorer)
        XCTAssertEqual(resumed.noise, straight.noise)
        XCTAssertEqual(Array(resumed.criticLosses.suffix(6)), Array(straight.criticLosses.suffix(6)))
        XCTAssertEqual(resumed.proposals, straight.proposals)
    }

    /// The actor step descends ∂L_μ/∂θ with L_μ = −mean Q1(s, norm μ(s)): with the critic frozen
    /// (lr 0) and no clipping, Adam's first step is −lr·g/(|g| + ε) ≈ −lr·sign(g), so every
    /// parameter must move against the sign of a finite-difference estimate of ∂L_μ/∂θ on the same batch.
    func testActorStepFollowsTheFiniteDifferenceGradientThroughTheCritic() {
        var cfg = TD3Configuration()
        cfg.hidden = [16, 16]
        cfg.batchSize = 64
        cfg.criticLearningRate = 0
        cfg.gradientClip = 1e9
        var agent = TD3Agent(configuration: cfg, seed: 21, purpose: "fd")
        // Spread the proposals (a larger last layer) so tanh′ and the critic slope vary.
        var rng = RandomStream(seed: 22, purpose: "fd")
        var net = agent.actor.network
        net.reinitializeWeights(layer: 2, bound: 0.3, random: &rng)
        agent = TD3Agent(replacingActor: Actor(network: net), in: agent)
        var buffer = ReplayBuffer(capacity: 100)
        let states = (0..<(3 * 40)).map { _ in 2 * rng.unitFloat() - 1 }
        buffer.append(states: states, actions: (0..<40).map { _ in UInt8(1 + rng.below(128)) },
                      rewards: (0..<40).map { _ in rng.unitFloat() }, nextStates: states)
        agent.update(from: buffer)                      // k = 1: critic "step" with lr 0
        XCTAssertEqual(agent.critic, TD3Agent(configuration: cfg, seed: 21, purpose: "fd").critic)
        var replay = agent.random
        let idx = buffer.sampleIndices(cfg.batchSize, random: &replay)
        let batch = idx.flatMap { buffer.transition($0).state }
        let before = agent.actor.network
        let q1 = agent.critic.q1
        func loss(_ a: MLP) -> Double {
            let prop = Actor(network: a).propose(states: batch)
            var x: [Float] = []
            for r in 0..<prop.count { x += batch[(3 * r)..<(3 * r + 3)]; x.append(TwinCritic.normalizedAction(prop[r])) }
            return -q1.evaluate(x).reduce(0.0) { $0 + Double($1) } / Double(prop.count)
        }
        XCTAssertNotNil(agent.update(from: buffer).actorLoss)   // k = 2: the actor step
        let after = agent.actor.network
        var checked = 0
        for k in 0..<before.parameterCount {
            var p = before, m = before
            p.parameters[k] += 1e-3
            m.parameters[k] -= 1e-3
            let fd = (loss(p) - loss(m)) / 2e-3
            guard abs(fd) > 1e-4 else { continue }       // sign well above the FD noise (~1e-5)
            let step = Double(after.parameters[k] - before.parameters[k])
            XCTAssertEqual(step, -1e-3 * (fd > 0 ? 1 : -1), accuracy: 2e-4, "parameter \(k): fd \(fd)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100)
    }

    /// ∂L_μ/∂θ_μ of the actor-step code (through Q1's input and the tanh map) against central differences.
    func testActorLossGradientMatchesFiniteDifferences() {
        var rng = RandomStream(seed: 31, purpose: "fd")
        var actor = Actor(hidden: [12, 10], random: &rng)
        actor.network.reinitializeWeights(layer: 2, bound: 4, random: &rng)   // tanh away from 0
        let critic = TwinCritic(hidden: [14, 9], random: &rng)
        let states = (0..<(3 * 6)).map { _ in 2 * rng.unitFloat() - 1 }
        let (loss0, grads) = TD3Agent.actorLossGradient(actor: actor, q1: critic.q1, states: states)
        let t = actor.propose(states: states).map { 2 * ($0 - 1) / 127 - 1 }
        XCTAssertGreaterThan(t.map { abs($0) }.max()!, 0.5, "tanh′ far from 1 somewhere")
        func loss(_ net: MLP) -> Double {
            let a = Actor(network: net).propose(states: states)
            var x: [Float] = []
            for r in 0..<a.count { x += states[(3 * r)..<(3 * r + 3)]; x.append(TwinCritic.normalizedAction(a[r])) }
            return -critic.q1.evaluate(x).reduce(0.0) { $0 + Double($1) } / Double(a.count)
        }
        XCTAssertEqual(loss0, loss(actor.network), accuracy: 1e-6)
        let scale = Double(grads.map { abs($0) }.max()!)
        XCTAssertGreaterThan(scale, 1e-3)
        for k in 0..<actor.network.parameterCount {
            var p = actor.network, m = actor.network
            p.parameters[k] += 1e-3
            m.parameters[k] -= 1e-3
            let fd = (loss(p) - loss(m)) / 2e-3
            XCTAssertEqual(Double(grads[k]), fd, accuracy: 0.02 * scale + 0.02 * abs(fd), "parameter \(k)")
        }
    }
}
