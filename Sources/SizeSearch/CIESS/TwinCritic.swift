import Foundation
import Linalg

/// The CIESS twin critic (docs/method.md §1.5): two independent heads Q1, Q2, each
/// Linear(4→256) → ReLU → Linear(256→256) → ReLU → Linear(256→1), on the input [s ; norm(a)] with
/// norm(a) = 2(a − 1)/127 − 1 ∈ [−1, 1]. Default PyTorch `nn.Linear` initialisation (Q1 drawn
/// first, then Q2, from the same stream).
public struct TwinCritic: Sendable, Codable, Equatable {
    public var q1: MLP
    public var q2: MLP

    public init(stateDimension: Int = 3, hidden: [Int] = [256, 256], random: inout RandomStream) {
        let sizes = [stateDimension + 1] + hidden + [1]
        q1 = MLP(sizes: sizes, random: &random)
        q2 = MLP(sizes: sizes, random: &random)
    }

    public init(q1: MLP, q2: MLP) {
        precondition(q1.sizes == q2.sizes && q1.outputWidth == 1)
        self.q1 = q1
        self.q2 = q2
    }

    public var stateDimension: Int { q1.inputWidth - 1 }

    /// norm(a) = 2(a − 1)/127 − 1: a size in [1, 128] mapped to [−1, 1].
    @inlinable public static func normalizedAction(_ a: Float) -> Float {
        2 * (a - Actor.minAction) / (Actor.maxAction - Actor.minAction) - 1
    }

    /// d norm(a) / d a.
    public static let normalizationSlope: Float = 2 / (Actor.maxAction - Actor.minAction)

    /// Soft update of both heads towards `source` (θ′ ← θ′ + τ(θ − θ′)).
    public mutating func softUpdate(toward source: TwinCritic, tau: Float) {
        q1.softUpdate(toward: source.q1, tau: tau)
        q2.softUpdate(toward: source.q2, tau: tau)
    }
}
