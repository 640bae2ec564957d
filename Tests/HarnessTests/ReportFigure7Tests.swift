import XCTest
import Foundation
@testable import Harness

/// `figure-7.csv`: every Table 1 / Table 2 number of the paper that has a value, against ours (the value
/// REPORT.md's diff column uses), one row per point, sorted, byte-identical for identical inputs.
final class ReportFigure7Tests: XCTestCase {
    typealias F = ReportFixture

    func figure7(_ p: URL) throws -> TidyCSV {
        try F.aggregate(p)
        return try TidyCSV.read(p.appendingPathComponent("figure-7.csv"))
    }

    /// The rows whose columns equal `match`.
    func rows(_ t: TidyCSV, _ match: [String: String]) throws -> [Int] {
        try t.rows.indices.filter { r in try match.allSatisfy { try t.string(r, $0.key) == $0.value } }
    }

    func field(_ t: TidyCSV, _ match: [String: String], _ column: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let hits = try rows(t, match)
        XCTAssertEqual(hits.count, 1, "rows matching \(match)", file: file, line: line)
        return try t.string(try XCTUnwrap(hits.first, file: file, line: line), column)
    }

    func testHeaderAndTheNumbersOfTheReportLine() throws {
        let p = try F.temporaryProfile(self)
        for (seed, r20, n20) in [(UInt64(1), 0.24, 0.40), (2, 0.25, 0.41), (3, 0.26, 0.42)] {
            try F.write(F.result(seed: seed, protocol: "code", r20: r20, n20: n20), in: p)
        }
        let t = try figure7(p)
        XCTAssertEqual(t.header, Figure7Aggregation.header)
        for column in ["table", "dataset", "backbone", "method", "variant", "c", "metric", "paper", "ours", "ours_protocol", "ours_ci95"] {
            XCTAssertTrue(t.header.contains(column), column)
        }
        // REPORT.md: | ml-1m | lightgcn | ciess | 0.80 | recall@20 | 0.2436 | 0.2500 ± 0.0248 (n=3) | +0.0064 (+2.6 %) | … reproduced
        let r = try XCTUnwrap(try rows(t, ["table": "table-1", "metric": "recall@20"]).first)
        XCTAssertEqual(t.rows[r], ["table-1", "ml-1m", "lightgcn", "ciess", "g-rw", "0.80", "recall@20", "ciess", "0.2436", "0.2500",
                                   "code", "0.0248", "3", "0.0064", "0.0263", "reproduced"])
        // Table 1 gives R@5, R@20, N@5, N@20 of the cell, in that order; Table 2 (G + RW at 0.80) R@20 and N@20.
        XCTAssertEqual(try t.rows.indices.map { try [t.string($0, "table"), t.string($0, "metric")].joined(separator: " ") },
                       ["table-1 recall@5", "table-1 recall@20", "table-1 ndcg@5", "table-1 ndcg@20",
                        "table-2 recall@20", "table-2 ndcg@20"])
        XCTAssertEqual(try field(t, ["table": "table-2", "metric": "recall@20"], "paper"), "0.2437", "Table 2's own paper value")
        XCTAssertEqual(try field(t, ["table": "table-2", "metric": "recall@20"], "series"), "ciess/g-rw")
        XCTAssertEqual(try field(t, ["table": "table-1", "metric": "ndcg@5"], "ours"), "0.4510", "N@5 = 1.1 × N@20 in the fixture")
        XCTAssertFalse(try t.rows.indices.contains { try t.string($0, "metric").hasSuffix("@10") }, "the paper gives no @10")
        XCTAssertFalse(t.rendered().contains("\""), "no field needs quoting, so gnuplot's plain ',' separator reads every row")
    }

    func testReportedRowWithoutOurResultGivesNoPoint() throws {
        let p = try F.temporaryProfile(self)
        try F.write(F.result(method: "es", variant: "default", target: 0.9, seed: 1, protocol: "code", r20: 0.2, n20: 0.35), in: p)
        // Failed, not reached under P-code, and over budget: results the paper row is matched to, but no mean.
        try F.writeFailure("ml-1m/lightgcn/mr/default/c0.90/seed1/code", in: p)
        try F.write(F.result(target: 0.95, seed: 1, protocol: "code", status: .notReached), in: p)
        try F.write(F.result(target: 0.95, seed: 1, protocol: "clean", r20: 0.19, n20: 0.33), in: p)
        try F.write(F.result(method: "pep", variant: "default", target: 0.8, seed: 1, protocol: "code", status: .overBudget,
                             sparsity: 0.79), in: p)
        let t = try figure7(p)
        let points = try Set(t.rows.indices.map { try [t.string($0, "method"), t.string($0, "c")].joined(separator: " ") })
        XCTAssertEqual(points, ["es 0.90"], "only the ES cell has a mean; no other paper row gives a point")
        XCTAssertEqual(t.rows.count, 4)
        XCTAssertTrue(try rows(t, ["method": "ciess"]).isEmpty,
                      "a P-code target that was not reached gives no point and does not fall back to P-clean (as REPORT.md's diff)")

        let empty = try F.temporaryProfile(self)
        let none = try figure7(empty)
        XCTAssertEqual(none.header, Figure7Aggregation.header)
        XCTAssertTrue(none.rows.isEmpty, "no results, no points")
    }

    func testAmbiguousPaperValueGivesNoPoint() throws {
        let p = try F.temporaryProfile(self)
        // The paper's NCF ES at 0.95 on ML-1M has no extractable N@5 (experiments/reported/README.md).
        try F.write(F.result(backbone: "neumf", method: "es", variant: "default", target: 0.95, seed: 1, protocol: "code",
                             r20: 0.2, n20: 0.35), in: p)
        let t = try figure7(p)
        XCTAssertEqual(try t.rows.indices.map { try t.string($0, "metric") }, ["recall@5", "recall@20", "ndcg@20"])
    }

    func testTestSelectedIsPreferredOverPClean() throws {
        let p = try F.temporaryProfile(self)
        // ES at 0.80: both protocols → the P-code mean.
        try F.write(F.result(method: "es", variant: "default", seed: 1, protocol: "code", r20: 0.23, n20: 0.39), in: p)
        try F.write(F.result(method: "es", variant: "default", seed: 1, protocol: "clean", r20: 0.20, n20: 0.35), in: p)
        // MR at 0.80: only P-clean → the P-clean mean, judged "protocol differs".
        try F.write(F.result(method: "mr", variant: "default", seed: 1, protocol: "clean", r20: 0.21, n20: 0.36), in: p)
        try F.write(F.result(method: "mr", variant: "default", seed: 2, protocol: "clean", r20: 0.22, n20: 0.37), in: p)
        // Table 2's G without RW at 0.80, P-clean only (as the smoke profile runs Table 2).
        try F.write(F.result(variant: "g-norw", seed: 1, protocol: "clean", r20: 0.2130, n20: 0.3825), in: p)
        let t = try figure7(p)
        let es = ["method": "es", "metric": "recall@20"]
        XCTAssertEqual(try field(t, es, "ours"), "0.2300")
        XCTAssertEqual(try field(t, es, "ours_protocol"), "code")
        XCTAssertEqual(try field(t, es, "ours_ci95"), "NA", "one seed: no interval")
        XCTAssertEqual(try field(t, es, "paper"), "0.2248")
        XCTAssertEqual(try field(t, es, "verdict"), "reproduced", "0.2300 is within 5 % of 0.2248")
        let mr = ["method": "mr", "metric": "recall@20"]
        XCTAssertEqual(try field(t, mr, "ours"), "0.2150")
        XCTAssertEqual(try field(t, mr, "ours_protocol"), "clean")
        XCTAssertEqual(try field(t, mr, "ours_n"), "2")
        XCTAssertEqual(try field(t, mr, "ours_ci95"), "0.0635")
        XCTAssertEqual(try field(t, mr, "verdict"), "protocol differs")
        let norw = ["table": "table-2", "variant": "g-norw", "metric": "ndcg@20"]
        XCTAssertEqual(try field(t, norw, "series"), "ciess/g-norw")
        XCTAssertEqual(try field(t, norw, "ours"), "0.3825")
        XCTAssertEqual(try field(t, norw, "diff"), "0.0000")
        XCTAssertEqual(try field(t, norw, "ours_protocol"), "clean")

        // The same choice as REPORT.md's diff column, from the same helper.
        let code = OurValue(status: "ok", n: 1, mean: 0.23, ci: nil), clean = OurValue(status: "ok", n: 1, mean: 0.2, ci: nil)
        XCTAssertEqual(OurValue.compared(testSelected: code, clean: clean)?.protocol, "code")
        XCTAssertEqual(OurValue.compared(testSelected: OurValue(status: "failed", n: 0, mean: nil, ci: nil), clean: clean)?.protocol, "clean")
        XCTAssertEqual(OurValue.compared(testSelected: nil, clean: clean)?.value, clean)
        XCTAssertNil(OurValue.compared(testSelected: nil, clean: nil))
    }

    func testUncontrolledMethodsMatchTheirPaperRow() throws {
        let p = try F.temporaryProfile(self)
        try F.write(F.result(backbone: "ngcf", method: "esapn", variant: "default", target: nil, seed: 1, protocol: "code",
                             r20: 0.22, n20: 0.38, sparsity: 0.84), in: p)
        let t = try figure7(p)
        XCTAssertEqual(try field(t, ["method": "esapn", "metric": "recall@20"], "c"), "")
        XCTAssertEqual(try field(t, ["method": "esapn", "metric": "recall@20"], "paper"), "0.2276")
        XCTAssertEqual(t.rows.count, 4)
    }

    func testDeterministicBytesAndSortedRows() throws {
        let a = try F.temporaryProfile(self), b = try F.temporaryProfile(self)
        var results: [CellResult] = []
        for (m, v) in [("ciess", "g-rw"), ("es", "default"), ("mr", "default"), ("pep", "default")] {
            for c in [0.8, 0.9, 0.95] {
                for seed: UInt64 in 1...2 {
                    for proto in ["clean", "code"] {
                        let j = F.jitter("\(m)\(c)\(seed)\(proto)")
                        results.append(F.result(method: m, variant: v, target: c, seed: seed, protocol: proto,
                                                r20: 0.2 + 0.02 * j, n20: 0.35 + 0.02 * j))
                    }
                }
            }
        }
        for v in ["ou-rw", "u-rw", "g-norw"] {
            results.append(F.result(variant: v, target: 0.9, seed: 1, protocol: "clean", r20: 0.2, n20: 0.35))
        }
        results.append(F.result(dataset: "yelp2018", method: "optembed", variant: "default", target: nil, seed: 1, protocol: "code",
                                r20: 0.06, n20: 0.05, sparsity: 0.8))
        for r in results { try F.write(r, in: a) }
        for r in results.reversed() { try F.write(r, in: b) }
        try F.aggregate(a)
        try F.aggregate(b)
        let x = try Data(contentsOf: a.appendingPathComponent("figure-7.csv"))
        XCTAssertEqual(x, try Data(contentsOf: b.appendingPathComponent("figure-7.csv")), "independent of the order files were written in")
        try F.aggregate(a)
        XCTAssertEqual(x, try Data(contentsOf: a.appendingPathComponent("figure-7.csv")), "a rerun changes nothing")

        let t = try TidyCSV.read(a.appendingPathComponent("figure-7.csv"))
        XCTAssertEqual(t.rows.count, 4 * 3 * 4 + 4 + (3 + 3) * 2, "Table 1: 4 methods × 3 c × 4 metrics, + OptEmbed; Table 2: g-rw at 3 c, 3 variants at 0.90")
        let keys = try t.rows.indices.map { r in
            try ["table", "dataset", "backbone", "method", "variant", "c"].map { try t.string(r, $0) }
                + ["\(Figure7Aggregation.metricOrder.firstIndex(of: try t.string(r, "metric"))!)"]
        }
        XCTAssertEqual(keys, keys.sorted { SeedGroup.keyPrecedes($0, $1) }, "rows sorted by table, dataset, backbone, method, variant, c, metric")
        XCTAssertEqual(try t.string(t.rows.count - 1, "table"), "table-2")
        XCTAssertEqual(try t.string(0, "method"), "ciess")
        XCTAssertEqual(try t.string(0, "metric"), "recall@5")
    }
}
