import Foundation

/// The search settings of PEP, ESAPN and OptEmbed in a profile (`"baselines"`; optional — a profile
/// without it uses `paper`, the values of docs/method.md §3.3–3.5).
public struct BaselineSettings: Sendable, Codable, Equatable {
    /// PEP's pruning run: at most `maxChunks` × `chunkBatches` batches; stops once every target is
    /// captured. `thresholdLr`: Adam lr of the thresholds (nil = the 1e−3 of docs/method.md §3.3, which starts
    /// pruning LightGCN on ML-1M only after ≈ 10 000 batches; short profiles raise it).
    /// `ownOptimizer` (nil = true): train V and the network with the thresholds' Adam, as PEP's own
    /// code does; false trains them with the backbone's schedule, under which pruning stalls on
    /// LightGCN and NGCF (`PEPConfig.useOwnOptimizer` says why and what was measured).
    public struct PEP: Sendable, Codable, Equatable {
        public var chunkBatches: Int
        public var maxChunks: Int
        public var thresholdLr: Double?
        public var ownOptimizer: Bool?

        public init(chunkBatches: Int, maxChunks: Int, thresholdLr: Double?, ownOptimizer: Bool? = nil) {
            self.chunkBatches = chunkBatches
            self.maxChunks = maxChunks
            self.thresholdLr = thresholdLr
            self.ownOptimizer = ownOptimizer
        }
    }

    /// ESAPN's search: CONVERGE on the ESAPN model's VAL AVG.
    public struct ESAPN: Sendable, Codable, Equatable {
        public var search: ExperimentProfile.Converge
    }

    /// OptEmbed: the supernet's CONVERGE (patience 1 in docs/method.md §3.5) and the evolutionary search.
    public struct OptEmbed: Sendable, Codable, Equatable {
        public var supernet: ExperimentProfile.Converge
        public var population: Int
        public var keep: Int
        public var mutants: Int
        public var crossovers: Int
        public var generations: Int
    }

    public var pep: PEP
    public var esapn: ESAPN
    public var optembed: OptEmbed

    /// docs/method.md §3.3–3.5: PEP 30 chunks of 3000 with [PEP-C]'s single Adam (lr 1e−3; see `PEP.ownOptimizer`
    /// for why not the backbone's); ESAPN CONVERGE 3000/2/30; OptEmbed supernet 3000/1/30,
    /// population 20, keep 15, 10 mutants, 10 crossovers, 30 generations.
    public static let paper = BaselineSettings(
        pep: PEP(chunkBatches: 3000, maxChunks: 30, thresholdLr: nil, ownOptimizer: true),
        esapn: ESAPN(search: .init(chunkBatches: 3000, patience: 2, maxChunks: 30)),
        optembed: OptEmbed(supernet: .init(chunkBatches: 3000, patience: 1, maxChunks: 30), population: 20, keep: 15,
                           mutants: 10, crossovers: 10, generations: 30))

    static let knownFields: [String: Set<String>] = [
        "baselines": ["pep", "esapn", "optembed"],
        "baselines.pep": ["chunk_batches", "max_chunks", "threshold_lr", "own_optimizer"],
        "baselines.esapn": ["search"],
        "baselines.esapn.search": ["chunk_batches", "patience", "max_chunks"],
        "baselines.optembed": ["supernet", "population", "keep", "mutants", "crossovers", "generations"],
        "baselines.optembed.supernet": ["chunk_batches", "patience", "max_chunks"],
    ]

    func validate(_ fail: (String, String) -> ProfileError) throws {
        guard pep.chunkBatches >= 1, pep.maxChunks >= 1 else {
            throw fail("baselines.pep", "chunk_batches and max_chunks must each be at least 1")
        }
        if let lr = pep.thresholdLr, !(lr > 0 && lr.isFinite) {
            throw fail("baselines.pep.threshold_lr", "must be a finite number > 0, got \(lr)")
        }
        try ProfileValidation.validateConverge(esapn.search, field: "baselines.esapn.search", fail)
        try ProfileValidation.validateConverge(optembed.supernet, field: "baselines.optembed.supernet", fail)
        let o = optembed
        guard o.population >= 2, o.generations >= 1, o.keep >= 1, o.keep <= o.population, o.mutants >= 0, o.crossovers >= 0,
              o.keep + o.mutants + o.crossovers >= 2 else {
            throw fail("baselines.optembed", "needs population ≥ 2, generations ≥ 1, 1 ≤ keep ≤ population, mutants and crossovers ≥ 0 and keep + mutants + crossovers ≥ 2")
        }
    }
}
