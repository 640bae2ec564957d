import Evaluation
import Linalg

/// Full-ranking scorer of NeuMF without a per-pair MLP.
///
/// Contract: with a_u = W_u p_u + b_t (`userTower`, U × H), c_v = W_v p_v (`itemTower`, I × H),
/// w = w_tower (H), the masked GMF rows g_u, g_v (U × D, I × D), w_g = w_gmf (D) and b = b_p,
///
///     s(u, v) = Σ_k w_k · max(a_u[k] + c_v[k], 0) + Σ_k w_g[k] g_u[k] g_v[k] + b.
///
/// Evaluation uses the exact identity w·max(a + c, 0) = σ·max(|w|a, −|w|c) + w·c (σ = sign w,
/// σ = +1 for w = 0), so with â_u = |w| ⊙ a_u, ĉ_v = −|w| ⊙ c_v and κ_v = Σ_k w_k c_v[k] + b
/// (precomputed once per user / item):
///
///     s(u, v) = Σ_{k: w_k ≥ 0} max(â_u[k], ĉ_v[k]) − Σ_{k: w_k < 0} max(â_u[k], ĉ_v[k])
///               + Σ_k (w_g ⊙ g_u)[k] g_v[k] + κ_v
///
/// — two vector operations (max, add) per 16 pairs per hidden unit instead of three, with no
/// horizontal reduction: the 16 SIMD lanes are 16 *items* (items are stored transposed in groups
/// of 64, unit-major), each user's â_u[k] is broadcast. A 4-user × 64-item register tile keeps
/// 16 accumulators; the item group (H·64 + D·64 floats) stays in L1/L2 while the users stream
/// over it. The GMF loop stops at the last non-zero column of the 4 users' (masked) g_u — the
/// skipped terms are exact zeros; within a call users are taken in order of decreasing bound so the
/// 4-user groups have similar bounds. Every pair's result is the same sequence of lane operations whatever
/// block or tile it is requested in, so scores do not depend on blocking or thread count.
/// The accumulation is written as an FMA with ±1 (exactly acc ± max, one rounding, bit-identical to
/// an add) so that it runs on the FMA pipes while vmaxps uses the others: on Zen 4 this took the
/// tower part from ≈5.0 to ≈3.5 ns per pair and core.
/// Differs from the direct formula only by float rounding (≈1e−7 relative per term).
public struct NeuMFScorer: BlockScorer {
    public let userCount: Int
    public let itemCount: Int
    /// Hidden width H and GMF width D.
    public let hidden: Int
    public let gmfWidth: Int
    /// Hidden units with w ≥ 0 come first in the permuted order; this many of them.
    let positiveUnits: Int
    /// â_u in permuted unit order, U × H.
    let userA: [Float]
    /// w_g ⊙ g_u, U × D, and the GMF loop bound per user (last non-zero column + 1).
    let userG: [Float]
    let userGWidth: [Int32]
    /// ĉ by item group of 64: [group][unit k][64 items], permuted units; padding items are zero.
    let itemC: [Float]
    /// g_v by item group: [group][k][64].
    let itemG: [Float]
    /// κ_v, padded to whole groups.
    let itemConst: [Float]
    static let group = 64

    public init(userTower: Matrix, itemTower: Matrix, gmfUsers: Matrix, gmfItems: Matrix,
                towerOutput: [Float], gmfOutput: [Float], bias: Float) {
        let H = userTower.cols, D = gmfUsers.cols
        precondition(itemTower.cols == H && towerOutput.count == H && gmfItems.cols == D && gmfOutput.count == D)
        precondition(userTower.rows == gmfUsers.rows && itemTower.rows == gmfItems.rows)
        let U = userTower.rows, I = itemTower.rows, G = NeuMFScorer.group
        userCount = U
        itemCount = I
        hidden = H
        gmfWidth = D
        let perm = (0..<H).filter { towerOutput[$0] >= 0 } + (0..<H).filter { towerOutput[$0] < 0 }
        positiveUnits = towerOutput.filter { $0 >= 0 }.count
        let absW = towerOutput.map { abs($0) }
        var ua = [Float](repeating: 0, count: U * H)
        var ug = [Float](repeating: 0, count: U * D)
        var uw = [Int32](repeating: 0, count: U)
        for u in 0..<U {
            for (k, o) in perm.enumerated() { ua[u * H + k] = absW[o] * userTower[u, o] }
            var last = 0
            for k in 0..<D {
                let x = gmfOutput[k] * gmfUsers[u, k]
                ug[u * D + k] = x
                if x != 0 { last = k + 1 }
            }
            uw[u] = Int32(last)
        }
        let groups = (I + G - 1) / G
        var ic = [Float](repeating: 0, count: max(groups, 1) * H * G)
        var ig = [Float](repeating: 0, count: max(groups, 1) * D * G)
        var kappa = [Float](repeating: 0, count: max(groups, 1) * G)
        for v in 0..<I {
            let (g, lane) = (v / G, v % G)
            for (k, o) in perm.enumerated() { ic[(g * H + k) * G + lane] = -absW[o] * itemTower[v, o] }
            for k in 0..<D { ig[(g * D + k) * G + lane] = gmfItems[v, k] }
            var s: Float = 0
            for k in 0..<H { s += towerOutput[k] * itemTower[v, k] }
            kappa[v] = s + bias
        }
        userA = ua
        userG = ug
        userGWidth = uw
        itemC = ic
        itemG = ig
        itemConst = kappa
    }

    public var supportsItemTiles: Bool { true }

    public func scores(users range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        scores(users: range, items: 0..<itemCount, into: out)
    }

    public func scores(users userRange: Range<Int>, items itemRange: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        precondition(userRange.lowerBound >= 0 && userRange.upperBound <= userCount)
        precondition(itemRange.lowerBound >= 0 && itemRange.upperBound <= itemCount)
        guard !userRange.isEmpty, !itemRange.isEmpty else { return }
        let G = NeuMFScorer.group, H = hidden, D = gmfWidth, P = positiveUnits
        let n = itemRange.count
        let unit = Float(hidden) / Float(hidden)  // 1, opaque to the optimiser so the FMA stays an FMA
        userA.withUnsafeBufferPointer { uab in
            userG.withUnsafeBufferPointer { ugb in
                itemC.withUnsafeBufferPointer { icb in
                    itemG.withUnsafeBufferPointer { igb in
                        itemConst.withUnsafeBufferPointer { kb in
                            let tile = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 16)
                            defer { tile.deallocate() }
                            // Users by descending GMF bound, so each 4-user group's bound is tight
                            // (the skipped GMF terms are exact zeros, so the grouping does not change any score).
                            let order = userRange.sorted { (userGWidth[$0], $1) > (userGWidth[$1], $0) }
                            for g in (itemRange.lowerBound / G)..<((itemRange.upperBound + G - 1) / G) {
                                let c = icb.baseAddress! + g * H * G, gi = igb.baseAddress! + g * D * G
                                let kappa = kb.baseAddress! + g * G
                                var r0 = 0
                                while r0 < order.count {
                                    let rows = min(4, order.count - r0)
                                    let u = order[r0], u1 = order[r0 + min(1, rows - 1)]
                                    let u2 = order[r0 + min(2, rows - 1)], u3 = order[r0 + min(3, rows - 1)]
                                    let gw = Int(userGWidth[u])
                                    NeuMFScorer.kernel(
                                        a: (uab.baseAddress! + u * H, uab.baseAddress! + u1 * H,
                                            uab.baseAddress! + u2 * H, uab.baseAddress! + u3 * H),
                                        g: (ugb.baseAddress! + u * D, ugb.baseAddress! + u1 * D,
                                            ugb.baseAddress! + u2 * D, ugb.baseAddress! + u3 * D),
                                        gmfBound: gw, c: c, gi: gi, kappa: kappa, positive: P, hidden: H, unit: unit, out: tile)
                                    // Store the in-range part of the 4 × 64 tile.
                                    for r in 0..<rows {
                                        let row = out + (order[r0 + r] - userRange.lowerBound) * n
                                        for q in 0..<4 {
                                            let first = g * G + q * 16
                                            let lo = max(first, itemRange.lowerBound), hi = min(first + 16, itemRange.upperBound)
                                            if lo >= hi { continue }
                                            let v = tile[r * 4 + q]
                                            if hi - lo == 16 {
                                                UnsafeMutableRawPointer(row + (first - itemRange.lowerBound))
                                                    .storeBytes(of: v, as: SIMD16<Float>.self)
                                            } else {
                                                for i in lo..<hi { row[i - itemRange.lowerBound] = v[i - first] }
                                            }
                                        }
                                    }
                                    r0 += 4
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// 4 users × 64 items: out[r·4 + q] = scores of user r against items q·16 ..< q·16+16 of the group.
    @inline(__always)
    static func kernel(a: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                       g: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                       gmfBound: Int, c: UnsafePointer<Float>, gi: UnsafePointer<Float>, kappa: UnsafePointer<Float>,
                       positive: Int, hidden: Int, unit: Float, out: UnsafeMutablePointer<SIMD16<Float>>) {
        typealias V = SIMD16<Float>
        var s00 = V(), s01 = V(), s02 = V(), s03 = V()
        var s10 = V(), s11 = V(), s12 = V(), s13 = V()
        var s20 = V(), s21 = V(), s22 = V(), s23 = V()
        var s30 = V(), s31 = V(), s32 = V(), s33 = V()
        let one = V(repeating: unit), minusOne = -one
        var p = c
        for k in 0..<positive {
            let c0 = NeuMFSIMD.load(p), c1 = NeuMFSIMD.load(p + 16), c2 = NeuMFSIMD.load(p + 32), c3 = NeuMFSIMD.load(p + 48)
            let x0 = V(repeating: a.0[k]), x1 = V(repeating: a.1[k]), x2 = V(repeating: a.2[k]), x3 = V(repeating: a.3[k])
            s00.addProduct(NeuMFSIMD.max(x0, c0), one); s01.addProduct(NeuMFSIMD.max(x0, c1), one); s02.addProduct(NeuMFSIMD.max(x0, c2), one); s03.addProduct(NeuMFSIMD.max(x0, c3), one)
            s10.addProduct(NeuMFSIMD.max(x1, c0), one); s11.addProduct(NeuMFSIMD.max(x1, c1), one); s12.addProduct(NeuMFSIMD.max(x1, c2), one); s13.addProduct(NeuMFSIMD.max(x1, c3), one)
            s20.addProduct(NeuMFSIMD.max(x2, c0), one); s21.addProduct(NeuMFSIMD.max(x2, c1), one); s22.addProduct(NeuMFSIMD.max(x2, c2), one); s23.addProduct(NeuMFSIMD.max(x2, c3), one)
            s30.addProduct(NeuMFSIMD.max(x3, c0), one); s31.addProduct(NeuMFSIMD.max(x3, c1), one); s32.addProduct(NeuMFSIMD.max(x3, c2), one); s33.addProduct(NeuMFSIMD.max(x3, c3), one)
            p += 64
        }
        for k in positive..<hidden {
            let c0 = NeuMFSIMD.load(p), c1 = NeuMFSIMD.load(p + 16), c2 = NeuMFSIMD.load(p + 32), c3 = NeuMFSIMD.load(p + 48)
            let x0 = V(repeating: a.0[k]), x1 = V(repeating: a.1[k]), x2 = V(repeating: a.2[k]), x3 = V(repeating: a.3[k])
            s00.addProduct(NeuMFSIMD.max(x0, c0), minusOne); s01.addProduct(NeuMFSIMD.max(x0, c1), minusOne); s02.addProduct(NeuMFSIMD.max(x0, c2), minusOne); s03.addProduct(NeuMFSIMD.max(x0, c3), minusOne)
            s10.addProduct(NeuMFSIMD.max(x1, c0), minusOne); s11.addProduct(NeuMFSIMD.max(x1, c1), minusOne); s12.addProduct(NeuMFSIMD.max(x1, c2), minusOne); s13.addProduct(NeuMFSIMD.max(x1, c3), minusOne)
            s20.addProduct(NeuMFSIMD.max(x2, c0), minusOne); s21.addProduct(NeuMFSIMD.max(x2, c1), minusOne); s22.addProduct(NeuMFSIMD.max(x2, c2), minusOne); s23.addProduct(NeuMFSIMD.max(x2, c3), minusOne)
            s30.addProduct(NeuMFSIMD.max(x3, c0), minusOne); s31.addProduct(NeuMFSIMD.max(x3, c1), minusOne); s32.addProduct(NeuMFSIMD.max(x3, c2), minusOne); s33.addProduct(NeuMFSIMD.max(x3, c3), minusOne)
            p += 64
        }
        var q = gi
        for k in 0..<gmfBound {
            let c0 = NeuMFSIMD.load(q), c1 = NeuMFSIMD.load(q + 16), c2 = NeuMFSIMD.load(q + 32), c3 = NeuMFSIMD.load(q + 48)
            let x0 = V(repeating: g.0[k]), x1 = V(repeating: g.1[k]), x2 = V(repeating: g.2[k]), x3 = V(repeating: g.3[k])
            s00.addProduct(x0, c0); s01.addProduct(x0, c1); s02.addProduct(x0, c2); s03.addProduct(x0, c3)
            s10.addProduct(x1, c0); s11.addProduct(x1, c1); s12.addProduct(x1, c2); s13.addProduct(x1, c3)
            s20.addProduct(x2, c0); s21.addProduct(x2, c1); s22.addProduct(x2, c2); s23.addProduct(x2, c3)
            s30.addProduct(x3, c0); s31.addProduct(x3, c1); s32.addProduct(x3, c2); s33.addProduct(x3, c3)
            q += 64
        }
        let k0 = NeuMFSIMD.load(kappa), k1 = NeuMFSIMD.load(kappa + 16), k2 = NeuMFSIMD.load(kappa + 32), k3 = NeuMFSIMD.load(kappa + 48)
        out[0] = s00 + k0; out[1] = s01 + k1; out[2] = s02 + k2; out[3] = s03 + k3
        out[4] = s10 + k0; out[5] = s11 + k1; out[6] = s12 + k2; out[7] = s13 + k3
        out[8] = s20 + k0; out[9] = s21 + k1; out[10] = s22 + k2; out[11] = s23 + k3
        out[12] = s30 + k0; out[13] = s31 + k1; out[14] = s32 + k2; out[15] = s33 + k3
    }
}
