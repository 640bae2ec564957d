/// Adam (Kingma & Ba) on one flat `Float` parameter buffer, as `torch.optim.Adam` computes it:
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
///     θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
///
/// Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e−8, no weight decay (docs/method.md §2.0). Elements are updated in
/// fixed chunks in parallel; each element's arithmetic is independent, so the result does not
/// depend on the thread count.
public struct AdamState: Sendable, Codable, Equatable {
    public var m: [Float]
    public var v: [Float]
    public var step: Int = 0
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float

    public init(count: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// One update of `params` with gradient `grads` at learning rate `lr`; increments `step`.
    public mutating func update(_ params: inout [Float], grads: [Float], lr: Float) {
        precondition(params.count == m.count && grads.count == m.count, "Adam: size mismatch")
        step += 1
        let bc1 = 1 - Float(Double(beta1).power(step))
        let bc2 = 1 - Float(Double(beta2).power(step))
        let stepSize = lr / bc1
        let bc2Sqrt = bc2.squareRoot()
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        params.withUnsafeMutableBufferPointer { pp in
            m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    grads.withUnsafeBufferPointer { gp in
                        let p = pp.sendable, mm = mp.sendable, vv = vp.sendable
                        let g = SendablePointer(UnsafeMutablePointer(mutating: gp.baseAddress!))
                        Parallel.forEachChunk(count: pp.count, grain: 1 << 15) { _, r in
                            for i in r {
                                let gi = g[i]
                                let mi = b1 * mm[i] + (1 - b1) * gi
                                let vi = b2 * vv[i] + (1 - b2) * gi * gi
                                mm[i] = mi
                                vv[i] = vi
                                p[i] -= stepSize * mi / ((vi.squareRoot() / bc2Sqrt) + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Double {
    /// self^n for a non-negative integer n (exact repeated squaring).
    public func power(_ n: Int) -> Double {
        var result = 1.0, base = self, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
