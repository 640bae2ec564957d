import XCTest
@testable import Recommenders

final class ConvergeTrainerTests: XCTestCase {
    /// Runs CONVERGE on a scripted monitor sequence and records what was saved and restored.
    private func run(_ monitor: [Double], patience: Int = 2, cap: Int = 30) -> (ConvergeTrainer.Outcome, saved: [Int], restoredAfter: Int, batches: Int) {
        var batches = 0, chunk = 0
        var saved: [Int] = []
        var restoredAfter = -1
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 3, patience: patience, maxChunks: cap))
        let out = t.run(trainBatch: { b in XCTAssertEqual(b, batches); batches += 1; return (1, 0.01) },
                        evaluate: { chunk += 1; return (monitor[chunk - 1], nil) },
                        saveBest: { saved.append(chunk) },
                        restoreBest: { restoredAfter = chunk })
        return (out, saved, restoredAfter, batches)
    }

    func testStopsAfterPatienceNonImprovingChunksAndRestoresTheBest() {
        let r = run([0.1, 0.3, 0.2, 0.3, 0.5, 0.4])   // 0.3 again is not an improvement
        XCTAssertEqual(r.0.bestChunk, 2)
        XCTAssertEqual(r.0.chunksRun, 4)
        XCTAssertEqual(r.saved, [1, 2])
        XCTAssertEqual(r.restoredAfter, 4)
        XCTAssertEqual(r.batches, 12)
        XCTAssertEqual(r.0.bestMonitorAvg, 0.3)
    }

    func testCapEndsAnEverImprovingRun() {
        let r = run([0.1, 0.2, 0.3, 0.4, 0.5], cap: 3)
        XCTAssertEqual(r.0.chunksRun, 3)
        XCTAssertEqual(r.0.bestChunk, 3)
        XCTAssertEqual(r.0.history.map(\.improved), [true, true, true])
    }

    func testPatienceCountsConsecutiveChunksOnly() {
        let r = run([0.2, 0.1, 0.3, 0.1, 0.25, 0.1], patience: 2)
        XCTAssertEqual(r.0.chunksRun, 5)
        XCTAssertEqual(r.0.bestChunk, 3)
    }
}
