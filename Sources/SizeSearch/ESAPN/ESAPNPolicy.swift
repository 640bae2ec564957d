import Foundation
import Linalg

/// ESAPN's policy network, Policy_Type 1 of [ES-C] (docs/method.md §3.4), for one entity group.
///
/// For a batch of m occurrences with TRAIN frequencies f_b and levels l_b:
///
///     x   = BN₁(P[f_b])                          P ∈ R^{V×d}, V = max f + 1, d = 32
///     in  = [x ; onehot(l_b, L)]                 (d + L = 38)
///     z   = in·A₁ᵀ + c₁                          A₁ ∈ R^{H×(d+L)}, H = 512
///     t   = tanh(BN₂(z))
///     o   = t·A₂ᵀ + c₂                           logits of (keep, enlarge)
///
/// BN_i(v) = γ_i ⊙ (v − μ)/√(σ² + 1e−5) + β_i with the batch mean μ and the biased batch variance σ²
/// (training mode always, as in [ES-C]). π(a|s) = softmax(o)_a.
/// REINFORCE loss of actions a_b with rewards r_b: L = Σ_b −log π(a_b|s_b)·r_b, so
/// ∂L/∂o_b = r_b (softmax(o_b) − e_{a_b}); the rest is the hand-written backward below.
/// Init as torch: P ~ N(0, 1); Linear weights and biases U(±1/√fan_in); γ = 1, β = 0.
/// All parameters are one flat buffer with one Adam state (lr 1e−4).
/// The network runs once per distinct (f, level) in the batch, with BatchNorm statistics weighted by
/// the number of occurrences — exactly the per-occurrence computation (see `Forward`), ~10× cheaper.
public struct ESAPNPolicy: Sendable, Equatable {
    public static let bnEpsilon: Float = 1e-5
    public let vocabulary: Int
    public let popDim: Int
    public let levelCount: Int
    public let hidden: Int
    public var parameters: [Float]
    public var optimizer: AdamState

    // Offsets into `parameters`.
    var pOff: Int { 0 }
    var g1Off: Int { vocabulary * popDim }
    var b1nOff: Int { g1Off + popDim }
    var a1Off: Int { b1nOff + popDim }
    var inWidth: Int { popDim + levelCount }
    var c1Off: Int { a1Off + hidden * inWidth }
    var g2Off: Int { c1Off + hidden }
    var b2nOff: Int { g2Off + hidden }
    var a2Off: Int { b2nOff + hidden }
    var c2Off: Int { a2Off + 2 * hidden }
    var parameterCount: Int { c2Off + 2 }

    public init(vocabulary: Int, popDim: Int = 32, levelCount: Int = 6, hidden: Int = 512, random: inout RandomStream) {
        precondition(vocabulary >= 1)
        self.vocabulary = vocabulary
        self.popDim = popDim
        self.levelCount = levelCount
        self.hidden = hidden
        parameters = []
        optimizer = AdamState(count: 0)
        var p = [Float](repeating: 0, count: parameterCount)
        for e in 0..<(vocabulary * popDim) { p[pOff + e] = Float(random.normal()) }
        for c in 0..<popDim { p[g1Off + c] = 1 }
        let bound1 = 1 / Float(inWidth).squareRoot()
        for e in 0..<(hidden * inWidth) { p[a1Off + e] = (2 * random.unitFloat() - 1) * bound1 }
        for e in 0..<hidden { p[c1Off + e] = (2 * random.unitFloat() - 1) * bound1 }
        for c in 0..<hidden { p[g2Off + c] = 1 }
        let bound2 = 1 / Float(hidden).squareRoot()
        for e in 0..<(2 * hidden) { p[a2Off + e] = (2 * random.unitFloat() - 1) * bound2 }
        for e in 0..<2 { p[c2Off + e] = (2 * random.unitFloat() - 1) * bound2 }
        parameters = p
        optimizer = AdamState(count: p.count)
    }

    /// The forward activations of one batch (kept for the backward).
    ///
    /// An occurrence's input depends only on (f_b, l_b), so the network runs once per distinct pair
    /// ("row", in order of first occurrence) with weight w_u = its number of occurrences. This is exact:
    /// the BatchNorm statistics are the w-weighted ones (μ = Σ_u w_u v_u / M, σ² = Σ_u w_u (v_u − μ)² / M,
    /// M = Σ_u w_u = m), every row-wise map gives the same output for equal inputs, and the backward
    /// only needs per-row sums of the occurrences' upstream gradients (see `normaliseBackward`).
    public struct Forward {
        /// Occurrences.
        public var m: Int
        /// Occurrence b → its row.
        public var rowOf: [Int]
        var rows: Int
        var rowFrequencies: [Int]
        var weights: [Double]
        var xh1: [Float], inv1: [Float], input: [Float]
        var xh2: [Float], inv2: [Float], t: [Float]
        /// rows × 2 logits.
        var rowLogits: [Float]

        /// Logit of action a for occurrence b.
        public func logit(_ b: Int, _ a: Int) -> Float { rowLogits[2 * rowOf[b] + a] }

        /// π(enlarge | s_b).
        public func enlargeProbability(_ b: Int) -> Float {
            1 / (1 + Foundation.exp(logit(b, 0) - logit(b, 1)))
        }
    }

    /// Weighted batch normalisation of v (rows × w) in place into x̂; returns 1/√(σ²+ε) per column.
    static func normalise(_ v: inout [Float], rows: Int, w: Int, weights: [Double]) -> [Float] {
        let M = weights.reduce(0, +)
        var mean = [Double](repeating: 0, count: w), varc = [Double](repeating: 0, count: w)
        for r in 0..<rows { for c in 0..<w { mean[c] += weights[r] * Double(v[r * w + c]) } }
        for c in 0..<w { mean[c] /= M }
        for r in 0..<rows { for c in 0..<w { let d = Double(v[r * w + c]) - mean[c]; varc[c] += weights[r] * d * d } }
        let inv = (0..<w).map { Float(1 / (varc[$0] / M + Double(bnEpsilon)).squareRoot()) }
        for r in 0..<rows { for c in 0..<w { v[r * w + c] = (v[r * w + c] - Float(mean[c])) * inv[c] } }
        return inv
    }

    /// Backward of x̂ = BN(v). With S_u = Σ_{b in row u} ∂L/∂x̂_b (rows × w), the per-row sum of the
    /// occurrences' ∂L/∂v is  inv/M ⊙ (M·S_u − w_u Σ_r S_r − w_u x̂_u ⊙ Σ_r S_r⊙x̂_r)
    /// (with all w = 1 the usual  inv/m ⊙ (m·d − Σd − x̂ ⊙ Σ d⊙x̂)).
    static func normaliseBackward(_ d: [Float], xh: [Float], inv: [Float], rows: Int, w: Int,
                                  weights: [Double]) -> [Float] {
        let M = weights.reduce(0, +)
        var s = [Double](repeating: 0, count: w), sx = [Double](repeating: 0, count: w)
        for r in 0..<rows { for c in 0..<w { s[c] += Double(d[r * w + c]); sx[c] += Double(d[r * w + c] * xh[r * w + c]) } }
        var out = [Float](repeating: 0, count: rows * w)
        let fm = Float(M)
        for r in 0..<rows {
            let wr = Float(weights[r])
            for c in 0..<w {
                let k = r * w + c
                out[k] = inv[c] / fm * (fm * d[k] - wr * Float(s[c]) - wr * xh[k] * Float(sx[c]))
            }
        }
        return out
    }

    /// Distinct (f, level) rows in order of first occurrence (or one row per occurrence).
    static func rows(frequencies: [Int], levels: [UInt8], deduplicate: Bool)
        -> (rowOf: [Int], frequencies: [Int], levels: [UInt8], weights: [Double]) {
        var index: [Int: Int] = [:], rowOf: [Int] = [], f: [Int] = [], l: [UInt8] = [], w: [Double] = []
        rowOf.reserveCapacity(frequencies.count)
        for (b, fr) in frequencies.enumerated() {
            let key = fr &* 256 &+ Int(levels[b])
            if deduplicate, let r = index[key] { rowOf.append(r); w[r] += 1; continue }
            index[key] = f.count
            rowOf.append(f.count); f.append(fr); l.append(levels[b]); w.append(1)
        }
        return (rowOf, f, l, w)
    }

    public func forward(frequencies: [Int], levels: [UInt8], deduplicate: Bool = true) -> Forward {
        precondition(frequencies.count == levels.count && !frequencies.isEmpty)
        let g = Self.rows(frequencies: frequencies, levels: levels, deduplicate: deduplicate)
        let m = g.frequencies.count, P = popDim, H = hidden, W = inWidth
        var x = [Float](repeating: 0, count: m * P)
        for (b, f) in g.frequencies.enumerated() {
            precondition(f >= 0 && f < vocabulary, "ESAPN policy: frequency \(f) outside the vocabulary")
            for c in 0..<P { x[b * P + c] = parameters[pOff + f * P + c] }
        }
        let inv1 = Self.normalise(&x, rows: m, w: P, weights: g.weights)
        var input = [Float](repeating: 0, count: m * W)
        for b in 0..<m {
            for c in 0..<P { input[b * W + c] = parameters[g1Off + c] * x[b * P + c] + parameters[b1nOff + c] }
            input[b * W + P + Int(g.levels[b])] = 1
        }
        var z = [Float](repeating: 0, count: m * H)
        for b in 0..<m { for c in 0..<H { z[b * H + c] = parameters[c1Off + c] } }
        parameters.withUnsafeBufferPointer { p in
            Sgemm.raw(m: m, n: H, k: W, alpha: 1, a: input, lda: W, transposeA: false,
                      b: p.baseAddress! + a1Off, ldb: W, transposeB: true, beta: 1, c: &z, ldc: H)
        }
        let inv2 = Self.normalise(&z, rows: m, w: H, weights: g.weights)
        var t = [Float](repeating: 0, count: m * H)
        for b in 0..<m {
            for c in 0..<H { t[b * H + c] = Foundation.tanh(parameters[g2Off + c] * z[b * H + c] + parameters[b2nOff + c]) }
        }
        var logits = [Float](repeating: 0, count: m * 2)
        for b in 0..<m { logits[2 * b] = parameters[c2Off]; logits[2 * b + 1] = parameters[c2Off + 1] }
        parameters.withUnsafeBufferPointer { p in
            Sgemm.raw(m: m, n: 2, k: H, alpha: 1, a: t, lda: H, transposeA: false,
                      b: p.baseAddress! + a2Off, ldb: H, transposeB: true, beta: 1, c: &logits, ldc: 2)
        }
        return Forward(m: frequencies.count, rowOf: g.rowOf, rows: m, rowFrequencies: g.frequencies, weights: g.weights,
                       xh1: x, inv1: inv1, input: input, xh2: z, inv2: inv2, t: t, rowLogits: logits)
    }

    /// Σ_b −log π(a_b|s_b)·r_b.
    public static func reinforceLoss(_ f: Forward, actions: [UInt8], rewards: [Float]) -> Double {
        var loss = 0.0
        for b in 0..<f.m {
            let o0 = Double(f.logit(b, 0)), o1 = Double(f.logit(b, 1))
            let mx = max(o0, o1)
            let lse = mx + Foundation.log(Foundation.exp(o0 - mx) + Foundation.exp(o1 - mx))
            loss -= ((actions[b] == 1 ? o1 : o0) - lse) * Double(rewards[b])
        }
        return loss
    }

    /// The REINFORCE loss and its gradient with respect to every parameter (flat layout).
    /// `precomputed` may pass the `forward` of the same inputs and parameters (saves one forward).
    public func reinforceGradient(frequencies: [Int], levels: [UInt8], actions: [UInt8], rewards: [Float],
                                  precomputed: Forward? = nil, deduplicate: Bool = true) -> (loss: Double, gradient: [Float]) {
        let f = precomputed ?? forward(frequencies: frequencies, levels: levels, deduplicate: deduplicate)
        let m = f.rows, P = popDim, H = hidden, W = inWidth
        var grad = [Float](repeating: 0, count: parameters.count)
        // ∂L/∂o per row: Σ over the row's occurrences of r_b (softmax(o) − e_{a_b}).
        var dlogits = [Float](repeating: 0, count: m * 2)
        for b in 0..<f.m {
            let r = f.rowOf[b], p1 = f.enlargeProbability(b)
            dlogits[2 * r] += rewards[b] * ((1 - p1) - (actions[b] == 0 ? 1 : 0))
            dlogits[2 * r + 1] += rewards[b] * (p1 - (actions[b] == 1 ? 1 : 0))
        }
        // Output layer.
        grad.withUnsafeMutableBufferPointer { g in
            Sgemm.raw(m: 2, n: H, k: m, alpha: 1, a: dlogits, lda: 2, transposeA: true,
                      b: f.t, ldb: H, transposeB: false, beta: 0, c: g.baseAddress! + a2Off, ldc: H)
        }
        for b in 0..<m { grad[c2Off] += dlogits[2 * b]; grad[c2Off + 1] += dlogits[2 * b + 1] }
        var dt = [Float](repeating: 0, count: m * H)
        parameters.withUnsafeBufferPointer { p in
            Sgemm.raw(m: m, n: H, k: 2, alpha: 1, a: dlogits, lda: 2, transposeA: false,
                      b: p.baseAddress! + a2Off, ldb: H, transposeB: false, beta: 0, c: &dt, ldc: H)
        }
        // tanh and BN₂.
        var dxh2 = [Float](repeating: 0, count: m * H)
        for b in 0..<m {
            for c in 0..<H {
                let k = b * H + c
                let dy = dt[k] * (1 - f.t[k] * f.t[k])
                grad[g2Off + c] += dy * f.xh2[k]
                grad[b2nOff + c] += dy
                dxh2[k] = dy * parameters[g2Off + c]
            }
        }
        let dz = Self.normaliseBackward(dxh2, xh: f.xh2, inv: f.inv2, rows: m, w: H, weights: f.weights)
        // Hidden layer.
        grad.withUnsafeMutableBufferPointer { g in
            Sgemm.raw(m: H, n: W, k: m, alpha: 1, a: dz, lda: H, transposeA: true,
                      b: f.input, ldb: W, transposeB: false, beta: 0, c: g.baseAddress! + a1Off, ldc: W)
        }
        for b in 0..<m { for c in 0..<H { grad[c1Off + c] += dz[b * H + c] } }
        var din = [Float](repeating: 0, count: m * W)
        parameters.withUnsafeBufferPointer { p in
            Sgemm.raw(m: m, n: W, k: H, alpha: 1, a: dz, lda: H, transposeA: false,
                      b: p.baseAddress! + a1Off, ldb: W, transposeB: false, beta: 0, c: &din, ldc: W)
        }
        // BN₁ and the popularity embedding.
        var dxh1 = [Float](repeating: 0, count: m * P)
        for b in 0..<m {
            for c in 0..<P {
                let dy = din[b * W + c]
                grad[g1Off + c] += dy * f.xh1[b * P + c]
                grad[b1nOff + c] += dy
                dxh1[b * P + c] = dy * parameters[g1Off + c]
            }
        }
        let dx = Self.normaliseBackward(dxh1, xh: f.xh1, inv: f.inv1, rows: m, w: P, weights: f.weights)
        for (b, fr) in f.rowFrequencies.enumerated() { for c in 0..<P { grad[pOff + fr * P + c] += dx[b * P + c] } }
        return (Self.reinforceLoss(f, actions: actions, rewards: rewards), grad)
    }

    /// One REINFORCE step (Adam at `lr`); returns the loss before the step.
    @discardableResult
    public mutating func reinforce(frequencies: [Int], levels: [UInt8], actions: [UInt8], rewards: [Float],
                                   lr: Float, precomputed: Forward? = nil) -> Double {
        let (loss, g) = reinforceGradient(frequencies: frequencies, levels: levels, actions: actions, rewards: rewards,
                                          precomputed: precomputed)
        optimizer.update(&parameters, grads: g, lr: lr)
        return loss
    }

    /// Sampled actions (1 = enlarge with probability π(enlarge|s)); forced to keep at `topLevel`.
    public static func sample(_ f: Forward, levels: [UInt8], topLevel: Int, random: inout RandomStream) -> [UInt8] {
        (0..<f.m).map { b in
            let u = random.unitFloat()
            return Int(levels[b]) < topLevel && u < f.enlargeProbability(b) ? 1 : 0
        }
    }

    /// Greedy actions (argmax, ties keep); forced to keep at `topLevel`.
    public static func greedy(_ f: Forward, levels: [UInt8], topLevel: Int) -> [UInt8] {
        (0..<f.m).map { b in Int(levels[b]) < topLevel && f.logit(b, 1) > f.logit(b, 0) ? 1 : 0 }
    }
}
