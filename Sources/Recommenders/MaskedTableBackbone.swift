import Evaluation
import Linalg
import RecData

/// A backbone trained with a fixed element-wise mask on its layer-0 tables — the final training of
/// PEP's and OptEmbed's masks (docs/method.md §3.3, §3.5): X⁰_t = V_t ⊙ M_t, V_t starting from the inner
/// backbone's seeded initialisation θ₀ (so a mask found by a search with the same seed is trained
/// from its own initial weights: lottery-ticket rewinding), ∂L/∂V_t = M_t ⊙ ∂L/∂X⁰_t, and Adam
/// (torch semantics) on V_t at the backbone's learning rate. Masked entries get zero gradient, so
/// their Adam moments stay 0 and they never move; they are zero in X⁰ anyway. Network parameters
/// are the inner backbone's (also θ₀) and are updated by it.
public final class MaskedTableBackbone: Backbone {
    public let inner: any Layer0InputBackbone
    public let mask: ElementMask
    public var name: String { inner.name }
    public var sizes: EmbeddingSizes { inner.sizes }
    var tables: [[Float]]
    var adam: [AdamState]
    /// Per table, 1 or 0 per entry (the mask as Float, for the products).
    let maskValues: [[Float]]

    public init(kind: BackboneKind, train: UserItemLists, mask: ElementMask, seed: UInt64) {
        inner = kind.makeLayer0Input(train: train, seed: seed)
        precondition(mask.tableNames == inner.layer0TableNames,
                     "MaskedTableBackbone: the mask has tables \(mask.tableNames), \(kind.rawValue) needs \(inner.layer0TableNames)")
        precondition(mask.userCount == train.userCount && mask.itemCount == train.itemCount && mask.dMax == inner.dMax,
                     "MaskedTableBackbone: the mask's shape does not match the dataset")
        self.mask = mask
        let n = mask.nodeCount, d = mask.dMax
        maskValues = mask.tableNames.indices.map { t in
            var v = [Float](repeating: 0, count: n * d)
            for r in 0..<n { for c in 0..<d where mask[t, r, c] { v[r * d + c] = 1 } }
            return v
        }
        tables = zip(inner.layer0Tables(), maskValues).map { table, m in zip(table.storage, m).map { $0 * $1 } }
        adam = tables.map { AdamState(count: $0.count) }
    }

    var layer0: [Matrix] { tables.map { Matrix(rows: mask.nodeCount, cols: mask.dMax, storage: $0) } }

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        let r = inner.trainStep(batch, layer0: layer0, learningRate: learningRate)
        for t in tables.indices {
            let g = zip(r.gradients[t].storage, maskValues[t]).map { $0 * $1 }
            adam[t].update(&tables[t], grads: g, lr: learningRate)
        }
        return r.loss
    }

    public func makeScorer() -> any BlockScorer { inner.makeScorer(layer0: layer0) }

    static func tensorName(_ table: String) -> String { "masked/\(table)" }

    public func checkpoint() -> BackboneCheckpoint {
        var c = inner.checkpoint()
        for (t, name) in mask.tableNames.enumerated() {
            c.tensors[Self.tensorName(name)] = CheckpointTensor(layer0[t])
            c.optimizer[Self.tensorName(name)] = adam[t]
        }
        return c
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        var restored: [[Float]] = [], states: [AdamState] = []
        for name in mask.tableNames {
            let key = Self.tensorName(name)
            guard let t = c.tensors[key], let s = c.optimizer[key] else { throw BackboneCheckpointError.missingTensor(key) }
            guard t.rows == mask.nodeCount, t.cols == mask.dMax, t.values.count == tables[0].count, s.m.count == t.values.count else {
                throw BackboneCheckpointError.shapeMismatch(name: key, expected: "\(mask.nodeCount)×\(mask.dMax)", found: "\(t.rows)×\(t.cols)")
            }
            restored.append(t.values)
            states.append(s)
        }
        try inner.restore(c)
        tables = restored
        adam = states
    }
}
