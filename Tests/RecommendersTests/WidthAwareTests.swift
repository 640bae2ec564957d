import XCTest
import Evaluation
import Linalg
import RecData
@testable import Recommenders

/// The width-aware backbones (buffers and products at w = max_n d_n instead of dMax) against their
/// forced full-width path, bit for bit: losses, parameters, optimiser state, checkpoints, scores and
/// the full-ranking report, on random size vectors.
final class WidthAwareTests: XCTestCase {
    /// A random bipartite graph: 40 users × 70 items, 3–12 items each.
    static let train: UserItemLists = {
        var rng = RandomStream(seed: 5, purpose: "width-aware-graph")
        let lists = (0..<40).map { _ -> [Int32] in
            let n = 3 + Int(rng.below(10))
            return Array(Set((0..<n).map { _ in Int32(rng.below(70)) })).sorted()
        }
        return UserItemLists(userCount: 40, itemCount: 70, lists: lists)
    }()

    /// Sizes drawn uniformly in 1...maxSize (and one node at exactly maxSize).
    static func sizes(maxSize: Int, seed: UInt64) -> EmbeddingSizes {
        var rng = RandomStream(seed: seed, purpose: "width-aware-sizes")
        var all = (0..<110).map { _ in UInt8(1 + rng.below(maxSize)) }
        all[rng.below(110)] = UInt8(maxSize)
        return EmbeddingSizes(users: Array(all[0..<40]), items: Array(all[40...]), dMax: 128)
    }

    func compare(maxSize: Int, seed: UInt64, make: (EmbeddingSizes, Bool) -> any Backbone, steps: Int = 6,
                 file: StaticString = #filePath, line: UInt = #line) throws {
        let sizes = Self.sizes(maxSize: maxSize, seed: seed)
        let narrow = make(sizes, false), wide = make(sizes, true)
        var sampler = BPRSampler(train: Self.train, seed: seed)
        for s in 0..<steps {
            let batch = sampler.nextBatch(size: 64)
            let a = narrow.trainStep(batch, learningRate: 0.03), b = wide.trainStep(batch, learningRate: 0.03)
            XCTAssertEqual(a.bitPattern, b.bitPattern, "loss of step \(s), max size \(maxSize)", file: file, line: line)
        }
        let ca = narrow.checkpoint(), cb = wide.checkpoint()
        XCTAssertEqual(ca, cb, "checkpoints (parameters, Adam moments), max size \(maxSize)", file: file, line: line)
        if let ln = narrow as? LightGCN, let lw = wide as? LightGCN {
            XCTAssertEqual(ln.finalEmbeddings().users, lw.finalEmbeddings().users, "F, max size \(maxSize)", file: file, line: line)
        }
        let sa = narrow.makeScorer(), sb = wide.makeScorer()
        var out1 = [Float](repeating: 0, count: 40 * 70), out2 = out1
        // As the evaluator calls it: OpenBLAS at one thread (a multi-threaded sgemm may split k).
        OpenBLASSingleThreaded.run {
            sa.scores(users: 0..<40, into: &out1)
            sb.scores(users: 0..<40, into: &out2)
        }
        let differing = zip(out1, out2).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "scores differing in any bit, max size \(maxSize)", file: file, line: line)
        let held = UserItemLists(userCount: 40, itemCount: 70, lists: (0..<40).map { u in [Int32((u * 7) % 70)] })
        let ra = FullRankingEvaluator.evaluate(scorer: sa, positives: held, exclude: [Self.train])
        let rb = FullRankingEvaluator.evaluate(scorer: sb, positives: held, exclude: [Self.train])
        XCTAssertEqual(ra.summary, rb.summary, file: file, line: line)
        // A model restored from the narrow checkpoint continues exactly as the wide one.
        let restored = make(sizes, false)
        try restored.restore(cb)
        let batch = sampler.nextBatch(size: 64)
        XCTAssertEqual(restored.trainStep(batch, learningRate: 0.01).bitPattern, wide.trainStep(batch, learningRate: 0.01).bitPattern,
                       file: file, line: line)
        XCTAssertEqual(restored.checkpoint(), wide.checkpoint(), file: file, line: line)
    }

    func testLightGCNIsBitIdenticalToFullWidth() throws {
        for (maxSize, seed) in [(1, 1), (6, 2), (25, 3), (32, 4), (33, 5), (70, 6), (127, 7), (128, 8)] as [(Int, UInt64)] {
            try compare(maxSize: maxSize, seed: seed) { LightGCN(train: Self.train, sizes: $0, seed: 9, fullWidth: $1) }
        }
        XCTAssertEqual(LightGCN(train: Self.train, sizes: Self.sizes(maxSize: 25, seed: 3), seed: 9).computeWidth, 25)
    }
}
