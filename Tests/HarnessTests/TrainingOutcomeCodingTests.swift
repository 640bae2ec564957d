import XCTest
import Evaluation
import Recommenders
@testable import Harness

final class TrainingOutcomeCodingTests: XCTestCase {
    /// Cached retrainings are read back with `JSONOutput.decoder`: every field must survive the
    /// snake_case round trip (acronym field names would not).
    func testTrainingOutcomeRoundTripsThroughTheResultEncoding() throws {
        let m = MetricSummary(recall5: 0.1, recall10: 0.2, recall20: 0.3, ndcg5: 0.4, ndcg10: 0.5, ndcg20: 0.6, avg: 0.35)
        let o = TrainingOutcome(
            request: TrainingRequest(dataset: "ml-1m", backbone: .lightgcn, sizes: .equal(12), finalProtocol: .code, seed: 3),
            protocolLabel: FinalProtocol.code.label, valid: nil, test: m, sparsity: 0.90625, bestChunk: 2, chunksRun: 4,
            history: [ChunkRecord(chunk: 1, meanLoss: 0.5, monitorAvg: 0.3, monitor: m, learningRate: 0.03, trainSeconds: 1,
                                  evalSeconds: 0.1, improved: true)],
            wallSeconds: 9.5, rawDigest: "r", splitDigest: "s",
            provenance: Provenance(gitCommit: "abc", gitDirty: false, toolchain: "t", machine: "m", cpu: "c", threads: 2))
        let back = try JSONOutput.decoder.decode(TrainingOutcome.self, from: JSONOutput.encodeRaw(o))
        XCTAssertEqual(back, o)
    }
}
