import Evaluation
import Foundation
import Linalg
import RecData

/// LightGCN (specs §2.1) with prefix-masked embeddings and a hand-written backward pass.
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
public final class LightGCN: Backbone {
    public let name = "lightgcn"
    public let sizes: EmbeddingSizes
    public let userCount: Int
    public let itemCount: Int
    public let nodeCount: Int
    public let dMax: Int
    /// Padded row stride of every internal N × · buffer.
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

    public init(train: UserItemLists, sizes: EmbeddingSizes, seed: UInt64) {
        precondition(sizes.users.count == train.userCount && sizes.items.count == train.itemCount,
                     "LightGCN: sizes must cover \(train.userCount) users and \(train.itemCount) items")
        self.sizes = sizes
        userCount = train.userCount
        itemCount = train.itemCount
        nodeCount = userCount + itemCount
        dMax = sizes.dMax
        stride = GraphPropagation.paddedStride(dMax)
        widths = sizes.nodeSizes.map { Int32($0) }
        let adjacency = SymmetricNormalizedAdjacency(train: train)
        propagation = GraphPropagation(adjacency: adjacency, width: dMax, layers: 3,
                                       maskWidths: widths.map { Int($0) })
        embedding = AlignedFloatBuffer(count: nodeCount * stride)
        layer0 = AlignedFloatBuffer(count: nodeCount * stride)
        final = AlignedFloatBuffer(count: nodeCount * stride)
        gradFinal = AlignedFloatBuffer(count: nodeCount * stride)
        gradLayer0 = AlignedFloatBuffer(count: nodeCount * stride)
        adam = AdamState(count: nodeCount * stride)
        index = BatchNodeIndex(userCount: userCount, nodeCount: nodeCount, widthIfTouched: stride)
        regScale = [Float](repeating: 0, count: nodeCount)
        var random = RandomStream(seed: seed, purpose: "init")
        for n in 0..<nodeCount {
            for c in 0..<dMax { embedding.base[n * stride + c] = Float(random.normal() * 0.01) }
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
        maskLayer0()
        propagation.apply(input: layer0.base, output: final.base, inputIsMasked: true, outputWidths: nil)
        return (unpadded(final, rows: 0..<userCount), unpadded(final, rows: userCount..<nodeCount))
    }

    public func makeScorer() -> any BlockScorer {
        let f = finalEmbeddings()
        return DotProductScorer(users: f.users, items: f.items)
    }

    // MARK: parameters and checkpoints

    /// E as an N × dMax matrix (users first). Setting it replaces the parameters (not the optimiser state).
    public var parameters: Matrix {
        get { unpadded(embedding, rows: 0..<nodeCount) }
        set {
            precondition(newValue.rows == nodeCount && newValue.cols == dMax)
            repad(newValue.storage, into: embedding.base)
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

    private func unpadded(_ buffer: AlignedFloatBuffer, rows: Range<Int>) -> Matrix {
        var m = Matrix(rows: rows.count, cols: dMax)
        m.storage.withUnsafeMutableBufferPointer { out in
            for (k, n) in rows.enumerated() {
                (out.baseAddress! + k * dMax).update(from: buffer.base + n * stride, count: dMax)
            }
        }
        return m
    }

    private func unpad(_ a: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: nodeCount * dMax)
        for n in 0..<nodeCount {
            for c in 0..<dMax { out[n * dMax + c] = a[n * stride + c] }
        }
        return out
    }

    private func repad(_ a: [Float], into p: UnsafeMutablePointer<Float>) {
        for n in 0..<nodeCount {
            for c in 0..<stride { p[n * stride + c] = c < dMax ? a[n * dMax + c] : 0 }
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
