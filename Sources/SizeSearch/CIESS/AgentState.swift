import Foundation

/// The per-entity state and reward of one CIESS agent (docs/method.md §1.2, §1.4, §1.7; D4, D5, D7, D8).
///
///     s_n = ( 2(f_n − f_min)/(f_max − f_min) − 1,  2(d_n − 1)/127 − 1,  q̃_n )
///
/// f_n = TRAIN interactions of entity n; f_min/f_max over entities with f ≥ 1 (an absent entity,
/// f = 0, gets a value below −1, kept as is; if f_max = f_min the denominator is taken as 1).
/// d_n = the executed size of the previous iteration (128 at episode start), q̃_n =
/// clip(2q_n − 1, −1, 1) with q_n = eval_n / peak_n (+1 at episode start, D8).
/// Reward r_n = min(q_n, 1) − λ(a_n/128)².
public struct AgentState: Sendable, Codable, Equatable {
    public static let maxSize = 128

    /// Normalised frequency term per entity (fixed for the run).
    public let frequencyTerm: [Float]
    /// d_n of the current state.
    public private(set) var sizes: [UInt8]
    /// q̃_n of the current state.
    public private(set) var qualityTerm: [Float]

    public init(trainCounts: [Int]) {
        let present = trainCounts.filter { $0 >= 1 }
        let fMin = present.min() ?? 0, fMax = present.max() ?? 0
        let range = fMax > fMin ? Double(fMax - fMin) : 1
        frequencyTerm = trainCounts.map { Float(2 * Double($0 - fMin) / range - 1) }
        sizes = [UInt8](repeating: UInt8(AgentState.maxSize), count: trainCounts.count)
        qualityTerm = [Float](repeating: 1, count: trainCounts.count)
    }

    public var entityCount: Int { frequencyTerm.count }

    /// Episode start: d = 128 and q̃ = +1 for every entity.
    public mutating func resetEpisode() {
        sizes = [UInt8](repeating: UInt8(AgentState.maxSize), count: entityCount)
        qualityTerm = [Float](repeating: 1, count: entityCount)
    }

    /// 2(d − 1)/127 − 1.
    @inlinable public static func sizeTerm(_ d: UInt8) -> Float { 2 * (Float(d) - 1) / 127 - 1 }

    /// q̃ = clip(2q − 1, −1, 1).
    @inlinable public static func qualityTerm(_ q: Double) -> Float { Float(min(max(2 * q - 1, -1), 1)) }

    /// r = min(q, 1) − λ(a/128)².
    @inlinable public static func reward(quality q: Double, action a: UInt8, lambda: Double) -> Float {
        let x = Double(a) / Double(maxSize)
        return Float(min(q, 1) - lambda * x * x)
    }

    /// The current states, `entityCount × 3` row-major.
    public var vectors: [Float] {
        var out = [Float](repeating: 0, count: 3 * entityCount)
        for n in 0..<entityCount {
            out[3 * n] = frequencyTerm[n]
            out[3 * n + 1] = AgentState.sizeTerm(sizes[n])
            out[3 * n + 2] = qualityTerm[n]
        }
        return out
    }

    /// Moves to the next state after executing `actions` with quality ratios `qualities`
    /// (q_n = eval_n / peak_n); returns the rewards r_n.
    @discardableResult
    public mutating func advance(actions: [UInt8], qualities: [Double], lambda: Double) -> [Float] {
        precondition(actions.count == entityCount && qualities.count == entityCount)
        var rewards = [Float](repeating: 0, count: entityCount)
        for n in 0..<entityCount {
            rewards[n] = AgentState.reward(quality: qualities[n], action: actions[n], lambda: lambda)
            qualityTerm[n] = AgentState.qualityTerm(qualities[n])
        }
        sizes = actions
        return rewards
    }
}
