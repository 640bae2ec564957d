import Crypto
import Foundation
import RecData
import Recommenders
import SizeSearch

/// The settings a profile gives one stage, and the config hash of a cell: SHA-256 (first 16 hex
/// digits) of the canonical JSON (sorted keys) of everything that determines its numbers.
public struct CellSettings: Sendable, Codable, Equatable {
    public var cell: String
    /// CIESS search settings (nil for ES/MR).
    public var ciess: CIESSConfig?
    /// ES/MR: the method whose sizes the search draws.
    public var fixedMethod: String?
    /// PEP, ESAPN, OptEmbed search settings (nil for the other methods, so older hashes stay valid).
    public var pep: PEPConfig?
    public var esapn: ESAPNConfig?
    public var optembed: OptEmbedConfig?
    public var searchTargets: [Double]
    /// Figure 5: the episodes of the interval pool (first, last).
    public var intervalEpisodes: [Int]?
    public var candidates: Int
    public var targetSparsity: Double?
    public var finalProtocol: String
    public var seed: UInt64
    public var retrain: ConvergeConfig
    public var batchSize: Int
    public var threads: Int

    public var configHash: String {
        let data = (try? JSONOutput.encodeRaw(self)) ?? Data()
        return String(SHA256.hex([UInt8](data)).prefix(16))
    }
}

extension ExperimentPlan {
    /// The CIESS configuration of a CIESS search stage.
    public func ciessConfig(_ s: SearchID) -> CIESSConfig {
        let kind = BackboneKind(rawValue: s.backbone)!
        let p = profile
        return CIESSConfig(dataset: s.dataset, backbone: kind, lambda: s.variant.lambda ?? p.defaultLambda(dataset: s.dataset),
                           noise: s.variant.noiseOption ?? .gaussian, randomWalk: s.variant.randomWalk,
                           episodes: p.ciess.episodes, iterations: p.ciess.iterations,
                           batchesPerIteration: p.ciess.batches(backbone: kind, dataset: s.dataset),
                           batchSize: p.batchSize, seed: s.seed, pretrain: p.ciess.pretrain.config)
    }

    public func pepConfig(_ s: SearchID) -> PEPConfig {
        let b = profile.baselineSettings.pep
        return PEPConfig(dataset: s.dataset, backbone: BackboneKind(rawValue: s.backbone)!, seed: s.seed,
                         batchSize: profile.batchSize, chunkBatches: b.chunkBatches, maxChunks: b.maxChunks,
                         thresholdLR: b.thresholdLr.map(Float.init) ?? PEPConfig.defaultThresholdLR,
                         useOwnOptimizer: b.ownOptimizer ?? PEPConfig.defaultUseOwnOptimizer)
    }

    public func esapnConfig(_ s: SearchID) -> ESAPNConfig {
        ESAPNConfig(dataset: s.dataset, backbone: BackboneKind(rawValue: s.backbone)!, seed: s.seed,
                    batchSize: profile.batchSize, converge: profile.baselineSettings.esapn.search.config)
    }

    /// The evolution's parent pools are the top 10 / top 11 of docs/method.md §3.5, capped by the population.
    public func optembedConfig(_ s: SearchID) -> OptEmbedConfig {
        let o = profile.baselineSettings.optembed
        let pool = min(o.population, o.keep + o.mutants + o.crossovers)
        let evolution = OptEmbedEvolutionConfig(initialPopulation: o.population, keep: o.keep, mutants: o.mutants,
                                                mutationParents: max(1, min(10, pool)), crossovers: o.crossovers,
                                                crossoverParents: max(2, min(11, pool)), generations: o.generations)
        return OptEmbedConfig(dataset: s.dataset, backbone: BackboneKind(rawValue: s.backbone)!, seed: s.seed,
                              batchSize: profile.batchSize, supernet: o.supernet.config, evolution: evolution)
    }

    /// The config hash of a search stage: SHA-256 (first 16 hex digits) of the canonical JSON of its settings
    /// (`SearchSettings`); a changed profile value that reaches the search changes it.
    public func searchConfigHash(_ s: SearchID) -> String {
        let settings = SearchSettings(search: s.description, ciess: s.method == "ciess" ? ciessConfig(s) : nil,
                                      fixedMethod: ["es", "mr"].contains(s.method) ? s.method : nil,
                                      pep: s.method == "pep" ? pepConfig(s) : nil,
                                      esapn: s.method == "esapn" ? esapnConfig(s) : nil,
                                      optembed: s.method == "optembed" ? optembedConfig(s) : nil,
                                      targets: profile.budgets, candidates: candidateLimit(s.method))
        let data = (try? JSONOutput.encodeRaw(settings)) ?? Data()
        return String(SHA256.hex([UInt8](data)).prefix(16))
    }

    /// The config hash of any stage (`searchConfigHash`, or the cell's `CellSettings.configHash`).
    public func configHash(_ id: StageID) -> String {
        switch id {
        case .search(let s): return searchConfigHash(s)
        case .cell(let c): return settings(c).configHash
        }
    }

    /// Candidates retrained per target: l for CIESS, the single mask for ES/MR.
    public func candidateLimit(_ method: String) -> Int { method == "ciess" ? profile.ciess.candidates : 1 }

    /// The candidates file of a cell inside its search directory.
    public func candidatesFile(_ c: CellID) -> String {
        c.interval.map { "candidates-i\($0).json" } ?? CIESSCandidates.fileName
    }

    public func settings(_ c: CellID) -> CellSettings {
        let range = c.interval.map { episodes(ofInterval: $0) }
        return CellSettings(cell: c.description, ciess: c.method == "ciess" ? ciessConfig(c.search) : nil,
                            fixedMethod: ["es", "mr"].contains(c.method) ? c.method : nil,
                            pep: c.method == "pep" ? pepConfig(c.search) : nil,
                            esapn: c.method == "esapn" ? esapnConfig(c.search) : nil,
                            optembed: c.method == "optembed" ? optembedConfig(c.search) : nil, searchTargets: profile.budgets,
                            intervalEpisodes: range.map { [$0.lowerBound, $0.upperBound] },
                            candidates: candidateLimit(c.method), targetSparsity: c.target, finalProtocol: c.finalProtocol,
                            seed: c.seed, retrain: profile.retrain.config, batchSize: profile.batchSize,
                            threads: profile.threadsPerCell)
    }
}

/// What determines a search stage's outputs (its config hash; see `ExperimentPlan.searchConfigHash`).
public struct SearchSettings: Sendable, Codable, Equatable {
    public var search: String
    public var ciess: CIESSConfig?
    public var fixedMethod: String?
    public var pep: PEPConfig?
    public var esapn: ESAPNConfig?
    public var optembed: OptEmbedConfig?
    public var targets: [Double]
    public var candidates: Int
}
