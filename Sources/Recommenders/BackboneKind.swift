import Linalg
import RecData

/// The backbones of the paper, with their per-backbone constants (docs/method.md §2.4).
public enum BackboneKind: String, Sendable, Codable, CaseIterable {
    case lightgcn
    case ngcf
    case neumf

    /// A fresh model (new random initialisation, new Adam) for one training set and size vector.
    public func make(train: UserItemLists, sizes: EmbeddingSizes, seed: UInt64) -> any Backbone {
        switch self {
        case .lightgcn: return LightGCN(train: train, sizes: sizes, seed: seed)
        case .ngcf: return NGCF(train: train, sizes: sizes, seed: seed)
        case .neumf: return NeuMF(train: train, sizes: sizes, seed: seed)
        }
    }

    /// lr_max → ×0.9 every `every` batches → floor lr_min.
    public var schedule: StepDecaySchedule {
        switch self {
        case .lightgcn: return LightGCN.schedule
        case .ngcf: return NGCF.schedule
        case .neumf: return NeuMF.schedule
        }
    }

    /// Batches per CIESS search iteration (docs/method.md §2.4: ML-1M / Yelp2018).
    public func batchesPerIteration(dataset: String) -> Int {
        switch self {
        case .lightgcn: return dataset == "yelp2018" ? 4000 : 2000
        case .ngcf: return dataset == "yelp2018" ? 5000 : 3000
        case .neumf: return dataset == "yelp2018" ? 3000 : 1500
        }
    }
}
