import Foundation
import RecData

/// `ciess report`: `results/<P>/REPORT.md` — every row of the paper's Table 1 and Table 2 beside our
/// P-code ("test-selected", the protocol comparable to the paper) and P-clean values, the
/// difference, a verdict (see `Verdict`), the scorecard, the paired tests, the embedded figures,
/// the failed and over-budget cells and the provenance seen. It reads the aggregated CSVs, the
/// paper's numbers and (for failures, over-budget cells and provenance) the result files; it prints
/// no times, so the same inputs give the same bytes.
public struct ReportWriter {
    public let profile: String
    public let profileDirectory: URL
    public let reportedDirectory: URL
    /// The profile's current config hashes (`ExperimentPlan.currentConfigHashes`): results made with other
    /// settings are listed as stale, never counted. nil: every result counts (tests of the rendering).
    public let currentHashes: [String: String]?

    public init(profile: String, profileDirectory: URL, reportedDirectory: URL, currentHashes: [String: String]? = nil) {
        self.profile = profile
        self.profileDirectory = profileDirectory
        self.reportedDirectory = reportedDirectory
        self.currentHashes = currentHashes
    }

    /// One compared number.
    struct Line {
        var cells: [String]
        var verdict: Verdict
    }

    // MARK: - Entry points

    public func render() throws -> String {
        let t1 = try aggregated("table-1.csv"), t2 = try aggregated("table-2.csv")
        let r1 = try ReportedNumbers.table1(reportedDirectory.appendingPathComponent("table1.csv"))
        let r2 = try ReportedNumbers.table2(reportedDirectory.appendingPathComponent("table2.csv"))
        let scan = try ResultScanner.scan(profileDirectory: profileDirectory, currentHashes: currentHashes)
        let table1 = try compare(r1, with: t1, metrics: ReportedNumbers.table1Metrics)
        let table2 = try compare(r2, with: t2, metrics: ReportedNumbers.table2Metrics)
        var md = "# Reproduction report — profile `\(profile)`\n\n"
        md += intro()
        md += scorecard([("Table 1", table1.map(\.verdict)), ("Table 2", table2.map(\.verdict))])
        md += section("Table 1 (paper vs ours)", table1Header, table1, note: Self.table1Note)
        md += section("Table 2 (LightGCN, exploration variants)", table2Header, table2, note: Self.table2Note)
        md += try unmatched("Table 1", t1, reported: r1)
        md += try unmatched("Table 2", t2, reported: r2)
        md += try pairedTests(t1)
        md += flagged(r1 + r2)
        md += figures()
        md += failures(scan)
        md += staleResults(scan)
        md += overBudget(scan)
        md += provenance(scan)
        return md
    }

    @discardableResult
    public func write() throws -> URL {
        let url = profileDirectory.appendingPathComponent("REPORT.md")
        try AtomicFile.write(Data(try render().utf8), to: url)
        return url
    }

    func aggregated(_ name: String) throws -> TidyCSV {
        let url = profileDirectory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReportError.missing(file: url.path, what: "run `ciess aggregate --profile \(profile)` first")
        }
        return try TidyCSV.read(url)
    }

    // MARK: - Comparison

    static let table1Note = """
        Ours = TEST metrics, mean ± 95 % CI half-width over seeds (n = seeds). **test-selected** = P-code \
        (trained on TRAIN ∪ VAL, stopped and selected on TEST, as the authors' code implies; the protocol \
        comparable to the paper). **P-clean** = trained on TRAIN, selected on VAL (our headline protocol). \
        diff = ours − paper (test-selected when present, else P-clean). **P-code at K\\*** = the same P-code \
        training read after exactly K\\* chunks (K\\* = best chunk of the full-size pretraining, the candidate the \
        search ranked first): a fixed budget with no selection on TEST, shown for comparison, not judged. \
        CIESS is variant g-rw (Gaussian noise, random walk). Sparsity: the paper's reported value / our achieved mean.
        """
    static let table2Note = "Same conventions as Table 1; variants g-rw, ou-rw, u-rw, g-norw of CIESS on LightGCN."

    var table1Header: [String] {
        ["dataset", "backbone", "method", "c", "metric", "paper", "ours test-selected", "diff", "ours P-clean",
         "ours P-code at K*", "sparsity paper / ours", "verdict", "note"]
    }
    var table2Header: [String] {
        ["dataset", "c", "noise", "random walk", "metric", "paper", "ours test-selected", "diff", "ours P-clean",
         "verdict", "note"]
    }

    /// Which of the paper's tables a comparison renders.
    enum PaperTable { case one, two }

    func compare(_ reported: [ReportedRow], with ours: TidyCSV, metrics: [String]) throws -> [Line] {
        try ours.require(["dataset", "backbone", "method", "variant", "target_sparsity", "protocol", "status", "n_seeds",
                          "achieved_sparsity_mean"] + metrics.flatMap { ["\($0)_mean", "\($0)_ci95"] })
        let index = try Self.rowIndex(ours)
        let table: PaperTable = metrics == ReportedNumbers.table1Metrics ? .one : .two
        var lines: [Line] = []
        for row in reported {
            let key = Self.key(row)
            let codeRow = index[key + ["code"]], cleanRow = index[key + ["clean"]]
            let ourSparsity = try (codeRow ?? cleanRow).flatMap { try ours.number($0, "achieved_sparsity_mean") }
            for (metric, paper) in row.values where metrics.contains(metric) {
                let code = try codeRow.map { try value(ours, $0, metric) }
                let clean = try cleanRow.map { try value(ours, $0, metric) }
                let verdict = Verdict.judge(paper: paper, testSelected: code, clean: clean)
                let compared = [Self.paper(paper), Self.show(code),
                                Self.difference(paper: paper, ours: OurValue.compared(testSelected: code, clean: clean)?.value),
                                Self.show(clean)]
                let tail = ["**\(verdict.rawValue)**", note(row, verdict)]
                switch table {
                case .one:
                    let sparsity = "\(row.reportedSparsity.map { String(format: "%.2f", $0) } ?? "—") / "
                        + "\(ourSparsity.map { String(format: "%.4f", $0) } ?? "—")"
                    let atKStar = try codeRow.map { try fixedChunkValue(ours, $0, metric) }
                    lines.append(Line(cells: [row.dataset, row.backbone, row.method, row.target.isEmpty ? "—" : row.target, metric]
                                      + compared + [atKStar ?? "—", sparsity] + tail, verdict: verdict))
                case .two:
                    let v = Table2Aggregation.variants[row.variant]!
                    lines.append(Line(cells: [row.dataset, row.target, v.noise, v.randomWalk, metric] + compared + tail,
                                      verdict: verdict))
                }
            }
        }
        return lines
    }

    static let keyColumns = ["dataset", "backbone", "method", "variant", "target_sparsity", "protocol"]

    /// The rows of an aggregated table (table-1.csv, table-2.csv) by (dataset, backbone, method, variant, c, protocol).
    static func rowIndex(_ ours: TidyCSV) throws -> [[String]: Int] {
        var index: [[String]: Int] = [:]
        for r in ours.rows.indices { index[try keyColumns.map { try ours.string(r, $0) }] = r }
        return index
    }

    /// A paper row's key in `rowIndex`, without the protocol.
    static func key(_ row: ReportedRow) -> [String] { [row.dataset, row.backbone, row.method, row.variant, row.target] }

    /// The paper row's flag.
    func note(_ row: ReportedRow, _ verdict: Verdict) -> String { row.note }

    func value(_ t: TidyCSV, _ r: Int, _ metric: String) throws -> OurValue { try Self.value(t, r, metric) }

    static func value(_ t: TidyCSV, _ r: Int, _ metric: String) throws -> OurValue {
        OurValue(status: try t.string(r, "status"), n: Int(try t.string(r, "n_seeds")) ?? 0,
                 mean: try t.number(r, "\(metric)_mean"), ci: try t.number(r, "\(metric)_ci95"))
    }

    /// "mean ± ci (K* = k)" of the selection-free P-code number, "—" when the CSV has none.
    func fixedChunkValue(_ t: TidyCSV, _ r: Int, _ metric: String) throws -> String {
        guard t.header.contains("\(metric)_kstar_mean"), let m = try t.number(r, "\(metric)_kstar_mean") else { return "—" }
        let ci = try t.number(r, "\(metric)_kstar_ci95").map { " ± " + String(format: "%.4f", $0) } ?? ""
        return String(format: "%.4f", m) + ci + " (K*=\(try t.string(r, "kstar")))"
    }

    /// "code" is labelled test-selected wherever it is shown.
    static func protocolName(_ p: String) -> String { p == "code" ? "code (test-selected)" : p }

    static func paper(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "? (ambiguous)" }

    static func show(_ v: OurValue?) -> String {
        guard let v else { return "—" }
        if v.status == CellResult.Status.notReached.rawValue && v.mean == nil { return "not reached" }
        guard let m = v.mean else { return v.status == "failed" ? "failed" : "—" }
        let ci = v.ci.map { " ± " + String(format: "%.4f", $0) } ?? ""
        return String(format: "%.4f", m) + ci + " (n=\(v.n))"
    }

    static func difference(paper: Double?, ours: OurValue?) -> String {
        guard let paper, let m = ours?.mean else { return "—" }
        let d = m - paper
        let rel = paper == 0 ? "" : " (" + signed(100 * d / paper, 1) + " %)"
        return signed(d, 4) + rel
    }

    static func signed(_ x: Double, _ digits: Int) -> String {
        let s = CSVNumber.fixed(x, digits)
        return s.hasPrefix("-") ? s : "+" + s
    }

    // MARK: - Sections

    func intro() -> String {
        """
        Generated by `ciess report --profile \(profile)` from `table-1.csv`, `table-2.csv` (made by `ciess aggregate`), \
        the result files under `cells/` and the paper's numbers in `experiments/reported/`. \
        Verdicts: **reproduced** — the paper's value lies in our test-selected 95 % CI or within ±\(Int(Verdict.relativeTolerance * 100)) % \
        of it; **deviates** — a test-selected result exists and does neither (a target not reached deviates); \
        **protocol differs** — only a P-clean result exists; **not run** — no result; \
        **paper value ambiguous** — the paper's value could not be extracted (see the note).


        """
    }

    func scorecard(_ tables: [(String, [Verdict])]) -> String {
        var md = "## Scorecard\n\n| table | " + Verdict.allCases.map(\.rawValue).joined(separator: " | ") + " | total |\n"
        md += "|---" + String(repeating: "|---:", count: Verdict.allCases.count + 1) + "|\n"
        for (name, verdicts) in tables {
            md += "| \(name) | " + Verdict.allCases.map { v in "\(verdicts.filter { $0 == v }.count)" }.joined(separator: " | ")
                + " | \(verdicts.count) |\n"
        }
        return md + "\nOne compared number per (paper row, metric).\n\n"
    }

    func section(_ title: String, _ header: [String], _ lines: [Line], note: String) -> String {
        var md = "## \(title)\n\n\(note)\n\n"
        md += markdownTable(header, lines.map(\.cells))
        return md + "\n"
    }

    /// Our grid points the paper has no number for (e.g. the smoke profile's budgets), so no result is hidden.
    func unmatched(_ name: String, _ ours: TidyCSV, reported: [ReportedRow]) throws -> String {
        let keys = Set(reported.map { [$0.dataset, $0.backbone, $0.method, $0.variant, $0.target] })
        var rows: [[String]] = []
        for r in ours.rows.indices {
            let k = try ["dataset", "backbone", "method", "variant", "target_sparsity"].map { try ours.string(r, $0) }
            guard !keys.contains(k) else { continue }
            let cells = try ["recall@20", "ndcg@20"].map { m in Self.show(try value(ours, r, m)) }
            rows.append(k.map { $0.isEmpty ? "—" : $0 } + [Self.protocolName(try ours.string(r, "protocol"))] + cells
                        + [CSVNumber.sparsity(try ours.number(r, "achieved_sparsity_mean"))])
        }
        guard !rows.isEmpty else { return "" }
        return "## \(name): our results without a paper counterpart\n\n"
            + markdownTable(["dataset", "backbone", "method", "variant", "c", "protocol", "R@20", "N@20", "achieved sparsity"], rows) + "\n"
    }

    func pairedTests(_ t: TidyCSV) throws -> String {
        var md = "## Paired tests: CIESS (g-rw) − baseline\n\n"
        md += "Two-sided paired t-test over the seeds both finished with the same split digest (NA with fewer than 2 pairs).\n\n"
        guard t.header.contains("vs_ciess_n_pairs") else { return md + "No paired-test columns in table-1.csv.\n\n" }
        var rows: [[String]] = []
        for r in t.rows.indices where !(try t.string(r, "vs_ciess_n_pairs")).isEmpty {
            rows.append(try ["dataset", "backbone", "method", "target_sparsity", "protocol", "vs_ciess_n_pairs",
                             "vs_ciess_recall@20_diff", "vs_ciess_recall@20_t", "vs_ciess_recall@20_p",
                             "vs_ciess_ndcg@20_diff", "vs_ciess_ndcg@20_t", "vs_ciess_ndcg@20_p"].map { try t.string(r, $0) })
            rows[rows.count - 1][4] = Self.protocolName(rows[rows.count - 1][4])
        }
        if rows.isEmpty { return md + "No baseline results yet.\n\n" }
        return md + markdownTable(["dataset", "backbone", "baseline", "c", "protocol", "pairs", "ΔR@20", "t", "p",
                                   "ΔN@20", "t", "p"], rows) + "\n"
    }

    func flagged(_ rows: [ReportedRow]) -> String {
        var md = "## The paper's numbers: flagged cells\n\n"
        if let readme = ReportedNumbers.readme(reportedDirectory) { md += readme.split(separator: "\n").map { "> " + $0 }.joined(separator: "\n") + "\n\n" }
        let notes = rows.filter { !$0.note.isEmpty }
        if notes.isEmpty { return md + "No flagged cells.\n\n" }
        return md + markdownTable(["dataset", "backbone", "method", "c", "note"],
                                  notes.map { [$0.dataset, $0.backbone, $0.method, $0.target.isEmpty ? "—" : $0.target, $0.note] }) + "\n"
    }

    func figures() -> String {
        var md = "## Figures\n\nRendered by `scripts/render-figures.sh \(profile)` from the aggregated CSVs.\n\n"
        let captions = [
            (3, "Figure 3: average reward and average action per episode (last iteration), with and without random walk"),
            (4, "Figure 4: R@20 and N@20 against λ per c"),
            (5, "Figure 5: best R@20 and N@20 per interval of episodes per c"),
            (6, "Figure 6 (not in the paper): R@20 against achieved sparsity, every method, 95 % CI bars"),
            (7, "Figure 7 (not in the paper): ours against the paper for every Table 1 and Table 2 number, with y = x and a ±5 % band"),
        ]
        for (n, caption) in captions {
            md += "### \(caption)\n\n![\(caption)](figures/figure-\(n).png)\n\nData: `figure-\(n).csv`; SVG: [figures/figure-\(n).svg](figures/figure-\(n).svg)\n\n"
        }
        return md
    }

    func failures(_ scan: ScannedResults) -> String {
        var md = "## Failed stages\n\n"
        if scan.failures.isEmpty { return md + "None.\n\n" }
        md += "\(scan.failures.count) stage(s) failed (from their `failed.json`):\n\n"
        return md + markdownTable(["stage", "exit status", "last log line"], scan.failures.map {
            [$0.location, "\($0.failure.exitStatus)", $0.failure.logTail.last ?? ""]
        }) + "\n"
    }

    func overBudget(_ scan: ScannedResults) -> String {
        let cells = scan.cells.filter { $0.result.status == .overBudget }
        let md = "## Over-budget cells (excluded from every table)\n\n"
        if cells.isEmpty { return md + "None.\n\n" }
        return md + markdownTable(["cell", "achieved sparsity"], cells.map {
            [$0.id, CSVNumber.sparsity($0.result.achievedSparsity)]
        }) + "\n"
    }

    /// Results made with settings the profile no longer gives: listed, never in a table.
    func staleResults(_ scan: ScannedResults) -> String {
        guard !scan.stale.isEmpty else { return "" }
        var md = "## Stale results (not in any table)\n\n"
        md += "Made with settings the profile no longer gives their cell; `make reproduce` recomputes them "
            + "(the old file is kept as `result.stale-<hash>.json`).\n\n"
        md += "| cell | its config hash | the profile's |\n| --- | --- | --- |\n"
        for c in scan.stale {
            md += "| cells/\(c.id) | \(c.result.configHash) | \(currentHashes?[c.id] ?? "not planned") |\n"
        }
        return md + "\n"
    }

    func provenance(_ scan: ScannedResults) -> String {
        let p = scan.cells.map(\.result)
        func list(_ values: [String]) -> String {
            let u = Set(values).sorted()
            return u.isEmpty ? "—" : u.map { "`\($0)`" }.joined(separator: ", ")
        }
        var md = "## Provenance\n\n"
        md += "- result files: \(p.count)\n"
        md += "- commits: \(list(p.map { $0.provenance.gitCommit + ($0.provenance.gitDirty ? " (dirty)" : "") }))\n"
        md += "- toolchains: \(list(p.map(\.provenance.toolchain)))\n"
        md += "- machines: \(list(p.map { "\($0.provenance.machine) — \($0.provenance.cpu)" }))\n"
        md += "- threads: \(list(p.map { "\($0.provenance.threads)" }))\n"
        md += "- BLAS kernels: \(list(p.map { $0.provenance.blas ?? "unrecorded" }))\n"
        md += "- raw data digests: \(list(p.map { "\($0.dataset): \($0.rawDigest)" }))\n"
        md += "- row order before the split: \(list(p.map { "\($0.dataset): \($0.sourceOrder)" }))\n"
        md += "- split digests: \(list(p.map { "\($0.dataset): \($0.splitDigest)" }))\n"
        md += determinismLink()
        return md
    }

    /// A link to `determinism.md` with its verdict line, or how to produce it.
    func determinismLink() -> String {
        let url = profileDirectory.appendingPathComponent("determinism.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let entries = try? JSONOutput.decoder.decode([DeterminismCheck.Entry].self, from: data) else {
            return "- determinism: not checked (run `make determinism PROFILE=\(profile)`)\n"
        }
        let same = entries.filter(\.identical).count
        return "- determinism: [\(same) of \(entries.count) recomputations bit-identical](determinism.md)\n"
    }

    func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var md = "| " + header.map(esc).joined(separator: " | ") + " |\n"
        md += "|" + String(repeating: "---|", count: header.count) + "\n"
        for r in rows { md += "| " + r.map(esc).joined(separator: " | ") + " |\n" }
        return md
    }
}
