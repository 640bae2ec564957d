import Foundation
import Linalg
import Recommenders

/// OptEmbed's row (feature) mask with learnable field thresholds (docs/method.md §3.5, [OE-C] `mode_threshold =
/// field`, `norm = 1`, `mode_oov = zero`); the fields are {users, items}.
///
/// For each layer-0 table E_t (N × dMax, users first) and row n of field f(n) ∈ {U, I}:
///
///     x_n = ‖E_{t,n}‖₁ − t_{f(n)},   m_n = H(x_n),
///     X⁰_{t,n,c} = m_n · E_{t,n,c} · 1[c < w_n],   w_n = d_U / d_I (the optional prefix dims) or dMax,
///
/// so a pruned row is a zero vector. The ‖·‖₁ runs over the *whole* row (the dimension mask does not change
/// which rows are kept). NeuMF's two tables each get their own row mask under the shared t_U, t_I.
///
/// Backward, from G = ∂L/∂X⁰ (the backbone's gradient, which already contains its L2 term):
///
///     ∂L/∂m_n        = Σ_{c < w_n} G_{n,c} E_{n,c}
///     ∂L/∂E_{n,c}    = m_n · G_{n,c} · 1[c < w_n]  +  ∂L/∂m_n · H'(x_n) · sign(E_{n,c})
///     ∂L/∂t_f        = −Σ_{t, n ∈ f} ∂L/∂m_n · H'(x_n)  −  α·exp(−t_f)
///
/// with the straight-through estimate H'(x) = 2 − 4|x| for |x| ≤ 0.4, 0.4 for 0.4 < |x| ≤ 1, 0 otherwise
/// (continuous at 0.4; [OE-C]'s piecewise estimator), and the penalty α(exp(−t_U) + exp(−t_I)) added to the
/// loss. sign(0) = 0 (sub-gradient of |·| at 0). t_U, t_I start at 0 and take plain SGD steps.
public struct OptEmbedRowMask: Sendable, Codable, Equatable {
    public let userCount: Int
    /// Weight α of the threshold penalty.
    public let alpha: Float
    /// t_U.
    public var userThreshold: Float
    /// t_I.
    public var itemThreshold: Float

    public init(userCount: Int, alpha: Float, userThreshold: Float = 0, itemThreshold: Float = 0) {
        precondition(userCount >= 0 && alpha >= 0)
        self.userCount = userCount
        self.alpha = alpha
        self.userThreshold = userThreshold
        self.itemThreshold = itemThreshold
    }

    /// The straight-through derivative H'(x) of the Heaviside step.
    public static func straightThrough(_ x: Float) -> Float {
        let a = abs(x)
        if a <= 0.4 { return 2 - 4 * a }
        if a <= 1 { return 0.4 }
        return 0
    }

    /// α(exp(−t_U) + exp(−t_I)).
    public var penalty: Float { alpha * (exp(-userThreshold) + exp(-itemThreshold)) }

    func threshold(row n: Int) -> Float { n < userCount ? userThreshold : itemThreshold }

    /// w_n: the prefix width of row n under `dims` (dMax when nil).
    func width(row n: Int, dims: OptEmbedCandidate?, dMax: Int) -> Int {
        guard let dims else { return dMax }
        return min(dMax, n < userCount ? dims.dUser : dims.dItem)
    }

    /// The masked layer-0 tables and what the backward pass needs.
    public struct Forward: Sendable {
        public var layer0: [Matrix]
        /// Per table, m_n.
        public var kept: [[Bool]]
        /// Per table, x_n = ‖E_n‖₁ − t_{f(n)}.
        public var margins: [[Float]]
        public var dims: OptEmbedCandidate?
    }

    /// Per table, m_n = H(‖E_n‖₁ − t_{f(n)}) (H(0) = 1: a row exactly at its threshold is kept).
    public func keptRows(_ tables: [Matrix]) -> [[Bool]] { tables.map { margins($0).map { $0 >= 0 } } }

    func margins(_ e: Matrix) -> [Float] {
        (0..<e.rows).map { n in
            var s: Float = 0
            for c in 0..<e.cols { s += abs(e.storage[n * e.cols + c]) }
            return s - threshold(row: n)
        }
    }

    /// X⁰ = m ⊙ E ⊙ prefix(dims) per table.
    public func forward(_ tables: [Matrix], dims: OptEmbedCandidate?) -> Forward {
        var out = Forward(layer0: [], kept: [], margins: [], dims: dims)
        for e in tables {
            let x = margins(e)
            let keep = x.map { $0 >= 0 }
            var l0 = Matrix(rows: e.rows, cols: e.cols)
            let d = e.cols
            for n in 0..<e.rows where keep[n] {
                let w = width(row: n, dims: dims, dMax: d)
                for c in 0..<w { l0.storage[n * d + c] = e.storage[n * d + c] }
            }
            out.layer0.append(l0)
            out.kept.append(keep)
            out.margins.append(x)
        }
        return out
    }

    /// Gradients of L + penalty with respect to E (per table) and the thresholds.
    public struct Backward: Sendable {
        public var tables: [Matrix]
        /// ∂L/∂m_n per table (before the straight-through factor).
        public var rowGradients: [[Float]]
        public var userThreshold: Float
        public var itemThreshold: Float
    }

    /// The backward pass of `forward` (see the type's contract), given G = ∂L/∂X⁰ per table.
    public func backward(_ g: [Matrix], tables: [Matrix], forward f: Forward) -> Backward {
        precondition(g.count == tables.count && f.kept.count == tables.count)
        var out = Backward(tables: [], rowGradients: [], userThreshold: 0, itemThreshold: 0)
        var tU = 0.0, tI = 0.0
        for (t, e) in tables.enumerated() {
            let d = e.cols
            var ge = Matrix(rows: e.rows, cols: d)
            var rowGrad = [Float](repeating: 0, count: e.rows)
            for n in 0..<e.rows {
                let w = width(row: n, dims: f.dims, dMax: d)
                var dm: Float = 0
                for c in 0..<w { dm += g[t].storage[n * d + c] * e.storage[n * d + c] }
                rowGrad[n] = dm
                if f.kept[t][n] { for c in 0..<w { ge.storage[n * d + c] = g[t].storage[n * d + c] } }
                let dx = dm * Self.straightThrough(f.margins[t][n])
                if dx != 0 {
                    for c in 0..<d {
                        let v = e.storage[n * d + c]
                        if v > 0 { ge.storage[n * d + c] += dx } else if v < 0 { ge.storage[n * d + c] -= dx }
                    }
                    if n < userCount { tU -= Double(dx) } else { tI -= Double(dx) }
                }
            }
            out.tables.append(ge)
            out.rowGradients.append(rowGrad)
        }
        out.userThreshold = Float(tU) - alpha * exp(-userThreshold)
        out.itemThreshold = Float(tI) - alpha * exp(-itemThreshold)
        return out
    }

    /// One SGD step of the thresholds: t_f ← t_f − lr · ∂L/∂t_f.
    public mutating func step(_ b: Backward, learningRate lr: Float) {
        userThreshold -= lr * b.userThreshold
        itemThreshold -= lr * b.itemThreshold
    }
}
