import Recommenders

/// Settings of one ESAPN search (docs/method.md §3.4; defaults as specified).
///
/// - `candidateSizes` S = (2, 4, 8, 16, 64, 128): the sizes of the levels 0…5; every entity starts at
///   level 0 and may only grow one level per batch (action "enlarge"), never beyond the last level.
/// - Policy (Policy_Type 1 of [ES-C]): [BN(Emb_pop(f_n)) ; onehot(level, |S|)] → Linear(popDim+|S| →
///   `policyHidden`) → BN → tanh → Linear(→2); Adam at `policyLearningRate` (1e−4), BatchNorm always in
///   training mode (batch statistics, ε = 1e−5).
/// - Reward baseline: mean of the entity's last `historyLength` (T_b = 5) accuracy values A = −ℓ.
/// - Length: CONVERGE(train = TRAIN, monitor = VAL AVG of the ESAPN model) with `converge`
///   (3000 / 2 / 30 by default; a quick profile shortens it).
/// - `logEvery`: a level-distribution record is appended to `history.jsonl` every `logEvery` batches
///   (and after every chunk).
public struct ESAPNConfig: Sendable, Codable, Equatable {
    public var dataset: String
    public var backbone: BackboneKind
    public var seed: UInt64
    public var batchSize: Int
    public var converge: ConvergeConfig
    public var candidateSizes: [Int]
    public var popularityDim: Int
    public var policyHidden: Int
    public var policyLearningRate: Float
    public var historyLength: Int
    public var logEvery: Int

    public init(dataset: String, backbone: BackboneKind, seed: UInt64 = 1, batchSize: Int = 10_000,
                converge: ConvergeConfig = ConvergeConfig(), candidateSizes: [Int] = [2, 4, 8, 16, 64, 128],
                popularityDim: Int = 32, policyHidden: Int = 512, policyLearningRate: Float = 1e-4,
                historyLength: Int = 5, logEvery: Int = 100) {
        precondition(candidateSizes.count >= 2 && candidateSizes.last == 128
                     && zip(candidateSizes, candidateSizes.dropFirst()).allSatisfy { $0 < $1 } && candidateSizes[0] >= 1,
                     "ESAPN: candidate sizes must increase and end at 128")
        precondition(batchSize >= 1 && popularityDim >= 1 && policyHidden >= 1 && historyLength >= 1 && logEvery >= 1)
        self.dataset = dataset
        self.backbone = backbone
        self.seed = seed
        self.batchSize = batchSize
        self.converge = converge
        self.candidateSizes = candidateSizes
        self.popularityDim = popularityDim
        self.policyHidden = policyHidden
        self.policyLearningRate = policyLearningRate
        self.historyLength = historyLength
        self.logEvery = logEvery
    }

    /// Number of levels |S| (6).
    public var levelCount: Int { candidateSizes.count }
    /// The top level, at which "enlarge" is forbidden.
    public var topLevel: Int { candidateSizes.count - 1 }
}
