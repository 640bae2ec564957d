import XCTest
@testable import Recommenders

final class ConvergeTrainerTests: XCTestCase {
    /// Runs CONVERGE on a scripted monitor sequence and records what was saved and restored.
    private func run(_ monitor: [Double], patience: Int = 2, cap: Int = 30) -> (ConvergeTrainer.Outcome, saved: [Int], restoredAfter: Int, batches: Int) {
        var batches = 0, chunk = 0
        var saved: [Int] = []
        var restoredAfter = -1
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 3, patience: patience, maxChunks: cap))
        let out = try! t.run(trainBatch: { b in XCTAssertEqual(b, batches); batches += 1; return (1, 0.01) },
                        evaluate: { chunk += 1; return (monitor[chunk - 1], nil) },
                        saveBest: { saved.append(chunk) },
                        restoreBest: { restoredAfter = chunk })!
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

    func testAnInterruptedLoopContinuesFromItsStateToTheSameOutcome() throws {
        let monitor = [0.1, 0.3, 0.2, 0.35, 0.3, 0.2]
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 2, patience: 2, maxChunks: 30))
        func go(from state: ConvergeTrainer.State, stopAfter: Int?) throws -> (ConvergeTrainer.Outcome?, ConvergeTrainer.State?, [Int]) {
            var chunk = state.history.count, saved: [Int] = [], last: ConvergeTrainer.State? = nil, batches: [Int] = []
            let out = try t.run(from: state, trainBatch: { b in batches.append(b); return (Float(b), 0.01) },
                                evaluate: { chunk += 1; return (monitor[chunk - 1], nil) },
                                saveBest: { saved.append(chunk) }, restoreBest: {},
                                afterChunk: { s in last = s; return stopAfter.map { s.history.count < $0 } ?? true })
            XCTAssertEqual(batches.first, state.history.count * 2, "batch numbering continues after the resumed chunks")
            return (out, last, saved)
        }
        let whole = try XCTUnwrap(go(from: .start, stopAfter: nil).0)
        let (none, state, savedBefore) = try go(from: .start, stopAfter: 3)
        XCTAssertNil(none)
        XCTAssertEqual(savedBefore, [1, 2])
        let s = try XCTUnwrap(state)
        XCTAssertEqual(s.bestChunk, 2)
        XCTAssertEqual(s.sinceImprovement, 1)
        let (resumed, _, savedAfter) = try go(from: s, stopAfter: nil)
        let r = try XCTUnwrap(resumed)
        XCTAssertEqual(savedAfter, [4])
        XCTAssertEqual(r.bestChunk, whole.bestChunk)
        XCTAssertEqual(r.chunksRun, whole.chunksRun)
        XCTAssertEqual(r.bestMonitorAvg, whole.bestMonitorAvg)
        XCTAssertEqual(r.history.map(\.monitorAvg), whole.history.map(\.monitorAvg))
        XCTAssertEqual(r.history.map(\.meanLoss), whole.history.map(\.meanLoss))
    }

    func testAStateThatAlreadyStoppedRunsNoMoreChunks() throws {
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 2, patience: 1, maxChunks: 30))
        let record = ChunkRecord(chunk: 1, meanLoss: 1, monitorAvg: 0.1, monitor: nil, learningRate: 0.01,
                                 trainSeconds: 0, evalSeconds: 0, improved: true)
        let stopped = ConvergeTrainer.State(best: 0.2, bestChunk: 1, sinceImprovement: 1, history: [record, record])
        var restored = false
        let out = try XCTUnwrap(try t.run(from: stopped, trainBatch: { _ in XCTFail("no training"); return (0, 0) },
                                          evaluate: { XCTFail("no evaluation"); return (0, nil) },
                                          saveBest: {}, restoreBest: { restored = true }))
        XCTAssertTrue(restored)
        XCTAssertEqual(out.chunksRun, 2)
        XCTAssertEqual(out.bestChunk, 1)
    }

    /// K* beyond the stop: training goes on to K* chunks, but the chunks after the stop are never selected,
    /// so the best chunk, the saved states and `chunksRun` are those of plain CONVERGE.
    func testTrainThroughGoesPastTheStopWithoutSelecting() throws {
        let monitor = [0.1, 0.3, 0.2, 0.25, 0.9, 0.95, 0.1]
        var chunk = 0, saved: [Int] = [], batches = 0
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 2, patience: 2, maxChunks: 30), trainThrough: 6)
        let out = try XCTUnwrap(try t.run(trainBatch: { _ in batches += 1; return (1, 0.01) },
                                          evaluate: { chunk += 1; return (monitor[chunk - 1], nil) },
                                          saveBest: { saved.append(chunk) }, restoreBest: {}))
        XCTAssertEqual(out.history.count, 6, "trained through chunk 6 = K*")
        XCTAssertEqual(batches, 12)
        XCTAssertEqual(out.chunksRun, 4, "CONVERGE alone stopped after chunk 4")
        XCTAssertEqual(out.bestChunk, 2, "0.9 and 0.95 come after the stop and are not selected")
        XCTAssertEqual(saved, [1, 2])
        XCTAssertEqual(out.history.map(\.afterStop), [nil, nil, nil, nil, true, true])
        XCTAssertEqual(out.history.map(\.improved), [true, true, false, false, false, false])
    }

    /// K* within the CONVERGE run changes nothing: same chunks, no extra record.
    func testTrainThroughWithinTheRunAddsNothing() throws {
        let plain = run([0.1, 0.3, 0.2, 0.3, 0.5, 0.4]).0
        var chunk = 0
        let monitor = [0.1, 0.3, 0.2, 0.3, 0.5, 0.4]
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 3, patience: 2, maxChunks: 30), trainThrough: 3)
        let out = try XCTUnwrap(try t.run(trainBatch: { _ in (1, 0.01) }, evaluate: { chunk += 1; return (monitor[chunk - 1], nil) },
                                          saveBest: {}, restoreBest: {}))
        XCTAssertEqual(out.bestChunk, plain.bestChunk)
        XCTAssertEqual(out.chunksRun, plain.chunksRun)
        XCTAssertEqual(out.history.map(\.monitorAvg), plain.history.map(\.monitorAvg))
        XCTAssertEqual(out.history.compactMap(\.afterStop), [])
    }

    /// Interrupted after the stop, in the fixed-chunk tail: the resumed run ends where the whole one does.
    func testResumeInsideTheFixedChunkTail() throws {
        let monitor = [0.3, 0.2, 0.1, 0.9, 0.8]
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 1, patience: 2, maxChunks: 30), trainThrough: 5)
        func go(_ state: ConvergeTrainer.State, stopAfter: Int?) throws -> (ConvergeTrainer.Outcome?, ConvergeTrainer.State?) {
            var chunk = state.history.count, last: ConvergeTrainer.State?
            let out = try t.run(from: state, trainBatch: { _ in (1, 0.01) }, evaluate: { chunk += 1; return (monitor[chunk - 1], nil) },
                                saveBest: {}, restoreBest: {}, afterChunk: { s in last = s; return stopAfter.map { s.history.count < $0 } ?? true })
            return (out, last)
        }
        let whole = try XCTUnwrap(go(.start, stopAfter: nil).0)
        let state = try XCTUnwrap(go(.start, stopAfter: 4).1)
        let resumed = try XCTUnwrap(go(state, stopAfter: nil).0)
        XCTAssertEqual(resumed.history.map(\.monitorAvg), whole.history.map(\.monitorAvg))
        XCTAssertEqual(resumed.bestChunk, 1)
        XCTAssertEqual(resumed.chunksRun, 3)
        XCTAssertEqual(whole.history.count, 5)
    }

    /// A NaN loss or monitor stops the loop with an error naming the chunk, never a result.
    func testNonFiniteLossOrMonitorStopsTheLoop() {
        let t = ConvergeTrainer(config: ConvergeConfig(chunkBatches: 2, patience: 2, maxChunks: 30))
        var chunk = 0
        XCTAssertThrowsError(try t.run(trainBatch: { b in (b >= 2 ? .nan : 1, 0.01) }, evaluate: { chunk += 1; return (0.1 * Double(chunk), nil) },
                                       saveBest: {}, restoreBest: {})) { e in
            XCTAssertEqual((e as? NonFiniteValueError)?.what, "the mean training loss of chunk 2", "\(e)")
            XCTAssertTrue("\(e)".contains("not a finite number"))
        }
        chunk = 0
        XCTAssertThrowsError(try t.run(trainBatch: { _ in (1, 0.01) }, evaluate: { chunk += 1; return (chunk == 3 ? .infinity : 0.1, nil) },
                                       saveBest: {}, restoreBest: {})) { e in
            XCTAssertEqual((e as? NonFiniteValueError)?.what, "the monitor AVG after chunk 3", "\(e)")
        }
    }
}
