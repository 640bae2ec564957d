import Foundation

/// `table-2.csv`: CIESS on LightGCN with the exploration variants of Table 2 (G+RW, OU+RW, U+RW,
/// G without RW), per dataset, c and protocol, aggregated over seeds.
public enum Table2Aggregation {
    /// Variant → (noise, random walk) as `experiments/reported/table2.csv` names them.
    public static let variants: [String: (noise: String, randomWalk: String)] = [
        "g-rw": ("gaussian", "yes"), "ou-rw": ("ou", "yes"), "u-rw": ("uniform", "yes"), "g-norw": ("gaussian", "no"),
    ]

    public static let keyHeader = ["dataset", "backbone", "method", "variant", "target_sparsity", "protocol"]

    public static func key(_ c: CellCoordinates, _ r: CellResult?) -> [String]? {
        guard c.backbone == "lightgcn", c.method == "ciess", variants[c.variant] != nil, !c.target.isEmpty else { return nil }
        return [c.dataset, c.backbone, c.method, c.variant, c.target, c.finalProtocol]
    }

    public static func table(_ scan: ScannedResults) -> TidyCSV {
        let gs = SeedGroup.make(cells: scan.cells.map(\.result), failures: scan.failures.compactMap(\.coordinates), key: key)
        var t = TidyCSV(header: keyHeader + ["noise", "random_walk", "lambda"] + GroupColumns.countHeader
                        + GroupColumns.statisticsHeader() + GroupColumns.provenanceHeader)
        for g in gs {
            let v = variants[g.key[3]]!
            t.rows.append(g.key + [v.noise, v.randomWalk, GroupColumns.unique(g.cells.compactMap { $0.lambda }.map { CSVNumber.lambda($0) })]
                          + GroupColumns.countFields(g) + GroupColumns.statisticsFields(g) + GroupColumns.provenanceFields(g))
        }
        return t
    }
}
