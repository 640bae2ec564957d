import Evaluation
import Foundation
import Linalg
import RecData

/// NeuMF (NCF; docs/method.md §2.3) with prefix-masked GMF and MLP tables and a hand-written backward pass.
///
/// Math contract (d = dMax, masks m_n = [1]^{d_n} ‖ [0]^{d−d_n} from `sizes`):
/// * Tables G (GMF) and P (MLP), each N × d with users first (item i is row U + i), Xavier-uniform
///   init with PyTorch's fan convention on an n × d tensor: bound √(6/(U+d)) for the user rows and
///   √(6/(I+d)) for the item rows. Drawn from `RandomStream(seed:, purpose: "init")` in the order
///   G_user, G_item, P_user, P_item, W_t, b_t, w_p, b_p.
/// * Masked rows: p_n = P_n ⊙ m_n and g_n = G_n ⊙ m_n (`.bothTables`, decision D30). With
///   `.mlpOnly` (ablation: the authors' code), g_n = G_n (GMF unmasked, width d).
/// * Score s(u,v) = w_towerᵀ ReLU(W_t [p_u ; p_v] + b_t) + w_gmfᵀ (g_u ⊙ g_v) + b_p with W_t (d × 2d)
///   and b_t = Linear(2d→d), [w_tower ; w_gmf] and b_p = Linear(2d→1), both with PyTorch's default
///   Linear init U(±1/√(2d)) for weights and biases.
/// * Loss on B triples: mean_b softplus(s(u,j) − s(u,i)) + 1e−2 · Σ_b (‖p_u‖² + ‖p_i‖² + ‖p_j‖² +
///   ‖g_u‖² + ‖g_i‖² + ‖g_j‖²) / B on the masked rows (no ½).
/// * Gradients flow only into unmasked entries: ∂L/∂P = M ⊙ ∂L/∂p (exactly zero elsewhere), so
///   masked entries keep their initial values.
/// * Adam (β 0.9/0.999, ε 1e−8) on every parameter with `torch.optim.Adam`'s dense semantics: each
///   step updates *whole* tables — rows absent from the batch get a zero gradient, their moments
///   decay and their parameters still move by −lr·m̂/(√v̂+ε). Masked entries are skipped; that is
///   exact, since their gradient is always zero, so their moments stay zero and the update is 0.
///   The caller supplies the learning rate (`NeuMF.schedule`: 0.03 → ×0.9 every 50, floor 1e−4).
///
/// Sparsity accounting: both tables carry the same mask row, so the usable entries are 2·Σ d_n out
/// of 2·N·d and ρ = Σ d_n / (N·d) = `sizes.density` is unchanged (docs/method.md §2.3).
///
/// Fast step: the tower is linear in [p_u ; p_v], so with W_t = [W_u | W_v] it splits into
/// a_u = W_u p_u + b_t (once per *distinct* user of the batch) and c_v = W_v p_v (once per distinct
/// item); each pair then costs ReLU(a_u + c_v) and two dot products. (ML-1M, B = 10 000: ≈4 900
/// distinct users and ≈3 600 distinct items instead of 10 000 + 20 000 rows.) The tower products
/// are sgemms over the width-sorted distinct rows, cut into width bins so the masked columns are
/// skipped (`NeuMFTowerProducts`). The backward pass gathers ∂L/∂a and ∂L/∂c per distinct node
/// (`NeuMFBatchIndex`, batch order, one thread per node, no atomics) and applies the transposed
/// products. The Adam update of all four tables is one fused, parallel SIMD pass
/// (`NeuMFTableAdam`). Nothing is allocated per step beyond small index arrays once the batch size
/// is stable. Bit-identical for the same seed whatever the thread count.
///
/// Full ranking (`makeScorer`) never runs the tower per pair: see `NeuMFScorer`.
public final class NeuMF: Backbone {
    public let name = "neumf"
    public let sizes: EmbeddingSizes
    public let masking: NeuMFMasking
    public let userCount: Int
    public let itemCount: Int
    public let nodeCount: Int
    public let dMax: Int
    /// Row stride of the tables and of every internal buffer (dMax rounded up to 16).
    public let stride: Int
    public static let regularization: Double = 1e-2
    public static let schedule = StepDecaySchedule(lrMax: 0.03, lrMin: 1e-4, every: 50)
    public private(set) var steps = 0

    /// Mask widths per node (users first) of the MLP and the GMF table.
    let mlpWidths: [Int32]
    let gmfWidths: [Int32]
    let gmfTable: AlignedFloatBuffer
    let mlpTable: AlignedFloatBuffer
    var gmfAdam: AdamState
    var mlpAdam: AdamState
    var towerWeight: [Float]
    var towerBias: [Float]
    var predictorWeight: [Float]
    var predictorBias: [Float]
    var towerWeightAdam: AdamState
    var towerBiasAdam: AdamState
    var predictorWeightAdam: AdamState
    var predictorBiasAdam: AdamState
    let index: NeuMFBatchIndex
    let work: NeuMFWorkspace

    public init(train: UserItemLists, sizes: EmbeddingSizes, seed: UInt64, masking: NeuMFMasking = .bothTables) {
        precondition(sizes.users.count == train.userCount && sizes.items.count == train.itemCount,
                     "NeuMF: sizes must cover \(train.userCount) users and \(train.itemCount) items")
        self.sizes = sizes
        self.masking = masking
        userCount = train.userCount
        itemCount = train.itemCount
        nodeCount = userCount + itemCount
        let d = sizes.dMax
        dMax = d
        stride = (d + 15) / 16 * 16
        mlpWidths = sizes.nodeSizes.map { Int32($0) }
        gmfWidths = masking == .bothTables ? mlpWidths : [Int32](repeating: Int32(d), count: nodeCount)
        gmfTable = AlignedFloatBuffer(count: nodeCount * stride)
        mlpTable = AlignedFloatBuffer(count: nodeCount * stride)
        gmfAdam = AdamState(count: nodeCount * stride)
        mlpAdam = AdamState(count: nodeCount * stride)
        var random = RandomStream(seed: seed, purpose: "init")
        let (U, I, stride) = (userCount, itemCount, stride)
        func xavier(_ table: AlignedFloatBuffer, rows: Range<Int>, fanOut: Int) {
            let bound = (6.0 / Double(fanOut + d)).squareRoot()
            for n in rows { for c in 0..<d { table.base[n * stride + c] = Float((2 * random.unitDouble() - 1) * bound) } }
        }
        xavier(gmfTable, rows: 0..<U, fanOut: U)
        xavier(gmfTable, rows: U..<(U + I), fanOut: I)
        xavier(mlpTable, rows: 0..<U, fanOut: U)
        xavier(mlpTable, rows: U..<(U + I), fanOut: I)
        let linearBound = 1 / Double(2 * d).squareRoot()
        func linear(_ count: Int) -> [Float] {
            (0..<count).map { _ in Float((2 * random.unitDouble() - 1) * linearBound) }
        }
        towerWeight = linear(d * 2 * d)
        towerBias = linear(d)
        predictorWeight = linear(2 * d)
        predictorBias = linear(1)
        towerWeightAdam = AdamState(count: d * 2 * d)
        towerBiasAdam = AdamState(count: d)
        predictorWeightAdam = AdamState(count: 2 * d)
        predictorBiasAdam = AdamState(count: 1)
        index = NeuMFBatchIndex(userCount: userCount, itemCount: itemCount)
        work = NeuMFWorkspace(dMax: d, stride: stride)
    }

    // MARK: training

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        let loss = forwardBackward(batch)
        updateTables(learningRate: learningRate)
        updateNetwork(learningRate: learningRate)
        steps += 1
        return loss
    }

    /// Adam on the tower and the predictor from the last backward pass.
    private func updateNetwork(learningRate: Float) {
        towerWeightAdam.update(&towerWeight, grads: work.towerWeightGrad, lr: learningRate)
        towerBiasAdam.update(&towerBias, grads: work.towerBiasGrad, lr: learningRate)
        predictorWeightAdam.update(&predictorWeight, grads: work.predictorWeightGrad, lr: learningRate)
        predictorBiasAdam.update(&predictorBias, grads: work.predictorBiasGrad, lr: learningRate)
    }

    /// Loss of `batch` at the current parameters and the full gradient (dense shapes of
    /// `NeuMFParameters`; exactly zero at masked table entries and on rows absent from the batch).
    /// Used by the gradient tests; training uses the fused path of `trainStep`.
    public func lossAndGradient(_ batch: BPRBatch) -> (loss: Float, gradient: NeuMFParameters) {
        let loss = forwardBackward(batch)
        let d = dMax
        var gG = Matrix(rows: nodeCount, cols: d), gP = Matrix(rows: nodeCount, cols: d)
        for (s, u) in index.users.enumerated() {
            for c in 0..<d {
                gG[Int(u), c] = work.userGmfGrad.base[s * stride + c]
                gP[Int(u), c] = work.userMlpGrad.base[s * stride + c]
            }
        }
        for (s, i) in index.items.enumerated() {
            for c in 0..<d {
                gG[userCount + Int(i), c] = work.itemGmfGrad.base[s * stride + c]
                gP[userCount + Int(i), c] = work.itemMlpGrad.base[s * stride + c]
            }
        }
        let grad = NeuMFParameters(gmf: gG, mlp: gP,
                                   towerWeight: Matrix(rows: d, cols: 2 * d, storage: work.towerWeightGrad),
                                   towerBias: work.towerBiasGrad, predictorWeight: work.predictorWeightGrad,
                                   predictorBias: work.predictorBiasGrad[0])
        return (loss, grad)
    }

    /// Forward, loss and backward of `batch`: leaves the per-slot table gradients (masked, with the
    /// L2 term) in `work` and the dense-parameter gradients in `work`'s arrays. Returns the loss.
    private func forwardBackward(_ batch: BPRBatch) -> Float {
        let B = batch.count
        precondition(B >= 1, "NeuMF: empty batch")
        index.rebuild(for: batch, widths: mlpWidths, dMax: dMax)
        let nu = index.distinctUsers
        // Capacity for the largest possible batch of this size, so no step reallocates (page faults).
        work.reserve(users: min(userCount, B), items: min(itemCount, 2 * B), batch: B)
        let d = dMax, stride = self.stride
        gatherRows()
        // Tower halves: A = P_u W_uᵀ + b_t (bias pre-filled by gatherRows), C = P_v W_vᵀ.
        withTowerSides { NeuMFTowerProducts.forward($0, d: d, stride: stride) }
        let bpr = pairForward(batchSize: B)
        gatherItemGradients(batchSize: B)
        gatherUserGradients(batchSize: B)
        // Backward through the tower: ∂W_u = ∂Aᵀ P_u, ∂W_v = ∂Cᵀ P_v, ∂P_u = ∂A W_u, ∂P_v = ∂C W_v.
        withTowerSides { NeuMFTowerProducts.backward($0, d: d, stride: stride) }
        // ∂b_t = Σ_slots ∂A (every pair's ∂h contributes once through its user), in slot order.
        for c in 0..<d { work.towerBiasGrad[c] = 0 }
        work.towerBiasGrad.withUnsafeMutableBufferPointer { tb in
            var acc = [Float](repeating: 0, count: stride)
            acc.withUnsafeMutableBufferPointer { ab in
                let a = ab.baseAddress!
                for s in 0..<nu {
                    for c in Swift.stride(from: 0, to: stride, by: 16) {
                        NeuMFSIMD.store(NeuMFSIMD.load(a + c) + NeuMFSIMD.load(work.userTowerGrad.base + s * stride + c), a + c)
                    }
                }
                for c in 0..<d { tb[c] = a[c] }
            }
        }
        let reg = finishTableGradients(batchSize: B)
        return Float(bpr + reg)
    }

    /// Calls `body` with the user and item sides of the tower products for the current batch.
    private func withTowerSides(_ body: ([NeuMFTowerProducts.Side]) -> Void) {
        let d = dMax, w = work
        towerWeight.withUnsafeBufferPointer { wb in
            w.towerWeightGrad.withUnsafeMutableBufferPointer { gb in
                let weight = wb.baseAddress!, weightGrad = gb.baseAddress!
                body([
                    .init(bins: index.userBins, prefix: index.userPrefix, x: w.userMlp.base, y: w.userTower.base,
                          dy: w.userTowerGrad.base, dx: w.userMlpGrad.base, weight: weight, weightGrad: weightGrad,
                          forwardBeta: 1),
                    .init(bins: index.itemBins, prefix: index.itemPrefix, x: w.itemMlp.base, y: w.itemTower.base,
                          dy: w.itemTowerGrad.base, dx: w.itemMlpGrad.base, weight: weight + d,
                          weightGrad: weightGrad + d, forwardBeta: 0),
                ])
            }
        }
    }

    /// Masked rows of the batch's distinct users and items: P and G rows into the workspace
    /// (zero beyond the width), and the user tower rows pre-filled with b_t.
    private func gatherRows() {
        let stride = self.stride, U = userCount
        let gmf = gmfTable.pointer, mlp = mlpTable.pointer
        let w = work
        towerBias.withUnsafeBufferPointer { tb in
            mlpWidths.withUnsafeBufferPointer { mwb in
                gmfWidths.withUnsafeBufferPointer { gwb in
                    index.users.withUnsafeBufferPointer { ub in
                        index.items.withUnsafeBufferPointer { ib in
                            let bias = SendablePointer(UnsafeMutablePointer(mutating: tb.baseAddress!))
                            let mw = SendablePointer(UnsafeMutablePointer(mutating: mwb.baseAddress!))
                            let gw = SendablePointer(UnsafeMutablePointer(mutating: gwb.baseAddress!))
                            let users = SendablePointer(UnsafeMutablePointer(mutating: ub.baseAddress ?? UnsafePointer(bitPattern: 16)!))
                            let items = SendablePointer(UnsafeMutablePointer(mutating: ib.baseAddress ?? UnsafePointer(bitPattern: 16)!))
                            let biasCount = w.dMax
                            let nu = ub.count
                            Parallel.forEachChunk(count: nu + ib.count, grain: 256) { _, range in
                                for s in range {
                                    let isUser = s < nu
                                    let slot = isUser ? s : s - nu
                                    let node = isUser ? Int(users[slot]) : U + Int(items[slot])
                                    let at = slot * stride
                                    let pDst = (isUser ? w.userMlp.base : w.itemMlp.base) + at
                                    let gDst = (isUser ? w.userGmf.base : w.itemGmf.base) + at
                                    let dm = Int(mw[node]), dg = Int(gw[node])
                                    pDst.update(from: mlp.base + node * stride, count: dm)
                                    (pDst + dm).update(repeating: 0, count: stride - dm)
                                    gDst.update(from: gmf.base + node * stride, count: dg)
                                    (gDst + dg).update(repeating: 0, count: stride - dg)
                                    if isUser {
                                        let t = w.userTower.base + at
                                        t.update(from: bias.base, count: biasCount)
                                        (t + biasCount).update(repeating: 0, count: stride - biasCount)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Scores of every pair, the BPR loss (returned, mean over the batch), the per-pair
    /// ∂L/∂s(u,j) = σ(s_j − s_i)/B into `work.coefficients`, and ∂L/∂w_p, ∂L/∂b_p.
    private func pairForward(batchSize B: Int) -> Double {
        let stride = self.stride, d = dMax, w = work
        let grain = NeuMFWorkspace.pairGrain
        let chunks = (B + grain - 1) / grain
        prepareOutputWeights()
        let lossSum: Double = index.pairUser.withUnsafeBufferPointer { pu in
            index.pairPositive.withUnsafeBufferPointer { pp in
                index.pairNegative.withUnsafeBufferPointer { pn in
                    let pu = SendablePointer(UnsafeMutablePointer(mutating: pu.baseAddress!))
                    let pp = SendablePointer(UnsafeMutablePointer(mutating: pp.baseAddress!))
                    let pn = SendablePointer(UnsafeMutablePointer(mutating: pn.baseAddress!))
                    let invB = 1 / Double(B)
                    let total = Parallel.sum(count: B, grain: grain) { range in
                        let chunk = range.lowerBound / grain
                        let dwT = w.partialTower.base + chunk * stride, dwG = w.partialGmf.base + chunk * stride
                        dwT.update(repeating: 0, count: stride)
                        dwG.update(repeating: 0, count: stride)
                        var dbP: Float = 0
                        var loss = 0.0
                        for b in range {
                            let su = Int(pu[b]) * stride, si = Int(pp[b]) * stride, sj = Int(pn[b]) * stride
                            let a = w.userTower.base + su, gu = w.userGmf.base + su
                            let ci = w.itemTower.base + si, gi = w.itemGmf.base + si
                            let cj = w.itemTower.base + sj, gj = w.itemGmf.base + sj
                            var accI = SIMD16<Float>(), accJ = SIMD16<Float>()
                            for c in Swift.stride(from: 0, to: stride, by: 16) {
                                let av = NeuMFSIMD.load(a + c), wt = NeuMFSIMD.load(w.outTower.base + c)
                                let wg = NeuMFSIMD.load(w.outGmf.base + c), g = NeuMFSIMD.load(gu + c)
                                accI.addProduct(wt, NeuMFSIMD.max(av + NeuMFSIMD.load(ci + c), .zero))
                                accJ.addProduct(wt, NeuMFSIMD.max(av + NeuMFSIMD.load(cj + c), .zero))
                                accI.addProduct(wg * g, NeuMFSIMD.load(gi + c))
                                accJ.addProduct(wg * g, NeuMFSIMD.load(gj + c))
                            }
                            let x = Double(accJ.sum() - accI.sum())
                            loss += x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
                            let coef = Float(invB / (1 + exp(-x)))
                            w.coefficients.base[b] = coef
                            // ∂L/∂s_j = coef, ∂L/∂s_i = −coef.
                            let cj16 = SIMD16<Float>(repeating: coef), ci16 = SIMD16<Float>(repeating: -coef)
                            for c in Swift.stride(from: 0, to: stride, by: 16) {
                                let av = NeuMFSIMD.load(a + c), g = NeuMFSIMD.load(gu + c)
                                let hi = NeuMFSIMD.max(av + NeuMFSIMD.load(ci + c), .zero)
                                let hj = NeuMFSIMD.max(av + NeuMFSIMD.load(cj + c), .zero)
                                var t = NeuMFSIMD.load(dwT + c)
                                t.addProduct(ci16, hi)
                                t.addProduct(cj16, hj)
                                NeuMFSIMD.store(t, dwT + c)
                                var q = NeuMFSIMD.load(dwG + c)
                                q.addProduct(ci16, g * NeuMFSIMD.load(gi + c))
                                q.addProduct(cj16, g * NeuMFSIMD.load(gj + c))
                                NeuMFSIMD.store(q, dwG + c)
                            }
                            dbP += -coef + coef
                        }
                        w.partialBias.base[chunk] = dbP
                        return loss
                    }
                    return total * invB
                }
            }
        }
        // Reduce the per-chunk partials in chunk order.
        for c in 0..<(2 * d) { w.predictorWeightGrad[c] = 0 }
        var bias: Float = 0
        for k in 0..<chunks {
            for c in 0..<d {
                w.predictorWeightGrad[c] += w.partialTower.base[k * stride + c]
                w.predictorWeightGrad[d + c] += w.partialGmf.base[k * stride + c]
            }
            bias += w.partialBias.base[k]
        }
        w.predictorBiasGrad[0] = bias
        return lossSum
    }

    /// w_tower and w_gmf as zero-padded rows of `stride` floats in the workspace.
    private func prepareOutputWeights() {
        let d = dMax
        for c in 0..<stride {
            work.outTower.base[c] = c < d ? predictorWeight[c] : 0
            work.outGmf.base[c] = c < d ? predictorWeight[d + c] : 0
        }
    }

    /// Per distinct item v: ∂L/∂c_v = Σ_e ∂L/∂s_e · w_tower ⊙ [a_u + c_v > 0] and
    /// ∂L/∂g_v (before mask and L2) = Σ_e ∂L/∂s_e · w_gmf ⊙ g_u, over v's occurrences e in order.
    private func gatherItemGradients(batchSize B: Int) {
        let stride = self.stride, w = work
        index.itemOffsets.withUnsafeBufferPointer { ob in
            index.itemEntries.withUnsafeBufferPointer { eb in
                index.pairUser.withUnsafeBufferPointer { pb in
                    let off = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!))
                    let entries = SendablePointer(UnsafeMutablePointer(mutating: eb.baseAddress!))
                    let pairUser = SendablePointer(UnsafeMutablePointer(mutating: pb.baseAddress!))
                    Parallel.forEachChunk(count: ob.count - 1, grain: 64) { _, range in
                        for s in range {
                            let at = s * stride
                            let cv = w.itemTower.base + at
                            let dc = w.itemTowerGrad.base + at, dg = w.itemGmfGrad.base + at
                            dc.update(repeating: 0, count: stride)
                            dg.update(repeating: 0, count: stride)
                            for k in Int(off[s])..<Int(off[s + 1]) {
                                let e = Int(entries[k])
                                let b = e < B ? e : e - B
                                let coef = e < B ? -w.coefficients.base[b] : w.coefficients.base[b]
                                let cc = SIMD16<Float>(repeating: coef)
                                let su = Int(pairUser[b]) * stride
                                let a = w.userTower.base + su, gu = w.userGmf.base + su
                                for c in Swift.stride(from: 0, to: stride, by: 16) {
                                    var t = cc * NeuMFSIMD.load(w.outTower.base + c)
                                    t.replace(with: 0, where: NeuMFSIMD.load(a + c) + NeuMFSIMD.load(cv + c) .<= 0)
                                    NeuMFSIMD.store(NeuMFSIMD.load(dc + c) + t, dc + c)
                                    var q = NeuMFSIMD.load(dg + c)
                                    q.addProduct(cc * NeuMFSIMD.load(w.outGmf.base + c), NeuMFSIMD.load(gu + c))
                                    NeuMFSIMD.store(q, dg + c)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Per distinct user u: ∂L/∂a_u = Σ_b Σ_{v ∈ {i_b, j_b}} ∂L/∂s · w_tower ⊙ [a_u + c_v > 0] and
    /// ∂L/∂g_u (before mask and L2) = Σ ∂L/∂s · w_gmf ⊙ g_v, over u's pairs b in order.
    private func gatherUserGradients(batchSize B: Int) {
        let stride = self.stride, w = work
        index.userOffsets.withUnsafeBufferPointer { ob in
            index.userEntries.withUnsafeBufferPointer { eb in
                index.pairPositive.withUnsafeBufferPointer { ppb in
                    index.pairNegative.withUnsafeBufferPointer { pnb in
                        let off = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!))
                        let entries = SendablePointer(UnsafeMutablePointer(mutating: eb.baseAddress!))
                        let pp = SendablePointer(UnsafeMutablePointer(mutating: ppb.baseAddress!))
                        let pn = SendablePointer(UnsafeMutablePointer(mutating: pnb.baseAddress!))
                        Parallel.forEachChunk(count: ob.count - 1, grain: 64) { _, range in
                            for s in range {
                                let at = s * stride
                                let a = w.userTower.base + at
                                let da = w.userTowerGrad.base + at, dg = w.userGmfGrad.base + at
                                da.update(repeating: 0, count: stride)
                                dg.update(repeating: 0, count: stride)
                                for k in Int(off[s])..<Int(off[s + 1]) {
                                    let b = Int(entries[k])
                                    let coef = w.coefficients.base[b]
                                    let ci16 = SIMD16<Float>(repeating: -coef), cj16 = SIMD16<Float>(repeating: coef)
                                    let si = Int(pp[b]) * stride, sj = Int(pn[b]) * stride
                                    let ci = w.itemTower.base + si, gi = w.itemGmf.base + si
                                    let cj = w.itemTower.base + sj, gj = w.itemGmf.base + sj
                                    for c in Swift.stride(from: 0, to: stride, by: 16) {
                                        let av = NeuMFSIMD.load(a + c), wt = NeuMFSIMD.load(w.outTower.base + c)
                                        var ti = ci16 * wt, tj = cj16 * wt
                                        ti.replace(with: 0, where: av + NeuMFSIMD.load(ci + c) .<= 0)
                                        tj.replace(with: 0, where: av + NeuMFSIMD.load(cj + c) .<= 0)
                                        NeuMFSIMD.store(NeuMFSIMD.load(da + c) + ti + tj, da + c)
                                        let wg = NeuMFSIMD.load(w.outGmf.base + c)
                                        var q = NeuMFSIMD.load(dg + c)
                                        q.addProduct(ci16 * wg, NeuMFSIMD.load(gi + c))
                                        q.addProduct(cj16 * wg, NeuMFSIMD.load(gj + c))
                                        NeuMFSIMD.store(q, dg + c)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Masks the per-slot table gradients to their widths and adds the L2 term
    /// 2λ·cnt/B · (masked row); returns λ Σ cnt (‖p‖² + ‖g‖²) / B.
    private func finishTableGradients(batchSize B: Int) -> Double {
        let stride = self.stride, U = userCount, w = work
        let lambda = NeuMF.regularization
        let nu = index.distinctUsers
        return mlpWidths.withUnsafeBufferPointer { mwb in
            gmfWidths.withUnsafeBufferPointer { gwb in
                index.users.withUnsafeBufferPointer { ub in
                    index.items.withUnsafeBufferPointer { ib in
                        index.userOffsets.withUnsafeBufferPointer { uob in
                            index.itemOffsets.withUnsafeBufferPointer { iob in
                                let mw = SendablePointer(UnsafeMutablePointer(mutating: mwb.baseAddress!))
                                let gw = SendablePointer(UnsafeMutablePointer(mutating: gwb.baseAddress!))
                                let users = SendablePointer(UnsafeMutablePointer(mutating: ub.baseAddress ?? UnsafePointer(bitPattern: 16)!))
                                let items = SendablePointer(UnsafeMutablePointer(mutating: ib.baseAddress ?? UnsafePointer(bitPattern: 16)!))
                                let uo = SendablePointer(UnsafeMutablePointer(mutating: uob.baseAddress!))
                                let io = SendablePointer(UnsafeMutablePointer(mutating: iob.baseAddress!))
                                let total = Parallel.sum(count: nu + ib.count, grain: 256) { range in
                                    var sum = 0.0
                                    for s in range {
                                        let isUser = s < nu
                                        let slot = isUser ? s : s - nu
                                        let node = isUser ? Int(users[slot]) : U + Int(items[slot])
                                        let cnt = isUser ? Int(uo[slot + 1] - uo[slot]) : Int(io[slot + 1] - io[slot])
                                        let scale = Float(2 * lambda * Double(cnt) / Double(B))
                                        let at = slot * stride
                                        let sc = SIMD16<Float>(repeating: scale)
                                        @inline(__always) func finish(_ x: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                                                                      _ width: Int) -> Float {
                                            var q = SIMD16<Float>()
                                            for c in Swift.stride(from: 0, to: stride, by: 16) {
                                                let xv = NeuMFSIMD.load(x + c)  // zero beyond the width
                                                q.addProduct(xv, xv)
                                                var gv = NeuMFSIMD.load(g + c)
                                                gv.addProduct(sc, xv)
                                                NeuMFSIMD.store(gv, g + c)
                                            }
                                            (g + width).update(repeating: 0, count: stride - width)
                                            return q.sum()
                                        }
                                        let sq = isUser
                                            ? finish(w.userMlp.base + at, w.userMlpGrad.base + at, Int(mw[node]))
                                                + finish(w.userGmf.base + at, w.userGmfGrad.base + at, Int(gw[node]))
                                            : finish(w.itemMlp.base + at, w.itemMlpGrad.base + at, Int(mw[node]))
                                                + finish(w.itemGmf.base + at, w.itemGmfGrad.base + at, Int(gw[node]))
                                        sum += Double(cnt) * Double(sq)
                                    }
                                    return sum
                                }
                                return lambda * total / Double(B)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Dense Adam on G and P in one parallel pass over all rows (rows outside the batch get g = 0).
    private func updateTables(learningRate: Float) {
        let w = work
        index.userSlot.withUnsafeBufferPointer { usb in
            index.itemSlot.withUnsafeBufferPointer { isb in
                mlpWidths.withUnsafeBufferPointer { mwb in
                    gmfWidths.withUnsafeBufferPointer { gwb in
                        NeuMFTableAdam.update(
                            gmf: &gmfAdam, mlp: &mlpAdam, gmfTable: gmfTable.base, mlpTable: mlpTable.base,
                            userCount: userCount, itemCount: itemCount, stride: stride,
                            userSlot: usb.baseAddress!, itemSlot: isb.baseAddress!,
                            mlpWidths: mwb.baseAddress!, gmfWidths: gwb.baseAddress!,
                            userGmfGrad: w.userGmfGrad.base, userMlpGrad: w.userMlpGrad.base,
                            itemGmfGrad: w.itemGmfGrad.base, itemMlpGrad: w.itemMlpGrad.base, lr: learningRate)
                    }
                }
            }
        }
    }

    // MARK: scoring

    /// The snapshot scorer of the current parameters: a_u = W_u p_u + b_t for every user and
    /// c_v = W_v p_v for every item (two sgemms), then `NeuMFScorer`.
    public func makeScorer() -> any BlockScorer {
        makeNeuMFScorer()
    }

    public func makeNeuMFScorer() -> NeuMFScorer {
        let d = dMax, p = parameters
        let masked = maskedTables()
        var userTower = Matrix(rows: userCount, cols: d), itemTower = Matrix(rows: itemCount, cols: d)
        for u in 0..<userCount { for c in 0..<d { userTower[u, c] = p.towerBias[c] } }
        masked.mlp.storage.withUnsafeBufferPointer { mp in
            p.towerWeight.storage.withUnsafeBufferPointer { wp in
                userTower.storage.withUnsafeMutableBufferPointer { ut in
                    Sgemm.raw(m: userCount, n: d, k: d, alpha: 1, a: mp.baseAddress!, lda: d, transposeA: false,
                              b: wp.baseAddress!, ldb: 2 * d, transposeB: true, beta: 1, c: ut.baseAddress!, ldc: d)
                }
                itemTower.storage.withUnsafeMutableBufferPointer { it in
                    Sgemm.raw(m: itemCount, n: d, k: d, alpha: 1, a: mp.baseAddress! + userCount * d, lda: d,
                              transposeA: false, b: wp.baseAddress! + d, ldb: 2 * d, transposeB: true, beta: 0,
                              c: it.baseAddress!, ldc: d)
                }
            }
        }
        let gmfUsers = Matrix(rows: userCount, cols: d, storage: Array(masked.gmf.storage[0..<(userCount * d)]))
        let gmfItems = Matrix(rows: itemCount, cols: d, storage: Array(masked.gmf.storage[(userCount * d)...]))
        return NeuMFScorer(userTower: userTower, itemTower: itemTower, gmfUsers: gmfUsers, gmfItems: gmfItems,
                           towerOutput: Array(p.predictorWeight[0..<d]), gmfOutput: Array(p.predictorWeight[d...]),
                           bias: p.predictorBias)
    }

    /// The score of one pair evaluated directly from the contract (the tower on [p_u ; p_v]), in
    /// Double — the reference for `NeuMFScorer`. `users × items` scores, row-major.
    public func directScores(users: Range<Int>, items: Range<Int>) -> [Double] {
        let d = dMax, p = parameters, m = maskedTables()
        var out: [Double] = []
        out.reserveCapacity(users.count * items.count)
        for u in users {
            for v in items {
                var s = Double(p.predictorBias)
                for o in 0..<d {
                    var h = Double(p.towerBias[o])
                    for c in 0..<d {
                        h += Double(p.towerWeight[o, c]) * Double(m.mlp[u, c])
                        h += Double(p.towerWeight[o, d + c]) * Double(m.mlp[userCount + v, c])
                    }
                    s += Double(p.predictorWeight[o]) * max(h, 0)
                    s += Double(p.predictorWeight[d + o]) * Double(m.gmf[u, o]) * Double(m.gmf[userCount + v, o])
                }
                out.append(s)
            }
        }
        return out
    }

    public func directScore(user u: Int, item v: Int) -> Double { directScores(users: u..<(u + 1), items: v..<(v + 1))[0] }

    /// G ⊙ M and P ⊙ M (N × dMax; G unmasked under `.mlpOnly`).
    public func maskedTables() -> (gmf: Matrix, mlp: Matrix) {
        let p = parameters
        var g = p.gmf, m = p.mlp
        for n in 0..<nodeCount {
            for c in Int(gmfWidths[n])..<dMax { g[n, c] = 0 }
            for c in Int(mlpWidths[n])..<dMax { m[n, c] = 0 }
        }
        return (g, m)
    }

    // MARK: parameters and checkpoints

    /// All parameters (raw tables, users first). Setting replaces them (not the optimiser state).
    public var parameters: NeuMFParameters {
        get {
            NeuMFParameters(gmf: unpadded(gmfTable), mlp: unpadded(mlpTable),
                            towerWeight: Matrix(rows: dMax, cols: 2 * dMax, storage: towerWeight),
                            towerBias: towerBias, predictorWeight: predictorWeight, predictorBias: predictorBias[0])
        }
        set {
            precondition(newValue.gmf.rows == nodeCount && newValue.gmf.cols == dMax, "NeuMF: table shape")
            precondition(newValue.towerWeight.rows == dMax, "NeuMF: tower shape")
            repad(newValue.gmf.storage, into: gmfTable.base)
            repad(newValue.mlp.storage, into: mlpTable.base)
            towerWeight = newValue.towerWeight.storage
            towerBias = newValue.towerBias
            predictorWeight = newValue.predictorWeight
            predictorBias = [newValue.predictorBias]
        }
    }

    static let tensorNames = ["gmf", "mlp", "towerWeight", "towerBias", "predictorWeight", "predictorBias"]

    public func checkpoint() -> BackboneCheckpoint {
        let p = parameters, d = dMax
        func unpaddedState(_ s: AdamState) -> AdamState {
            var out = AdamState(count: nodeCount * d, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon)
            out.m = unpad(s.m)
            out.v = unpad(s.v)
            out.step = s.step
            return out
        }
        return BackboneCheckpoint(
            backbone: name,
            tensors: ["gmf": CheckpointTensor(p.gmf), "mlp": CheckpointTensor(p.mlp),
                      "towerWeight": CheckpointTensor(p.towerWeight),
                      "towerBias": CheckpointTensor(Matrix(rows: 1, cols: d, storage: p.towerBias)),
                      "predictorWeight": CheckpointTensor(Matrix(rows: 1, cols: 2 * d, storage: p.predictorWeight)),
                      "predictorBias": CheckpointTensor(Matrix(rows: 1, cols: 1, storage: [p.predictorBias]))],
            optimizer: ["gmf": unpaddedState(gmfAdam), "mlp": unpaddedState(mlpAdam),
                        "towerWeight": towerWeightAdam, "towerBias": towerBiasAdam,
                        "predictorWeight": predictorWeightAdam, "predictorBias": predictorBiasAdam],
            steps: steps)
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        guard c.backbone == name else { throw BackboneCheckpointError.wrongBackbone(expected: name, found: c.backbone) }
        let d = dMax
        let shapes: [String: (Int, Int)] = ["gmf": (nodeCount, d), "mlp": (nodeCount, d), "towerWeight": (d, 2 * d),
                                            "towerBias": (1, d), "predictorWeight": (1, 2 * d), "predictorBias": (1, 1)]
        for n in NeuMF.tensorNames {
            guard let t = c.tensors[n] else { throw BackboneCheckpointError.missingTensor(n) }
            guard let s = c.optimizer[n] else { throw BackboneCheckpointError.missingTensor(n) }
            let (r, k) = shapes[n]!
            guard t.rows == r, t.cols == k, t.values.count == r * k, s.m.count == r * k, s.v.count == r * k else {
                throw BackboneCheckpointError.shapeMismatch(name: n, expected: "\(r)×\(k)", found: "\(t.rows)×\(t.cols)")
            }
        }
        parameters = NeuMFParameters(gmf: c.tensors["gmf"]!.matrix, mlp: c.tensors["mlp"]!.matrix,
                                     towerWeight: c.tensors["towerWeight"]!.matrix,
                                     towerBias: c.tensors["towerBias"]!.values,
                                     predictorWeight: c.tensors["predictorWeight"]!.values,
                                     predictorBias: c.tensors["predictorBias"]!.values[0])
        func padded(_ s: AdamState) -> AdamState {
            var out = AdamState(count: nodeCount * stride, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon)
            out.m.withUnsafeMutableBufferPointer { repad(s.m, into: $0.baseAddress!) }
            out.v.withUnsafeMutableBufferPointer { repad(s.v, into: $0.baseAddress!) }
            out.step = s.step
            return out
        }
        gmfAdam = padded(c.optimizer["gmf"]!)
        mlpAdam = padded(c.optimizer["mlp"]!)
        towerWeightAdam = c.optimizer["towerWeight"]!
        towerBiasAdam = c.optimizer["towerBias"]!
        predictorWeightAdam = c.optimizer["predictorWeight"]!
        predictorBiasAdam = c.optimizer["predictorBias"]!
        steps = c.steps
    }

    private func unpadded(_ buffer: AlignedFloatBuffer) -> Matrix {
        var m = Matrix(rows: nodeCount, cols: dMax)
        m.storage.withUnsafeMutableBufferPointer { out in
            for n in 0..<nodeCount { (out.baseAddress! + n * dMax).update(from: buffer.base + n * stride, count: dMax) }
        }
        return m
    }

    private func unpad(_ a: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: nodeCount * dMax)
        for n in 0..<nodeCount { for c in 0..<dMax { out[n * dMax + c] = a[n * stride + c] } }
        return out
    }

    private func repad(_ a: [Float], into p: UnsafeMutablePointer<Float>) {
        for n in 0..<nodeCount {
            for c in 0..<stride { p[n * stride + c] = c < dMax ? a[n * dMax + c] : 0 }
        }
    }
}

extension NeuMF: Layer0InputBackbone {
    public var layer0TableNames: [String] { ["gmf", "mlp"] }

    public func layer0Tables() -> [Matrix] {
        let p = parameters
        return [p.gmf, p.mlp]
    }

    public func lossAndLayer0Gradients(_ batch: BPRBatch, layer0: [Matrix]) -> (loss: Float, gradients: [Matrix]) {
        requireLayer0(layer0)
        setTables(layer0)
        let r = lossAndGradient(batch)
        return (r.loss, [r.gradient.gmf, r.gradient.mlp])
    }

    public func trainStep(_ batch: BPRBatch, layer0: [Matrix], learningRate: Float) -> (loss: Float, gradients: [Matrix]) {
        let r = lossAndLayer0Gradients(batch, layer0: layer0)
        updateNetwork(learningRate: learningRate)
        steps += 1
        return r
    }

    public func makeScorer(layer0: [Matrix]) -> any BlockScorer {
        requireLayer0(layer0)
        setTables(layer0)
        return makeScorer()
    }

    private func setTables(_ layer0: [Matrix]) {
        repad(layer0[0].storage, into: gmfTable.base)
        repad(layer0[1].storage, into: mlpTable.base)
    }
}
