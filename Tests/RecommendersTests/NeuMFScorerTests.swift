import XCTest
import Linalg
import RecData
@testable import Recommenders

/// The decomposed full-ranking scorer equals the direct per-pair MLP score.
final class NeuMFScorerTests: XCTestCase {
    func model(masking: NeuMFMasking, dMax: Int) -> NeuMF {
        let U = 7, I = 70
        var rng = RandomStream(seed: 5, purpose: "scorer-test")
        let lists = (0..<U).map { u in [Int32(u), Int32(u + 10)] }
        let train = UserItemLists(userCount: U, itemCount: I, lists: lists)
        let sizes = EmbeddingSizes(users: (0..<U).map { _ in UInt8(1 + rng.below(dMax)) },
                                   items: (0..<I).map { _ in UInt8(1 + rng.below(dMax)) }, dMax: dMax)
        let m = NeuMF(train: train, sizes: sizes, seed: 3, masking: masking)
        // Scale everything up so that the tower has active and inactive units of both signs.
        var p = m.parameters
        p.gmf.storage = p.gmf.storage.map { $0 * 3 }
        p.mlp.storage = p.mlp.storage.map { $0 * 3 }
        p.towerWeight.storage = p.towerWeight.storage.map { $0 * 2 }
        m.parameters = p
        return m
    }

    func testScorerEqualsDirectScore() {
        for (masking, d) in [(NeuMFMasking.bothTables, 20), (.mlpOnly, 20), (.bothTables, 128)] {
            let m = model(masking: masking, dMax: d)
            let scorer = m.makeNeuMFScorer()
            var out = [Float](repeating: .nan, count: 7 * 70)
            out.withUnsafeMutableBufferPointer { scorer.scores(users: 0..<7, into: $0.baseAddress!) }
            var maxDiff = 0.0, maxAbs = 0.0, active = 0
            let reference = m.directScores(users: 0..<7, items: 0..<70)
            for u in 0..<7 {
                for v in 0..<70 {
                    let direct = reference[u * 70 + v]
                    maxDiff = max(maxDiff, abs(Double(out[u * 70 + v]) - direct))
                    maxAbs = max(maxAbs, abs(direct))
                    if direct != Double(m.parameters.predictorBias) { active += 1 }
                }
            }
            XCTAssertLessThan(maxDiff, 1e-5, "\(masking) d=\(d)")
            XCTAssertGreaterThan(maxAbs, 0.1, "scores must not be trivially constant")
            XCTAssertEqual(active, 7 * 70)
        }
    }

    /// Sub-blocks (odd user counts, unaligned item ranges) are bit-identical to the full block.
    func testBlockingDoesNotChangeScores() {
        let m = model(masking: .bothTables, dMax: 20)
        let scorer = m.makeNeuMFScorer()
        var full = [Float](repeating: .nan, count: 7 * 70)
        full.withUnsafeMutableBufferPointer { scorer.scores(users: 0..<7, into: $0.baseAddress!) }
        for (users, items) in [(2..<5, 13..<69), (6..<7, 0..<70), (0..<3, 64..<70), (1..<7, 5..<6)] {
            var part = [Float](repeating: .nan, count: users.count * items.count)
            part.withUnsafeMutableBufferPointer { scorer.scores(users: users, items: items, into: $0.baseAddress!) }
            for (r, u) in users.enumerated() {
                for (c, v) in items.enumerated() {
                    XCTAssertEqual(part[r * items.count + c], full[u * 70 + v], "(\(u), \(v)) in \(users) × \(items)")
                }
            }
        }
    }
}
