import Evaluation
import Foundation

/// The columns every seed-aggregated CSV shares: counts and status, the metric statistics, and
/// the provenance of the cells.
public enum GroupColumns {
    /// TEST metrics, in the order of the CSV columns.
    public static let metrics: [(name: String, value: @Sendable (MetricSummary) -> Double)] = [
        ("recall@5", { $0.recall5 }), ("recall@10", { $0.recall10 }), ("recall@20", { $0.recall20 }),
        ("ndcg@5", { $0.ndcg5 }), ("ndcg@10", { $0.ndcg10 }), ("ndcg@20", { $0.ndcg20 }),
    ]

    public static let countHeader = ["status", "n_seeds", "seeds", "n_not_reached", "n_failed", "protocol_label"]

    public static func countFields(_ g: SeedGroup) -> [String] {
        [g.status, "\(g.okCells.count)", g.okCells.map { "\($0.seed)" }.joined(separator: ";"),
         "\(g.notReachedCells.count)", "\(g.failedSeeds.count)", unique(g.cells.map(\.protocolLabel))]
    }

    /// `<name>_mean`, `<name>_sd`, `<name>_ci95` for each metric (or only `names`), then achieved sparsity.
    public static func statisticsHeader(_ names: [String]? = nil) -> [String] {
        selected(names).flatMap { m in ["\(m.name)_mean", "\(m.name)_sd", "\(m.name)_ci95"] }
            + ["achieved_sparsity_mean", "achieved_sparsity_sd", "achieved_sparsity_ci95"]
    }

    /// Metric fields: %.4f; sparsity %.6f; sd and CI "NA" with one seed; all empty without a result.
    public static func statisticsFields(_ g: SeedGroup, _ names: [String]? = nil) -> [String] {
        selected(names).flatMap { m in
            fields(g.statistics { $0.test.map(m.value) }, CSVNumber.metric, digits: 4)
        } + fields(g.statistics { $0.achievedSparsity }, CSVNumber.sparsity, digits: 6)
    }

    /// The selection-free P-code numbers (`CellResult.fixedChunkTest`): `kstar` (the distinct K*), then
    /// `<name>_kstar_mean`, `_sd`, `_ci95` for each metric. Empty under P-clean or without K*.
    public static func fixedChunkHeader(_ names: [String]? = nil) -> [String] {
        ["kstar"] + selected(names).flatMap { m in ["\(m.name)_kstar_mean", "\(m.name)_kstar_sd", "\(m.name)_kstar_ci95"] }
    }

    public static func fixedChunkFields(_ g: SeedGroup, _ names: [String]? = nil) -> [String] {
        [unique(g.okCells.compactMap { $0.fixedChunkTest.map { "\($0.chunk)" } })]
            + selected(names).flatMap { m in
                fields(g.statistics { $0.fixedChunkTest.map { m.value($0.test) } }, CSVNumber.metric, digits: 4)
            }
    }

    static func fields(_ s: SeedStatistics, _ format: (Double?) -> String, digits: Int) -> [String] {
        guard s.n > 0 else { return ["", "", ""] }
        return [format(s.mean), CSVNumber.orNA(s.sd, digits), CSVNumber.orNA(s.ciHalfWidth, digits)]
    }

    static func selected(_ names: [String]?) -> [(name: String, value: @Sendable (MetricSummary) -> Double)] {
        guard let names else { return metrics }
        return metrics.filter { names.contains($0.name) }
    }

    public static let provenanceHeader = ["commits", "dirty", "config_hashes", "raw_digests", "split_digests",
                                          "source_orders", "toolchains", "machines", "threads", "blas"]

    /// Distinct values joined with ";" (sorted); dirty is "true", "false" or "mixed".
    public static func provenanceFields(_ g: SeedGroup) -> [String] {
        let c = g.cells
        let dirty = Set(c.map(\.provenance.gitDirty))
        return [unique(c.map(\.provenance.gitCommit)), dirty.count > 1 ? "mixed" : dirty.first.map { "\($0)" } ?? "",
                unique(c.map(\.configHash)), unique(c.map(\.rawDigest)), unique(c.map(\.splitDigest)),
                unique(c.map(\.sourceOrder)), unique(c.map(\.provenance.toolchain)), unique(c.map(\.provenance.machine)),
                unique(c.map { "\($0.provenance.threads)" }), unique(c.map { $0.provenance.blas ?? "unrecorded" })]
    }

    /// Sorted distinct values joined with ";".
    public static func unique(_ values: [String]) -> String { Set(values).sorted().joined(separator: ";") }
}
