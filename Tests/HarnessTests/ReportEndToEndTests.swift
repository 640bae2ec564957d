import XCTest
import Foundation
@testable import Harness

/// A small results directory (cells, failures, searches) → every CSV and REPORT.md.
final class ReportEndToEndTests: XCTestCase {
    typealias F = ReportFixture

    /// Writes the fixture; `reversed` writes the same files in the opposite order.
    func makeFixture(reversed: Bool = false) throws -> URL {
        let p = try F.temporaryProfile(self)
        var writes: [() throws -> Void] = []
        func add(_ r: CellResult) { writes.append { try F.write(r, in: p) } }
        // CIESS (Table 1, variant g-rw): three seeds under P-code (seed 3 on another split), two under P-clean.
        for (seed, r20, n20, split) in [(UInt64(1), 0.24, 0.40, "split-1"), (2, 0.25, 0.41, "split-1"), (3, 0.26, 0.42, "split-2")] {
            add(F.result(seed: seed, protocol: "code", r20: r20, n20: n20, split: split))
        }
        add(F.result(seed: 1, protocol: "clean", r20: 0.20, n20: 0.35))
        add(F.result(seed: 2, protocol: "clean", r20: 0.21, n20: 0.36))
        // ES: three seeds, all on split-1: pairs with CIESS on seeds 1 and 2 only.
        for (seed, r20, n20) in [(UInt64(1), 0.22, 0.38), (2, 0.215, 0.37), (3, 0.5, 0.5)] {
            add(F.result(method: "es", variant: "default", seed: seed, protocol: "code", r20: r20, n20: n20))
        }
        add(F.result(target: 0.95, seed: 1, protocol: "code", status: .notReached))
        add(F.result(method: "mr", variant: "default", target: 0.9, seed: 1, protocol: "clean", status: .overBudget, sparsity: 0.89))
        add(F.result(variant: "g-norw", seed: 1, protocol: "clean", r20: 0.2130, n20: 0.3825))
        add(F.result(variant: "g-rw-l0.2", lambda: 0.2, seed: 1, protocol: "clean", r20: 0.19, n20: 0.33))
        add(F.result(variant: "g-rw-i1", seed: 1, protocol: "clean", r20: 0.18, n20: 0.31))
        add(F.result(variant: "g-rw-i2", seed: 1, protocol: "clean", status: .notReached))
        writes.append { try F.writeFailure("ml-1m/lightgcn/mr/default/c0.90/seed2/clean", in: p) }
        writes.append { try F.writeFailure("ml-1m/lightgcn/ciess/ou-rw/seed1", in: p, root: "search") }
        for seed: UInt64 in [1, 2] {
            writes.append { try F.writeSearch(dataset: "ml-1m", variant: "g-rw", seed: seed, episodes: 2, iterations: 2, in: p) }
        }
        writes.append { try F.writeSearch(dataset: "ml-1m", variant: "g-norw", seed: 1, episodes: 2, iterations: 2, in: p, slope: 0.5) }
        writes.append { try F.writeSearch(dataset: "ml-1m", variant: "g-rw", seed: 3, episodes: 1, iterations: 2, in: p, done: false) }
        for w in (reversed ? writes.reversed() : writes) { try w() }
        return p
    }

    var reported: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/reported")
    }

    func csv(_ p: URL, _ name: String) throws -> TidyCSV { try TidyCSV.read(p.appendingPathComponent(name)) }

    func row(_ t: TidyCSV, _ match: [String: String]) throws -> Int {
        let hits = try t.rows.indices.filter { r in try match.allSatisfy { try t.string(r, $0.key) == $0.value } }
        XCTAssertEqual(hits.count, 1, "rows matching \(match)")
        return try XCTUnwrap(hits.first)
    }

    func testTable1() throws {
        let p = try makeFixture()
        try ReportFixture.aggregate(p)
        let t = try csv(p, "table-1.csv")
        let ciess = try row(t, ["method": "ciess", "target_sparsity": "0.80", "protocol": "code"])
        XCTAssertEqual(try t.string(ciess, "status"), "ok")
        XCTAssertEqual(try t.string(ciess, "n_seeds"), "3")
        XCTAssertEqual(try t.string(ciess, "seeds"), "1;2;3")
        XCTAssertEqual(try t.string(ciess, "recall@20_mean"), "0.2500")
        XCTAssertEqual(try t.string(ciess, "recall@20_sd"), "0.0100")
        XCTAssertEqual(try t.string(ciess, "recall@20_ci95"), "0.0248")
        XCTAssertEqual(try t.string(ciess, "achieved_sparsity_mean"), "0.801000")
        XCTAssertEqual(try t.string(ciess, "split_digests"), "split-1;split-2")
        XCTAssertEqual(try t.string(ciess, "protocol_label"), "P-code (test-selected)")
        XCTAssertEqual(try t.string(ciess, "vs_ciess_n_pairs"), "", "no test of CIESS against itself")

        let es = try row(t, ["method": "es", "protocol": "code"])
        XCTAssertEqual(try t.string(es, "vs_ciess_n_pairs"), "2", "seed 3 is on another split")
        XCTAssertEqual(try t.string(es, "vs_ciess_recall@20_diff"), "0.0275")
        XCTAssertEqual(try t.string(es, "vs_ciess_recall@20_t"), "3.6667")
        XCTAssertEqual(try t.string(es, "vs_ciess_recall@20_p"), "0.169501")

        let notReached = try row(t, ["method": "ciess", "target_sparsity": "0.95"])
        XCTAssertEqual(try t.string(notReached, "status"), "not_reached")
        XCTAssertEqual(try t.string(notReached, "n_not_reached"), "1")
        XCTAssertEqual(try t.string(notReached, "recall@20_mean"), "")

        let single = try row(t, ["method": "ciess", "target_sparsity": "0.80", "protocol": "clean"])
        XCTAssertEqual(try t.string(single, "recall@20_ci95"), "0.0635")

        // The over-budget MR cell never enters; its failed seed makes a "failed" row.
        let mr = try row(t, ["method": "mr"])
        XCTAssertEqual(try t.string(mr, "status"), "failed")
        XCTAssertEqual(try t.string(mr, "n_failed"), "1")
        XCTAssertEqual(try t.string(mr, "n_seeds"), "0")
        XCTAssertEqual(t.rows.count, 5)
    }

    func testTable2AndFigures() throws {
        let p = try makeFixture()
        try ReportFixture.aggregate(p)
        let t2 = try csv(p, "table-2.csv")
        XCTAssertEqual(try t2.rows.indices.map { try t2.string($0, "variant") }, ["g-norw", "g-rw", "g-rw", "g-rw"])
        let norw = try row(t2, ["variant": "g-norw"])
        XCTAssertEqual(try t2.string(norw, "noise"), "gaussian")
        XCTAssertEqual(try t2.string(norw, "random_walk"), "no")
        XCTAssertEqual(try t2.string(norw, "recall@20_sd"), "NA")

        let f4 = try csv(p, "figure-4.csv")
        XCTAssertEqual(try f4.rows.indices.map { try [f4.string($0, "target_sparsity"), f4.string($0, "protocol"), f4.string($0, "lambda"),
                                                       f4.string($0, "default_lambda")].joined(separator: " ") },
                       ["0.80 clean 0.2 no", "0.80 clean 0.4 yes", "0.80 code 0.4 yes", "0.95 code 0.4 yes"])

        let f5 = try csv(p, "figure-5.csv")
        XCTAssertEqual(try f5.rows.indices.map { try [f5.string($0, "interval"), f5.string($0, "status"), f5.string($0, "recall@20_mean")] },
                       [["1", "ok", "0.1800"], ["2", "not_reached", ""]])

        let f6 = try csv(p, "figure-6.csv")
        XCTAssertEqual(f6.rows.count, 3, "Table 1 rows with a result")

        let f3 = try csv(p, "figure-3.csv")
        XCTAssertEqual(f3.rows.count, 4, "2 variants × 2 episodes; the unfinished search is left out")
        let e0 = try row(f3, ["variant": "g-rw", "episode": "0"])
        XCTAssertEqual(try f3.string(e0, "seeds"), "1;2")
        XCTAssertEqual(try f3.string(e0, "random_walk"), "yes")
        XCTAssertEqual(try f3.string(e0, "last_avg_reward_mean"), "0.111500")
        XCTAssertEqual(try f3.string(e0, "last_avg_reward_ci95"), "0.006353")
        XCTAssertEqual(try f3.string(e0, "last_action_mean_mean"), "97.500000")
        XCTAssertEqual(try f3.string(e0, "episode_avg_reward_mean"), "0.106500")
        let seeds = try csv(p, "figure-3-seeds.csv")
        XCTAssertEqual(seeds.rows.count, 6)
        XCTAssertEqual(try seeds.string(0, "variant"), "g-norw")
        XCTAssertEqual(try seeds.string(0, "last_iteration"), "1")
    }

    func testStaleFailuresOfStagesThatLaterSucceededAreIgnored() throws {
        let p = try F.temporaryProfile(self)
        let r = F.result()
        try F.write(r, in: p)
        try F.writeFailure(r.cell, in: p)
        try F.writeSearch(dataset: "ml-1m", variant: "g-rw", seed: 1, episodes: 1, iterations: 1, in: p)
        try F.writeFailure("ml-1m/lightgcn/ciess/g-rw/seed1", in: p, root: "search")
        try F.writeFailure("ml-1m/lightgcn/ciess/g-norw/seed1", in: p, root: "search")
        let scan = try ResultScanner.scan(profileDirectory: p)
        XCTAssertEqual(scan.cells.map(\.id), [r.cell])
        XCTAssertEqual(scan.failures.map(\.location), ["search/ml-1m/lightgcn/ciess/g-norw/seed1"])
    }

    func testOutputIsByteIdenticalForIdenticalInputs() throws {
        let a = try makeFixture(), b = try makeFixture(reversed: true)
        try ReportFixture.aggregate(a)
        try ReportFixture.aggregate(b)
        for name in ResultAggregator.outputs {
            let x = try Data(contentsOf: a.appendingPathComponent(name)), y = try Data(contentsOf: b.appendingPathComponent(name))
            XCTAssertEqual(x, y, name)
        }
        let first = try Data(contentsOf: a.appendingPathComponent("table-1.csv"))
        try ReportFixture.aggregate(a)
        XCTAssertEqual(first, try Data(contentsOf: a.appendingPathComponent("table-1.csv")), "a rerun changes nothing")
        let ra = try ReportWriter(profile: "smoke", profileDirectory: a, reportedDirectory: reported).render()
        let rb = try ReportWriter(profile: "smoke", profileDirectory: b, reportedDirectory: reported).render()
        XCTAssertEqual(ra, rb)
        XCTAssertFalse(try String(contentsOf: a.appendingPathComponent("table-1.csv"), encoding: .utf8).contains("13.7"),
                       "wall times never reach a CSV")
    }

    /// P-code's selection-free number (TEST after exactly K* chunks) reaches table-1.csv and the report.
    func testFixedChunkNumberIsAggregatedAndReported() throws {
        let p = try F.temporaryProfile(self)
        for (seed, r20) in [(UInt64(1), 0.24), (2, 0.26)] {
            try F.write(F.result(seed: seed, protocol: "code", r20: r20, n20: 0.4, kstar: 5), in: p)
        }
        try F.write(F.result(seed: 1, protocol: "clean", r20: 0.2, n20: 0.35), in: p)
        try ReportFixture.aggregate(p)
        let t = try TidyCSV.read(p.appendingPathComponent("table-1.csv"))
        let code = try XCTUnwrap(t.rows.indices.first { try! t.string($0, "protocol") == "code" })
        let clean = try XCTUnwrap(t.rows.indices.first { try! t.string($0, "protocol") == "clean" })
        XCTAssertEqual(try t.string(code, "kstar"), "5")
        XCTAssertEqual(try t.string(code, "recall@20_kstar_mean"), "0.2400")
        XCTAssertEqual(try t.string(code, "recall@20_mean"), "0.2500")
        XCTAssertEqual(try t.string(clean, "kstar"), "")
        XCTAssertEqual(try t.string(clean, "recall@20_kstar_mean"), "")
        XCTAssertTrue(try t.string(code, "blas").hasPrefix("OpenBLAS "))
        XCTAssertEqual(try t.string(code, "source_orders"), "as distributed")
        let md = try String(contentsOf: try ReportWriter(profile: "smoke", profileDirectory: p, reportedDirectory: reported).write(),
                            encoding: .utf8)
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | ciess | 0.80 | recall@20 | 0.2436 | 0.2500 ± 0.1271 (n=2) | +0.0064 (+2.6 %) | 0.2000 (n=1) | 0.2400 ± 0.1271 (K*=5) | 0.80 / 0.8010 |"), md)
    }

    /// A result whose config hash is not the profile's current one is stale: out of every table, listed in the report.
    func testStaleResultsAreLeftOutAndListed() throws {
        let p = try F.temporaryProfile(self)
        let fresh = F.result(seed: 1, protocol: "code", r20: 0.24, n20: 0.4)
        let old = F.result(seed: 2, protocol: "code", r20: 0.9, n20: 0.9)
        try F.write(fresh, in: p)
        try F.write(old, in: p)
        let current = [fresh.cell: fresh.configHash, old.cell: "0123456789abcdef"]
        try ResultAggregator.run(profileDirectory: p, reportedDirectory: reported, currentHashes: current)
        let t = try TidyCSV.read(p.appendingPathComponent("table-1.csv"))
        XCTAssertEqual(t.rows.count, 1)
        XCTAssertEqual(try t.string(0, "seeds"), "1", "the stale seed-2 result is in no table")
        let md = try String(contentsOf: try ReportWriter(profile: "smoke", profileDirectory: p, reportedDirectory: reported,
                                                         currentHashes: current).write(), encoding: .utf8)
        XCTAssertTrue(md.contains("## Stale results (not in any table)"), md)
        XCTAssertTrue(md.contains("| cells/\(old.cell) | \(old.configHash) | 0123456789abcdef |"), md)
        XCTAssertFalse(md.contains("0.9000"), "no stale number reaches the report")
    }

    func testReport() throws {
        let p = try makeFixture()
        try F.write(F.result(method: "es", variant: "default", target: 0.4, seed: 1, protocol: "clean", r20: 0.3, n20: 0.4), in: p)
        try ReportFixture.aggregate(p)
        let url = try ReportWriter(profile: "smoke", profileDirectory: p, reportedDirectory: reported).write()
        let md = try String(contentsOf: url, encoding: .utf8)
        // CIESS at 0.80 on ML-1M/LightGCN: R@20 0.2500 ± 0.0248 vs 0.2436: reproduced.
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | ciess | 0.80 | recall@20 | 0.2436 | 0.2500 ± 0.0248 (n=3) | +0.0064 (+2.6 %) | 0.2050 ± 0.0635 (n=2) | — | 0.80 / 0.8010 | **reproduced** |  |"), md)
        // ES at 0.80: 0.2517 ± … vs 0.2248 (P-code).
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | es | 0.80 | recall@20 | 0.2248 | 0.3117 ± "), md)
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | ciess | 0.95 | recall@20 | 0.2009 | not reached | — | — | — | 0.95 / — | **deviates** |"), md)
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | pep | 0.80 | recall@20 | 0.2098 | — | — | — | — | 0.80 / — | **not run** |  |"), md)
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | mr | 0.90 | recall@20 | 0.1802 | — | — | failed | — | 0.90 / — | **not run** |"), md)
        // The ambiguous NCF cells keep their note visible.
        XCTAssertTrue(md.contains("| ml-1m | neumf | es | 0.95 | ndcg@5 | ? (ambiguous) |"), md)
        XCTAssertTrue(md.contains("ndcg@5 is 0.3864 or 0.3881"), md)
        // Table 2: only a P-clean result for G without RW at 0.80.
        XCTAssertTrue(md.contains("| ml-1m | 0.80 | gaussian | no | recall@20 | 0.2130 | — | +0.0000 (+0.0 %) | 0.2130 (n=1) | **protocol differs** |"), md)
        XCTAssertTrue(md.contains("| Table 1 | 7 | 5 | 0 | 324 | 0 | 336 |"), md)
        XCTAssertTrue(md.contains("| Table 2 | 2 | 2 | 2 | 42 | 0 | 48 |"), md)
        XCTAssertTrue(md.contains("| ml-1m | lightgcn | es | 0.80 | code (test-selected) | 2 | 0.0275 | 3.6667 | 0.169501 |"), md)
        XCTAssertTrue(md.contains("| cells/ml-1m/lightgcn/mr/default/c0.90/seed2/clean | 3 | fatal: out of memory |"), md)
        XCTAssertTrue(md.contains("| search/ml-1m/lightgcn/ciess/ou-rw/seed1 | 3 | fatal: out of memory |"), md)
        XCTAssertTrue(md.contains("| ml-1m/lightgcn/mr/default/c0.90/seed1/clean | 0.890000 |"), md)
        XCTAssertTrue(md.contains("""
            ## Table 1: our results without a paper counterpart

            | dataset | backbone | method | variant | c | protocol | R@20 | N@20 | achieved sparsity |
            |---|---|---|---|---|---|---|---|---|
            | ml-1m | lightgcn | es | default | 0.40 | clean | 0.3000 (n=1) | 0.4000 (n=1) | 0.401000 |
            """), md)
        for n in 3...6 { XCTAssertTrue(md.contains("](figures/figure-\(n).png)"), "figure \(n)") }
        XCTAssertTrue(md.contains("- commits: `abc123`"), md)
    }
}
