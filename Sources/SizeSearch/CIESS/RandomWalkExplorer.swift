import Foundation
import Linalg

/// One agent's SELECT output for all its entities (docs/method.md §1.6).
public struct ActionSelection: Sendable, Equatable {
    /// â_n = μ(s_n), continuous in [1, 128].
    public var proposals: [Float]
    /// d0_n = round_half_even(â_n).
    public var starts: [Int]
    /// d*_n = argmax_{z ∈ Z_n} Q1(s_n, norm z) (= d0_n without the walk).
    public var choices: [Int]
    /// a_n = clip(round_half_even(d*_n + ε), 1, 128).
    public var executed: [UInt8]
}

/// CIESS action selection SELECT (docs/method.md §1.6, D9–D12) for all entities of one agent:
///
/// 1. â_n = μ(s_n), d0_n = round_half_even(â_n) ∈ [1, 128];
/// 2. a 5-step random walk on `ActionGraph` from d0_n gives Z_n = (d0_n, d1_n, …, d5_n);
/// 3. d*_n = argmax_{z ∈ Z_n} Q1(s_n, norm z), ties → first in walk order (the start wins ties);
/// 4. a_n = clip(round_half_even(d*_n + ε), 1, 128) with the iteration's shared scalar ε.
///
/// With `useWalk == false`, Z_n = {d0_n} and the critic is not consulted. The walks of all
/// entities are drawn in entity order from the explorer's own stream; the Q1 values of the
/// distinct (entity, candidate) pairs are evaluated in one batched pass (row chunks of
/// `chunkRows`), so ~38k entities × ≤ 6 candidates cost a few sgemm calls.
public struct RandomWalkExplorer: Sendable {
    public let graph: ActionGraph
    public let walkLength: Int
    public var useWalk: Bool
    public var chunkRows: Int = 8192
    public private(set) var random: RandomStream

    public init(useWalk: Bool = true, walkLength: Int = 5, graph: ActionGraph = ActionGraph(), seed: UInt64,
                purpose: String = "ciess/walk") {
        self.graph = graph
        self.walkLength = walkLength
        self.useWalk = useWalk
        random = RandomStream(seed: seed, purpose: purpose)
    }

    /// SELECT for `states` (`n × 3`, row-major) with the iteration's noise ε.
    public mutating func select(states: [Float], actor: Actor, critic: TwinCritic, noise: Double) -> ActionSelection {
        let d = actor.network.inputWidth
        precondition(states.count % d == 0 && critic.q1.inputWidth == d + 1)
        let n = states.count / d
        let proposals = actor.propose(states: states, chunk: chunkRows)
        let starts = proposals.map { min(max(Int($0.rounded(.toNearestOrEven)), graph.minSize), graph.maxSize) }
        var choices = starts
        if useWalk && n > 0 {
            // Distinct candidates per entity, in walk order.
            var offsets = [Int](repeating: 0, count: n + 1)
            var candidates: [Int] = []
            candidates.reserveCapacity(n * (walkLength + 1))
            for e in 0..<n {
                let w = graph.walk(from: starts[e], length: walkLength, random: &random)
                let first = candidates.count
                for z in w where !candidates[first...].contains(z) { candidates.append(z) }
                offsets[e + 1] = candidates.count
            }
            let values = Self.q1Values(states: states, stateWidth: d, offsets: offsets, candidates: candidates,
                                       critic: critic.q1, chunkRows: chunkRows)
            for e in 0..<n {
                var best = offsets[e]
                for k in (offsets[e] + 1)..<max(offsets[e + 1], offsets[e] + 1) where values[k] > values[best] { best = k }
                choices[e] = candidates[best]
            }
        }
        let executed = choices.map {
            ExplorationNoise.executedAction(choice: $0, noise: noise, minSize: graph.minSize, maxSize: graph.maxSize)
        }
        return ActionSelection(proposals: proposals, starts: starts, choices: choices, executed: executed)
    }

    /// Q1(s_e, norm z) for every candidate z of every entity e (candidates of e at offsets[e]..<offsets[e+1]).
    static func q1Values(states: [Float], stateWidth d: Int, offsets: [Int], candidates: [Int], critic q1: MLP,
                         chunkRows: Int) -> [Float] {
        let total = candidates.count
        var values = [Float](repeating: 0, count: total)
        var inputs = [Float](repeating: 0, count: total * (d + 1))
        for e in 0..<(offsets.count - 1) {
            for k in offsets[e]..<offsets[e + 1] {
                for j in 0..<d { inputs[k * (d + 1) + j] = states[e * d + j] }
                inputs[k * (d + 1) + d] = TwinCritic.normalizedAction(Float(candidates[k]))
            }
        }
        let ws = MLPWorkspace(sizes: q1.sizes, capacity: max(1, min(chunkRows, total)))
        inputs.withUnsafeBufferPointer { ip in
            values.withUnsafeMutableBufferPointer { vp in
                var start = 0
                while start < total {
                    let rows = min(ws.capacity, total - start)
                    let out = q1.forward(ip.baseAddress! + start * (d + 1), rows: rows, workspace: ws)
                    (vp.baseAddress! + start).update(from: out, count: rows)
                    start += rows
                }
            }
        }
        return values
    }
}

extension RandomWalkExplorer: Codable {
    enum CodingKeys: String, CodingKey { case minSize, maxSize, threshold, walkLength, useWalk, chunkRows, random }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        graph = ActionGraph(minSize: try c.decode(Int.self, forKey: .minSize), maxSize: try c.decode(Int.self, forKey: .maxSize),
                            threshold: try c.decode(Int.self, forKey: .threshold))
        walkLength = try c.decode(Int.self, forKey: .walkLength)
        useWalk = try c.decode(Bool.self, forKey: .useWalk)
        chunkRows = try c.decode(Int.self, forKey: .chunkRows)
        random = try c.decode(RandomStream.self, forKey: .random)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(graph.minSize, forKey: .minSize)
        try c.encode(graph.maxSize, forKey: .maxSize)
        try c.encode(graph.threshold, forKey: .threshold)
        try c.encode(walkLength, forKey: .walkLength)
        try c.encode(useWalk, forKey: .useWalk)
        try c.encode(chunkRows, forKey: .chunkRows)
        try c.encode(random, forKey: .random)
    }
}

extension RandomWalkExplorer: Equatable {}
