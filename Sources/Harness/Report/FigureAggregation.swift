import Foundation

/// `figure-4.csv`, `figure-5.csv` and `figure-6.csv`, aggregated over seeds from the retrain cells.
public enum FigureAggregation {
    static let pointMetrics = ["recall@20", "ndcg@20"]

    // MARK: - Figure 4: λ sensitivity

    /// CIESS cells with Gaussian noise and random walk, no interval suffix: variant g-rw (the
    /// profile's default λ) or g-rw-l<λ>. Keyed by the result's own `lambda`, last (the x value), so
    /// each curve's rows are contiguous and gnuplot draws them as one line.
    public static func figure4Key(_ c: CellCoordinates, _ r: CellResult?) -> [String]? {
        guard c.method == "ciess", !c.target.isEmpty, let r, let lambda = r.lambda,
              c.variant == "g-rw" || (c.variant.hasPrefix("g-rw-l") && Double(c.variant.dropFirst(6)) != nil)
        else { return nil }
        return [c.dataset, c.backbone, c.target, c.finalProtocol, CSVNumber.lambda(lambda)]
    }

    public static func figure4(_ scan: ScannedResults) -> TidyCSV {
        // g-rw first, so a λ grid that repeats the default λ keeps the default-λ cell per seed.
        let cells = scan.cells.map(\.result).sorted { ($0.variant == "g-rw" ? 0 : 1) < ($1.variant == "g-rw" ? 0 : 1) }
        let gs = SeedGroup.make(cells: cells, key: figure4Key)
        var t = TidyCSV(header: ["dataset", "backbone", "target_sparsity", "protocol", "lambda", "default_lambda"]
                        + GroupColumns.countHeader + GroupColumns.statisticsHeader(pointMetrics) + GroupColumns.provenanceHeader)
        for g in gs {
            let isDefault = g.cells.contains { $0.variant == "g-rw" } ? "yes" : "no"
            t.rows.append(g.key + [isDefault] + GroupColumns.countFields(g) + GroupColumns.statisticsFields(g, pointMetrics)
                          + GroupColumns.provenanceFields(g))
        }
        return t
    }

    // MARK: - Figure 5: best result per interval

    /// The interval index k of a variant "g-rw-i<k>", else nil.
    public static func interval(of variant: String) -> Int? {
        guard variant.hasPrefix("g-rw-i") else { return nil }
        return Int(variant.dropFirst(6))
    }

    public static func figure5Key(_ c: CellCoordinates, _ r: CellResult?) -> [String]? {
        guard c.method == "ciess", !c.target.isEmpty, let k = interval(of: c.variant) else { return nil }
        return [c.dataset, c.backbone, c.target, c.finalProtocol, "\(k)"]
    }

    /// One row per (dataset, backbone, c, protocol, interval) (the x value last, so each curve's rows are contiguous): the retrained best of that interval's
    /// pool; a not-reached pool has status not_reached and empty metrics (no point).
    public static func figure5(_ scan: ScannedResults) -> TidyCSV {
        let gs = SeedGroup.make(cells: scan.cells.map(\.result), failures: scan.failures.compactMap(\.coordinates), key: figure5Key)
        var t = TidyCSV(header: ["dataset", "backbone", "target_sparsity", "protocol", "interval"]
                        + GroupColumns.countHeader + GroupColumns.statisticsHeader(pointMetrics) + GroupColumns.provenanceHeader)
        for g in gs {
            t.rows.append(g.key + GroupColumns.countFields(g) + GroupColumns.statisticsFields(g, pointMetrics)
                          + GroupColumns.provenanceFields(g))
        }
        return t
    }

    // MARK: - Figure 6: R@20 against achieved sparsity

    /// Every Table 1 grid point with at least one ok seed.
    public static func figure6(_ scan: ScannedResults) -> TidyCSV {
        let gs = Table1Aggregation.groups(scan).filter { !$0.okCells.isEmpty }
        var t = TidyCSV(header: Table1Aggregation.keyHeader
                        + ["n_seeds", "seeds", "achieved_sparsity_mean", "achieved_sparsity_ci95", "recall@20_mean", "recall@20_ci95"]
                        + ["commits", "config_hashes"])
        for g in gs {
            let s = g.statistics { $0.achievedSparsity }
            let r = g.statistics { $0.test?.recall20 }
            t.rows.append(g.key + [GroupColumns.countFields(g)[1], GroupColumns.countFields(g)[2],
                                   CSVNumber.sparsity(s.mean), CSVNumber.orNA(s.ciHalfWidth, 6),
                                   CSVNumber.metric(r.mean), CSVNumber.orNA(r.ciHalfWidth, 4),
                                   GroupColumns.unique(g.cells.map(\.provenance.gitCommit)),
                                   GroupColumns.unique(g.cells.map(\.configHash))])
        }
        return t
    }
}
