import Evaluation
import Linalg
import RecData
import Recommenders

/// OptEmbed's supernet (docs/method.md §3.5) on any backbone, through the layer-0 hook (`Layer0InputBackbone`).
///
/// It owns the raw tables E_t (initialised from the inner backbone's `layer0Tables()`, i.e. θ₀ of the same
/// seed; Adam with torch semantics at the backbone's learning rate) and the row mask's thresholds t_U, t_I
/// (`OptEmbedRowMask`; SGD at `thresholdLR`). A training step on batch b:
///
///     (r_U, r_I) ~ uniform {1..dMax}² (one draw per batch, stream "optembed/dims/<step>")
///     X⁰ = rowmask(E) ⊙ prefix(r_U, r_I);  (L, G) = inner.trainStep(b, X⁰)  (network params updated there)
///     E ← Adam(E, ∂(L + penalty)/∂E);  t ← t − t_lr · ∂(L + penalty)/∂t
///
/// and returns L + α(exp(−t_U) + exp(−t_I)). Evaluation (`makeScorer()`) applies the row mask only;
/// `makeScorer(dims:)` adds the prefix dims (the evolution's fitness).
///
/// Deviation (NeuMF): [OE-C] draws the dimension mask per sample and field; docs/method.md §3.5 asks for one
/// (r_U, r_I) per triple under NeuMF. The layer-0 hook takes one table per branch for the whole batch, so
/// a per-triple mask is not expressible through it; NeuMF therefore also uses one (r_U, r_I) per batch,
/// like LightGCN/NGCF (one sampled field-wise architecture per step).
public final class OptEmbedSupernet: Backbone {
    public let kind: BackboneKind
    public let inner: any Layer0InputBackbone
    public let seed: UInt64
    public let thresholdLR: Float
    /// E_t, per layer-0 table.
    public private(set) var tables: [Matrix]
    var adam: [AdamState]
    public internal(set) var rowMask: OptEmbedRowMask
    /// Training steps taken (also the index of the next dimension draw).
    public private(set) var steps = 0

    public init(kind: BackboneKind, train: UserItemLists, seed: UInt64, thresholdLR: Float, alpha: Float) {
        self.kind = kind
        self.seed = seed
        self.thresholdLR = thresholdLR
        inner = kind.makeLayer0Input(train: train, seed: seed)
        tables = inner.layer0Tables()
        adam = tables.map { AdamState(count: $0.storage.count) }
        rowMask = OptEmbedRowMask(userCount: train.userCount, alpha: alpha)
    }

    public var name: String { inner.name }
    public var sizes: EmbeddingSizes { inner.sizes }
    public var dMax: Int { inner.dMax }
    public var tableNames: [String] { inner.layer0TableNames }

    /// The uniform dimension draw of training step `step`.
    public func dimensions(forStep step: Int) -> OptEmbedCandidate {
        var r = RandomStream(seed: seed, purpose: "optembed/dims/\(step)")
        return OptEmbedCandidate(dUser: 1 + r.below(dMax), dItem: 1 + r.below(dMax))
    }

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        trainStep(batch, learningRate: learningRate, dims: dimensions(forStep: steps))
    }

    /// One step with a given dimension mask (nil: full width).
    @discardableResult
    public func trainStep(_ batch: BPRBatch, learningRate: Float, dims: OptEmbedCandidate?) -> Float {
        let f = rowMask.forward(tables, dims: dims)
        let r = inner.trainStep(batch, layer0: f.layer0, learningRate: learningRate)
        let b = rowMask.backward(r.gradients, tables: tables, forward: f)
        let loss = r.loss + rowMask.penalty
        for t in tables.indices { adam[t].update(&tables[t].storage, grads: b.tables[t].storage, lr: learningRate) }
        rowMask.step(b, learningRate: thresholdLR)
        steps += 1
        return loss
    }

    /// Row mask only (the supernet's monitor).
    public func makeScorer() -> any BlockScorer { inner.makeScorer(layer0: rowMask.forward(tables, dims: nil).layer0) }

    /// Row mask and prefix dims (the evolution's fitness).
    public func makeScorer(dims: OptEmbedCandidate) -> any BlockScorer {
        inner.makeScorer(layer0: rowMask.forward(tables, dims: dims).layer0)
    }

    /// m_n per table.
    public func keptRows() -> [[Bool]] { rowMask.keptRows(tables) }

    /// Kept rows per table: (users, items).
    public func keptCounts() -> [(users: Int, items: Int)] {
        let u = rowMask.userCount
        return keptRows().map { k in (k[..<u].filter { $0 }.count, k[u...].filter { $0 }.count) }
    }

    /// The final mask: M_t[n, c] = m_{t,n} · 1[c < d_{f(n)}].
    public func elementMask(dims: OptEmbedCandidate) -> ElementMask {
        let u = rowMask.userCount, n = tables[0].rows
        var m = ElementMask(tableNames: tableNames, userCount: u, itemCount: n - u, dMax: dMax)
        for (t, kept) in keptRows().enumerated() {
            for r in 0..<n where kept[r] {
                for c in 0..<rowMask.width(row: r, dims: dims, dMax: dMax) { m[t, r, c] = true }
            }
        }
        return m
    }

    static func tensorName(_ table: String) -> String { "optembed/\(table)" }
    static let thresholdsName = "optembed/thresholds"

    /// The inner backbone's state plus E (with Adam) and (t_U, t_I) as a 1 × 2 tensor.
    public func checkpoint() -> BackboneCheckpoint {
        var c = inner.checkpoint()
        for (t, name) in tableNames.enumerated() {
            c.tensors[Self.tensorName(name)] = CheckpointTensor(tables[t])
            c.optimizer[Self.tensorName(name)] = adam[t]
        }
        c.tensors[Self.thresholdsName] = CheckpointTensor(
            Matrix(rows: 1, cols: 2, storage: [rowMask.userThreshold, rowMask.itemThreshold]))
        c.steps = steps
        return c
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        var restored: [Matrix] = [], states: [AdamState] = []
        for (t, name) in tableNames.enumerated() {
            let key = Self.tensorName(name)
            guard let e = c.tensors[key], let s = c.optimizer[key] else { throw BackboneCheckpointError.missingTensor(key) }
            guard e.rows == tables[t].rows, e.cols == tables[t].cols, e.values.count == e.rows * e.cols,
                  s.m.count == e.values.count, s.v.count == e.values.count else {
                throw BackboneCheckpointError.shapeMismatch(name: key, expected: "\(tables[t].rows)×\(tables[t].cols)",
                                                            found: "\(e.rows)×\(e.cols)")
            }
            restored.append(e.matrix)
            states.append(s)
        }
        guard let th = c.tensors[Self.thresholdsName], th.values.count == 2 else {
            throw BackboneCheckpointError.missingTensor(Self.thresholdsName)
        }
        try inner.restore(c)
        tables = restored
        adam = states
        rowMask.userThreshold = th.values[0]
        rowMask.itemThreshold = th.values[1]
        steps = c.steps
    }
}
