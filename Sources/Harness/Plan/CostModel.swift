import Foundation

/// Estimated compute of each stage from a `Calibration` (seconds at the profile's threads per cell).
///
/// - CIESS search: load + pretraining (chunks × (chunk batches + 1 evaluation)) + M·T × (batches
///   per iteration + 1 evaluation);
/// - ES/MR search: load only; PEP, ESAPN, OptEmbed: see `baselineSearchSeconds`;
/// - retrain cell: load + candidates × chunks × (chunk batches + 1 evaluation) + 2 evaluations.
///
/// `typical` assumes CONVERGE stops after min(cap, 3 + patience) chunks (best chunk ≈ 3, as the
/// full-size LightGCN/NeuMF ML-1M runs did); `upperBound` assumes every CONVERGE run hits its cap.
/// Mask caching (the same candidate for several c) is ignored, so both overestimate.
public struct CostModel: Sendable {
    public enum Assumption: String, Sendable, CaseIterable { case typical, upperBound }

    public let plan: ExperimentPlan
    public let calibration: Calibration

    public init(plan: ExperimentPlan, calibration: Calibration) {
        self.plan = plan
        self.calibration = calibration
    }

    /// nil when the calibration lacks the stage's dataset/backbone.
    public func seconds(_ id: StageID, _ a: Assumption, fractionDone: Double = 0) -> Double? {
        let p = plan.profile
        switch id {
        case .search(let s):
            guard let e = calibration.entry(dataset: s.dataset, backbone: s.backbone) else { return nil }
            let load = calibration.loadSeconds[s.dataset] ?? 0
            let tb = e.batchSeconds(p.batchSize)
            if s.method != "ciess" { return load + baselineSearchSeconds(s.method, batch: tb, eval: e.evalSeconds, a) }
            let pre = Double(chunks(p.ciess.pretrain, a)) * (Double(p.ciess.pretrain.chunkBatches) * tb + e.evalSeconds)
            let nb = Double(p.ciess.batches(backbone: .init(rawValue: s.backbone)!, dataset: s.dataset))
            let loop = Double(p.ciess.episodes * p.ciess.iterations) * (nb * tb + e.evalSeconds)
            return load + (fractionDone > 0 ? 0 : pre) + loop * (1 - fractionDone)
        case .cell(let c):
            guard let e = calibration.entry(dataset: c.dataset, backbone: c.backbone) else { return nil }
            let load = calibration.loadSeconds[c.dataset] ?? 0
            let perChunk = Double(p.retrain.chunkBatches) * e.batchSeconds(p.batchSize) + e.evalSeconds
            let candidates = Double(plan.candidateLimit(c.method))
            return load + candidates * (Double(chunks(p.retrain, a)) * perChunk + 2 * e.evalSeconds)
        }
    }

    /// PEP: its chunks (typical: a third of the cap, upper bound: the cap) at 1.2 × a batch (the
    /// thresholds); ESAPN: CONVERGE chunks at 2 × a batch (the controller's extra forward);
    /// OptEmbed: supernet CONVERGE plus one evaluation per new candidate of the evolution.
    func baselineSearchSeconds(_ method: String, batch tb: Double, eval: Double, _ a: Assumption) -> Double {
        let b = plan.profile.baselineSettings
        switch method {
        case "pep":
            let n = a == .upperBound ? b.pep.maxChunks : max(1, b.pep.maxChunks / 3)
            return Double(n) * (Double(b.pep.chunkBatches) * 1.2 * tb)
        case "esapn":
            return Double(chunks(b.esapn.search, a)) * (Double(b.esapn.search.chunkBatches) * 2 * tb + eval)
        case "optembed":
            let o = b.optembed
            let supernet = Double(chunks(o.supernet, a)) * (Double(o.supernet.chunkBatches) * tb + eval)
            return supernet + Double(o.population + o.generations * (o.mutants + o.crossovers)) * eval
        default:
            return 0
        }
    }

    func chunks(_ c: ExperimentProfile.Converge, _ a: Assumption) -> Int {
        a == .upperBound ? c.maxChunks : min(c.maxChunks, 3 + c.patience)
    }

    /// Core-hours of a set of stages (seconds × threads per cell / 3600).
    public func coreHours(_ ids: [(StageID, Double)], _ a: Assumption) -> Double {
        ids.reduce(0) { $0 + (seconds($1.0, a, fractionDone: $1.1) ?? 0) } * Double(plan.profile.threadsPerCell) / 3600
    }
}
