import XCTest
import Foundation
import Linalg
import RecData
@testable import Recommenders

/// NeuMF training semantics: dense Adam on whole tables (torch.optim.Adam), masked entries frozen,
/// determinism across runs and thread counts, checkpoint round trips.
final class NeuMFTrainingTests: XCTestCase {
    let train = UserItemLists(userCount: 4, itemCount: 5, lists: [[0, 1], [2, 3], [1, 3], [0]])
    let sizes = EmbeddingSizes(users: [1, 6, 3, 5], items: [6, 2, 1, 4, 5], dMax: 6)
    let batch1 = BPRBatch(users: [0, 1, 2, 3], positives: [1, 2, 3, 0], negatives: [2, 0, 0, 3])
    // Batch 2 leaves out user 3 and items 2, 4: their rows must still move (moments decay).
    let batch2 = BPRBatch(users: [0, 1, 2], positives: [0, 3, 1], negatives: [3, 0, 0])

    /// Adam of `AdamState.update` applied to every parameter of the flat vector with the gradient
    /// of `lossAndGradient`, against `trainStep` (fused table pass + dense parameters).
    func testTrainStepIsDenseAdamOnAllParameters() {
        let model = NeuMF(train: train, sizes: sizes, seed: 21)
        let initial = model.parameters
        var reference = NeuMFGradientTests.flatten(initial).map(Float.init)
        var adam = AdamState(count: reference.count)
        let lr: Float = 0.03
        var afterFirst: NeuMFParameters?
        for batch in [batch1, batch2] {
            let (_, grad) = model.lossAndGradient(batch)
            adam.update(&reference, grads: NeuMFGradientTests.flatten(grad).map(Float.init), lr: lr)
            _ = model.trainStep(batch, learningRate: lr)
            let got = NeuMFGradientTests.flatten(model.parameters).map(Float.init)
            for k in 0..<got.count {
                XCTAssertEqual(got[k], reference[k], accuracy: 1e-6 * max(1, abs(reference[k])), "parameter \(k)")
            }
            if afterFirst == nil { afterFirst = model.parameters }
        }
        let final = model.parameters, first = afterFirst!
        let widths = sizes.nodeSizes.map(Int.init)
        for n in 0..<model.nodeCount {
            for c in 0..<6 {
                if c >= widths[n] {
                    XCTAssertEqual(final.mlp[n, c], initial.mlp[n, c], "masked P entry must keep its initial value")
                    XCTAssertEqual(final.gmf[n, c], initial.gmf[n, c], "masked G entry must keep its initial value")
                }
            }
        }
        // User 3 (node 3) and item 2 (node 6) are absent from batch 2 but still move in step 2.
        for n in [3, 6] {
            XCTAssertNotEqual(final.mlp[n, 0], first.mlp[n, 0], "absent row \(n) must still be updated by dense Adam")
            XCTAssertNotEqual(final.gmf[n, 0], first.gmf[n, 0], "absent row \(n) must still be updated by dense Adam")
        }
    }

    func testLossDecreasesOnRepeatedBatch() {
        let model = NeuMF(train: train, sizes: sizes, seed: 4)
        let first = model.trainStep(batch1, learningRate: 0.03)
        var last = first
        for _ in 0..<30 { last = model.trainStep(batch1, learningRate: 0.03) }
        XCTAssertLessThan(last, first * 0.8)
    }

    func testDeterministicForSeedAndThreadCount() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        var results: [NeuMFParameters] = []
        for threads in [1, 2, 2] {
            Threads.set(threads)
            let model = NeuMF(train: train, sizes: sizes, seed: 8)
            for b in [batch1, batch2, batch1] { _ = model.trainStep(b, learningRate: 0.03) }
            results.append(model.parameters)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[1], results[2])
        let other = NeuMF(train: train, sizes: sizes, seed: 9)
        XCTAssertNotEqual(other.parameters, NeuMF(train: train, sizes: sizes, seed: 8).parameters)
    }

    /// A batch large enough for several width bins, row blocks and parallel chunks: the parameters
    /// after three steps are bit-identical with 1 and 2 threads, and the loss matches a re-run.
    func testLargerBatchIsThreadCountIndependent() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        var rng = RandomStream(seed: 17, purpose: "neumf-det")
        let U = 700, I = 300, d = 64
        let lists = (0..<U).map { _ in Array(Set((0..<(1 + rng.below(6))).map { _ in Int32(rng.below(I)) })).sorted() }
        let train = UserItemLists(userCount: U, itemCount: I, lists: lists)
        let sizes = EmbeddingSizes(users: (0..<U).map { _ in UInt8(1 + rng.below(d)) },
                                   items: (0..<I).map { _ in UInt8(1 + rng.below(d)) }, dMax: d)
        var sampler = BPRSampler(train: train, seed: 3)
        let batches = (0..<3).map { _ in sampler.nextBatch(size: 1200) }
        var results: [(NeuMFParameters, [Float])] = []
        for threads in [1, 2] {
            Threads.set(threads)
            let model = NeuMF(train: train, sizes: sizes, seed: 5)
            let losses = batches.map { model.trainStep($0, learningRate: 0.03) }
            results.append((model.parameters, losses))
        }
        XCTAssertEqual(results[0].1, results[1].1)
        XCTAssertTrue(results[0].0 == results[1].0, "parameters differ between 1 and 2 threads")
    }

    func testInitialisationBounds() {
        let model = NeuMF(train: train, sizes: sizes, seed: 1)
        let p = model.parameters
        let userBound = Float((6.0 / Double(4 + 6)).squareRoot()), itemBound = Float((6.0 / Double(5 + 6)).squareRoot())
        let linear = Float(1 / (12.0).squareRoot())
        for n in 0..<9 {
            for c in 0..<6 {
                let bound = n < 4 ? userBound : itemBound
                XCTAssertLessThanOrEqual(abs(p.gmf[n, c]), bound)
                XCTAssertLessThanOrEqual(abs(p.mlp[n, c]), bound)
            }
        }
        XCTAssertTrue((p.towerWeight.storage + p.towerBias + p.predictorWeight + [p.predictorBias]).allSatisfy { abs($0) <= linear })
        // Not degenerate: the draws fill the range rather than collapsing near zero.
        XCTAssertGreaterThan(p.gmf.storage.map { abs($0) }.max()!, 0.5 * itemBound)
        XCTAssertGreaterThan(p.towerWeight.storage.map { abs($0) }.max()!, 0.5 * linear)
    }

    func testCheckpointRoundTripContinuesIdentically() throws {
        let a = NeuMF(train: train, sizes: sizes, seed: 2)
        _ = a.trainStep(batch1, learningRate: 0.03)
        _ = a.trainStep(batch2, learningRate: 0.03)
        let data = try JSONEncoder().encode(a.checkpoint())
        let c = try JSONDecoder().decode(BackboneCheckpoint.self, from: data)
        _ = a.trainStep(batch1, learningRate: 0.027)
        _ = a.trainStep(batch2, learningRate: 0.027)
        let b = NeuMF(train: train, sizes: sizes, seed: 99)
        try b.restore(c)
        XCTAssertEqual(b.steps, 2)
        _ = b.trainStep(batch1, learningRate: 0.027)
        _ = b.trainStep(batch2, learningRate: 0.027)
        XCTAssertEqual(a.parameters, b.parameters)
        let lg = LightGCN(train: train, sizes: sizes, seed: 1)
        XCTAssertThrowsError(try b.restore(lg.checkpoint()))
    }
}
