import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// A backbone trained with PEP's learnable soft thresholds on its layer-0 tables (docs/method.md §3.3).
///
/// For every layer-0 table t of the inner backbone (LightGCN/NGCF: "embedding"; NeuMF: "gmf" and
/// "mlp", each with its own thresholds) PEP owns V_t ∈ R^{N×dMax}, initialised to the inner
/// backbone's seeded tables θ₀, and s_t of the same shape, initialised to `thresholdInit` (−15).
/// The backbone sees X⁰_t = Ṽ_t = sign(V_t) ⊙ ReLU(|V_t| − σ(s_t)) (`PEPThreshold`) in
/// propagation, scoring and its L2 term. One step:
///
///     (L, G_t) = inner.trainStep(batch, layer0: Ṽ, lr)      (also updates the network)
///     ∂L/∂V_t, ∂L/∂s_t by `PEPThreshold.backward`
///     V_t ← Adam_V(V_t, ∂L/∂V_t, lr)                          (the backbone's rate)
///     g_s = ∂L/∂s + wd·s;  g_s ← g_s · min(1, c / (‖g_s‖ + 1e−6))   (norm over all s tables)
///     s_t ← Adam_s(s_t, g_s, lr_s)                              (lr_s 1e−3, wd 1e−5, c 100)
///
/// With `useOwnOptimizer` the network and V use the constant rate lr_s instead, and V's gradient
/// gets the same coupled L2 and shares the clip norm with s ([PEP-C]'s single Adam, as far as the
/// backbone's own network optimiser allows).
public final class PEPModel: Backbone {
    public let inner: any Layer0InputBackbone
    public let optimizer: PEPThresholdOptimizer
    public let useOwnOptimizer: Bool
    public var name: String { inner.name }
    public var sizes: EmbeddingSizes { inner.sizes }
    public var tableNames: [String] { inner.layer0TableNames }
    public var userCount: Int { inner.userCount }
    public var nodeCount: Int { inner.userCount + inner.itemCount }
    public var dMax: Int { inner.dMax }

    /// V_t and s_t, row-major N × dMax each.
    public private(set) var values: [[Float]]
    public private(set) var thresholds: [[Float]]
    var valueAdam: [AdamState]
    var thresholdAdam: [AdamState]
    /// Ṽ_t of the current V and s (kept in step with them).
    public private(set) var pruned: [[Float]]

    public init(inner: any Layer0InputBackbone, thresholdInit: Float = -15,
                optimizer: PEPThresholdOptimizer = PEPThresholdOptimizer(), useOwnOptimizer: Bool = false) {
        self.inner = inner
        self.optimizer = optimizer
        self.useOwnOptimizer = useOwnOptimizer
        values = inner.layer0Tables().map(\.storage)
        thresholds = values.map { [Float](repeating: thresholdInit, count: $0.count) }
        valueAdam = values.map { AdamState(count: $0.count) }
        thresholdAdam = values.map { AdamState(count: $0.count) }
        pruned = []
        refreshPruned()
    }

    /// A fresh full-size backbone of `kind` (seeded θ₀) wrapped with the settings of `configuration`.
    public convenience init(configuration c: PEPConfig, train: UserItemLists) {
        self.init(inner: c.backbone.makeLayer0Input(train: train, seed: c.seed), thresholdInit: c.thresholdInit,
                  optimizer: c.thresholdOptimizer, useOwnOptimizer: c.useOwnOptimizer)
    }

    func refreshPruned() {
        pruned = zip(values, thresholds).map { PEPThreshold.forward(values: $0, thresholds: $1) }
    }

    /// Replaces V and s (same shapes; optimiser states untouched) — for tests and experiments.
    func setParameters(values v: [[Float]], thresholds s: [[Float]]) {
        precondition(v.map(\.count) == values.map(\.count) && s.map(\.count) == thresholds.map(\.count))
        values = v
        thresholds = s
        refreshPruned()
    }

    /// Ṽ as the N × dMax matrices the backbone takes.
    public var prunedTables: [Matrix] { pruned.map { Matrix(rows: nodeCount, cols: dMax, storage: $0) } }

    /// #{Ṽ_t ≠ 0} per table.
    public var nonzeroCounts: [Int] { pruned.map { t in t.reduce(0) { $1 != 0 ? $0 + 1 : $0 } } }

    /// Mean of s over all entries of all tables.
    public var thresholdMean: Double {
        thresholds.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + Double($1) } } / Double(thresholds.count * nodeCount * dMax)
    }

    /// M = 1[Ṽ ≠ 0] over all tables.
    public func currentMask() -> ElementMask {
        ElementMask.nonzeros(of: prunedTables, tableNames: tableNames, userCount: userCount)
    }

    // MARK: training

    /// The rate V and the network train at when the backbone schedule offers `scheduled`:
    /// the thresholds' constant rate under `useOwnOptimizer`, the schedule's otherwise.
    public func valueLearningRate(scheduled: Float) -> Float {
        useOwnOptimizer ? optimizer.learningRate : scheduled
    }

    public func trainStep(_ batch: BPRBatch, learningRate: Float) -> Float {
        let lr = valueLearningRate(scheduled: learningRate)
        let r = inner.trainStep(batch, layer0: prunedTables, learningRate: lr)
        let (gv, gs) = gradients(upstream: r.gradients)
        for t in values.indices {
            valueAdam[t].update(&values[t], grads: gv[t], lr: lr)
            thresholdAdam[t].update(&thresholds[t], grads: gs[t], lr: optimizer.learningRate)
        }
        refreshPruned()
        return r.loss
    }

    /// The optimiser's gradients of V and s (after the coupled L2 and the clip) from ∂L/∂Ṽ.
    func gradients(upstream: [Matrix]) -> (values: [[Float]], thresholds: [[Float]]) {
        var gv: [[Float]] = [], gs: [[Float]] = []
        for t in values.indices {
            let g = PEPThreshold.backward(values: values[t], thresholds: thresholds[t], upstream: upstream[t].storage)
            gv.append(g.values)
            gs.append(g.thresholds)
        }
        let wd = optimizer.weightDecay
        for t in values.indices {
            Self.addScaled(&gs[t], thresholds[t], wd)
            if useOwnOptimizer { Self.addScaled(&gv[t], values[t], wd) }
        }
        var norm2 = gs.reduce(0.0) { $0 + Self.squaredNorm($1) }
        if useOwnOptimizer { norm2 += gv.reduce(0.0) { $0 + Self.squaredNorm($1) } }
        let coefficient = Double(optimizer.clipNorm) / (norm2.squareRoot() + 1e-6)
        if coefficient < 1 {
            for t in gs.indices { Self.scale(&gs[t], Float(coefficient)) }
            if useOwnOptimizer { for t in gv.indices { Self.scale(&gv[t], Float(coefficient)) } }
        }
        return (gv, gs)
    }

    static func addScaled(_ g: inout [Float], _ x: [Float], _ a: Float) {
        guard a != 0 else { return }
        for i in g.indices { g[i] += a * x[i] }
    }

    static func scale(_ g: inout [Float], _ a: Float) {
        for i in g.indices { g[i] *= a }
    }

    static func squaredNorm(_ g: [Float]) -> Double { g.reduce(0.0) { $0 + Double($1) * Double($1) } }

    // MARK: scoring and checkpoints

    public func makeScorer() -> any BlockScorer { inner.makeScorer(layer0: prunedTables) }

    static func valueKey(_ table: String) -> String { "pep/values/\(table)" }
    static func thresholdKey(_ table: String) -> String { "pep/thresholds/\(table)" }

    /// The inner backbone's checkpoint plus V_t and s_t (tensors and Adam states) under
    /// `pep/values/<table>` and `pep/thresholds/<table>`.
    public func checkpoint() -> BackboneCheckpoint {
        var c = inner.checkpoint()
        for (t, name) in tableNames.enumerated() {
            c.tensors[Self.valueKey(name)] = CheckpointTensor(Matrix(rows: nodeCount, cols: dMax, storage: values[t]))
            c.optimizer[Self.valueKey(name)] = valueAdam[t]
            c.tensors[Self.thresholdKey(name)] = CheckpointTensor(Matrix(rows: nodeCount, cols: dMax, storage: thresholds[t]))
            c.optimizer[Self.thresholdKey(name)] = thresholdAdam[t]
        }
        return c
    }

    public func restore(_ c: BackboneCheckpoint) throws {
        func load(_ key: String) throws -> ([Float], AdamState) {
            guard let x = c.tensors[key], let s = c.optimizer[key] else { throw BackboneCheckpointError.missingTensor(key) }
            let n = nodeCount * dMax
            guard x.rows == nodeCount, x.cols == dMax, x.values.count == n, s.m.count == n, s.v.count == n else {
                throw BackboneCheckpointError.shapeMismatch(name: key, expected: "\(nodeCount)×\(dMax)", found: "\(x.rows)×\(x.cols)")
            }
            return (x.values, s)
        }
        let v = try tableNames.map { try load(Self.valueKey($0)) }
        let s = try tableNames.map { try load(Self.thresholdKey($0)) }
        var rest = c
        for name in tableNames {
            for key in [Self.valueKey(name), Self.thresholdKey(name)] {
                rest.tensors[key] = nil
                rest.optimizer[key] = nil
            }
        }
        try inner.restore(rest)
        values = v.map(\.0)
        valueAdam = v.map(\.1)
        thresholds = s.map(\.0)
        thresholdAdam = s.map(\.1)
        refreshPruned()
    }
}
