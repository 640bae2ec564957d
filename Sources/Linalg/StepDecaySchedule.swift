/// Learning rate `lr(b) = max(lrMin, lrMax · γ^⌊b / every⌋)` after `b` completed batches.
///
/// docs/method.md §2.0: γ = 0.9; LightGCN (0.03, 1e−3, 200), NGCF (0.03, 1e−3, 100), NeuMF (0.03, 1e−4, 50).
/// The schedule carries on across CONVERGE chunks.
public struct StepDecaySchedule: Sendable, Codable, Equatable {
    public let lrMax: Float
    public let lrMin: Float
    public let every: Int
    public let gamma: Float

    public init(lrMax: Float, lrMin: Float, every: Int, gamma: Float = 0.9) {
        precondition(lrMax > 0 && lrMin > 0 && lrMin <= lrMax && every >= 1 && gamma > 0 && gamma <= 1)
        self.lrMax = lrMax
        self.lrMin = lrMin
        self.every = every
        self.gamma = gamma
    }

    /// The rate to use for the batch that follows `completedBatches` batches. The decay is applied
    /// multiplicatively step by step (as the reference code does), then floored.
    public func rate(afterBatches completedBatches: Int) -> Float {
        var lr = lrMax
        let decays = completedBatches / every
        for _ in 0..<decays {
            lr = max(lrMin, lr * gamma)
            if lr == lrMin { break }
        }
        return lr
    }
}
