import Evaluation
import Foundation
import Linalg
import RecData

/// LightGCN (docs/method.md §2.1) with prefix-masked embeddings and a hand-written backward pass.
///
/// * Parameters: E ∈ R^{N×dMax}, users first (item i is node U + i), E ~ N(0, 0.01²) from
///   `RandomStream(seed:, purpose: "init")`. Stored with a padded row stride (multiple of 32).
/// * Layer 0: X0 = E ⊙ M, M[n, c] = 1 iff c < d_n (`sizes`).
/// * Forward: F = (X0 + ÂX0 + Â²X0 + Â³X0)/4 (`GraphPropagation`), Â = D^{-1/2} A D^{-1/2}.
/// * Loss on a batch of B triples: mean_b softplus(⟨F_u,F_j⟩ − ⟨F_u,F_i⟩)
///   + 1e−4 · Σ_b (‖X0_u‖² + ‖X0_i‖² + ‖X0_j‖²) / B  (no ½).
/// * Backward: G = ∂L/∂F (`BPRObjective`), ∂L/∂X0 = (G + ÂG + Â²G + Â³G)/4 + 2e−4·cnt_n/B · X0,
///   ∂L/∂E = M ⊙ ∂L/∂X0 — masked entries get exactly zero gradient, are never updated and keep
///   their initial values.
/// * Adam (β 0.9/0.999, ε 1e−8) on E; the caller supplies the learning rate
///   (`LightGCN.schedule`: 0.03 → ×0.9 every 200 batches, floor 1e−3).
///
/// A training step only computes the rows of F a batch reads (the last forward layer skips the
/// others), skips the zero rows of G in the first backward layer when the batch is small, and
/// computes only the unmasked columns of the gradient; `finalEmbeddings()` computes all of F.
/// Nothing is allocated per step once the batch size is stable. Results are bit-identical for
/// the same seed whatever the thread count.
///
/// Width-aware: every column c ≥ w = max_n d_n of X0, F, G and the gradient is exactly zero, so all
/// internal buffers, the propagation and the scorer work at the effective width w (`computeWidth`,
/// rounded up to the 32-column tiles) instead of dMax. Skipped terms are exact zeros added at the end of
/// each column's or lane's sum, so the results are bit-identical to full width (tests check this). The
/// never-used columns w..<dMax of E keep their initial values in `frozenColumns`, so parameters and
/// checkpoints stay N × dMax and identical too.
public final class LightGCN: Backbone {
    public let name = "lightgcn"
    public let sizes: EmbeddingSizes
    public let userCount: Int
    public let itemCount: Int
    public let nodeCount: Int
    public let dMax: Int
    /// The columns computed: max_n d_n (at most dMax), or dMax when forced (tests of the full-width path).
    public let computeWidth: Int
    /// Padded row stride of every internal N × · buffer (`GraphPropagation.paddedStride(computeWidth)`).
    public let stride: Int
    public static let regularization: Double = 1e-4
    public static let schedule = StepDecaySchedule(lrMax: 0.03, lrMin: 1e-3, every: 200)
    public private(set) var steps = 0

    let propagation: GraphPropagation
    let widths: [Int32]
    let embedding: AlignedFloatBuffer
    let layer0: AlignedFloatBuffer
    let final: AlignedFloatBuffer
    let gradFinal: AlignedFloatBuffer
    let gradLayer0: AlignedFloatBuffer
    var adam: AdamState
    let index: BatchNodeIndex
    var coefficients: [Float] = []
    var dirtyRows: [Bool] = []
    var regScale: [Float]
    /// E's columns computeWidth..<dMax (N × (dMax − computeWidth)): masked for every node, so never
    /// read or updated; kept only so that `parameters` and checkpoints hold the whole table.
    var frozenColumns: [Float]

    /// - Parameter fullWidth: compute all dMax columns (the reference path of the width-aware tests).
    public init(train: UserItemLists, sizes: EmbeddingSizes, seed: UInt64, fullWidth: Bool = false) {
        precondition(sizes.users.count == train.userCount && sizes.items.count == train.itemCount,
                     "LightGCN: sizes must cover \(train.userCount) users and \(train.itemCount) items")
        self.sizes = sizes
        userCount = train.userCount
        itemCount = train.itemCount
        nodeCount = userCount + itemCount
        dMax = sizes.dMax
        widths = sizes.nodeSizes.map { Int32($0) }
        computeWidth = fullWidth ? dMax : Int(widths.max() ?? 1)
        stride = GraphPropagation.paddedStride(computeWidth)
        let adjacency = SymmetricNormalizedAdjacency(train: train)
        propagation = GraphPropagation(adjacency: adjacency, width: computeWidth, layers: 3,
                                       maskWidths: widths.map { Int($0) })
        embedding = AlignedFloatBuffer(count: nodeCount * stride)
        layer0 = AlignedFloatBuffer(count: nodeCount * stride)
        final = AlignedFloatBuffer(count: nodeCount * stride)
        gradFinal = AlignedFloatBuffer(count: nodeCount * stride)
        gradLayer0 = AlignedFloatBuffer(count: nodeCount * stride)
        adam = AdamState(count: nodeCount * stride)
        index = BatchNodeIndex(userCount: userCount, nodeCount: nodeCount, widthIfTouched: stride)
        regScale = [Float](repeating: 0, count: nodeCount)
        let frozen = dMax - computeWidth
        frozenColumns = [Float](repeating: 0, count: nodeCount * frozen)
        var random = RandomStream(seed: seed, purpose: "init")
        for n in 0..<nodeCount {
            for c in 0..<dMax {
                let value = Float(random.normal() * 0.01)
                if c < computeWidth { embedding.base[n * stride + c] = value } else { frozenColumns[n * frozen + c - computeWidth] = value }
            }
        }
    }

    // MARK: training

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        let loss = forwardBackward(batch)
        widths.withUnsafeBufferPointer { w in
            regScale.withUnsafeBufferPointer { rs in
                adam.updateRowPrefixes(params: embedding.base, grads: gradLayer0.base, rows: nodeCount, stride: stride,
                                       widths: w.baseAddress!, rowScale: rs.baseAddress!, addend: layer0.base,
                                       lr: learningRate)
            }
        }
        steps += 1
        return loss
    }

    /// Loss of `batch` at the current parameters and ∂L/∂E (N × dMax, zero at masked entries).
    /// Used by the gradient tests; training uses the fused path of `trainStep`.
    public func lossAndGradient(_ batch: BPRBatch) -> (loss: Float, gradient: Matrix) {
        let loss = forwardBackward(batch)
        var g = Matrix(rows: nodeCount, cols: dMax)
        for n in 0..<nodeCount {
            for c in 0..<Int(widths[n]) {
                let at = n * stride + c
                g[n, c] = gradLayer0.base[at] + regScale[n] * layer0.base[at]
            }
        }
        return (loss, g)
    }

    /// Everything up to the gradient: X0, the needed rows of F, the loss, G, and P·G in
    /// `gradLayer0` (unmasked columns only) with the L2 row scales in `regScale`.
    /// The full gradient is `gradLayer0 + regScale ⊙ layer0` on unmasked columns.
    private func forwardBackward(_ batch: BPRBatch) -> Float {
        index.rebuild(for: batch)
        maskLayer0()
        index.touchedWidths.withUnsafeBufferPointer { tw in
            propagation.apply(input: layer0.base, output: final.base, inputIsMasked: true,
                              outputWidths: tw.baseAddress!)
        }
        let bpr = BPRObjective.lossAndGradient(final: final.base, stride: stride, batch: batch, index: index,
                                               coefficients: &coefficients, gradient: gradFinal.base,
                                               clear: &dirtyRows)
        let reg = regularizer(batchSize: batch.count)
        widths.withUnsafeBufferPointer { w in
            index.touchedWidths.withUnsafeBufferPointer { tw in
                propagation.apply(input: gradFinal.base, output: gradLayer0.base, inputIsMasked: false,
                                  outputWidths: w.baseAddress!, nonzeroInputRows: tw.baseAddress!)
            }
        }
        return Float(bpr + reg)
    }

    /// X0 = E ⊙ M (padding and masked columns zero).
    private func maskLayer0() {
        let e = embedding.pointer, x = layer0.pointer, stride = self.stride
        widths.withUnsafeBufferPointer { wb in
            let w = SendablePointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
            Parallel.forEachChunk(count: nodeCount, grain: 512) { _, rows in
                for n in rows {
                    let d = Int(w[n]), at = n * stride
                    (x.base + at).update(from: e.base + at, count: d)
                    (x.base + at + d).update(repeating: 0, count: stride - d)
                }
            }
        }
    }

    /// 1e−4 · Σ_n cnt_n ‖X0_n‖² / B, and the gradient row scales 2e−4 · cnt_n / B.
    private func regularizer(batchSize: Int) -> Double {
        let lambda = LightGCN.regularization, B = Double(batchSize)
        let x = layer0.pointer, stride = self.stride
        let total: Double = regScale.withUnsafeMutableBufferPointer { rb in
            let rs = rb.sendable
            return index.offsets.withUnsafeBufferPointer { ob in
                let off = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!))
                return Parallel.sum(count: nodeCount, grain: 512) { nodes in
                    var s = 0.0
                    for n in nodes {
                        let cnt = Int(off[n + 1] - off[n])
                        rs[n] = Float(2 * lambda * Double(cnt) / B)
                        if cnt == 0 { continue }
                        var q = SIMD16<Float>()
                        for c in Swift.stride(from: 0, to: stride, by: 16) {
                            let v = UnsafeRawPointer(x.base + n * stride + c).loadUnaligned(as: SIMD16<Float>.self)
                            q.addProduct(v, v)
                        }
                        s += Double(cnt) * Double(q.sum())
                    }
                    return s
                }
            }
        }
        return lambda * total / B
    }

    // MARK: scoring

    /// The final representations F = P·X0, split into users (U × dMax) and items (I × dMax).
    public func finalEmbeddings() -> (users: Matrix, items: Matrix) {
        let f = computedFinalEmbeddings()
        return (f.users.widened(to: dMax), f.items.widened(to: dMax))
    }

    /// F at the computed width (its columns computeWidth..<dMax are exactly zero).
    func computedFinalEmbeddings() -> (users: Matrix, items: Matrix) {
        maskLayer0()
        propagation.apply(input: layer0.base, output: final.base, inputIsMasked: true, outputWidths: nil)
        return (unpadded(final, rows: 0..<userCount, cols: computeWidth),
                unpadded(final, rows: userCount..<nodeCount, cols: computeWidth))
    }

    /// Scores ⟨F_u, F_i⟩ over the computed width only: the dropped terms are 0 · 0. The sgemm's inner
    /// dimension is `scorerWidth` (a multiple of 32): OpenBLAS's kernels handle a remainder of k modulo
    /// their unrolling differently, so only a width that is a multiple of it sums in the same order as dMax.
    public func makeScorer() -> any BlockScorer {
        let f = computedFinalEmbeddings()
        let k = Self.scorerWidth(computeWidth, dMax: dMax)
        return DotProductScorer(users: f.users.widened(to: k), items: f.items.widened(to: k))
    }

    /// The sgemm inner dimension for a computed width: rounded up to the 32-column tiles, at most dMax.
    static func scorerWidth(_ width: Int, dMax: Int) -> Int { min(dMax, GraphPropagation.paddedColumns(width)) }

    // MARK: parameters and checkpoints

    /// E as an N × dMax matrix (users first). Setting it replaces the parameters (not the optimiser state).
    public var parameters: Matrix {
        get {
            var m = unpadded(embedding, rows: 0..<nodeCount, cols: computeWidth).widened(to: dMax)
            let frozen = dMax - computeWidth
            for n in 0..<nodeCount where frozen > 0 {
                for c in 0..<frozen { m.storage[n * dMax + computeWidth + c] = frozenColumns[n * frozen + c] }
            }
            return m
        }
        set {
            precondition(newValue.rows == nodeCount && newValue.cols == dMax)
            repad(newValue.storage, into: embedding.base)
            let frozen = dMax - computeWidth
            for n in 0..<nodeCount where frozen > 0 {
                for c in 0..<frozen { frozenColumns[n * frozen + c] = newValue.storage[n * dMax + computeWidth + c] }
            }
        }
    }

    public func checkpoint() -> BackboneCheckpoint {
        var state = AdamState(count: nodeCount * dMax, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon)
        state.m = unpad(adam.m)
        state.v = unpad(adam.v)
        state.step = adam.step
        return BackboneCheckpoint(backbone: name, tensors: ["embedding": CheckpointTensor(parameters)],
                                  optimizer: ["embedding": state], steps: steps)
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        guard c.backbone == name else { throw BackboneCheckpointError.wrongBackbone(expected: name, found: c.backbone) }
        guard let e = c.tensors["embedding"] else { throw BackboneCheckpointError.missingTensor("embedding") }
        guard let s = c.optimizer["embedding"] else { throw BackboneCheckpointError.missingTensor("embedding") }
        guard e.rows == nodeCount, e.cols == dMax, e.values.count == nodeCount * dMax,
              s.m.count == nodeCount * dMax, s.v.count == nodeCount * dMax else {
            throw BackboneCheckpointError.shapeMismatch(name: "embedding", expected: "\(nodeCount)×\(dMax)",
                                                        found: "\(e.rows)×\(e.cols)")
        }
        parameters = e.matrix
        var state = AdamState(count: nodeCount * stride, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon)
        state.m.withUnsafeMutableBufferPointer { repad(s.m, into: $0.baseAddress!) }
        state.v.withUnsafeMutableBufferPointer { repad(s.v, into: $0.baseAddress!) }
        state.step = s.step
        adam = state
        steps = c.steps
    }

    private func unpadded(_ buffer: AlignedFloatBuffer, rows: Range<Int>, cols: Int) -> Matrix {
        var m = Matrix(rows: rows.count, cols: cols)
        m.storage.withUnsafeMutableBufferPointer { out in
            for (k, n) in rows.enumerated() {
                (out.baseAddress! + k * cols).update(from: buffer.base + n * stride, count: cols)
            }
        }
        return m
    }

    /// An N × stride optimiser array as N × dMax (columns past the computed width are zero: never updated).
    private func unpad(_ a: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: nodeCount * dMax)
        for n in 0..<nodeCount {
            for c in 0..<computeWidth { out[n * dMax + c] = a[n * stride + c] }
        }
        return out
    }

    /// N × dMax into N × stride: the computed columns, zero padding after them.
    private func repad(_ a: [Float], into p: UnsafeMutablePointer<Float>) {
        for n in 0..<nodeCount {
            for c in 0..<stride { p[n * stride + c] = c < computeWidth ? a[n * dMax + c] : 0 }
        }
    }
}

extension LightGCN: Layer0InputBackbone {
    public var layer0TableNames: [String] { ["embedding"] }

    public func layer0Tables() -> [Matrix] { [parameters] }

    public func lossAndLayer0Gradients(_ batch: BPRBatch, layer0: [Matrix]) -> (loss: Float, gradients: [Matrix]) {
        requireLayer0(layer0)
        parameters = layer0[0]
        let r = lossAndGradient(batch)
        return (r.loss, [r.gradient])
    }

    /// LightGCN has no network parameters: a step is the loss and the gradient.
    public func trainStep(_ batch: BPRBatch, layer0: [Matrix], learningRate: Float) -> (loss: Float, gradients: [Matrix]) {
        let r = lossAndLayer0Gradients(batch, layer0: layer0)
        steps += 1
        return r
    }

    public func makeScorer(layer0: [Matrix]) -> any BlockScorer {
        requireLayer0(layer0)
        parameters = layer0[0]
        return makeScorer()
    }
}
