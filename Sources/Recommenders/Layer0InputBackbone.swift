import Evaluation
import Linalg
import RecData

/// A backbone whose layer-0 embedding tables X⁰ are supplied by the caller on every step — the
/// hook through which PEP, ESAPN, OptEmbed and element-wise masks reuse the backbones unchanged
/// (docs/method.md §3.0: same network, sampler, loss and schedule for every method).
///
/// Contract, for tables X⁰_t ∈ R^{N×dMax} (t over `layer0TableNames`, users first, item i is row
/// U + i): the loss L(X⁰) is exactly the backbone's training loss with its masked embedding
/// replaced by X⁰ — BPR plus the backbone's L2 term, which is computed on X⁰ (LightGCN, NeuMF) or
/// on the final representations (NGCF). The backbone must be built with full sizes, so no prefix
/// mask is applied on top of X⁰. The caller owns the parameters behind X⁰ and their optimiser;
/// the backbone updates only its *network* parameters (NGCF's W and b, NeuMF's tower and
/// predictor; LightGCN has none).
public protocol Layer0InputBackbone: Backbone {
    var userCount: Int { get }
    var itemCount: Int { get }
    var dMax: Int { get }
    /// ["embedding"] for LightGCN and NGCF, ["gmf", "mlp"] for NeuMF.
    var layer0TableNames: [String] { get }
    /// The backbone's own raw tables (N × dMax each): its seeded initialisation right after init.
    func layer0Tables() -> [Matrix]
    /// L(X⁰) of `batch` and ∂L/∂X⁰_t (N × dMax, zero on rows the loss does not read), with no
    /// update. NGCF uses the dropout masks of its current step.
    func lossAndLayer0Gradients(_ batch: BPRBatch, layer0: [Matrix]) -> (loss: Float, gradients: [Matrix])
    /// `lossAndLayer0Gradients`, then Adam at `learningRate` on the network parameters; advances the step.
    func trainStep(_ batch: BPRBatch, layer0: [Matrix], learningRate: Float) -> (loss: Float, gradients: [Matrix])
    /// Snapshot scorer of the network with layer-0 tables `layer0` (no dropout).
    func makeScorer(layer0: [Matrix]) -> any BlockScorer
}

extension Layer0InputBackbone {
    var nodeCountForLayer0: Int { userCount + itemCount }

    func requireLayer0(_ layer0: [Matrix]) {
        precondition(layer0.count == layer0TableNames.count,
                     "\(name): expected \(layer0TableNames.count) layer-0 table(s), got \(layer0.count)")
        for t in layer0 {
            precondition(t.rows == nodeCountForLayer0 && t.cols == dMax,
                         "\(name): a layer-0 table must be \(nodeCountForLayer0)×\(dMax), got \(t.rows)×\(t.cols)")
        }
        precondition(sizes.users.allSatisfy { Int($0) == dMax } && sizes.items.allSatisfy { Int($0) == dMax },
                     "\(name): a layer-0 input backbone must be built with full sizes")
    }
}

extension BackboneKind {
    /// A fresh full-size backbone for the layer-0 hook; its `layer0Tables()` are the same seeded
    /// initialisation as `make(train:sizes:seed:)` draws, so rewinding to it is rewinding to θ₀.
    public func makeLayer0Input(train: UserItemLists, seed: UInt64) -> any Layer0InputBackbone {
        let sizes = EmbeddingSizes.full(userCount: train.userCount, itemCount: train.itemCount)
        switch self {
        case .lightgcn: return LightGCN(train: train, sizes: sizes, seed: seed)
        case .ngcf: return NGCF(train: train, sizes: sizes, seed: seed)
        case .neumf: return NeuMF(train: train, sizes: sizes, seed: seed)
        }
    }
}
