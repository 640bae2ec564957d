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

    /// Candidates retrained per target: l for CIESS, the single mask for ES/MR.
    public func candidateLimit(_ method: String) -> Int { method == "ciess" ? profile.ciess.candidates : 1 }

    /// The candidates file of a cell inside its search directory.
    public func candidatesFile(_ c: CellID) -> String {
        c.interval.map { "candidates-i\($0).json" } ?? CIESSCandidates.fileName
    }

    public func settings(_ c: CellID) -> CellSettings {
        let range = c.interval.map { episodes(ofInterval: $0) }
        return CellSettings(cell: c.description, ciess: c.method == "ciess" ? ciessConfig(c.search) : nil,
                            fixedMethod: c.method == "ciess" ? nil : c.method, searchTargets: profile.budgets,
                            intervalEpisodes: range.map { [$0.lowerBound, $0.upperBound] },
                            candidates: candidateLimit(c.method), targetSparsity: c.target, finalProtocol: c.finalProtocol,
                            seed: c.seed, retrain: profile.retrain.config, batchSize: profile.batchSize,
                            threads: profile.threadsPerCell)
    }
}
