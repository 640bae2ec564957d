import Foundation
import Linalg

/// The CIESS actor μ (docs/method.md §1.5): Linear(3→256) → ReLU → Linear(256→256) → ReLU → Linear(256→1)
/// → tanh → â = 1 + 127·(tanh(z) + 1)/2, a continuous size in [1, 128].
///
/// Initialisation: PyTorch's default `nn.Linear` init, then the last layer's weights are re-drawn
/// from U(−3e−3, 3e−3) (its bias keeps the default). At init z ≈ 0, so â ≈ 64.5.
public struct Actor: Sendable, Codable, Equatable {
    public static let minAction: Float = 1
    public static let maxAction: Float = 128
    public static let lastLayerBound: Float = 3e-3

    public var network: MLP

    public init(stateDimension: Int = 3, hidden: [Int] = [256, 256], random: inout RandomStream) {
        network = MLP(sizes: [stateDimension] + hidden + [1], random: &random)
        network.reinitializeWeights(layer: network.layerCount - 1, bound: Actor.lastLayerBound, random: &random)
    }

    public init(network: MLP) {
        precondition(network.outputWidth == 1)
        self.network = network
    }

    /// â = 1 + 127·(t + 1)/2 for t = tanh(z).
    @inlinable public static func action(fromTanh t: Float) -> Float {
        minAction + (maxAction - minAction) * (t + 1) / 2
    }

    /// The proposals â_n for `rows` states (`rows × stateDimension`), written to `out` (`rows`).
    /// `workspace` must be an `MLPWorkspace(sizes: network.sizes, capacity: ≥ rows)`.
    public func propose(_ states: UnsafePointer<Float>, rows: Int, workspace: MLPWorkspace, into out: UnsafeMutablePointer<Float>) {
        let z = network.forward(states, rows: rows, workspace: workspace)
        for r in 0..<rows { out[r] = Actor.action(fromTanh: tanhf(z[r])) }
    }

    /// Convenience, allocating: proposals for states given as a flat `[Float]` (`n × stateDimension`),
    /// evaluated in chunks of `chunk` rows.
    public func propose(states: [Float], chunk: Int = 8192) -> [Float] {
        let d = network.inputWidth
        precondition(states.count % d == 0)
        let n = states.count / d
        var out = [Float](repeating: 0, count: n)
        guard n > 0 else { return out }
        let ws = MLPWorkspace(sizes: network.sizes, capacity: min(chunk, n))
        states.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { op in
                var start = 0
                while start < n {
                    let rows = min(chunk, n - start)
                    propose(sp.baseAddress! + start * d, rows: rows, workspace: ws, into: op.baseAddress! + start)
                    start += rows
                }
            }
        }
        return out
    }
}
