import XCTest
@testable import Harness

final class BenchComparisonTests: XCTestCase {
    func testPairsImplementationsAndComputesSpeedUp() throws {
        let text = """
        {"implementation": "ciess-swift", "workload": "lightgcn_step", "batch": 10000, "dataset": "ml-1m", "threads": 2, "median_s": 0.02, "graph_sha256": "abc"}
        {"workload": "lightgcn_step", "batch": 10000, "dataset": "ml-1m", "threads": 2, "median_s": 0.09, "graph_sha256": "abc"}
        {"workload": "full_rank_eval", "batch": null, "dataset": "ml-1m", "threads": 2, "median_s": 0.1, "graph_sha256": "abc"}
        {"implementation": "ciess-swift", "workload": "full_rank_eval", "batch": null, "dataset": "ml-1m", "threads": 2, "median_s": 0.05, "graph_sha256": "xyz"}
        """
        let c = try BenchComparison(jsonLines: text)
        XCTAssertEqual(c.rows.count, 2)
        XCTAssertEqual(c.rows[0].ratio!, 4.5, accuracy: 1e-12)
        XCTAssertTrue(c.rows[0].graphMatches)
        XCTAssertEqual(c.rows[1].ratio!, 2.0, accuracy: 1e-12)
        XCTAssertFalse(c.rows[1].graphMatches)
        XCTAssertTrue(c.table().contains("4.50x"))
        XCTAssertTrue(c.table().contains("graph_sha256 differs"))
    }

    func testMalformedLinesAreRejectedWithTheirNumber() {
        XCTAssertThrowsError(try BenchComparison(jsonLines: "{\"workload\": \"x\", \"median_s\": 1}\nnot json")) { e in
            XCTAssertEqual("\(e)", "line 2: expected a JSON object with 'workload' and 'median_s'")
        }
        XCTAssertThrowsError(try BenchComparison(jsonLines: "{\"median_s\": 1}")) { e in
            XCTAssertEqual("\(e)", "line 1: expected a JSON object with 'workload' and 'median_s'")
        }
    }

    func testMedianMatchesPythonStatistics() {
        XCTAssertEqual([3.0, 1.0, 2.0].median, 2.0)
        XCTAssertEqual([4.0, 1.0, 3.0, 2.0].median, 2.5)
    }
}
