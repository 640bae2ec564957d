import Foundation
import Linalg

/// The exploration noise of CIESS action selection (docs/method.md §1.6 step 4, D9): ONE scalar ε per
/// iteration, shared by all users and all items, drawn before the two agents act and added to the
/// critic's choice d*: the executed size is a = clip(round_half_even(d* + ε), 1, 128).
///
/// - `.gaussian`: ε ~ N(0, σ²), σ = 6.
/// - `.uniform`: ε ~ U(−11, 11).
/// - `.ornsteinUhlenbeck`: x_{t+1} = x_t + θ(μ − x_t)·dt + σ·√dt·ξ, ξ ~ N(0, 1), θ = 0.15, dt = 0.01,
///   σ = 40, μ = 0, x_0 = 0; ε = x_{t+1}; `resetEpisode()` sets x back to x_0 (per-step std σ√dt = 4).
/// - `.none`: ε = 0 (no stream draw).
public struct ExplorationNoise: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case gaussian = "G", uniform = "U", ornsteinUhlenbeck = "OU", none
    }

    public let kind: Kind
    public var gaussianStd: Double = 6
    public var uniformHalfWidth: Double = 11
    public var ouTheta: Double = 0.15
    public var ouDt: Double = 0.01
    public var ouSigma: Double = 40
    public var ouMean: Double = 0
    public var ouInitial: Double = 0
    /// OU state x_t.
    public private(set) var ouState: Double
    public private(set) var random: RandomStream

    public init(kind: Kind, seed: UInt64, purpose: String = "ciess/noise") {
        self.kind = kind
        random = RandomStream(seed: seed, purpose: purpose)
        ouState = 0
    }

    /// Episode start: resets the OU process to x_0 (no effect on the other kinds).
    public mutating func resetEpisode() { ouState = ouInitial }

    /// The next iteration's ε.
    public mutating func next() -> Double {
        switch kind {
        case .gaussian: return gaussianStd * random.normal()
        case .uniform: return -uniformHalfWidth + 2 * uniformHalfWidth * random.unitDouble()
        case .ornsteinUhlenbeck:
            ouState += ouTheta * (ouMean - ouState) * ouDt + ouSigma * ouDt.squareRoot() * random.normal()
            return ouState
        case .none: return 0
        }
    }

    /// a = clip(round_half_even(choice + ε), minSize, maxSize).
    public static func executedAction(choice: Int, noise: Double, minSize: Int = 1, maxSize: Int = 128) -> UInt8 {
        let v = (Double(choice) + noise).rounded(.toNearestOrEven)
        return UInt8(min(max(v, Double(minSize)), Double(maxSize)))
    }
}
