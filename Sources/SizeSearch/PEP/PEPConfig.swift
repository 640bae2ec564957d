import Recommenders

/// Settings of one PEP search run (docs/method.md §3.3; [PEP-C]'s values as defaults).
///
/// Length: at most `maxChunks × chunkBatches` batches (default 30 × 3000, the CONVERGE cap of
/// docs/method.md §1.3); the run stops earlier as soon as every target's mask is captured. By default V and
/// the network train with the thresholds' Adam (`useOwnOptimizer`); otherwise the backbone's own
/// LR schedule drives them. The thresholds s always have their own Adam at `thresholdLR` with coupled L2 `thresholdWeightDecay` (g ← g + wd·s, torch
/// `weight_decay`) and a global gradient-norm clip `thresholdClipNorm` over all s tables.
public struct PEPConfig: Sendable, Codable, Equatable {
    public var dataset: String
    public var backbone: BackboneKind
    public var seed: UInt64
    /// BPR triples per batch (docs/method.md §2.0: 10 000).
    public var batchSize: Int
    /// Batches per chunk; a checkpoint is written after every chunk (default 3000).
    public var chunkBatches: Int
    /// Cap on the run length in chunks (default 30).
    public var maxChunks: Int
    /// Adam learning rate of s (default 1e−3; the fallback of docs/method.md §3.3 when pruning is too fast: 1e−4).
    public var thresholdLR: Float
    /// Initial value of every s (default −15, so g(s) = σ(−15) ≈ 3.1e−7).
    public var thresholdInit: Float
    /// Coupled L2 on s, added to its gradient (default 1e−5).
    public var thresholdWeightDecay: Float
    /// Global L2-norm clip of the s gradient (default 100).
    public var thresholdClipNorm: Float
    /// `pepUseOwnOptimizer` (docs/method.md §3.3): V and the network at the constant rate `thresholdLR`
    /// instead of the backbone schedule, and V's gradient also gets the coupled L2 and shares the
    /// clip with s ([PEP-C] trains everything with one Adam; the network's own weight decay is not
    /// reproduced, the backbone owns that optimiser).
    ///
    /// Default **true**, against the recommendation of docs/method.md §3.3, because the backbone's optimiser cannot
    /// reach the budgets on LightGCN and NGCF: the coupled L2 pulls every s towards 0, so no threshold
    /// settles above σ(0) = ½ unless the loss keeps pushing it, while a pruned V gets no gradient at
    /// all and a kept V grows at the backbone's lr 0.03 without decay. Entries with |V| > ½ then stay
    /// forever (ML-1M/LightGCN, threshold lr 1e−3: mean s reaches 0 at batch ≈ 20 000 and the density
    /// stays at 0.719; NGCF at lr 1e−2 levels off near 0.41). With one Adam the coupled L2 also
    /// shrinks pruned V, so pruning keeps going (ML-1M/NGCF at lr 1e−2: all three budgets by batch 1904).
    public var useOwnOptimizer: Bool
    /// A history line every `logEvery` batches (plus step 0 and every capture step); default 10.
    public var logEvery: Int

    /// [PEP-C]'s Adam learning rate of s, the default of `thresholdLR` wherever a PEP run is configured.
    public static let defaultThresholdLR: Float = 1e-3
    /// The default of `useOwnOptimizer` wherever a PEP run is configured (why: see `useOwnOptimizer`).
    public static let defaultUseOwnOptimizer = true

    public init(dataset: String, backbone: BackboneKind, seed: UInt64 = 1, batchSize: Int = 10_000,
                chunkBatches: Int = 3000, maxChunks: Int = 30, thresholdLR: Float = PEPConfig.defaultThresholdLR,
                thresholdInit: Float = -15, thresholdWeightDecay: Float = 1e-5, thresholdClipNorm: Float = 100,
                useOwnOptimizer: Bool = PEPConfig.defaultUseOwnOptimizer, logEvery: Int = 10) {
        precondition(batchSize >= 1 && chunkBatches >= 1 && maxChunks >= 1 && logEvery >= 1)
        precondition(thresholdLR > 0 && thresholdWeightDecay >= 0 && thresholdClipNorm > 0)
        self.dataset = dataset
        self.backbone = backbone
        self.seed = seed
        self.batchSize = batchSize
        self.chunkBatches = chunkBatches
        self.maxChunks = maxChunks
        self.thresholdLR = thresholdLR
        self.thresholdInit = thresholdInit
        self.thresholdWeightDecay = thresholdWeightDecay
        self.thresholdClipNorm = thresholdClipNorm
        self.useOwnOptimizer = useOwnOptimizer
        self.logEvery = logEvery
    }

    /// The cap on the number of batches.
    public var maxBatches: Int { maxChunks * chunkBatches }

    /// The threshold optimiser's settings.
    public var thresholdOptimizer: PEPThresholdOptimizer {
        PEPThresholdOptimizer(learningRate: thresholdLR, weightDecay: thresholdWeightDecay, clipNorm: thresholdClipNorm)
    }
}

/// Adam settings of the thresholds s (and of V under `useOwnOptimizer`).
public struct PEPThresholdOptimizer: Sendable, Codable, Equatable {
    public var learningRate: Float
    public var weightDecay: Float
    public var clipNorm: Float

    public init(learningRate: Float = 1e-3, weightDecay: Float = 1e-5, clipNorm: Float = 100) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }
}
