import Recommenders

/// Settings of one CIESS search (docs/method.md §1.13; recommended values as defaults).
public struct CIESSConfig: Sendable, Codable, Equatable {
    public enum Noise: String, Sendable, Codable, CaseIterable {
        case gaussian, ou, uniform

        /// The noise process this option selects.
        public var kind: ExplorationNoise.Kind {
            switch self {
            case .gaussian: return .gaussian
            case .ou: return .ornsteinUhlenbeck
            case .uniform: return .uniform
            }
        }
    }

    public var dataset: String
    public var backbone: BackboneKind
    /// Weight of the memory term r = min(q, 1) − λ(a/128)²; defaults ML-1M 0.4, Yelp2018 0.2.
    public var lambda: Double
    public var noise: Noise
    public var randomWalk: Bool
    /// Episodes M and iterations per episode T (30 × 10).
    public var episodes: Int
    public var iterations: Int
    /// Training batches per environment step (docs/method.md §2.4: LightGCN 2000 / 4000).
    public var batchesPerIteration: Int
    public var batchSize: Int
    public var seed: UInt64
    /// CONVERGE settings of the full-size pretraining that sets the peaks.
    public var pretrain: ConvergeConfig
    /// Networks and update settings of both agents (docs/method.md §1.5, §1.9; defaults as specified).
    public var td3: TD3Configuration

    public init(dataset: String, backbone: BackboneKind, lambda: Double? = nil, noise: Noise = .gaussian,
                randomWalk: Bool = true, episodes: Int = 30, iterations: Int = 10,
                batchesPerIteration: Int? = nil, batchSize: Int = 10_000, seed: UInt64 = 1,
                pretrain: ConvergeConfig = ConvergeConfig(), td3: TD3Configuration = TD3Configuration()) {
        self.dataset = dataset
        self.backbone = backbone
        self.lambda = lambda ?? (dataset == "yelp2018" ? 0.2 : 0.4)
        self.noise = noise
        self.randomWalk = randomWalk
        self.episodes = episodes
        self.iterations = iterations
        self.batchesPerIteration = batchesPerIteration ?? backbone.batchesPerIteration(dataset: dataset)
        self.batchSize = batchSize
        self.seed = seed
        self.pretrain = pretrain
        self.td3 = td3
    }
}
