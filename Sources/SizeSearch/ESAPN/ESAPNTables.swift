import Foundation
import Linalg

/// The per-level embeddings and transforms of one entity group (users *or* items) of one layer-0
/// table (docs/method.md §3.4).
///
/// For levels k = 0…K (K = |S| − 1, sizes S_k): tables E^{(k)} ∈ R^{n×S_k}; for k < K affine transforms
/// W^{(k)}(x) = A_k x + b_k with A_k ∈ R^{S_{k+1}×S_k} (torch `Linear` layout). Entity n at level k is
/// represented at S_K = 128 dims by
///
///     h_n = W^{(K−1)} ∘ … ∘ W^{(k)} (E^{(k)}_n)        (identity at k = K).
///
/// Backward, with z_k = E^{(k)}_n, z_{j+1} = A_j z_j + b_j and g_K = ∂L/∂h_n:
/// ∂A_j += g_{j+1} z_jᵀ, ∂b_j += g_{j+1}, g_j = A_jᵀ g_{j+1}, and ∂E^{(k)}_n = g_k.
///
/// All parameters live in one flat buffer (E^{(0…K)}, then A_0, b_0, …, A_{K−1}, b_{K−1}), so one
/// Adam state covers them. Initialisation (decision D-ESAPN-2): E^{(k)} = the first S_k columns of the
/// backbone's own seeded table θ₀ (its scale and distribution); A_k ~ N(0, 1/S_k) entry-wise (variance
/// preserving, so h keeps θ₀'s scale, as the BN/tanh of [ES-C]'s predictor are omitted), b_k = 0.
/// ([ES-C] uses torch's default `Linear` init, whose bias would dominate an N(0, 0.01²) embedding.)
public struct ESAPNLevelStack: Sendable, Equatable {
    public let count: Int
    public let sizes: [Int]
    public var parameters: [Float]
    let tableOffsets: [Int]
    let weightOffsets: [Int]
    let biasOffsets: [Int]

    /// - Parameters:
    ///   - initial: θ₀ rows of this group (count × 128, row-major, `sizes.last` columns).
    public init(sizes: [Int], initial: ArraySlice<Float>, count: Int, random: inout RandomStream) {
        let dMax = sizes.last!
        precondition(initial.count == count * dMax, "ESAPN: initial table has the wrong size")
        self.count = count
        self.sizes = sizes
        var offset = 0
        var t: [Int] = [], w: [Int] = [], b: [Int] = []
        for s in sizes { t.append(offset); offset += count * s }
        for k in 0..<(sizes.count - 1) {
            w.append(offset); offset += sizes[k + 1] * sizes[k]
            b.append(offset); offset += sizes[k + 1]
        }
        tableOffsets = t; weightOffsets = w; biasOffsets = b
        var p = [Float](repeating: 0, count: offset)
        let base = initial.startIndex
        for (k, s) in sizes.enumerated() {
            for n in 0..<count { for c in 0..<s { p[t[k] + n * s + c] = initial[base + n * dMax + c] } }
        }
        for k in 0..<(sizes.count - 1) {
            let std = 1 / Double(sizes[k]).squareRoot()
            for e in 0..<(sizes[k + 1] * sizes[k]) { p[w[k] + e] = Float(random.normal() * std) }
        }
        parameters = p
    }

    public var topLevel: Int { sizes.count - 1 }
    public var dMax: Int { sizes.last! }

    /// Row `n` of E^{(k)}.
    public func embedding(level k: Int, entity n: Int) -> [Float] {
        let s = sizes[k]
        return Array(parameters[(tableOffsets[k] + n * s)..<(tableOffsets[k] + (n + 1) * s)])
    }

    /// Entities of each level, ascending.
    static func members(levels: ArraySlice<UInt8>, levelCount: Int) -> [[Int]] {
        var m = [[Int]](repeating: [], count: levelCount)
        for (n, l) in levels.enumerated() { m[Int(l)].append(n) }
        return m
    }

    /// The activations z_k … z_K of the chain for `rows` (entities at level k): element j − k is
    /// rows.count × S_j, row-major.
    func chain(level k: Int, rows: [Int]) -> [[Float]] {
        let m = rows.count
        var z: [[Float]] = []
        var x = [Float](repeating: 0, count: m * sizes[k])
        parameters.withUnsafeBufferPointer { p in
            let e = p.baseAddress! + tableOffsets[k], s = sizes[k]
            for (r, n) in rows.enumerated() { for c in 0..<s { x[r * s + c] = e[n * s + c] } }
        }
        z.append(x)
        for j in k..<topLevel {
            let sIn = sizes[j], sOut = sizes[j + 1]
            var y = [Float](repeating: 0, count: m * sOut)
            parameters.withUnsafeBufferPointer { p in
                let bias = p.baseAddress! + biasOffsets[j]
                for r in 0..<m { for c in 0..<sOut { y[r * sOut + c] = bias[c] } }
                z.last!.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { yp in
                        Sgemm.raw(m: m, n: sOut, k: sIn, alpha: 1, a: xp.baseAddress!, lda: sIn, transposeA: false,
                                  b: p.baseAddress! + weightOffsets[j], ldb: sIn, transposeB: true,
                                  beta: 1, c: yp.baseAddress!, ldc: sOut)
                    }
                }
            }
            z.append(y)
        }
        return z
    }

    /// Writes h_n for every entity (levels[n]) into `out` (count × 128, row-major).
    public func forward(levels: ArraySlice<UInt8>, into out: UnsafeMutablePointer<Float>) {
        precondition(levels.count == count)
        let D = dMax
        for (k, rows) in Self.members(levels: levels, levelCount: sizes.count).enumerated() where !rows.isEmpty {
            let h = chain(level: k, rows: rows).last!
            for (r, n) in rows.enumerated() { for c in 0..<D { out[n * D + c] = h[r * D + c] } }
        }
    }

    /// ∂L/∂parameters (flat, same layout) from ∂L/∂h (`gradient`, count × 128). Rows of `gradient`
    /// that are exactly zero contribute nothing and are skipped.
    public func backward(levels: ArraySlice<UInt8>, gradient: UnsafePointer<Float>) -> [Float] {
        precondition(levels.count == count)
        let D = dMax
        var grad = [Float](repeating: 0, count: parameters.count)
        for (k, all) in Self.members(levels: levels, levelCount: sizes.count).enumerated() {
            let rows = all.filter { n in (0..<D).contains { gradient[n * D + $0] != 0 } }
            if rows.isEmpty { continue }
            let m = rows.count
            let z = chain(level: k, rows: rows)
            var g = [Float](repeating: 0, count: m * D)
            for (r, n) in rows.enumerated() { for c in 0..<D { g[r * D + c] = gradient[n * D + c] } }
            for j in stride(from: topLevel - 1, through: k, by: -1) {
                let sIn = sizes[j], sOut = sizes[j + 1]
                var gIn = [Float](repeating: 0, count: m * sIn)
                grad.withUnsafeMutableBufferPointer { gp in
                    parameters.withUnsafeBufferPointer { p in
                        g.withUnsafeBufferPointer { go in
                            z[j - k].withUnsafeBufferPointer { zp in
                                // ∂A_j += g_{j+1}ᵀ z_j  (sOut × sIn)
                                Sgemm.raw(m: sOut, n: sIn, k: m, alpha: 1, a: go.baseAddress!, lda: sOut, transposeA: true,
                                          b: zp.baseAddress!, ldb: sIn, transposeB: false,
                                          beta: 1, c: gp.baseAddress! + weightOffsets[j], ldc: sIn)
                            }
                            let db = gp.baseAddress! + biasOffsets[j]
                            for r in 0..<m { for c in 0..<sOut { db[c] += go[r * sOut + c] } }
                            gIn.withUnsafeMutableBufferPointer { gi in
                                // g_j = g_{j+1} A_j  (m × sIn)
                                Sgemm.raw(m: m, n: sIn, k: sOut, alpha: 1, a: go.baseAddress!, lda: sOut, transposeA: false,
                                          b: p.baseAddress! + weightOffsets[j], ldb: sIn, transposeB: false,
                                          beta: 0, c: gi.baseAddress!, ldc: sIn)
                            }
                        }
                    }
                }
                g = gIn
            }
            let s = sizes[k], off = tableOffsets[k]
            for (r, n) in rows.enumerated() { for c in 0..<s { grad[off + n * s + c] += g[r * s + c] } }
        }
        return grad
    }

    /// The enlargement of entity n from level k (< K): E^{(k+1)}_n ← W^{(k)}(E^{(k)}_n), without gradient.
    /// h_n is unchanged by it (the chain from k + 1 starts with the same map).
    public mutating func enlarge(entity n: Int, from k: Int) {
        precondition(k < topLevel)
        let sIn = sizes[k], sOut = sizes[k + 1]
        let x = embedding(level: k, entity: n)
        let a = weightOffsets[k], b = biasOffsets[k], dst = tableOffsets[k + 1] + n * sOut
        for o in 0..<sOut {
            var acc = parameters[b + o]
            for i in 0..<sIn { acc += parameters[a + o * sIn + i] * x[i] }
            parameters[dst + o] = acc
        }
    }
}

/// All level stacks of the ESAPN model: for each layer-0 table t of the backbone (NeuMF: gmf, mlp)
/// one user stack and one item stack, each with its own Adam state. The entity's level is shared by
/// all tables. Layer-0 input X⁰_t ∈ R^{N×128} = [h of the users ; h of the items].
public struct ESAPNTables: Sendable, Equatable {
    public let userCount: Int
    public let itemCount: Int
    public let sizes: [Int]
    /// stacks[t][0] users, stacks[t][1] items.
    public var stacks: [[ESAPNLevelStack]]
    public var optimizers: [[AdamState]]

    /// - Parameter initial: the backbone's seeded layer-0 tables θ₀ (N × 128 each).
    public init(sizes: [Int], userCount: Int, itemCount: Int, initial: [Matrix], seed: UInt64) {
        self.userCount = userCount
        self.itemCount = itemCount
        self.sizes = sizes
        let D = sizes.last!
        var stacks: [[ESAPNLevelStack]] = []
        for (t, table) in initial.enumerated() {
            precondition(table.rows == userCount + itemCount && table.cols == D, "ESAPN: θ₀ must be N×\(D)")
            var ru = RandomStream(seed: seed, purpose: "esapn/transforms/t\(t)/users")
            var ri = RandomStream(seed: seed, purpose: "esapn/transforms/t\(t)/items")
            stacks.append([
                ESAPNLevelStack(sizes: sizes, initial: table.storage[0..<(userCount * D)], count: userCount, random: &ru),
                ESAPNLevelStack(sizes: sizes, initial: table.storage[(userCount * D)...], count: itemCount, random: &ri),
            ])
        }
        self.stacks = stacks
        optimizers = stacks.map { $0.map { AdamState(count: $0.parameters.count) } }
    }

    public var tableCount: Int { stacks.count }

    /// X⁰_t for all tables, from the entity levels (users first, then items; N entries).
    public func forward(levels: [UInt8]) -> [Matrix] {
        precondition(levels.count == userCount + itemCount)
        let D = sizes.last!
        return stacks.map { pair in
            var m = Matrix(rows: userCount + itemCount, cols: D)
            m.storage.withUnsafeMutableBufferPointer { out in
                pair[0].forward(levels: levels[0..<userCount], into: out.baseAddress!)
                pair[1].forward(levels: levels[userCount...], into: out.baseAddress! + userCount * D)
            }
            return m
        }
    }

    /// ∂L/∂(every stack's parameters) from ∂L/∂X⁰_t.
    public func backward(levels: [UInt8], gradients: [Matrix]) -> [[[Float]]] {
        precondition(gradients.count == stacks.count)
        let D = sizes.last!
        return zip(stacks, gradients).map { pair, g in
            g.storage.withUnsafeBufferPointer { gp in
                [pair[0].backward(levels: levels[0..<userCount], gradient: gp.baseAddress!),
                 pair[1].backward(levels: levels[userCount...], gradient: gp.baseAddress! + userCount * D)]
            }
        }
    }

    /// Enlarges entity `node` (users first, item i = U + i) from level k in every table.
    public mutating func enlarge(node: Int, from k: Int) {
        let (g, n) = node < userCount ? (0, node) : (1, node - userCount)
        for t in stacks.indices { stacks[t][g].enlarge(entity: n, from: k) }
    }

    /// One Adam step on every stack at learning rate `lr` (the backbone's).
    public mutating func adamStep(gradients: [[[Float]]], lr: Float) {
        for t in stacks.indices {
            for g in 0..<2 { optimizers[t][g].update(&stacks[t][g].parameters, grads: gradients[t][g], lr: lr) }
        }
    }
}
