import Foundation

/// `table-1.csv`: every Table 1 grid point (CIESS as variant g-rw; PEP, ES, MR per c; ESAPN and
/// OptEmbed uncontrolled), both protocols, aggregated over seeds; P-code rows also carry the
/// selection-free TEST after exactly K* chunks (`kstar`, `<metric>_kstar_*`); baselines also carry a paired
/// t-test against CIESS at the same (dataset, backbone, c, protocol) on R@20 and N@20, over the
/// seeds where both finished with the same split digest. The difference is CIESS − baseline.
public enum Table1Aggregation {
    public static let ciessVariant = "g-rw"
    public static let baselines = ["pep", "es", "mr", "esapn", "optembed"]
    public static let pairedMetrics = ["recall@20", "ndcg@20"]

    public static let keyHeader = ["dataset", "backbone", "method", "variant", "target_sparsity", "protocol"]

    /// The Table 1 key of a cell, or nil if it is not part of Table 1.
    public static func key(_ c: CellCoordinates, _ r: CellResult?) -> [String]? {
        let isCIESS = c.method == "ciess" && c.variant == ciessVariant
        guard isCIESS || baselines.contains(c.method) else { return nil }
        return [c.dataset, c.backbone, c.method, c.variant, c.target, c.finalProtocol]
    }

    public static func groups(_ scan: ScannedResults) -> [SeedGroup] {
        SeedGroup.make(cells: scan.cells.map(\.result), failures: scan.failures.compactMap(\.coordinates), key: key)
    }

    public static func table(_ scan: ScannedResults) -> TidyCSV {
        let gs = groups(scan)
        var byKey: [[String]: SeedGroup] = [:]
        for g in gs { byKey[g.key] = g }
        let pairedHeader = ["vs_ciess_n_pairs"] + pairedMetrics.flatMap { ["vs_ciess_\($0)_diff", "vs_ciess_\($0)_t", "vs_ciess_\($0)_p"] }
        var t = TidyCSV(header: keyHeader + ["lambda"] + GroupColumns.countHeader + GroupColumns.statisticsHeader()
                        + GroupColumns.fixedChunkHeader() + pairedHeader + GroupColumns.provenanceHeader)
        for g in gs {
            let k = g.key
            var ciessKey = k
            ciessKey[2] = "ciess"; ciessKey[3] = ciessVariant
            let reference = (k[2] != "ciess" && !k[4].isEmpty) ? byKey[ciessKey] : nil
            t.rows.append(k + [GroupColumns.unique(g.cells.compactMap { $0.lambda }.map { CSVNumber.lambda($0) })]
                          + GroupColumns.countFields(g) + GroupColumns.statisticsFields(g) + GroupColumns.fixedChunkFields(g)
                          + pairedFields(ciess: reference, baseline: g, applicable: k[2] != "ciess" && !k[4].isEmpty)
                          + GroupColumns.provenanceFields(g))
        }
        return t
    }

    /// Paired-test columns; empty when no test applies (CIESS itself, uncontrolled methods).
    static func pairedFields(ciess: SeedGroup?, baseline: SeedGroup, applicable: Bool) -> [String] {
        guard applicable else { return Array(repeating: "", count: 1 + 3 * pairedMetrics.count) }
        var out: [String] = []
        var n = 0
        for name in pairedMetrics {
            let m = GroupColumns.metrics.first { $0.name == name }!
            let test = pairedTest(ciess, baseline) { $0.test.map(m.value) }
            n = test.n
            out += [CSVNumber.orNA(test.meanDifference, 4), CSVNumber.orNA(test.t, 4), CSVNumber.orNA(test.p, 6)]
        }
        return ["\(n)"] + out
    }

    /// The paired test of CIESS against a baseline on one value, over common seeds with equal split digests.
    public static func pairedTest(_ ciess: SeedGroup?, _ baseline: SeedGroup, _ value: (CellResult) -> Double?) -> PairedTest {
        guard let ciess else { return PairedTest(pairs: []) }
        let splitA = Dictionary(ciess.okCells.map { ($0.seed, $0.splitDigest) }, uniquingKeysWith: { a, _ in a })
        let matched = baseline.okCells.filter { splitA[$0.seed] == $0.splitDigest }
        let b = SeedGroup(key: baseline.key, cells: matched, failedSeeds: [])
        return PairedTest(pairs: PairedTest.commonSeeds(ciess.bySeed(value), b.bySeed(value)))
    }
}
