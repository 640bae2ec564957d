import Foundation
import CBLAS
import Linalg

/// TD3 hyperparameters of one CIESS agent (docs/method.md §1.9, §1.13; [C] values).
public struct TD3Configuration: Sendable, Codable, Equatable {
    public var stateDimension = 3
    public var hidden = [256, 256]
    public var batchSize = 4096
    public var gamma: Float = 0.99
    public var tau: Float = 0.005
    public var actorLearningRate: Float = 1e-3
    public var criticLearningRate: Float = 3e-3
    /// Global grad-norm clip (torch `clip_grad_norm_`), for the actor and for both critics together.
    public var gradientClip: Float = 0.01
    /// Target policy smoothing ε′ = clip(N(0, σ²), −c, c) in size units, drawn per sample (D13).
    public var targetNoiseStd: Float = 2
    public var targetNoiseClip: Float = 5
    /// The actor (and its target) is updated when the update counter k is a multiple of this.
    public var policyDelay = 2

    public init() {}
}

/// What one `TD3Agent.update` did.
public struct TD3UpdateResult: Sendable, Equatable {
    /// The update counter k after this update (1 for the first call).
    public var step: Int
    /// L_Q = MSE(Q1(s, norm(a)), y) + MSE(Q2(s, norm(a)), y), before the step.
    public var criticLoss: Double
    /// L_μ = −mean Q1(s, norm(μ(s))) on a delayed (even k) update; `nil` otherwise.
    public var actorLoss: Double?
}

/// One CIESS TD3 agent (user agent or item agent): actor μ, twin critic (Q1, Q2), their targets,
/// their Adam states, the update counter and the agent's random stream (docs/method.md §1.5, §1.9).
///
/// `update(from:)` performs, with k ← k + 1:
///
///     draw B indices uniformly with replacement from the filled buffer; gather (s, a, r, s′)
///     ã′ = clip(μ′(s′) + ε′, 1, 128),  ε′ = clip(N(0, 2²), −5, 5) per sample  (size units)
///     y  = r + γ·min(Q1′(s′, norm ã′), Q2′(s′, norm ã′))                      (no done mask)
///     L_Q = MSE(Q1(s, norm a), y) + MSE(Q2(s, norm a), y); clip ‖∇‖ over both critics at 0.01;
///           Adam (lr 3e−3) on Q1 and Q2
///     if k even: L_μ = −mean Q1(s, norm μ(s)) (continuous μ); clip ‖∇μ‖ at 0.01; Adam (lr 1e−3);
///                μ′ ← μ′ + τ(μ − μ′)
///     Q1′, Q2′ ← Q′ + τ(Q − Q′)     (every update)
///
/// Clipping follows torch: scale = max_norm / (‖g‖ + 1e−6), applied when < 1 (‖g‖ summed in
/// Double). Adam over both critics is one Adam over their concatenated parameters (elementwise,
/// so kept as two `AdamState`s stepped together). The first call (k = 1) is critic-only.
///
/// Random draws (indices, then B target-noise normals) come from the agent's own stream, so an
/// agent restored from its `Codable` form continues bit-identically. Scratch memory (~35 MB at
/// B = 4096) is not part of the encoded state; it is reused while the agent value is uniquely
/// referenced and re-allocated otherwise (so keep one live copy for speed).
///
/// Threading: the batch is cut into 2 fixed row blocks run on 2 workers; during an update
/// OpenBLAS is switched to 1 thread (restored to `Threads.count` afterwards), so do not run other
/// BLAS work concurrently with an update. Results do not depend on `Threads.count`.
public struct TD3Agent: Sendable {
    public let configuration: TD3Configuration
    public private(set) var actor: Actor
    public private(set) var critic: TwinCritic
    public private(set) var actorTarget: Actor
    public private(set) var criticTarget: TwinCritic
    public private(set) var actorOptimizer: AdamState
    public private(set) var q1Optimizer: AdamState
    public private(set) var q2Optimizer: AdamState
    /// k: updates performed so far.
    public private(set) var updateCount = 0
    public private(set) var random: RandomStream
    private var scratch: TD3Scratch?

    /// Fresh networks from stream (seed, "\(purpose)/init"); targets are exact copies; training
    /// draws come from stream (seed, "\(purpose)/train").
    public init(configuration: TD3Configuration = TD3Configuration(), seed: UInt64, purpose: String = "td3") {
        self.configuration = configuration
        var initRandom = RandomStream(seed: seed, purpose: purpose + "/init")
        actor = Actor(stateDimension: configuration.stateDimension, hidden: configuration.hidden, random: &initRandom)
        critic = TwinCritic(stateDimension: configuration.stateDimension, hidden: configuration.hidden, random: &initRandom)
        actorTarget = actor
        criticTarget = critic
        actorOptimizer = AdamState(count: actor.network.parameterCount)
        q1Optimizer = AdamState(count: critic.q1.parameterCount)
        q2Optimizer = AdamState(count: critic.q2.parameterCount)
        random = RandomStream(seed: seed, purpose: purpose + "/train")
    }

    /// `agent` with its actor (and actor target, an exact copy) replaced; the optimiser state of
    /// the actor is reset. For tests and experiments with hand-made networks.
    public init(replacingActor newActor: Actor, in agent: TD3Agent) {
        precondition(newActor.network.sizes == agent.actor.network.sizes)
        self = agent
        actor = newActor
        actorTarget = newActor
        actorOptimizer = AdamState(count: newActor.network.parameterCount)
        scratch = nil
    }

    /// One TD3 update (k ← k + 1; the actor step runs when k is a multiple of `policyDelay`).
    @discardableResult
    public mutating func update(from buffer: ReplayBuffer) -> TD3UpdateResult {
        updateCount += 1
        let k = updateCount
        return performUpdate(from: buffer, actorStep: k % configuration.policyDelay == 0, step: k)
    }

    /// One update with the actor step forced on or off and k left unchanged (benchmarks only:
    /// `td3_update` is an even-k update, `td3_critic_update` an odd-k one).
    @discardableResult
    public mutating func benchmarkUpdate(from buffer: ReplayBuffer, actorStep: Bool) -> TD3UpdateResult {
        performUpdate(from: buffer, actorStep: actorStep, step: updateCount)
    }

    private mutating func workspace() -> TD3Scratch {
        if isKnownUniquelyReferenced(&scratch), let s = scratch { return s }
        let s = TD3Scratch(configuration: configuration, actorSizes: actor.network.sizes, criticSizes: critic.q1.sizes)
        scratch = s
        return s
    }

    /// The batch is always processed as `TD3Scratch.parts` fixed row blocks (one per core when
    /// `Threads.count ≥ 2`, one after the other otherwise), each with single-threaded BLAS and
    /// serial kernels; per-block gradients and losses are added in block order. So the result does
    /// not depend on the thread count, and one fork/join per phase replaces per-kernel threading.
    private mutating func performUpdate(from buffer: ReplayBuffer, actorStep: Bool, step: Int) -> TD3UpdateResult {
        let cfg = configuration
        let b = cfg.batchSize, d = cfg.stateDimension, di = d + 1
        precondition(d == ReplayBuffer.stateDimension, "TD3Agent: state dimension must match the replay buffer")
        let ws = workspace()
        let bounds = ws.bounds

        // 1. Sample and gather; target-policy noise ε′ per sample, in sample order.
        let indices = buffer.sampleIndices(b, random: &random)
        buffer.gather(indices, states: ws.states.base, criticInputs: ws.criticInputs.base,
                      rewards: ws.rewards.base, nextStates: ws.nextStates.base)
        for r in 0..<b {
            let eps = Float(random.normal()) * cfg.targetNoiseStd
            ws.noise.base[r] = min(max(eps, -cfg.targetNoiseClip), cfg.targetNoiseClip)
        }

        let threaded = Threads.count > 1
        if threaded { openblas_set_num_threads(1) }
        defer { if threaded { openblas_set_num_threads(Int32(Threads.count)) } }

        // 2. Targets y = r + γ·min(Q1′, Q2′)(s′, norm clip(μ′(s′) + ε′, 1, 128)), no gradients.
        let actorT = actorTarget, criticT = criticTarget, gamma = cfg.gamma
        TD3Agent.forEachPart(ws) { p in
            let lo = bounds[p], n = bounds[p + 1] - lo
            actorT.propose(ws.nextStates.base + lo * d, rows: n, workspace: ws.actorWS[p], into: ws.actions.base + lo)
            for r in lo..<(lo + n) {
                let a2 = min(max(ws.actions.base[r] + ws.noise.base[r], Actor.minAction), Actor.maxAction)
                for j in 0..<d { ws.targetInputs.base[r * di + j] = ws.nextStates.base[r * d + j] }
                ws.targetInputs.base[r * di + d] = TwinCritic.normalizedAction(a2)
            }
            let qt1 = criticT.q1.forward(ws.targetInputs.base + lo * di, rows: n, workspace: ws.criticWS[p])
            (ws.targets.base + lo).update(from: qt1, count: n)
            let qt2 = criticT.q2.forward(ws.targetInputs.base + lo * di, rows: n, workspace: ws.criticWS[p])
            for k in 0..<n { ws.targets.base[lo + k] = ws.rewards.base[lo + k] + gamma * min(ws.targets.base[lo + k], qt2[k]) }
        }

        // 3. Critic step on L_Q = MSE(Q1, y) + MSE(Q2, y).
        let current = critic
        let scale = 2 / Float(b)
        TD3Agent.forEachPart(ws) { p in
            let lo = bounds[p], n = bounds[p + 1] - lo
            for head in 0..<2 {
                let net = head == 0 ? current.q1 : current.q2
                let q = net.forward(ws.criticInputs.base + lo * di, rows: n, workspace: ws.criticWS[p])
                var sq = 0.0
                for k in 0..<n {
                    let diff = q[k] - ws.targets.base[lo + k]
                    sq += Double(diff) * Double(diff)
                    ws.outputGrad.base[lo + k] = scale * diff
                }
                ws.partLosses[2 * p + head] = sq
                net.backward(input: ws.criticInputs.base + lo * di, rows: n, outputGrad: ws.outputGrad.base + lo,
                             workspace: ws.criticWS[p], parameterGrads: ws.partGrads[head][p].base, inputGrad: nil)
            }
        }
        var sq1 = 0.0, sq2 = 0.0
        for p in 0..<TD3Scratch.parts { sq1 += ws.partLosses[2 * p]; sq2 += ws.partLosses[2 * p + 1] }
        let criticLoss = sq1 / Double(b) + sq2 / Double(b)
        TD3Agent.sumParts(ws.partGrads[0], into: &ws.q1Grads)
        TD3Agent.sumParts(ws.partGrads[1], into: &ws.q2Grads)
        TD3Agent.clipGradientNorm(&ws.q1Grads, &ws.q2Grads, maxNorm: cfg.gradientClip)
        q1Optimizer.update(&critic.q1.parameters, grads: ws.q1Grads, lr: cfg.criticLearningRate)
        q2Optimizer.update(&critic.q2.parameters, grads: ws.q2Grads, lr: cfg.criticLearningRate)

        // 4. Delayed actor step on L_μ = −mean Q1(s, norm μ(s)) (continuous μ).
        var actorLoss: Double? = nil
        if actorStep {
            let policy = actor.network, q1 = critic.q1
            let seed = -1 / Float(b)
            TD3Agent.forEachPart(ws) { p in
                let lo = bounds[p], n = bounds[p + 1] - lo
                ws.partLosses[2 * p] = TD3Agent.actorGradientPart(
                    policy: policy, q1: q1, states: ws.states.base + lo * d, rows: n, seed: seed,
                    actorWS: ws.actorWS[p], criticWS: ws.criticWS[p], policyInputs: ws.policyInputs.base + lo * di,
                    tanhOut: ws.tanhOut.base + lo, outputGrad: ws.outputGrad.base + lo,
                    policyInputGrad: ws.policyInputGrad.base + lo * di, grads: ws.partGrads[2][p].base)
            }
            var sum = 0.0
            for p in 0..<TD3Scratch.parts { sum += ws.partLosses[2 * p] }
            actorLoss = -sum / Double(b)
            TD3Agent.sumParts(ws.partGrads[2], into: &ws.actorGrads)
            var none: [Float] = []
            TD3Agent.clipGradientNorm(&ws.actorGrads, &none, maxNorm: cfg.gradientClip)
            actorOptimizer.update(&actor.network.parameters, grads: ws.actorGrads, lr: cfg.actorLearningRate)
            actorTarget.network.softUpdate(toward: actor.network, tau: cfg.tau)
        }

        // 5. Target critics, every update.
        criticTarget.softUpdate(toward: critic, tau: cfg.tau)
        return TD3UpdateResult(step: step, criticLoss: criticLoss, actorLoss: actorLoss)
    }

    /// One block of the actor step: â = μ(s), q = Q1(s, norm â); back-propagates `seed`·1 (−1/B for
    /// L_μ = −mean q) through Q1 to its action input and through â(z) = 1 + 127(tanh z + 1)/2 into
    /// μ's parameters (`grads`, overwritten). Q1's parameter gradients are not formed. Returns Σ q.
    static func actorGradientPart(policy: MLP, q1: MLP, states: UnsafePointer<Float>, rows n: Int, seed: Float,
                                  actorWS: MLPWorkspace, criticWS: MLPWorkspace,
                                  policyInputs: UnsafeMutablePointer<Float>, tanhOut: UnsafeMutablePointer<Float>,
                                  outputGrad: UnsafeMutablePointer<Float>, policyInputGrad: UnsafeMutablePointer<Float>,
                                  grads: UnsafeMutablePointer<Float>) -> Double {
        let d = policy.inputWidth, di = d + 1
        // d norm(â)/dz = (2/127)·(127/2)·(1 − t²).
        let chain = TwinCritic.normalizationSlope * (Actor.maxAction - Actor.minAction) / 2
        let z = policy.forward(states, rows: n, workspace: actorWS)
        for r in 0..<n {
            let t = tanhf(z[r])
            tanhOut[r] = t
            for j in 0..<d { policyInputs[r * di + j] = states[r * d + j] }
            policyInputs[r * di + d] = TwinCritic.normalizedAction(Actor.action(fromTanh: t))
        }
        let q = q1.forward(policyInputs, rows: n, workspace: criticWS)
        var sum = 0.0
        for r in 0..<n { sum += Double(q[r]) }
        outputGrad.update(repeating: seed, count: n)
        q1.backward(input: policyInputs, rows: n, outputGrad: outputGrad, workspace: criticWS,
                    parameterGrads: nil, inputGrad: policyInputGrad)
        for r in 0..<n {
            let t = tanhOut[r]
            outputGrad[r] = policyInputGrad[r * di + d] * chain * (1 - t * t)
        }
        policy.backward(input: states, rows: n, outputGrad: outputGrad, workspace: actorWS, parameterGrads: grads, inputGrad: nil)
        return sum
    }

    /// L_μ = −mean Q1(s, norm μ(s)) over `states` (`n × 3`) and ∂L_μ/∂θ_μ, through the same code
    /// as the actor step (allocating; for tests).
    static func actorLossGradient(actor: Actor, q1: MLP, states: [Float]) -> (loss: Double, grads: [Float]) {
        let d = actor.network.inputWidth, n = states.count / d
        let aws = MLPWorkspace(sizes: actor.network.sizes, capacity: n), cws = MLPWorkspace(sizes: q1.sizes, capacity: n)
        var pin = [Float](repeating: 0, count: n * (d + 1)), pgr = pin
        var t = [Float](repeating: 0, count: n), og = t
        var grads = [Float](repeating: 0, count: actor.network.parameterCount)
        let sum = states.withUnsafeBufferPointer { sp in
            actorGradientPart(policy: actor.network, q1: q1, states: sp.baseAddress!, rows: n, seed: -1 / Float(n),
                              actorWS: aws, criticWS: cws, policyInputs: &pin, tanhOut: &t, outputGrad: &og,
                              policyInputGrad: &pgr, grads: &grads)
        }
        return (-sum / Double(n), grads)
    }

    /// Runs `body(part)` for every batch block: concurrently when `Threads.count ≥ 2`, else in order.
    private static func forEachPart(_ ws: TD3Scratch, _ body: @Sendable (Int) -> Void) {
        Parallel.forEachChunk(count: TD3Scratch.parts, grain: 1) { p, _ in body(p) }
    }

    /// into = Σ_p parts[p], added in block order.
    private static func sumParts(_ parts: [AlignedFloatBuffer], into: inout [Float]) {
        into.withUnsafeMutableBufferPointer { out in
            out.baseAddress!.update(from: parts[0].base, count: out.count)
            for p in 1..<parts.count {
                let g = parts[p].base
                for i in 0..<out.count { out[i] += g[i] }
            }
        }
    }

    /// torch `clip_grad_norm_` over the concatenation of `a` and `b`: total = ‖(a, b)‖₂ (squares
    /// summed in Float blocks of 1024, blocks added in Double); if max/(total + 1e−6) < 1, both are
    /// scaled by it. Returns the total norm before clipping.
    @discardableResult
    static func clipGradientNorm(_ a: inout [Float], _ b: inout [Float], maxNorm: Float) -> Double {
        func squares(_ g: [Float]) -> Double {
            var total = 0.0
            g.withUnsafeBufferPointer { p in
                var start = 0
                while start < p.count {
                    let end = min(start + 1024, p.count)
                    var s: Float = 0
                    for i in start..<end { s += p[i] * p[i] }
                    total += Double(s)
                    start = end
                }
            }
            return total
        }
        let norm = (squares(a) + squares(b)).squareRoot()
        let coef = Double(maxNorm) / (norm + 1e-6)
        if coef < 1 {
            let c = Float(coef)
            a.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= c } }
            b.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= c } }
        }
        return norm
    }
}

extension TD3Agent: Codable {
    enum CodingKeys: String, CodingKey {
        case configuration, actor, critic, actorTarget, criticTarget, actorOptimizer, q1Optimizer, q2Optimizer,
             updateCount, random
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = try c.decode(TD3Configuration.self, forKey: .configuration)
        actor = try c.decode(Actor.self, forKey: .actor)
        critic = try c.decode(TwinCritic.self, forKey: .critic)
        actorTarget = try c.decode(Actor.self, forKey: .actorTarget)
        criticTarget = try c.decode(TwinCritic.self, forKey: .criticTarget)
        actorOptimizer = try c.decode(AdamState.self, forKey: .actorOptimizer)
        q1Optimizer = try c.decode(AdamState.self, forKey: .q1Optimizer)
        q2Optimizer = try c.decode(AdamState.self, forKey: .q2Optimizer)
        updateCount = try c.decode(Int.self, forKey: .updateCount)
        random = try c.decode(RandomStream.self, forKey: .random)
        scratch = nil
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configuration, forKey: .configuration)
        try c.encode(actor, forKey: .actor)
        try c.encode(critic, forKey: .critic)
        try c.encode(actorTarget, forKey: .actorTarget)
        try c.encode(criticTarget, forKey: .criticTarget)
        try c.encode(actorOptimizer, forKey: .actorOptimizer)
        try c.encode(q1Optimizer, forKey: .q1Optimizer)
        try c.encode(q2Optimizer, forKey: .q2Optimizer)
        try c.encode(updateCount, forKey: .updateCount)
        try c.encode(random, forKey: .random)
    }
}

extension TD3Agent: Equatable {
    /// Equality of the persistent state (scratch memory ignored).
    public static func == (a: TD3Agent, b: TD3Agent) -> Bool {
        a.configuration == b.configuration && a.actor == b.actor && a.critic == b.critic
            && a.actorTarget == b.actorTarget && a.criticTarget == b.criticTarget
            && a.actorOptimizer == b.actorOptimizer && a.q1Optimizer == b.q1Optimizer
            && a.q2Optimizer == b.q2Optimizer && a.updateCount == b.updateCount && a.random == b.random
    }
}

/// Batch-sized scratch buffers of one `TD3Agent` (no state between updates). The batch is cut
/// into `parts` fixed row blocks, each with its own network workspaces and gradient buffers.
final class TD3Scratch: @unchecked Sendable {
    static let parts = 2
    let bounds: [Int]
    let actorWS: [MLPWorkspace]
    let criticWS: [MLPWorkspace]
    let states, criticInputs, rewards, nextStates, actions, noise, targetInputs, targets, outputGrad: AlignedFloatBuffer
    let tanhOut, policyInputs, policyInputGrad: AlignedFloatBuffer
    /// partGrads[net][part] for net 0 = Q1, 1 = Q2, 2 = actor.
    let partGrads: [[AlignedFloatBuffer]]
    let partLossBuffer: AlignedFloatBuffer
    var q1Grads, q2Grads, actorGrads: [Float]

    var partLosses: SendableDoubles { SendableDoubles(base: partLossPointer) }
    private let partLossPointer: UnsafeMutablePointer<Double>

    init(configuration cfg: TD3Configuration, actorSizes: [Int], criticSizes: [Int]) {
        let b = cfg.batchSize, d = cfg.stateDimension, P = TD3Scratch.parts
        let bounds = (0...P).map { $0 * b / P }
        self.bounds = bounds
        let largest = (0..<P).map { bounds[$0 + 1] - bounds[$0] }.max()!
        actorWS = (0..<P).map { _ in let w = MLPWorkspace(sizes: actorSizes, capacity: max(1, largest)); w.serial = true; return w }
        criticWS = (0..<P).map { _ in let w = MLPWorkspace(sizes: criticSizes, capacity: max(1, largest)); w.serial = true; return w }
        states = AlignedFloatBuffer(count: b * d)
        criticInputs = AlignedFloatBuffer(count: b * (d + 1))
        rewards = AlignedFloatBuffer(count: b)
        nextStates = AlignedFloatBuffer(count: b * d)
        actions = AlignedFloatBuffer(count: b)
        noise = AlignedFloatBuffer(count: b)
        targetInputs = AlignedFloatBuffer(count: b * (d + 1))
        targets = AlignedFloatBuffer(count: b)
        outputGrad = AlignedFloatBuffer(count: b)
        tanhOut = AlignedFloatBuffer(count: b)
        policyInputs = AlignedFloatBuffer(count: b * (d + 1))
        policyInputGrad = AlignedFloatBuffer(count: b * (d + 1))
        let counts = [criticSizes, criticSizes, actorSizes].map { MLP.parameterCount(sizes: $0) }
        partGrads = counts.map { c in (0..<P).map { _ in AlignedFloatBuffer(count: c) } }
        partLossBuffer = AlignedFloatBuffer(count: 4 * P)
        partLossPointer = UnsafeMutableRawPointer(partLossBuffer.base).bindMemory(to: Double.self, capacity: 2 * P)
        q1Grads = [Float](repeating: 0, count: counts[0])
        q2Grads = [Float](repeating: 0, count: counts[1])
        actorGrads = [Float](repeating: 0, count: counts[2])
    }
}

/// Per-block loss partials written from the parallel blocks (disjoint slots).
struct SendableDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    subscript(i: Int) -> Double {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
