import Recommenders

/// Settings of one OptEmbed search run (docs/method.md §3.5; [OE-C] README values as defaults).
///
/// Supernet: CONVERGE-like on VAL AVG with `supernet` (default chunk 3000, patience 1 — [OE-C] stops at the
/// first non-improving epoch — cap 30), restoring the best chunk. The embeddings and the network follow the
/// backbone's Adam and schedule (`backbone.schedule`); the thresholds t_U, t_I (init 0) follow SGD at
/// `thresholdLR` (default 1e−4) and the loss carries α(exp(−t_U) + exp(−t_I)) with α = `alpha` (1e−5).
///
/// Evolution: `evolution` (population 20, keep 15, 10 mutants, 10 crossovers, 30 generations, p_m 0.1).
/// Every count can be reduced for a quick run; the defaults are the full run.
public struct OptEmbedConfig: Sendable, Codable, Equatable {
    public var dataset: String
    public var backbone: BackboneKind
    public var seed: UInt64
    /// BPR triples per batch (docs/method.md §2.0: 10 000).
    public var batchSize: Int
    /// Threshold SGD learning rate t_lr (default 1e−4; [OE-C] grid {1e−2, 1e−3, 1e−4}).
    public var thresholdLR: Float
    /// Weight α of the threshold penalty α·Σ_f exp(−t_f) (default 1e−5).
    public var alpha: Float
    /// Supernet length: chunk batches / patience / max chunks (default 3000 / 1 / 30).
    public var supernet: ConvergeConfig
    /// The evolutionary search's counts and probabilities.
    public var evolution: OptEmbedEvolutionConfig

    public init(dataset: String, backbone: BackboneKind, seed: UInt64 = 1, batchSize: Int = 10_000,
                thresholdLR: Float = 1e-4, alpha: Float = 1e-5,
                supernet: ConvergeConfig = ConvergeConfig(chunkBatches: 3000, patience: 1, maxChunks: 30),
                evolution: OptEmbedEvolutionConfig = OptEmbedEvolutionConfig()) {
        precondition(batchSize >= 1 && thresholdLR >= 0 && alpha >= 0)
        self.dataset = dataset
        self.backbone = backbone
        self.seed = seed
        self.batchSize = batchSize
        self.thresholdLR = thresholdLR
        self.alpha = alpha
        self.supernet = supernet
        self.evolution = evolution
    }
}

/// The evolutionary search over (d_U, d_I) ∈ {1..dMax}² (docs/method.md §3.5, [OE-C] README n_m = 10, n_c = 10,
/// T = 30, p_m = 0.1, k = 15).
///
/// Initial population: `initialPopulation` uniform candidates. Generation: evaluate and sort by fitness
/// (descending); next population = top `keep` + `mutants` mutants (mutant k copies the (k mod
/// `mutationParents`)-th best and redraws each gene with probability `mutationProbability`, uniform on
/// {1..dMax}) + `crossovers` children (two distinct parents among the top `crossoverParents`, d_U from one,
/// d_I from the other). `generations` generations; the result is the best candidate ever evaluated.
public struct OptEmbedEvolutionConfig: Sendable, Codable, Equatable {
    public var initialPopulation: Int
    public var keep: Int
    public var mutants: Int
    public var mutationParents: Int
    public var mutationProbability: Double
    public var crossovers: Int
    public var crossoverParents: Int
    public var generations: Int

    public init(initialPopulation: Int = 20, keep: Int = 15, mutants: Int = 10, mutationParents: Int = 10,
                mutationProbability: Double = 0.1, crossovers: Int = 10, crossoverParents: Int = 11,
                generations: Int = 30) {
        precondition(initialPopulation >= 1 && keep >= 0 && mutants >= 0 && crossovers >= 0 && generations >= 1)
        precondition(mutationParents >= 1 && crossoverParents >= 2)
        precondition(mutationProbability >= 0 && mutationProbability <= 1)
        precondition(keep + mutants + crossovers >= 1, "OptEmbed evolution: an empty next population")
        self.initialPopulation = initialPopulation
        self.keep = keep
        self.mutants = mutants
        self.mutationParents = mutationParents
        self.mutationProbability = mutationProbability
        self.crossovers = crossovers
        self.crossoverParents = crossoverParents
        self.generations = generations
    }
}
