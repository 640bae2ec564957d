import Evaluation
import Foundation
import Linalg
import RecData

/// NGCF (docs/method.md §2.2) with prefix-masked embeddings, dropout and a hand-written backward pass.
///
/// * Graph: L = D⁻¹(A + I) (`RowNormalizedAdjacency`; D = degree + 1), users first (item i is
///   node U + i). Layer width d = dMax (128), 3 propagation layers.
/// * Parameters: E ∈ R^{N×d}; per layer l = 1…3: W_gc,l, W_bi,l ∈ R^{d×d}, b_gc,l, b_bi,l ∈ R^{1×d}.
///   Xavier-uniform from `RandomStream(seed:, purpose: "init")` in the order E (users, bound
///   √(6/(U+d)); items, √(6/(I+d))), then per layer W_gc, b_gc, W_bi, b_bi (bounds √(6/2d), √(6/(1+d))).
/// * Forward, X⁰ = E ⊙ M (M the prefix mask of `sizes`), for l = 1…3:
///
///       S = L′X^{l−1},  P = X^{l−1} ⊙ S,  Z = S·W_gc + P·W_bi + b_gc + b_bi,
///       X^l = δ_l ⊙ LeakyReLU_0.2(Z) / (1 − p),  n^l = X^l / max(‖X^l‖_row, 1e−12),
///
///   F = [X⁰ | n¹ | n² | n³] (4d columns). The un-normalised X^l feeds layer l + 1.
/// * Dropout (training only; evaluation uses none, decision D31): L′ keeps each stored entry of L
///   (self loops included) with probability 0.9 and scales it by 1/0.9 (`DropoutSpMM`); δ_l keeps
///   each element with probability 0.9 (p = 0.1). Both are `HashedDropoutMask`s whose keys are
///   drawn for step t from `RandomStream(seed: seed + t·φ, purpose: "ngcf/dropout")`, so a
///   restored checkpoint (which carries t) continues with the same masks.
/// * Loss: mean_b softplus(⟨F_u,F_j⟩ − ⟨F_u,F_i⟩) + 1e−3 · Σ_b (‖F_u‖² + ‖F_i‖² + ‖F_j‖²)/B.
/// * Backward (all hand-written): ∂L/∂F (`BPRObjective` + the L2 term), through the row
///   normalisation, the dropout and LeakyReLU, both matmuls (sgemm), the bi-interaction and L′ᵀ
///   (`DropoutSpMM` transposed, same keep decisions); ∂L/∂E = M ⊙ ∂L/∂X⁰ (masked entries get
///   exactly zero gradient and never move).
/// * Adam on every parameter tensor separately (torch.optim.Adam semantics); the caller supplies
///   the learning rate (`NGCF.schedule`: 0.03 → ×0.9 every 100 batches, floor 1e−3).
///
/// Storage (`NGCFLayout`): `columns` = d rounded up to 32 logical columns per block, N × columns
/// matrices with row stride `stride` = columns + 16 (off powers of two, for the SpMM's tile
/// gathers); W_gc,l and W_bi,l are packed as one (2·columns) × columns matrix [W_gc; W_bi] so the
/// layer is one sgemm Z = [S | P]·W. The message-dropout index of element (r, c) is r·columns + c.
/// A training step computes layer 3 (which feeds only F) for the nodes its batch touches, compacted
/// (`NGCFRowSelection`); the last backward product (to ∂L/∂X⁰) skips 32-column tiles wholly past
/// d_n. Nothing is
/// allocated per step once the batch size is stable. Every kernel, the sgemms included
/// (`ChunkedSgemm`: fixed chunks of single-threaded OpenBLAS calls), uses a partition and a
/// summation order that do not depend on the thread count, so training is bit-identical for any
/// `Threads.count`.
public final class NGCF: Backbone {
    public let name = "ngcf"
    public let sizes: EmbeddingSizes
    public let userCount: Int
    public let itemCount: Int
    public let nodeCount: Int
    public let dMax: Int
    /// Logical columns per block (dMax rounded up to 32) and the row stride of N × columns buffers.
    public let columns: Int
    public let stride: Int
    let layout: NGCFLayout
    public let seed: UInt64
    public static let layers = 3
    public static let regularization: Double = 1e-3
    public static let nodeDropout = 0.1
    public static let messageDropout = 0.1
    public static let schedule = StepDecaySchedule(lrMax: 0.03, lrMin: 1e-3, every: 100)
    public private(set) var steps = 0

    let spmm: DropoutSpMM
    let widths: [Int32]
    let weightWidths: [Int32]
    let biasWidths: [Int32]
    // parameters
    let embedding: AlignedFloatBuffer
    let weights: [AlignedFloatBuffer]
    let biasGC: [AlignedFloatBuffer]
    let biasBI: [AlignedFloatBuffer]
    var adamEmbedding: AdamState
    var adamWeights: [AdamState]
    var adamBiasGC: [AdamState]
    var adamBiasBI: [AdamState]
    // forward state
    let x: [AlignedFloatBuffer]
    let sp: [AlignedFloatBuffer]
    let final: AlignedFloatBuffer
    let norms: [AlignedFloatBuffer]
    let biasSum: AlignedFloatBuffer
    // backward state
    let gradFinal: AlignedFloatBuffer
    let carry: AlignedFloatBuffer
    let dz: AlignedFloatBuffer
    let dsp: AlignedFloatBuffer
    let dspCompact: AlignedFloatBuffer
    let selection: NGCFRowSelection
    let gradWeights: [AlignedFloatBuffer]
    let gradBias: [AlignedFloatBuffer]
    let partials: AlignedFloatBuffer
    let sgemmScratch: AlignedFloatBuffer
    /// Rows of the k-chunks of the weight-gradient sgemms (`ChunkedSgemm.reducingK`).
    static let kChunk = 1024
    let index: BatchNodeIndex
    var coefficients: [Float] = []
    var dirtyRows: [Bool] = []

    public init(train: UserItemLists, sizes: EmbeddingSizes, seed: UInt64) {
        precondition(sizes.users.count == train.userCount && sizes.items.count == train.itemCount,
                     "NGCF: sizes must cover \(train.userCount) users and \(train.itemCount) items")
        self.sizes = sizes
        self.seed = seed
        userCount = train.userCount
        itemCount = train.itemCount
        nodeCount = userCount + itemCount
        dMax = sizes.dMax
        let cols = (dMax + 31) / 32 * 32
        let lay = NGCFLayout(cols: cols)
        layout = lay
        columns = cols
        let s = layout.x
        stride = s
        widths = sizes.nodeSizes.map { Int32($0) }
        weightWidths = (0..<(2 * cols)).map { $0 % cols < sizes.dMax ? Int32(sizes.dMax) : 0 }
        biasWidths = [Int32(sizes.dMax)]
        spmm = DropoutSpMM(adjacency: RowNormalizedAdjacency(train: UserItemListsView(
            userCount: train.userCount, itemCount: train.itemCount, offsets: train.offsets, items: train.items)))
        let N = nodeCount, L = NGCF.layers
        embedding = AlignedFloatBuffer(count: N * s)
        weights = (0..<L).map { _ in AlignedFloatBuffer(count: 2 * cols * cols) }
        biasGC = (0..<L).map { _ in AlignedFloatBuffer(count: cols) }
        biasBI = (0..<L).map { _ in AlignedFloatBuffer(count: cols) }
        adamEmbedding = AdamState(count: N * s)
        adamWeights = (0..<L).map { _ in AdamState(count: 2 * cols * cols) }
        adamBiasGC = (0..<L).map { _ in AdamState(count: cols) }
        adamBiasBI = (0..<L).map { _ in AdamState(count: cols) }
        x = (0...L).map { _ in AlignedFloatBuffer(count: N * s) }
        sp = (0..<L).map { _ in AlignedFloatBuffer(count: N * lay.sp) }
        final = AlignedFloatBuffer(count: N * lay.f)
        norms = (0..<L).map { _ in AlignedFloatBuffer(count: N) }
        biasSum = AlignedFloatBuffer(count: cols)
        gradFinal = AlignedFloatBuffer(count: N * lay.f)
        carry = AlignedFloatBuffer(count: N * s)
        dz = AlignedFloatBuffer(count: N * s)
        dsp = AlignedFloatBuffer(count: N * lay.sp)
        dspCompact = AlignedFloatBuffer(count: N * lay.sp)
        selection = NGCFRowSelection(nodeCount: N, columns: cols)
        gradWeights = (0..<L).map { _ in AlignedFloatBuffer(count: 2 * cols * cols) }
        gradBias = (0..<L).map { _ in AlignedFloatBuffer(count: cols) }
        partials = AlignedFloatBuffer(count: (N + NGCFLayerKernels.rowGrain - 1) / NGCFLayerKernels.rowGrain * cols)
        sgemmScratch = AlignedFloatBuffer(count: (N + NGCF.kChunk - 1) / NGCF.kChunk * 2 * cols * cols)
        index = BatchNodeIndex(userCount: userCount, nodeCount: N, widthIfTouched: lay.f)

        var random = RandomStream(seed: seed, purpose: "init")
        func uniform(_ bound: Double) -> Float { Float((2 * random.unitDouble() - 1) * bound) }
        let d = Double(dMax)
        let userBound = (6 / (Double(userCount) + d)).squareRoot()
        let itemBound = (6 / (Double(itemCount) + d)).squareRoot()
        for n in 0..<N {
            let bound = n < userCount ? userBound : itemBound
            for c in 0..<dMax { embedding.base[n * s + c] = uniform(bound) }
        }
        let wBound = (6 / (2 * d)).squareRoot(), bBound = (6 / (1 + d)).squareRoot()
        for l in 0..<L {
            for half in [0, 1] {
                for r in 0..<dMax { for c in 0..<dMax { weights[l].base[(half * cols + r) * cols + c] = uniform(wBound) } }
                let b = half == 0 ? biasGC[l] : biasBI[l]
                for c in 0..<dMax { b.base[c] = uniform(bBound) }
            }
        }
    }

    // MARK: dropout

    /// The dropout masks of training step `step`: node (edge) dropout of L and message dropout per layer.
    public func dropoutMasks(step: Int) -> (node: HashedDropoutMask, message: [HashedDropoutMask]) {
        var random = RandomStream(seed: seed &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15, purpose: "ngcf/dropout")
        let node = HashedDropoutMask(dropProbability: NGCF.nodeDropout, key: random.next())
        let message = (0..<NGCF.layers).map { _ in
            HashedDropoutMask(dropProbability: NGCF.messageDropout, key: random.next())
        }
        return (node, message)
    }

    // MARK: training

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        let masks = dropoutMasks(step: steps)
        let loss = forwardBackward(batch, node: masks.node, message: masks.message)
        widths.withUnsafeBufferPointer { w in
            adamEmbedding.updateRowPrefixes(params: embedding.base, grads: carry.base, rows: nodeCount, stride: stride,
                                            widths: w.baseAddress!, lr: learningRate)
        }
        updateNetwork(learningRate: learningRate)
        steps += 1
        return loss
    }

    /// Adam on W_gc, W_bi, b_gc and b_bi of every layer from the last backward pass.
    private func updateNetwork(learningRate: Float) {
        let cols = columns
        weightWidths.withUnsafeBufferPointer { ww in
            biasWidths.withUnsafeBufferPointer { bw in
                for l in 0..<NGCF.layers {
                    adamWeights[l].updateRowPrefixes(params: weights[l].base, grads: gradWeights[l].base,
                                                     rows: 2 * cols, stride: cols, widths: ww.baseAddress!,
                                                     lr: learningRate)
                    adamBiasGC[l].updateRowPrefixes(params: biasGC[l].base, grads: gradBias[l].base, rows: 1,
                                                    stride: cols, widths: bw.baseAddress!, lr: learningRate)
                    adamBiasBI[l].updateRowPrefixes(params: biasBI[l].base, grads: gradBias[l].base, rows: 1,
                                                    stride: cols, widths: bw.baseAddress!, lr: learningRate)
                }
            }
        }
    }

    /// Loss of `batch` and the gradient of every parameter tensor (named as in `checkpoint()`),
    /// with the given dropout masks (`nil` = none) and no update. For the gradient tests.
    public func lossAndGradients(_ batch: BPRBatch, node: HashedDropoutMask?,
                                 message: [HashedDropoutMask?]) -> (loss: Float, gradients: [String: Matrix]) {
        let loss = forwardBackward(batch, node: node, message: message)
        var g: [String: Matrix] = [:]
        var e = Matrix(rows: nodeCount, cols: dMax)
        for n in 0..<nodeCount { for c in 0..<Int(widths[n]) { e[n, c] = carry.base[n * stride + c] } }
        g["embedding"] = e
        for l in 0..<NGCF.layers {
            let names = NGCF.tensorNames(layer: l)
            g[names.wgc] = block(gradWeights[l], rowOffset: 0)
            g[names.wbi] = block(gradWeights[l], rowOffset: columns)
            let b = Matrix(rows: 1, cols: dMax, storage: Array(UnsafeBufferPointer(start: gradBias[l].base, count: dMax)))
            g[names.bgc] = b
            g[names.bbi] = b
        }
        return (loss, g)
    }

    /// Forward with the given masks, loss, and backward into `carry` (∂L/∂X⁰, whose unmasked
    /// columns are ∂L/∂E), `gradWeights` and `gradBias`.
    func forwardBackward(_ batch: BPRBatch, node: HashedDropoutMask?, message: [HashedDropoutMask?]) -> Float {
        precondition(message.count == NGCF.layers)
        return OpenBLASSingleThreaded.run { forwardBackwardSingleThreadedBLAS(batch, node: node, message: message) }
    }

    private func forwardBackwardSingleThreadedBLAS(_ batch: BPRBatch, node: HashedDropoutMask?,
                                                   message: [HashedDropoutMask?]) -> Float {
        index.rebuild(for: batch)
        selection.selectTouched(offsets: index.offsets)
        forward(node: node, message: message)
        let N = nodeCount, f = final.pointer, g = gradFinal.pointer, layout = self.layout
        let xs = layout.x, sps = layout.sp, cols = layout.cols
        let bpr = BPRObjective.lossAndGradient(final: final.base, stride: layout.f, batch: batch, index: index,
                                               coefficients: &coefficients, gradient: gradFinal.base,
                                               clear: &dirtyRows)
        let reg = index.offsets.withUnsafeBufferPointer { ob in
            NGCFLayerKernels.regularize(final: f, gradient: g,
                                        offsets: SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!)),
                                        rows: N, width: layout.f, lambda: NGCF.regularization, batchSize: batch.count)
        }
        for l in Swift.stride(from: NGCF.layers, through: 1, by: -1) {
            // The last layer exists only for the selected (touched) rows, compacted.
            let last = l == NGCF.layers, rows = last ? selection.count : N
            NGCFLayerKernels.outputBackward(gradFinal: g, final: f, block: l, norms: norms[l - 1].pointer,
                                            x: x[l].pointer, carry: last ? nil : carry.pointer,
                                            mask: message[l - 1], dz: dz.pointer, partials: partials.pointer,
                                            biasGrad: gradBias[l - 1].pointer, nodes: last ? selection.nodes : nil,
                                            rows: rows, layout: layout)
            // dW = [S | P]ᵀ · dZ   (2·cols × cols)
            ChunkedSgemm.reducingK(m: 2 * cols, n: cols, k: rows, a: sp[l - 1].base, lda: sps, b: dz.base, ldb: xs,
                                   c: gradWeights[l - 1].base, scratch: sgemmScratch.base, kChunk: NGCF.kChunk)
            // [dS̃ | dP] = dZ · Wᵀ   (rows × 2·cols)
            let target = last ? dspCompact : dsp
            ChunkedSgemm.rows(m: rows, n: 2 * cols, k: cols, a: dz.base, lda: xs, b: weights[l - 1].base, ldb: cols,
                              transposeB: true, beta: 0, c: target.base, ldc: sps)
            if last {
                NGCFLayerKernels.bilinearBackwardScatter(compact: dspCompact.pointer, x: x[l - 1].pointer,
                                                         sp: sp[l - 1].pointer, selection: selection,
                                                         dsp: dsp.pointer, rows: N, layout: layout)
            } else {
                NGCFLayerKernels.bilinearBackward(dsp: dsp.pointer, x: x[l - 1].pointer, sp: sp[l - 1].pointer,
                                                  rows: N, layout: layout)
            }
            widths.withUnsafeBufferPointer { w in
                NGCFLayerKernels.propagateBack(spmm, dsp: dsp.pointer,
                                               gradFinalBlock0: l == 1 ? g : nil, carry: carry.pointer,
                                               outputWidths: l == 1 ? w.baseAddress! : nil, layout: layout)
            }
        }
        return Float(bpr + reg)
    }

    /// X⁰…X³, the S/P of every layer and F, with the given masks. Layer 3 (S, P, X³ and F block 3)
    /// is computed only for the rows of `selection`, compacted (X³ row j is node nodes[j]).
    func forward(node: HashedDropoutMask?, message: [HashedDropoutMask?]) {
        let N = nodeCount, layout = self.layout, cols = layout.cols
        widths.withUnsafeBufferPointer { w in
            NGCFLayerKernels.maskLayer0(embedding: embedding.pointer,
                                        widths: SendablePointer(UnsafeMutablePointer(mutating: w.baseAddress!)),
                                        x0: x[0].pointer, final: final.pointer, rows: N, layout: layout)
        }
        spmm.setDropout(node)
        for l in 1...NGCF.layers {
            let last = l == NGCF.layers, rows = last ? selection.count : N
            NGCFLayerKernels.propagate(spmm, x: x[l - 1].pointer, sp: sp[l - 1].pointer,
                                       selection: last ? selection : nil, layout: layout)
            ChunkedSgemm.rows(m: rows, n: cols, k: 2 * cols, a: sp[l - 1].base, lda: layout.sp, b: weights[l - 1].base,
                              ldb: cols, transposeB: false, beta: 0, c: x[l].base, ldc: layout.x)
            for c in 0..<cols { biasSum.base[c] = biasGC[l - 1].base[c] + biasBI[l - 1].base[c] }
            NGCFLayerKernels.activate(z: x[l].pointer, bias: biasSum.base, mask: message[l - 1],
                                      final: final.pointer, block: l, norms: norms[l - 1].pointer,
                                      nodes: last ? selection.nodes : nil, rows: rows, layout: layout)
        }
    }

    // MARK: scoring

    /// The final representations F (no dropout), split into users (U × 4d) and items (I × 4d).
    public func finalEmbeddings() -> (users: Matrix, items: Matrix) {
        selection.selectAll()
        OpenBLASSingleThreaded.run {
            forward(node: nil, message: [HashedDropoutMask?](repeating: nil, count: NGCF.layers))
        }
        return (finalRows(0..<userCount), finalRows(userCount..<nodeCount))
    }

    public func makeScorer() -> any BlockScorer {
        let f = finalEmbeddings()
        return DotProductScorer(users: f.users, items: f.items)
    }

    private func finalRows(_ rows: Range<Int>) -> Matrix {
        let width = 4 * dMax, fs = layout.f, cols = columns
        var m = Matrix(rows: rows.count, cols: width)
        m.storage.withUnsafeMutableBufferPointer { out in
            for (k, n) in rows.enumerated() {
                for b in 0..<4 {
                    (out.baseAddress! + k * width + b * dMax).update(from: final.base + n * fs + b * cols, count: dMax)
                }
            }
        }
        return m
    }

    // MARK: parameters and checkpoints

    static func tensorNames(layer l: Int) -> (wgc: String, wbi: String, bgc: String, bbi: String) {
        ("W_gc.\(l + 1)", "W_bi.\(l + 1)", "b_gc.\(l + 1)", "b_bi.\(l + 1)")
    }

    /// The d × d block of a packed (2·columns) × columns weight buffer starting at `rowOffset`.
    private func block(_ buffer: AlignedFloatBuffer, rowOffset: Int) -> Matrix {
        var m = Matrix(rows: dMax, cols: dMax)
        for r in 0..<dMax { for c in 0..<dMax { m[r, c] = buffer.base[(rowOffset + r) * columns + c] } }
        return m
    }

    private func blockArray(_ a: [Float], rowOffset: Int) -> [Float] {
        var out = [Float](repeating: 0, count: dMax * dMax)
        for r in 0..<dMax { for c in 0..<dMax { out[r * dMax + c] = a[(rowOffset + r) * columns + c] } }
        return out
    }

    /// All parameter tensors by name: "embedding" (N × d, users first), and per layer l = 1…3
    /// "W_gc.l", "W_bi.l" (d × d, applied as X·W) and "b_gc.l", "b_bi.l" (1 × d).
    public var parameters: [String: Matrix] {
        get {
            var t: [String: Matrix] = [:]
            var e = Matrix(rows: nodeCount, cols: dMax)
            for n in 0..<nodeCount { for c in 0..<dMax { e[n, c] = embedding.base[n * stride + c] } }
            t["embedding"] = e
            for l in 0..<NGCF.layers {
                let names = NGCF.tensorNames(layer: l)
                t[names.wgc] = block(weights[l], rowOffset: 0)
                t[names.wbi] = block(weights[l], rowOffset: columns)
                t[names.bgc] = Matrix(rows: 1, cols: dMax, storage: Array(UnsafeBufferPointer(start: biasGC[l].base, count: dMax)))
                t[names.bbi] = Matrix(rows: 1, cols: dMax, storage: Array(UnsafeBufferPointer(start: biasBI[l].base, count: dMax)))
            }
            return t
        }
        set {
            guard let e = newValue["embedding"], e.rows == nodeCount, e.cols == dMax else {
                preconditionFailure("NGCF.parameters: embedding must be \(nodeCount)×\(dMax)")
            }
            for n in 0..<nodeCount { for c in 0..<dMax { embedding.base[n * stride + c] = e[n, c] } }
            for l in 0..<NGCF.layers {
                let names = NGCF.tensorNames(layer: l)
                guard let wgc = newValue[names.wgc], let wbi = newValue[names.wbi],
                      let bgc = newValue[names.bgc], let bbi = newValue[names.bbi],
                      wgc.rows == dMax, wgc.cols == dMax, wbi.rows == dMax, wbi.cols == dMax,
                      bgc.storage.count == dMax, bbi.storage.count == dMax else {
                    preconditionFailure("NGCF.parameters: layer \(l + 1) tensors missing or misshapen")
                }
                for r in 0..<dMax {
                    for c in 0..<dMax {
                        weights[l].base[r * columns + c] = wgc[r, c]
                        weights[l].base[(columns + r) * columns + c] = wbi[r, c]
                    }
                }
                for c in 0..<dMax { biasGC[l].base[c] = bgc.storage[c]; biasBI[l].base[c] = bbi.storage[c] }
            }
        }
    }

    public func checkpoint() -> BackboneCheckpoint {
        var tensors: [String: CheckpointTensor] = [:]
        for (k, v) in parameters { tensors[k] = CheckpointTensor(v) }
        var optimizer: [String: AdamState] = [:]
        func state(_ a: AdamState, m: [Float], v: [Float]) -> AdamState {
            var out = AdamState(count: m.count, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon)
            out.m = m
            out.v = v
            out.step = a.step
            return out
        }
        var em = [Float](repeating: 0, count: nodeCount * dMax), ev = em
        for n in 0..<nodeCount {
            for c in 0..<dMax {
                em[n * dMax + c] = adamEmbedding.m[n * stride + c]
                ev[n * dMax + c] = adamEmbedding.v[n * stride + c]
            }
        }
        optimizer["embedding"] = state(adamEmbedding, m: em, v: ev)
        for l in 0..<NGCF.layers {
            let names = NGCF.tensorNames(layer: l), a = adamWeights[l]
            optimizer[names.wgc] = state(a, m: blockArray(a.m, rowOffset: 0), v: blockArray(a.v, rowOffset: 0))
            optimizer[names.wbi] = state(a, m: blockArray(a.m, rowOffset: columns), v: blockArray(a.v, rowOffset: columns))
            optimizer[names.bgc] = state(adamBiasGC[l], m: Array(adamBiasGC[l].m[0..<dMax]), v: Array(adamBiasGC[l].v[0..<dMax]))
            optimizer[names.bbi] = state(adamBiasBI[l], m: Array(adamBiasBI[l].m[0..<dMax]), v: Array(adamBiasBI[l].v[0..<dMax]))
        }
        return BackboneCheckpoint(backbone: name, tensors: tensors, optimizer: optimizer, steps: steps)
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        guard c.backbone == name else { throw BackboneCheckpointError.wrongBackbone(expected: name, found: c.backbone) }
        var expected: [String: (Int, Int)] = ["embedding": (nodeCount, dMax)]
        for l in 0..<NGCF.layers {
            let names = NGCF.tensorNames(layer: l)
            expected[names.wgc] = (dMax, dMax)
            expected[names.wbi] = (dMax, dMax)
            expected[names.bgc] = (1, dMax)
            expected[names.bbi] = (1, dMax)
        }
        for (name, shape) in expected.sorted(by: { $0.key < $1.key }) {
            guard let t = c.tensors[name], let o = c.optimizer[name] else { throw BackboneCheckpointError.missingTensor(name) }
            let count = shape.0 * shape.1
            guard t.rows == shape.0, t.cols == shape.1, t.values.count == count, o.m.count == count, o.v.count == count else {
                throw BackboneCheckpointError.shapeMismatch(name: name, expected: "\(shape.0)×\(shape.1)",
                                                            found: "\(t.rows)×\(t.cols)")
            }
        }
        parameters = c.tensors.mapValues { $0.matrix }
        func padded(_ s: AdamState, rows: Int, into state: inout AdamState, rowOffset: Int, stride: Int) {
            for r in 0..<rows {
                for col in 0..<dMax {
                    state.m[(rowOffset + r) * stride + col] = s.m[r * dMax + col]
                    state.v[(rowOffset + r) * stride + col] = s.v[r * dMax + col]
                }
            }
            state.step = s.step
        }
        let e = c.optimizer["embedding"]!
        var ae = AdamState(count: nodeCount * stride, beta1: e.beta1, beta2: e.beta2, epsilon: e.epsilon)
        padded(e, rows: nodeCount, into: &ae, rowOffset: 0, stride: stride)
        adamEmbedding = ae
        for l in 0..<NGCF.layers {
            let names = NGCF.tensorNames(layer: l)
            let gc = c.optimizer[names.wgc]!, bi = c.optimizer[names.wbi]!
            var aw = AdamState(count: 2 * columns * columns, beta1: gc.beta1, beta2: gc.beta2, epsilon: gc.epsilon)
            padded(gc, rows: dMax, into: &aw, rowOffset: 0, stride: columns)
            padded(bi, rows: dMax, into: &aw, rowOffset: columns, stride: columns)
            adamWeights[l] = aw
            let bg = c.optimizer[names.bgc]!, bb = c.optimizer[names.bbi]!
            var ag = AdamState(count: columns, beta1: bg.beta1, beta2: bg.beta2, epsilon: bg.epsilon)
            padded(bg, rows: 1, into: &ag, rowOffset: 0, stride: columns)
            adamBiasGC[l] = ag
            var ab = AdamState(count: columns, beta1: bb.beta1, beta2: bb.beta2, epsilon: bb.epsilon)
            padded(bb, rows: 1, into: &ab, rowOffset: 0, stride: columns)
            adamBiasBI[l] = ab
        }
        steps = c.steps
    }
}

extension NGCF: Layer0InputBackbone {
    public var layer0TableNames: [String] { ["embedding"] }

    public func layer0Tables() -> [Matrix] { [parameters["embedding"]!] }

    public func lossAndLayer0Gradients(_ batch: BPRBatch, layer0: [Matrix]) -> (loss: Float, gradients: [Matrix]) {
        requireLayer0(layer0)
        setEmbedding(layer0[0])
        let masks = dropoutMasks(step: steps)
        let loss = forwardBackward(batch, node: masks.node, message: masks.message)
        var g = Matrix(rows: nodeCount, cols: dMax)
        g.storage.withUnsafeMutableBufferPointer { out in
            for n in 0..<nodeCount { (out.baseAddress! + n * dMax).update(from: carry.base + n * stride, count: dMax) }
        }
        return (loss, [g])
    }

    public func trainStep(_ batch: BPRBatch, layer0: [Matrix], learningRate: Float) -> (loss: Float, gradients: [Matrix]) {
        let r = lossAndLayer0Gradients(batch, layer0: layer0)
        updateNetwork(learningRate: learningRate)
        steps += 1
        return r
    }

    public func makeScorer(layer0: [Matrix]) -> any BlockScorer {
        requireLayer0(layer0)
        setEmbedding(layer0[0])
        return makeScorer()
    }

    private func setEmbedding(_ e: Matrix) {
        e.storage.withUnsafeBufferPointer { src in
            for n in 0..<nodeCount { (embedding.base + n * stride).update(from: src.baseAddress! + n * dMax, count: dMax) }
        }
    }
}
