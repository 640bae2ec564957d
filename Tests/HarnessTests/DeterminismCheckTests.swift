import XCTest
import Evaluation
@testable import Harness

/// The determinism record: which thread counts are recomputed, how differences are measured, and
/// what determinism.md says.
final class DeterminismCheckTests: XCTestCase {
    func metrics(_ r20: Double) -> MetricSummary {
        MetricSummary(recall5: 0.1, recall10: 0.15, recall20: r20, ndcg5: 0.3, ndcg10: 0.31, ndcg20: 0.32, avg: 0.2)
    }

    func result(test: MetricSummary?, valid: MetricSummary?) -> CellResult {
        CellResult(
            cell: "ml-1m/lightgcn/es/fixed/c0.90/seed1/clean", profile: "smoke", dataset: "ml-1m", backbone: "lightgcn",
            method: "es", variant: "fixed", targetSparsity: 0.9, lambda: nil, seed: 1, finalProtocol: "clean",
            protocolLabel: "P-clean", status: .ok, achievedSparsity: 0.9063, valid: valid, test: test, bestChunk: 1,
            chunksRun: 1, audit: nil, searchDirectory: "search/x", configHash: "h", rawDigest: "r", splitDigest: "s",
            provenance: Provenance(gitCommit: "c", gitDirty: false, toolchain: "t", machine: "m", cpu: "cpu", threads: 1),
            wallSeconds: 0)
    }

    func testThreadCounts() {
        XCTAssertEqual(DeterminismCheck.threadCounts(stored: 1, alternative: 2), [1, 2])
        XCTAssertEqual(DeterminismCheck.threadCounts(stored: 2, alternative: 2), [2])
    }

    func testMaxMetricDifferenceOverTestAndValid() {
        let a = result(test: metrics(0.2), valid: metrics(0.3))
        XCTAssertEqual(VerifyComparison.maxMetricDifference(stored: a, fresh: a), 0)
        let b = result(test: metrics(0.2), valid: metrics(0.3125))
        XCTAssertEqual(VerifyComparison.maxMetricDifference(stored: a, fresh: b), 0.0125, accuracy: 1e-15)
        XCTAssertEqual(VerifyComparison.differences(stored: a, fresh: b), ["valid.recall20: stored 0.3, fresh 0.3125"])
        XCTAssertEqual(VerifyComparison.maxMetricDifference(stored: a, fresh: result(test: metrics(0.2), valid: nil)), 0)
    }

    func testMarkdownCountsAndListsEveryRecomputation() {
        let entries = [
            DeterminismCheck.Entry(cell: "a", storedThreads: 1, freshThreads: 1, identical: true, maxMetricDifference: 0, differences: []),
            DeterminismCheck.Entry(cell: "a", storedThreads: 1, freshThreads: 2, identical: false, maxMetricDifference: 2.5e-7,
                                   differences: ["test.ndcg20: stored 0.1, fresh 0.10000025"])]
        let md = DeterminismCheck.markdown(entries, profile: "smoke")
        XCTAssertTrue(md.contains("**1 of 2 recomputations are bit-identical.**"), md)
        XCTAssertTrue(md.contains("| `a` | 1 | 2 | — | differs | 2.5e-07 | test.ndcg20: stored 0.1, fresh 0.10000025 |"), md)
        XCTAssertTrue(md.contains("| `a` | 1 | 1 | — | bit-identical | 0 | — |"), md)
    }

    /// The pin check's row names the environment the child ran under, and the text says why it must not change.
    func testMarkdownNamesTheKernelSetting() {
        var e = DeterminismCheck.Entry(cell: "b", storedThreads: 1, freshThreads: 1, identical: true, maxMetricDifference: 0, differences: [])
        e.environment = "OPENBLAS_CORETYPE=Sandybridge"
        let md = DeterminismCheck.markdown([e], profile: "smoke")
        XCTAssertTrue(md.contains("| `b` | 1 | 1 | `OPENBLAS_CORETYPE=Sandybridge` | bit-identical | 0 | — |"), md)
        XCTAssertTrue(md.contains("pins its kernel family"), md)
    }
}
